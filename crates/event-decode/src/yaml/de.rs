//! The streaming serde `Deserializer` over an [`NodeSource`].
//!
//! It holds one event of lookahead and nothing else that grows with the
//! document: there is no tree. Scalars are resolved only when a visitor asks
//! for a type: string requests take any non-null scalar's text, typed
//! requests check the core-schema type and range from the text, and
//! `deserialize_any` resolves by the core schema.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use crate::text::path::{Segment, push_segment};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::error::{Error, ErrorKind};
use super::scalar::{self, Resolved};
use super::source::{Mark, Node, NodeSource};

/// Path bookkeeping for generic serde types (off on the event hot path,
/// where the [`Trail`](crate::text::path::Trail) of the seed records the path instead).
#[derive(Debug, Default)]
struct Tracker {
    path: Vec<PathSegment>,
    /// Keys seen in each open mapping, to refuse duplicates (hashed: a
    /// table of 65,535 routes checks in linear time).
    keys: Vec<HashSet<String>>,
}

#[derive(Debug)]
enum PathSegment {
    Field(String),
    Index(usize),
}

/// A serde `Deserializer` for one YAML document, pulling events from `S`.
///
/// ```
/// use event_decode::internals::yaml::{AliasBuffers, Deserializer, ParserNodes};
/// use event_decode::Limits;
/// use serde::Deserialize;
///
/// let mut buffers = AliasBuffers::default();
/// let events = ParserNodes::new("[1, 2, 3]", &Limits::DEFAULT, &mut buffers);
/// let mut de = Deserializer::new(events);
/// let v = Vec::<u8>::deserialize(&mut de).unwrap();
/// de.end().unwrap();
/// assert_eq!(v, [1, 2, 3]);
/// ```
pub struct Deserializer<'s, S> {
    source: S,
    peeked: Option<(Node<'s>, Mark)>,
    /// The mark of the last event consumed.
    last: Mark,
    /// Start marks of the open collections, innermost last.
    open: Vec<Mark>,
    /// Set when the last event consumed opened a collection.
    fresh: bool,
    /// The start of the collection closed by the last event consumed.
    closed: Option<Mark>,
    /// The start of the document's root node.
    root: Option<Mark>,
    tracker: Option<Box<Tracker>>,
}

