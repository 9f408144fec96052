//! The document-tree decoder, kept **only as a comparison baseline** for the
//! benchmarks and the differential tests. Use
//! [`YamlDecoder`](event_decode::yaml::YamlDecoder) in production.
//!
//! It does what the original service did: build yaml-rust2's `Yaml` tree
//! with `YamlLoader`, then convert the tree into an event. Its hazards are
//! guarded so that it cannot crash a test run:
//!
//! - `YamlLoader` copies an anchored subtree on every alias (billion laughs):
//!   the size of each anchored node is tracked as events arrive and the
//!   copies are charged against [`Limits::max_alias_events`] and their
//!   scalar text against [`Limits::max_alias_bytes`] *before* the loader
//!   makes them.
//! - `Parser::load` recurses once per nesting level, and so do the tree's
//!   `Drop` and any tree walk: the events are fed to the loader by a loop
//!   here instead, which stops at [`Limits::max_depth`] (capped at
//!   [`MAX_DEPTH_CEILING`]) before the tree gets deeper; the conversion walks
//!   the tree with an explicit stack.
//! - The input size is checked against [`Limits::max_event_bytes`] first.
//!
//! The tree keeps no positions: errors found during conversion are reported
//! at the document's first line. Scalar typing follows yaml-rust2's rules
//! (`Null` and `NULL` are strings there, unlike the core schema the streaming
//! decoder follows); the encoder quotes every such string, so both decoders
//! agree on every encoded event.

use std::borrow::Cow;

use bumpalo::Bump;
use event_model::{Event, Limit, Limits};
use serde::de::DeserializeSeed;
use yaml_rust2::parser::{Event as RawEvent, MarkedEventReceiver, Parser};
use yaml_rust2::yaml::{Hash, Yaml, YamlLoader};

use event_decode::internals::decode_options;
use event_decode::internals::text::{DecodeOptions, EventSeed, Fault, MAX_DEPTH_CEILING, Trail};
use event_decode::internals::yaml::{
    Deserializer, Error, ErrorKind, Mark, Node, NodeSource, ScalarStyle, convert_style,
    document_text, fix_empty_block, mark_of, normalise_core_tag, scan_error,
};
use event_decode::{DecodeConfig, DecodeError, Decoder, Format, Position};

/// Decodes one YAML document through yaml-rust2's `YamlLoader` tree (a
/// baseline; see the [module documentation](self)).
#[derive(Debug, Clone, Default)]
pub struct DomDecoder {
    options: DecodeOptions,
}

impl DomDecoder {
    /// A baseline decoder with the default [`DecodeConfig`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A baseline decoder with `config`'s limits and unknown-field policy.
    pub fn with_config(config: &DecodeConfig) -> Self {
        DomDecoder {
            options: decode_options(config, false),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.options.limits
    }
}

const START: Mark = Mark {
    line: 1,
    column: 1,
    index: 0,
};

impl Decoder for DomDecoder {
    fn format(&self) -> Format {
        Format::Yaml
    }

