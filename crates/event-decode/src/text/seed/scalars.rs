//! Scalars: primitives, timestamps and kinds.

use super::*;

/// A primitive through its own `Deserialize` (the format checks type and range).
pub(super) struct Prim<T>(pub(super) std::marker::PhantomData<T>);

pub(super) fn prim<T>() -> Prim<T> {
    Prim(std::marker::PhantomData)
}

impl<'de, T: de::Deserialize<'de>> DeserializeSeed<'de> for Prim<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::deserialize(d)
    }
}

/// `ts`: integer milliseconds or an RFC 3339 string.
#[derive(Clone, Copy)]
pub(super) struct Ts<'a, 't>(pub(super) Ctx<'a, 't>);

impl<'de> DeserializeSeed<'de> for Ts<'_, '_> {
    type Value = Timestamp;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Timestamp, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Ts<'_, '_> {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("integer unix milliseconds or an RFC 3339 timestamp")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
        Ok(Timestamp(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
        i64::try_from(v).map(Timestamp).map_err(|_| {
            self.0.data(format_args!(
                "timestamp {v} is out of range for i64 milliseconds"
            ))
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
        Timestamp::parse_rfc3339(v).map_err(|e| self.0.data(format_args!("{e}")))
    }
}

/// `kind`: one of the kind names.
#[derive(Clone, Copy)]
pub(super) struct KindSeed<'a, 't>(pub(super) Ctx<'a, 't>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for KindSeed<'a, '_> {
    type Value = Kind;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        let name = Text(self.0).deserialize(d)?;
        Kind::from_name(name).ok_or_else(|| {
            self.0.data(format_args!(
                "unknown kind {name:?} (expected one of: {})",
                Kind::NAMES
            ))
        })
    }
}
