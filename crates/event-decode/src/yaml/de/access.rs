//! The accessors serde's collections read through: sequence items,
//! mapping entries (with the path and duplicate bookkeeping of generic
//! types) and enum variants.

use serde::de::{self, DeserializeSeed, Visitor};

use super::{Deserializer, PathSegment};
use crate::yaml::error::{Error, ErrorKind};
use crate::yaml::source::{Node, NodeSource};

pub(super) struct SeqAccess<'d, 's, S> {
    pub(super) de: &'d mut Deserializer<'s, S>,
    pub(super) index: usize,
    pub(super) done: bool,
}

impl<'s, S: NodeSource<'s>> de::SeqAccess<'s> for SeqAccess<'_, 's, S> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'s>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.done {
            return Ok(None);
        }
        let tracking = self.de.tracker.is_some();
        if tracking && self.index > 0 {
            self.de.pop_path();
        }
        if matches!(self.de.peek()?.0, Node::SequenceEnd) {
            self.de.next()?;
            self.done = true;
            return Ok(None);
        }
        if let Some(t) = self.de.tracker.as_mut() {
            t.path.push(PathSegment::Index(self.index));
        }
        self.index += 1;
        seed.deserialize(&mut *self.de).map(Some)
    }
}

pub(super) struct MapAccess<'d, 's, S> {
    pub(super) de: &'d mut Deserializer<'s, S>,
    pub(super) first: bool,
    pub(super) done: bool,
}

impl<'s, S: NodeSource<'s>> MapAccess<'_, 's, S> {
    /// Path and duplicate bookkeeping for the key about to be read.
    #[inline]
    fn track_key(&mut self) -> Result<(), Error> {
        let Some(t) = self.de.tracker.as_mut() else {
            return Ok(());
        };
        let key = match &self.de.peeked {
            Some((Node::Scalar { text, .. }, _)) => Some(text.to_string()),
            _ => None,
        };
        let name = key.clone().unwrap_or_else(|| "?".to_owned());
        t.path.push(PathSegment::Field(name));
        if let (Some(k), Some(seen)) = (key, t.keys.last_mut()) {
            if seen.contains(&k) {
                let mark = self.de.peeked.as_ref().map(|p| p.1).unwrap_or(self.de.last);
                return Err(Error::new(ErrorKind::Data, format!("duplicate key {k:?}")).at(mark));
            }
            seen.insert(k);
        }
        Ok(())
    }
}

impl<'s, S: NodeSource<'s>> de::MapAccess<'s> for MapAccess<'_, 's, S> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'s>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.done {
            return Ok(None);
        }
        if !self.first {
            self.de.pop_path();
        }
        if matches!(self.de.peek()?.0, Node::MappingEnd) {
            self.de.next()?;
            self.done = true;
            if let Some(t) = self.de.tracker.as_mut() {
                t.keys.pop();
            }
            return Ok(None);
        }
        self.first = false;
        if self.de.tracker.is_some() {
            self.track_key()?;
        }
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'s>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.de)
    }
}

pub(super) struct EnumAccess<'d, 's, S> {
    pub(super) de: &'d mut Deserializer<'s, S>,
}

impl<'s, S: NodeSource<'s>> de::EnumAccess<'s> for EnumAccess<'_, 's, S> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'s>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let v = seed.deserialize(&mut *self.de)?;
        Ok((v, self))
    }
}

impl<'s, S: NodeSource<'s>> de::VariantAccess<'s> for EnumAccess<'_, 's, S> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(&mut *self.de)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'s>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(&mut *self.de)
    }

    fn tuple_variant<V: Visitor<'s>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(&mut *self.de, visitor)
    }

    fn struct_variant<V: Visitor<'s>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_map(&mut *self.de, visitor)
    }
}
