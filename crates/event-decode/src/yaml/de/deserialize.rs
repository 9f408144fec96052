//! serde's `Deserializer` trait for [`Deserializer`]: scalars resolved by
//! the type a visitor asks for, collections handed to the accessors of
//! [`super::access`], and the messages of a mismatch.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, IntoDeserializer, Visitor};

use super::Deserializer;
use super::access::EnumAccess;
use crate::yaml::error::{Error, ErrorKind};
use crate::yaml::scalar::{self, Resolved};
use crate::yaml::source::{Mark, Node, NodeSource};

/// Hands text to a visitor: owned strings move (a `String` target keeps the
/// allocation), borrowed ones are lent for the whole input's lifetime
/// (`visit_borrowed_str`), so a seed can keep them without a copy.
#[inline(always)]
fn visit_text<'s, V: Visitor<'s>>(visitor: V, text: Cow<'s, str>) -> Result<V::Value, Error> {
    match text {
        Cow::Owned(s) => visitor.visit_string(s),
        Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
    }
}

/// `found "abc"` / `found null`, the text cut to 64 bytes.
struct Found<'a>(&'a str, Resolved);

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.1 == Resolved::Null {
            return f.write_str("null");
        }
        let mut end = self.0.len().min(64);
        while !self.0.is_char_boundary(end) {
            end -= 1;
        }
        if end < self.0.len() {
            write!(f, "{:?}...", &self.0[..end])
        } else {
            write!(f, "{:?}", self.0)
        }
    }
}

pub(super) fn expected_found(expected: &str, text: &str, r: Resolved, mark: Mark) -> Error {
    Error::new(
        ErrorKind::Data,
        format!("expected {expected}, found {}", Found(text, r)),
    )
    .at(mark)
}

/// A core tag on text that is not of its type (`!!int abc`).
#[cold]
pub(super) fn tag_mismatch(tag: &str, text: &str, mark: Mark) -> Error {
    Error::new(
        ErrorKind::Data,
        format!(
            "expected a value of tag {tag}, found {}",
            Found(text, Resolved::Str)
        ),
    )
    .at(mark)
}

pub(super) fn wrong(expected: &str, node: &Node<'_>, mark: Mark) -> Error {
    let found = match node {
        Node::SequenceStart => "a sequence",
        Node::MappingStart => "a mapping",
        Node::SequenceEnd | Node::MappingEnd => "the end of a collection",
        Node::Scalar { text, style, tag } => {
            let r = scalar::resolve(text, *style, *tag).unwrap_or(Resolved::Str);
            return expected_found(expected, text, r, mark);
        }
    };
    Error::new(
        ErrorKind::Data,
        format!("expected {expected}, found {found}"),
    )
    .at(mark)
}

macro_rules! deserialize_int {
    ($($method:ident => $visit:ident : $ty:ty, $what:literal;)*) => {
        $(
            fn $method<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
                let v: $ty = self.int($what)?;
                visitor.$visit(v)
            }
        )*
    };
}

