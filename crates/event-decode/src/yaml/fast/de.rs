//! A serde `Deserializer` straight over the fast scanner's [`Token`]s: the
//! decoder's path for every document the line scanner accepts.
//!
//! Visitors get exactly what the general [`Deserializer`](super::super::de)
//! gives them for the same nodes (which here never have tags): the same
//! core-schema resolution, through the same functions. What it leaves out
//! is everything that only serves errors: marks, the collection stack, a
//! lookahead copy of each node, the field path. Any failure is [`Declined`],
//! without a message; the caller decodes the document again with the
//! engine, whose errors carry the line, column and path. Written by hand
//! for speed: the general deserializer's bookkeeping cost about as much per
//! event as the scan itself.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::super::escape::unescape_into;
use super::super::scalar::{self, Resolved};
use super::super::source::ScalarStyle;
use super::{Token, TokenKind};

/// The fast path could not finish the document (a type mismatch, a
/// missing field, a limit, anything a seed refused): decode it again
/// with the engine for the error. No message, so declining allocates
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Declined;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("declined by the fast path")
    }
}

impl std::error::Error for Declined {}

impl de::Error for Declined {
    #[cold]
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Declined
    }
}

/// A deserializer of one document's tokens, every scalar borrowed from
/// `text` but the escaped ones, built in `scratch` (a buffer reused across
/// documents: no allocation once it has grown).
pub(crate) struct FastDe<'s, 't> {
    text: &'s str,
    tokens: &'t [Token],
    next: usize,
    scratch: &'t mut String,
}

type Result<T> = std::result::Result<T, Declined>;

impl<'s, 't> FastDe<'s, 't> {
    /// A deserializer of `tokens` (from [`scan`](super::scan) of `text`).
    pub(crate) fn new(text: &'s str, tokens: &'t [Token], scratch: &'t mut String) -> Self {
        FastDe {
            text,
            tokens,
            next: 0,
            scratch,
        }
    }

    /// Whether the first event opens a mapping (an event's root).
    pub(crate) fn starts_with_mapping(&self) -> bool {
        matches!(
            self.tokens.first().map(|t| t.kind),
            Some(TokenKind::MappingStart)
        )
    }

    /// Checks that every token was read.
    pub(crate) fn end(&self) -> Result<()> {
        if self.next == self.tokens.len() {
            Ok(())
        } else {
            Err(Declined)
        }
    }

    #[inline(always)]
    fn peek(&self) -> Result<Token> {
        self.tokens.get(self.next).copied().ok_or(Declined)
    }

    #[inline(always)]
    fn next(&mut self) -> Result<Token> {
        let t = self.peek()?;
        self.next += 1;
        Ok(t)
    }