    fn decode<'a>(&mut self, input: &'a [u8], arena: &'a Bump) -> Result<Event<'a>, DecodeError> {
        let text = document_text(input, &self.options.limits)?;
        let (loader, seen) =
            load(text, &self.options.limits).map_err(|e| e.into_decode_error(None))?;
        let docs = loader.documents();
        let root = match docs {
            [root] if !root.is_badvalue() => root,
            // The loader's only own error is a duplicate key; it then drops the
            // document and keeps the reason private.
            [] if seen > 0 => {
                return Err(Error::new(ErrorKind::Data, "duplicate key in a mapping")
                    .at(START)
                    .into_decode_error(None));
            }
            [_] => {
                return Err(Error::new(
                    ErrorKind::Data,
                    "empty document (expected an event mapping)",
                )
                .at(START)
                .into_decode_error(None));
            }
            [] => {
                return Err(Error::new(ErrorKind::Eof, "empty input: no YAML document")
                    .at(START)
                    .into_decode_error(None));
            }
            _ => {
                return Err(
                    Error::new(ErrorKind::Syntax, "expected exactly one document")
                        .at(START)
                        .into_decode_error(None),
                );
            }
        };
        let trail = Trail::new();
        let mut de = Deserializer::new(TreeNodes::new(root, arena, &trail));
        let mut event = EventSeed::new(arena, &trail, &self.options)
            .deserialize(&mut de)
            .and_then(|ev| de.end().map(|()| ev));
        if let (Err(_), Some(kind)) = (&event, trail.deferred()) {
            // `payload` came before `kind`: walk the tree again knowing it.
            let mut de = Deserializer::new(TreeNodes::new(root, arena, &trail));
            event = EventSeed::new(arena, &trail, &self.options)
                .payload_kind(kind)
                .deserialize(&mut de)
                .and_then(|ev| de.end().map(|()| ev));
        }
        // The tree keeps no positions: errors are at the document's start.
        let event = event.map_err(|e| {
            e.at(START)
                .into_decode_error(trail.fault())
                .with_path(trail.path())
        })?;
        event.validate().map_err(|e| {
            DecodeError::from(e).with_position(Position::Text { line: 1, column: 1 })
        })?;
        Ok(event)
    }
}

/// Feeds the parser's events to a `YamlLoader`, refusing too deep nesting
/// and too much alias copying before the loader sees them. Also returns how
/// many documents the parser saw.
fn load(text: &str, limits: &Limits) -> Result<(YamlLoader, usize), Error> {
    let text_of_doc = text;
    let max_depth = limits.max_depth.min(MAX_DEPTH_CEILING);
    let mut parser = Parser::new_from_str(text);
    let mut loader = YamlLoader::default();
    let mut depth = 0usize;
    // Nodes the loader has built so far, aliases counted at their full size.
    let mut built = 0usize;
    // Bytes of scalar text the loader holds, aliases counted at full size.
    let mut built_bytes = 0usize;
    let mut copied = 0usize;
    let mut copied_bytes = 0usize;
    let mut seen = 0usize;
    // Open anchored nodes (id, `built` and `built_bytes` at their start,
    // depth before them) and the sizes (events, bytes) of finished ones by
    // anchor id.
    let mut open: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut sizes: Vec<Option<(usize, usize)>> = Vec::new();
    loop {
        let (ev, marker) = parser
            .next_token()
            .map_err(|e| scan_error(&e, text, max_depth))?;
        let mark = mark_of(&marker);
        let mut anchor = 0;
        match &ev {
            RawEvent::StreamEnd => {
                loader.on_event(ev, marker);
                return Ok((loader, seen));
            }
            RawEvent::DocumentStart => seen += 1,
            RawEvent::SequenceStart(a, _) | RawEvent::MappingStart(a, _) => {
                anchor = *a;
                depth += 1;
                if depth > max_depth {
                    return Err(Error::new(
                        ErrorKind::Limit(Limit::Depth),
                        format!("nesting of {depth} levels exceeds limit max_depth ({max_depth})"),
                    )
                    .at(mark));
                }
            }
            RawEvent::SequenceEnd | RawEvent::MappingEnd => depth = depth.saturating_sub(1),
            RawEvent::Scalar(text, _, a, _) => {
                anchor = *a;
                built_bytes += text.len();
            }
            RawEvent::Alias(id) => {
                let Some(&Some((size, bytes))) = sizes.get(*id) else {
                    return Err(Error::new(
                        ErrorKind::Data,
                        "alias to an anchor whose node is not complete (a recursive alias)",
                    )
                    .at(mark));
                };
                copied += size;
                if copied > limits.max_alias_events {
                    return Err(Error::new(
                        ErrorKind::Limit(Limit::AliasEvents),
                        format!(
                            "alias expansion of more than {max} events exceeds limit max_alias_events ({max})",
                            max = limits.max_alias_events
                        ),
                    )
                    .at(mark));
                }
                copied_bytes += bytes;
                if copied_bytes > limits.max_alias_bytes {
                    return Err(Error::new(
                        ErrorKind::Limit(Limit::AliasBytes),
                        format!(
                            "alias expansion of more than {max} bytes of text exceeds limit max_alias_bytes ({max})",
                            max = limits.max_alias_bytes
                        ),
                    )
                    .at(mark));
                }
                built += size - 1;
                built_bytes += bytes;
            }
            _ => {}
        }
        if anchor > 0 {
            open.push((
                anchor,
                built,
                built_bytes
                    - match &ev {
                        RawEvent::Scalar(text, ..) => text.len(),
                        _ => 0,
                    },
                depth
                    - usize::from(matches!(
                        ev,
                        RawEvent::SequenceStart(..) | RawEvent::MappingStart(..)
                    )),
            ));
        }
        if matches!(
            ev,
            RawEvent::Scalar(..)
                | RawEvent::Alias(..)
                | RawEvent::SequenceStart(..)
                | RawEvent::MappingStart(..)
                | RawEvent::SequenceEnd
                | RawEvent::MappingEnd
        ) {
            built += 1;
        }
        while let Some(&(id, start, start_bytes, d)) = open.last() {
            if d != depth {
                break;
            }
            open.pop();
            if sizes.len() <= id {
                sizes.resize(id + 1, None);
            }
            sizes[id] = Some((built - start, built_bytes - start_bytes));
        }
        let mut ev = ev;
        if let RawEvent::Scalar(text, style, _, tag) = &mut ev {
            // The same values as the streaming decoder: "" for an empty
            // block scalar, verbatim core tags as core tags.
            fix_empty_block(text, convert_style(*style), text_of_doc, &mark);
            if let Some(tag) = tag {
                normalise_core_tag(tag);
            }
        }
        loader.on_event(ev, marker);
    }
}

/// Walks a `Yaml` tree as events, with an explicit stack (no recursion).
/// The tree dies with the decode call, so its text is lent from the arena:
/// each string is copied there once (the copy a seed would otherwise make).
struct TreeNodes<'y, 'a, 't> {
    arena: &'a Bump,
    /// Where a refused copy is recorded as [`Fault::OutOfMemory`], as the
    /// seeds record theirs.
    trail: &'t Trail<'a>,
    root: Option<&'y Yaml>,
    stack: Vec<Walk<'y>>,
    started: bool,
}