/// `'de` is the input's lifetime `'s`: text the source lends (the scanners'
/// borrowed scalars) reaches visitors through `visit_borrowed_str`.
impl<'s, S: NodeSource<'s>> de::Deserializer<'s> for &mut Deserializer<'s, S> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        let (node, mark) = self.next()?;
        match node {
            Node::Scalar { text, style, tag } => {
                let r = scalar::resolve(&text, style, tag)
                    .map_err(|tag| tag_mismatch(tag, &text, mark))?;
                match r {
                    Resolved::Null => visitor.visit_unit(),
                    Resolved::Bool(b) => visitor.visit_bool(b),
                    Resolved::Int => match scalar::parse_int(&text) {
                        Some(v) if v >= 0 && v <= i128::from(u64::MAX) => {
                            visitor.visit_u64(v as u64)
                        }
                        Some(v) if v < 0 && v >= i128::from(i64::MIN) => {
                            visitor.visit_i64(v as i64)
                        }
                        // Beyond 64 bits: as a float, like serde_json.
                        _ => visitor.visit_f64(text.parse::<f64>().unwrap_or(f64::INFINITY)),
                    },
                    Resolved::Float => visitor.visit_f64(
                        scalar::parse_f64(&text, r)
                            .unwrap_or_else(|| text.parse::<f64>().unwrap_or(f64::NAN)),
                    ),
                    Resolved::Str => visit_text(visitor, text),
                }
            }
            Node::SequenceStart => self.visit_seq_here(visitor),
            Node::MappingStart => self.visit_map_here(visitor),
            other => Err(wrong("a value", &other, mark)),
        }
    }

    fn deserialize_bool<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        let (text, r, mark) = self.scalar("a boolean")?;
        match r {
            Resolved::Bool(b) => visitor.visit_bool(b),
            _ => Err(expected_found("a boolean", &text, r, mark)),
        }
    }

    deserialize_int! {
        deserialize_i8 => visit_i8: i8, "a signed 8-bit integer";
        deserialize_i16 => visit_i16: i16, "a signed 16-bit integer";
        deserialize_i32 => visit_i32: i32, "a signed 32-bit integer";
        deserialize_i64 => visit_i64: i64, "a signed 64-bit integer";
        deserialize_i128 => visit_i128: i128, "a signed 128-bit integer";
        deserialize_u8 => visit_u8: u8, "an unsigned 8-bit integer";
        deserialize_u16 => visit_u16: u16, "an unsigned 16-bit integer";
        deserialize_u32 => visit_u32: u32, "an unsigned 32-bit integer";
        deserialize_u64 => visit_u64: u64, "an unsigned 64-bit integer";
        deserialize_u128 => visit_u128: u128, "an unsigned 128-bit integer";
    }

    fn deserialize_f32<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        const WHAT: &str = "a 32-bit float";
        let (text, r, mark) = self.scalar(WHAT)?;
        match r {
            Resolved::Int | Resolved::Float => match scalar::parse_f32(&text, r) {
                Some(v) => visitor.visit_f32(v),
                None => Err(expected_found(WHAT, &text, r, mark)),
            },
            _ => Err(expected_found(WHAT, &text, r, mark)),
        }
    }

    fn deserialize_f64<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        const WHAT: &str = "a 64-bit float";
        let (text, r, mark) = self.scalar(WHAT)?;
        match r {
            Resolved::Int | Resolved::Float => match scalar::parse_f64(&text, r) {
                Some(v) => visitor.visit_f64(v),
                None => Err(expected_found(WHAT, &text, r, mark)),
            },
            _ => Err(expected_found(WHAT, &text, r, mark)),
        }
    }

    fn deserialize_char<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        let (text, r, mark) = self.scalar("a single character")?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if r != Resolved::Null => visitor.visit_char(c),
            _ => Err(expected_found("a single character", &text, r, mark)),
        }
    }

    fn deserialize_str<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        let (node, mark) = self.next()?;
        match node {
            Node::Scalar { text, style, tag } => {
                if scalar::is_null(&text, style, tag) {
                    visitor.visit_unit()
                } else if let (Some(_), Err(tag)) = (tag, scalar::resolve(&text, style, tag)) {
                    Err(tag_mismatch(tag, &text, mark))
                } else {
                    visit_text(visitor, text)
                }
            }
            other => Err(wrong("a string", &other, mark)),
        }
    }

    fn deserialize_string<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        let (text, _, _) = self.scalar("a string")?;
        visitor.visit_byte_buf(text.into_owned().into_bytes())
    }

    fn deserialize_byte_buf<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        let null = match &self.peek()?.0 {
            Node::Scalar { text, style, tag } => scalar::is_null(text, *style, *tag),
            _ => false,
        };
        if null {
            self.next()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        let (text, r, mark) = self.scalar("null")?;
        match r {
            Resolved::Null => visitor.visit_unit(),
            _ => Err(expected_found("null", &text, r, mark)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'s>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'s>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        let (node, mark) = self.next()?;
        match node {
            Node::SequenceStart => self.visit_seq_here(visitor),
            Node::Scalar {
                ref text,
                style,
                tag,
            } if scalar::is_null(text, style, tag) => visitor.visit_unit(),
            other => Err(wrong("a sequence", &other, mark)),
        }
    }

    fn deserialize_tuple<V: Visitor<'s>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'s>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        let (node, mark) = self.next()?;
        match node {
            Node::MappingStart => self.visit_map_here(visitor),
            Node::Scalar {
                ref text,
                style,
                tag,
            } if scalar::is_null(text, style, tag) => visitor.visit_unit(),
            other => Err(wrong("a mapping", &other, mark)),
        }
    }

    fn deserialize_struct<V: Visitor<'s>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'s>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (node, mark) = self.next()?;
        match node {
            // A unit variant by name.
            Node::Scalar { text, .. } => visitor.visit_enum(text.into_owned().into_deserializer()),
            // `{variant: value}`
            Node::MappingStart => {
                let value = visitor.visit_enum(EnumAccess { de: self })?;
                match self.next()? {
                    (Node::MappingEnd, _) => Ok(value),
                    (_, mark) => Err(Error::new(
                        ErrorKind::Data,
                        "expected a mapping with a single key (the variant name)",
                    )
                    .at(mark)),
                }
            }
            other => Err(wrong(
                "an enum variant name or a single-key mapping",
                &other,
                mark,
            )),
        }
    }

    fn deserialize_identifier<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        let (node, mark) = self.next()?;
        match node {
            Node::Scalar { text, .. } => visit_text(visitor, text),
            other => Err(wrong("a field name", &other, mark)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value, Error> {
        self.skip()?;
        visitor.visit_unit()
    }
}