    #[inline(always)]
    fn text_of(&self, t: Token) -> &'s str {
        self.text.get(t.range()).unwrap_or_default()
    }

    /// The next token as a scalar: its text as it stands and its style
    /// (an escaped scalar's raw text: only for core-schema resolution,
    /// where any double-quoted scalar is a string).
    #[inline(always)]
    fn scalar(&mut self) -> Result<(&'s str, ScalarStyle)> {
        let t = self.next()?;
        match t.kind {
            TokenKind::Scalar(style) => Ok((self.text_of(t), style)),
            TokenKind::Escaped => Ok((self.text_of(t), ScalarStyle::DoubleQuoted)),
            _ => Err(Declined),
        }
    }

    /// Scalar token `t`'s text: as it stands, or with its escapes applied
    /// (built in the scratch buffer).
    fn text(&mut self, t: Token) -> Result<&str> {
        if t.kind != TokenKind::Escaped {
            return Ok(self.text_of(t));
        }
        self.scratch.clear();
        unescape_into(self.text_of(t), self.scratch).ok_or(Declined)?;
        Ok(self.scratch.as_str())
    }

    /// Hands scalar token `t`'s text to `visitor`: borrowed for the
    /// input's lifetime, or, escaped, built (the visitor copies it).
    #[inline(always)]
    fn visit_text<V: Visitor<'s>>(&mut self, t: Token, visitor: V) -> Result<V::Value> {
        if t.kind == TokenKind::Escaped {
            self.visit_escaped(t, visitor)
        } else {
            visitor.visit_borrowed_str(self.text_of(t))
        }
    }

    /// An escaped scalar's text, built, to `visitor` (out of line: rare,
    /// and kept out of every visitor's hot path).
    #[inline(never)]
    fn visit_escaped<V: Visitor<'s>>(&mut self, t: Token, visitor: V) -> Result<V::Value> {
        visitor.visit_str(self.text(t)?)
    }

    /// The next token as a scalar, resolved by the core schema.
    #[inline(always)]
    fn resolved(&mut self) -> Result<(&'s str, Resolved)> {
        let (text, style) = self.scalar()?;
        Ok((text, untagged(text, style)))
    }

    fn int<T: TryFrom<i128>>(&mut self) -> Result<T> {
        let (text, style) = self.scalar()?;
        // Digits only, the common case: an int by the core schema, and its
        // value at once (what resolving and then parsing would give).
        if style == ScalarStyle::Plain {
            if let Some(v) = scalar::small_decimal(text) {
                return T::try_from(i128::from(v)).map_err(|_| Declined);
            }
        }
        if untagged(text, style) == Resolved::Int {
            if let Some(v) = scalar::parse_int(text).and_then(|v| T::try_from(v).ok()) {
                return Ok(v);
            }
        }
        Err(Declined)
    }

    /// Consumes one whole node (iteratively; the scan bounded the depth).
    fn skip(&mut self) -> Result<()> {
        let mut depth = 0usize;
        loop {
            match self.next()?.kind {
                TokenKind::SequenceStart | TokenKind::MappingStart => depth += 1,
                TokenKind::SequenceEnd | TokenKind::MappingEnd => depth = depth.saturating_sub(1),
                TokenKind::Scalar(_) | TokenKind::Escaped => {}
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    /// Consumes the rest of the current collection, its end included.
    fn finish_collection(&mut self) -> Result<()> {
        loop {
            if is_end(self.peek()?) {
                self.next += 1;
                return Ok(());
            }
            self.skip()?;
        }
    }

    fn visit_seq_here<V: Visitor<'s>>(&mut self, visitor: V) -> Result<V::Value> {
        let mut access = Access {
            de: self,
            done: false,
        };
        let value = visitor.visit_seq(&mut access)?;
        if !access.done {
            self.finish_collection()?;
        }
        Ok(value)
    }

    fn visit_map_here<V: Visitor<'s>>(&mut self, visitor: V) -> Result<V::Value> {
        let mut access = Access {
            de: self,
            done: false,
        };
        let value = visitor.visit_map(&mut access)?;
        if !access.done {
            self.finish_collection()?;
        }
        Ok(value)
    }
}

/// The core-schema type of a scalar without a tag.
#[inline(always)]
fn untagged(text: &str, style: ScalarStyle) -> Resolved {
    if style == ScalarStyle::Plain {
        scalar::resolve_plain(text)
    } else {
        Resolved::Str
    }
}

#[inline(always)]
fn is_end(t: Token) -> bool {
    matches!(t.kind, TokenKind::SequenceEnd | TokenKind::MappingEnd)
}

/// Whether a scalar token is null (as the general deserializer's
/// `is_null` decides for an untagged node).
#[inline(always)]
fn null_scalar(de: &FastDe<'_, '_>, t: Token) -> bool {
    matches!(t.kind, TokenKind::Scalar(ScalarStyle::Plain))
        && scalar::is_null(de.text_of(t), ScalarStyle::Plain, None)
}

/// Sequence items and mapping entries: the same walk for both.
struct Access<'d, 's, 't> {
    de: &'d mut FastDe<'s, 't>,
    done: bool,
}

impl<'s> Access<'_, 's, '_> {
    /// `None` (and the end consumed) at the collection's end.
    #[inline(always)]
    fn item<T: DeserializeSeed<'s>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.done {
            return Ok(None);
        }
        if is_end(self.de.peek()?) {
            self.de.next += 1;
            self.done = true;
            return Ok(None);
        }
        seed.deserialize(&mut *self.de).map(Some)
    }
}

