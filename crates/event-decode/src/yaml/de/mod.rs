//! The streaming serde `Deserializer` over an [`NodeSource`].
//!
//! It holds one event of lookahead and nothing else that grows with the
//! document: there is no tree. Scalars are resolved only when a visitor asks
//! for a type: string requests take any non-null scalar's text, typed
//! requests check the core-schema type and range from the text, and
//! `deserialize_any` resolves by the core schema.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::de::Visitor;

use super::error::{Error, ErrorKind};
use super::scalar::{self, Resolved};
use super::source::{Mark, Node, NodeSource};
use crate::text::path::{Segment, push_segment};

mod access;
mod deserialize;

use access::{MapAccess, SeqAccess};
use deserialize::{expected_found, tag_mismatch, wrong};

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