impl<'s, S: NodeSource<'s>> Deserializer<'s, S> {
    /// A deserializer of the document that `source` yields.
    pub fn new(source: S) -> Self {
        Self::with_stack(source, Vec::new())
    }

    /// Like [`Deserializer::new`], reusing `stack` (from
    /// [`Deserializer::into_stack`]) for the collection marks.
    pub(crate) fn with_stack(source: S, mut stack: Vec<Mark>) -> Self {
        stack.clear();
        Deserializer {
            source,
            peeked: None,
            last: Mark::default(),
            open: stack,
            fresh: false,
            closed: None,
            root: None,
            tracker: None,
        }
    }

    /// Records field paths (`routes[0].when.kind`) for errors and refuses
    /// duplicate mapping keys itself: for generic serde types, which have no
    /// [`Trail`](crate::text::path::Trail). Costs an allocation per key.
    pub fn track_paths(mut self) -> Self {
        self.tracker = Some(Box::default());
        self
    }

    /// Gives back the collection-mark stack for reuse.
    pub(crate) fn into_stack(self) -> Vec<Mark> {
        self.open
    }

    /// Checks that the document holds nothing after the value read.
    pub fn end(&mut self) -> Result<(), Error> {
        if self.peeked.is_some() {
            return Err(Error::new(
                ErrorKind::Syntax,
                "unexpected content after the document's root node",
            )
            .at(self.last));
        }
        self.source.finish()
    }

    /// Where an error found now happened: the event just read, or, right
    /// after a collection ended, the collection's start (a missing field is
    /// about the whole mapping).
    pub fn error_mark(&self) -> Mark {
        self.closed.unwrap_or(self.last)
    }

    /// The start of the document's root node, once read.
    pub fn root_mark(&self) -> Option<Mark> {
        self.root
    }

    /// Gives `error` this deserializer's current position and (when paths
    /// are tracked) field path, unless it has them already.
    pub fn locate(&self, error: Error) -> Error {
        let e = error.at(self.error_mark());
        match &self.tracker {
            Some(t) => e.with_path(|| {
                let mut out = String::new();
                for seg in &t.path {
                    match seg {
                        PathSegment::Field(f) => push_segment(&mut out, Segment::Field(f)),
                        PathSegment::Index(i) => push_segment(&mut out, Segment::Index(*i)),
                    }
                }
                out
            }),
            None => e,
        }
    }

    /// The next event, without consuming it.
    #[inline(always)]
    pub(crate) fn peek(&mut self) -> Result<&(Node<'s>, Mark), Error> {
        if self.peeked.is_none() {
            let ev = self.source.next_event()?;
            self.peeked = Some(ev);
        }
        match &self.peeked {
            Some(ev) => Ok(ev),
            None => Err(Error::new(ErrorKind::Eof, "unexpected end of the document")),
        }
    }

    // Always inlined: called for every node, and a call moves the node
    // and its mark through memory twice.
    #[inline(always)]
    fn next(&mut self) -> Result<(Node<'s>, Mark), Error> {
        let (node, mark) = match self.peeked.take() {
            Some(ev) => ev,
            None => self.source.next_event()?,
        };
        if self.fresh {
            self.fresh = false;
            // yaml-rust2 marks a block mapping one character past its first
            // key; the key's own mark is the mapping's true start.
            if let Some(top) = self.open.last_mut() {
                if mark.index < top.index && !matches!(node, Node::MappingEnd | Node::SequenceEnd) {
                    *top = mark;
                    if self.open.len() == 1 {
                        self.root = Some(mark);
                    }
                }
            }
        }
        self.closed = None;
        match node {
            Node::SequenceStart | Node::MappingStart => {
                self.open.push(mark);
                self.fresh = true;
            }
            Node::SequenceEnd | Node::MappingEnd => self.closed = self.open.pop(),
            Node::Scalar { .. } => {}
        }
        if self.root.is_none() {
            self.root = Some(mark);
        }
        self.last = mark;
        Ok((node, mark))
    }

    /// Consumes one whole node without looking at it (iteratively: the
    /// source bounds the depth, nothing here recurses).
    fn skip(&mut self) -> Result<(), Error> {
        let mut depth = 0usize;
        loop {
            let (node, _) = self.next()?;
            match node {
                Node::SequenceStart | Node::MappingStart => depth += 1,
                Node::SequenceEnd | Node::MappingEnd => depth = depth.saturating_sub(1),
                Node::Scalar { .. } => {}
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    /// Consumes the rest of the current collection, end included.
    fn finish_collection(&mut self) -> Result<(), Error> {
        loop {
            if matches!(self.peek()?.0, Node::SequenceEnd | Node::MappingEnd) {
                self.next()?;
                return Ok(());
            }
            self.skip()?;
        }
    }

    fn visit_seq_here<V: Visitor<'s>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        let mut access = SeqAccess {
            de: self,
            index: 0,
            done: false,
        };
        let value = visitor.visit_seq(&mut access)?;
        let (done, index) = (access.done, access.index);
        if !done {
            if self.tracker.is_some() && index > 0 {
                self.pop_path();
            }
            self.finish_collection()?;
        }
        Ok(value)
    }

    fn visit_map_here<V: Visitor<'s>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        if let Some(t) = self.tracker.as_mut() {
            t.keys.push(HashSet::new());
        }
        let mut access = MapAccess {
            de: self,
            first: true,
            done: false,
        };
        let value = visitor.visit_map(&mut access)?;
        let (done, first) = (access.done, access.first);
        if !done {
            if let Some(t) = self.tracker.as_mut() {
                t.keys.pop();
                if !first {
                    t.path.pop();
                }
            }
            self.finish_collection()?;
        }
        Ok(value)
    }

    fn pop_path(&mut self) {
        if let Some(t) = self.tracker.as_mut() {
            t.path.pop();
        }
    }

    /// Reads a scalar for a typed request; collections are refused with
    /// `expected`.
    #[inline(always)]
    fn scalar(&mut self, expected: &'static str) -> Result<(Cow<'s, str>, Resolved, Mark), Error> {
        let (node, mark) = self.next()?;
        match node {
            Node::Scalar { text, style, tag } => match scalar::resolve(&text, style, tag) {
                Ok(r) => Ok((text, r, mark)),
                Err(tag) => Err(tag_mismatch(tag, &text, mark)),
            },
            other => Err(wrong(expected, &other, mark)),
        }
    }

    fn int<T: TryFrom<i128>>(&mut self, expected: &'static str) -> Result<T, Error> {
        let (text, r, mark) = self.scalar(expected)?;
        if r == Resolved::Int {
            if let Some(v) = scalar::parse_int(&text).and_then(|v| T::try_from(v).ok()) {
                return Ok(v);
            }
        }
        Err(expected_found(expected, &text, r, mark))
    }
}

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

fn expected_found(expected: &str, text: &str, r: Resolved, mark: Mark) -> Error {
    Error::new(
        ErrorKind::Data,
        format!("expected {expected}, found {}", Found(text, r)),
    )
    .at(mark)
}

/// A core tag on text that is not of its type (`!!int abc`).
#[cold]
fn tag_mismatch(tag: &str, text: &str, mark: Mark) -> Error {
    Error::new(
        ErrorKind::Data,
        format!(
            "expected a value of tag {tag}, found {}",
            Found(text, Resolved::Str)
        ),
    )
    .at(mark)
}

fn wrong(expected: &str, node: &Node<'_>, mark: Mark) -> Error {
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

struct SeqAccess<'d, 's, S> {
    de: &'d mut Deserializer<'s, S>,
    index: usize,
    done: bool,
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

struct MapAccess<'d, 's, S> {
    de: &'d mut Deserializer<'s, S>,
    first: bool,
    done: bool,
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

struct EnumAccess<'d, 's, S> {
    de: &'d mut Deserializer<'s, S>,
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