impl<'s> de::SeqAccess<'s> for Access<'_, 's, '_> {
    type Error = Declined;

    fn next_element_seed<T: DeserializeSeed<'s>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        self.item(seed)
    }
}

impl<'s> de::MapAccess<'s> for Access<'_, 's, '_> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'s>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        self.item(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'s>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.de)
    }
}

/// `{variant: value}` enums.
struct Variant<'d, 's, 't> {
    de: &'d mut FastDe<'s, 't>,
}

impl<'s> de::EnumAccess<'s> for Variant<'_, 's, '_> {
    type Error = Declined;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'s>>(self, seed: V) -> Result<(V::Value, Self)> {
        let v = seed.deserialize(&mut *self.de)?;
        Ok((v, self))
    }
}

impl<'s> de::VariantAccess<'s> for Variant<'_, 's, '_> {
    type Error = Declined;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(&mut *self.de)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'s>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(&mut *self.de)
    }

    fn tuple_variant<V: Visitor<'s>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(&mut *self.de, visitor)
    }

    fn struct_variant<V: Visitor<'s>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_map(&mut *self.de, visitor)
    }
}

macro_rules! deserialize_int {
    ($($method:ident => $visit:ident : $ty:ty;)*) => {
        $(
            fn $method<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
                let v: $ty = self.int()?;
                visitor.$visit(v)
            }
        )*
    };
}