enum Walk<'y> {
    Seq(std::slice::Iter<'y, Yaml>),
    Map(<&'y Hash as IntoIterator>::IntoIter, Option<&'y Yaml>),
}

impl<'y, 'a, 't> TreeNodes<'y, 'a, 't> {
    fn new(root: &'y Yaml, arena: &'a Bump, trail: &'t Trail<'a>) -> Self {
        TreeNodes {
            arena,
            trail,
            root: Some(root),
            stack: Vec::new(),
            started: false,
        }
    }

    /// The event that opens `node` (pushing its children for later).
    fn open(&mut self, node: &'y Yaml) -> Result<Node<'a>, Error> {
        let (arena, trail) = (self.arena, self.trail);
        let copy = |s: &str| match arena.try_alloc_str(s) {
            Ok(s) => Ok(Cow::Borrowed(&*s)),
            Err(_) => {
                trail.set_fault(Fault::OutOfMemory);
                Err(Error::new(
                    ErrorKind::Custom,
                    "the arena's allocation limit was reached",
                ))
            }
        };
        let plain = |text: Cow<'a, str>| Node::Scalar {
            text,
            style: ScalarStyle::Plain,
            tag: None,
        };
        Ok(match node {
            Yaml::Real(s) => plain(copy(s)?),
            Yaml::Integer(i) => plain(Cow::Owned(i.to_string())),
            Yaml::Boolean(b) => plain(Cow::Borrowed(if *b { "true" } else { "false" })),
            Yaml::Null => plain(Cow::Borrowed("~")),
            Yaml::String(s) => Node::Scalar {
                text: copy(s)?,
                style: ScalarStyle::DoubleQuoted,
                tag: None,
            },
            Yaml::Array(items) => {
                self.stack.push(Walk::Seq(items.iter()));
                Node::SequenceStart
            }
            Yaml::Hash(map) => {
                self.stack.push(Walk::Map(map.into_iter(), None));
                Node::MappingStart
            }
            Yaml::Alias(_) | Yaml::BadValue => {
                return Err(Error::new(
                    ErrorKind::Data,
                    "a value the document tree could not represent (bad alias or tagged value)",
                )
                .at(START));
            }
        })
    }
}

impl<'a> NodeSource<'a> for TreeNodes<'_, 'a, '_> {
    fn next_event(&mut self) -> Result<(Node<'a>, Mark), Error> {
        if !self.started {
            self.started = true;
            if let Some(root) = self.root.take() {
                return Ok((self.open(root)?, START));
            }
        }
        let next = match self.stack.last_mut() {
            None => {
                return Err(Error::new(
                    ErrorKind::Syntax,
                    "read past the end of the document",
                ));
            }
            Some(Walk::Seq(items)) => items.next(),
            Some(Walk::Map(entries, pending)) => match pending.take() {
                Some(value) => Some(value),
                None => entries.next().map(|(k, v)| {
                    *pending = Some(v);
                    k
                }),
            },
        };
        match next {
            Some(node) => Ok((self.open(node)?, START)),
            None => {
                let end = match self.stack.pop() {
                    Some(Walk::Seq(_)) => Node::SequenceEnd,
                    _ => Node::MappingEnd,
                };
                Ok((end, START))
            }
        }
    }

    fn finish(&mut self) -> Result<(), Error> {
        Ok(())
    }
}