/// Each method mirrors the general deserializer's for a node without a
/// tag (`yaml/de/deserialize.rs`); the differential tests hold them equal.
impl<'s> de::Deserializer<'s> for &mut FastDe<'s, '_> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        let t = self.next()?;
        match t.kind {
            TokenKind::Scalar(style) => {
                let text = self.text_of(t);
                // Digits only, the common number: an int, its value at once
                // (what resolving and then `parse_int` give, below). The
                // first byte checked first: keys come here too.
                if style == ScalarStyle::Plain
                    && text.as_bytes().first().is_some_and(u8::is_ascii_digit)
                {
                    if let Some(v) = scalar::small_decimal(text) {
                        // No sign: not negative.
                        return visitor.visit_u64(v.unsigned_abs());
                    }
                }
                match untagged(text, style) {
                    Resolved::Null => visitor.visit_unit(),
                    Resolved::Bool(b) => visitor.visit_bool(b),
                    Resolved::Int => match scalar::parse_int(text) {
                        Some(v) if v >= 0 && v <= i128::from(u64::MAX) => {
                            visitor.visit_u64(v as u64)
                        }
                        Some(v) if v < 0 && v >= i128::from(i64::MIN) => {
                            visitor.visit_i64(v as i64)
                        }
                        _ => visitor.visit_f64(text.parse::<f64>().unwrap_or(f64::INFINITY)),
                    },
                    r @ Resolved::Float => visitor.visit_f64(
                        scalar::parse_f64(text, r)
                            .unwrap_or_else(|| text.parse::<f64>().unwrap_or(f64::NAN)),
                    ),
                    Resolved::Str => visitor.visit_borrowed_str(text),
                }
            }
            // Double-quoted: a string by the core schema.
            TokenKind::Escaped => self.visit_text(t, visitor),
            TokenKind::SequenceStart => self.visit_seq_here(visitor),
            TokenKind::MappingStart => self.visit_map_here(visitor),
            TokenKind::SequenceEnd | TokenKind::MappingEnd => Err(Declined),
        }
    }

    fn deserialize_bool<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        match self.resolved()? {
            (_, Resolved::Bool(b)) => visitor.visit_bool(b),
            _ => Err(Declined),
        }
    }

    deserialize_int! {
        deserialize_i8 => visit_i8: i8;
        deserialize_i16 => visit_i16: i16;
        deserialize_i32 => visit_i32: i32;
        deserialize_i64 => visit_i64: i64;
        deserialize_i128 => visit_i128: i128;
        deserialize_u8 => visit_u8: u8;
        deserialize_u16 => visit_u16: u16;
        deserialize_u32 => visit_u32: u32;
        deserialize_u64 => visit_u64: u64;
        deserialize_u128 => visit_u128: u128;
    }

    fn deserialize_f32<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        // A short decimal, the common case: a number by the core schema,
        // and its value at once.
        if let Some(TokenKind::Scalar(ScalarStyle::Plain)) = self.peek().ok().map(|t| t.kind) {
            if let Some(v) = scalar::small_f32(self.text_of(self.tokens[self.next])) {
                self.next += 1;
                return visitor.visit_f32(v);
            }
        }
        match self.resolved()? {
            (text, r @ (Resolved::Int | Resolved::Float)) => {
                visitor.visit_f32(scalar::parse_f32(text, r).ok_or(Declined)?)
            }
            _ => Err(Declined),
        }
    }

    fn deserialize_f64<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        if let Some(TokenKind::Scalar(ScalarStyle::Plain)) = self.peek().ok().map(|t| t.kind) {
            if let Some(v) = scalar::small_f64(self.text_of(self.tokens[self.next])) {
                self.next += 1;
                return visitor.visit_f64(v);
            }
        }
        match self.resolved()? {
            (text, r @ (Resolved::Int | Resolved::Float)) => {
                visitor.visit_f64(scalar::parse_f64(text, r).ok_or(Declined)?)
            }
            _ => Err(Declined),
        }
    }

    fn deserialize_char<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        let t = self.peek()?;
        let (_, r) = self.resolved()?;
        let mut chars = self.text(t)?.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if r != Resolved::Null => visitor.visit_char(c),
            _ => Err(Declined),
        }
    }

    fn deserialize_str<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        let t = self.next()?;
        match t.kind {
            TokenKind::Scalar(style) => {
                let text = self.text_of(t);
                if style == ScalarStyle::Plain && scalar::is_null(text, style, None) {
                    visitor.visit_unit()
                } else {
                    visitor.visit_borrowed_str(text)
                }
            }
            TokenKind::Escaped => self.visit_text(t, visitor),
            _ => Err(Declined),
        }
    }

    fn deserialize_string<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        let t = self.peek()?;
        self.scalar()?;
        visitor.visit_byte_buf(self.text(t)?.as_bytes().to_vec())
    }

    fn deserialize_byte_buf<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        if null_scalar(self, self.peek()?) {
            self.next += 1;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        match self.resolved()? {
            (_, Resolved::Null) => visitor.visit_unit(),
            _ => Err(Declined),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'s>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'s>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        let t = self.next()?;
        match t.kind {
            TokenKind::SequenceStart => self.visit_seq_here(visitor),
            TokenKind::Scalar(_) if null_scalar(self, t) => visitor.visit_unit(),
            _ => Err(Declined),
        }
    }

    fn deserialize_tuple<V: Visitor<'s>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'s>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        let t = self.next()?;
        match t.kind {
            TokenKind::MappingStart => self.visit_map_here(visitor),
            TokenKind::Scalar(_) if null_scalar(self, t) => visitor.visit_unit(),
            _ => Err(Declined),
        }
    }

    fn deserialize_struct<V: Visitor<'s>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'s>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let t = self.next()?;
        match t.kind {
            TokenKind::Scalar(_) => visitor.visit_enum(self.text_of(t).into_deserializer()),
            TokenKind::Escaped => visitor.visit_enum(self.text(t)?.to_owned().into_deserializer()),
            TokenKind::MappingStart => {
                let value = visitor.visit_enum(Variant { de: self })?;
                match self.next()?.kind {
                    TokenKind::MappingEnd => Ok(value),
                    _ => Err(Declined),
                }
            }
            _ => Err(Declined),
        }
    }

    fn deserialize_identifier<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        let t = self.peek()?;
        self.scalar()?;
        self.visit_text(t, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'s>>(self, visitor: V) -> Result<V::Value> {
        self.skip()?;
        visitor.visit_unit()
    }
}
