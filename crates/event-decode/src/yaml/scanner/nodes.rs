//! The scanner behind the decoder's [`NodeSource`] seam: one document's
//! events, aliases replayed under the event and byte budgets, nesting
//! checked on each collection start.

use std::borrow::Cow;
use std::ops::Range;

use bumpalo::Bump;
use event_model::{Limit, Limits};

use super::super::error::{Error, ErrorKind};
use super::super::source::{CoreTag, Mark, Node, NodeSource, Replay};
use super::lexer::{keep, recycle};
use super::parser::{ParseBuffers, Tag, Token, YamlParser};

/// The reusable memory of [`ScannerNodes`]: the parser's stacks and the
/// alias log. A decoder keeps one across documents, so that a warm decoder
/// allocates nothing per event of its own.
#[derive(Debug, Default)]
pub struct ScannerBuffers {
    parse: ParseBuffers,
    log: Vec<(Node<'static>, Mark)>,
    open: Vec<(&'static str, usize, usize)>,
    done: Vec<(&'static str, Range<usize>)>,
    replay: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Content,
    Done,
}

/// The scanner's events of one document as an [`NodeSource`]: scalars
/// borrowed from the text, or from the arena when escaped or folded.
pub struct ScannerNodes<'s, 'b> {
    parser: Option<YamlParser<'s>>,
    text: &'s str,
    buffers: &'b mut ScannerBuffers,
    log: Vec<(Node<'s>, Mark)>,
    open: Vec<(&'s str, usize, usize)>,
    done: Vec<(&'s str, Range<usize>)>,
    replay: Vec<(usize, usize)>,
    replayer: Replay,
    state: State,
    depth: usize,
    max_depth: usize,
    /// Trailing content is refused as "one document per event" (events) or
    /// as a second document (any other document, see [`super::super::from_str`]).
    one_per_event: bool,
}

impl<'s, 'b> ScannerNodes<'s, 'b> {
    /// Events of `text` (one document) under `limits`; built scalars go to
    /// `arena`.
    pub fn new(
        text: &'s str,
        limits: &Limits,
        arena: &'s Bump,
        buffers: &'b mut ScannerBuffers,
    ) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let parser = YamlParser::with_buffers(text, arena, limits.max_depth, &mut buffers.parse);
        ScannerNodes {
            parser: Some(parser),
            text,
            log: recycle(std::mem::take(&mut buffers.log)),
            open: recycle(std::mem::take(&mut buffers.open)),
            done: recycle(std::mem::take(&mut buffers.done)),
            replay: std::mem::take(&mut buffers.replay),
            buffers,
            state: State::Start,
            depth: 0,
            max_depth: limits.max_depth,
            replayer: Replay::new(limits),
            one_per_event: true,
        }
    }

    /// Words errors for a generic document rather than an event.
    pub(crate) fn generic_document(mut self) -> Self {
        self.one_per_event = false;
        self
    }

    fn raw(&mut self) -> Result<(Token<'s>, Mark), Error> {
        let Some(parser) = self.parser.as_mut() else {
            return Err(Error::new(
                ErrorKind::Syntax,
                "read past the end of the document",
            ));
        };
        parser.next_event().map_err(|e| eof_if_at_end(e, self.text))
    }

    #[cold]
    fn enter(&mut self) -> Result<(), Error> {
        match self.state {
            State::Content => Ok(()),
            State::Done => Err(Error::new(
                ErrorKind::Syntax,
                "read past the end of the document",
            )),
            State::Start => loop {
                let (ev, m) = self.raw()?;
                match ev {
                    Token::StreamStart => {}
                    Token::DocumentStart { .. } => {
                        self.state = State::Content;
                        return Ok(());
                    }
                    _ => {
                        return Err(
                            Error::new(ErrorKind::Eof, "empty input: no YAML document").at(m)
                        );
                    }
                }
            },
        }
    }

    #[cold]
    fn too_deep(&self, mark: Mark) -> Error {
        Error::new(
            ErrorKind::Limit(Limit::Depth),
            format!(
                "nesting of {} levels exceeds limit max_depth ({})",
                self.depth, self.max_depth
            ),
        )
        .at(mark)
    }

    /// The next node event and its anchor, from a replay or the parser.
    #[inline]
    fn pull(&mut self) -> Result<(Node<'s>, Mark, Option<&'s str>), Error> {
        loop {
            if let Some((node, mark)) = self.replayer.next(&mut self.replay, &self.log)? {
                return Ok((node, mark, None));
            }
            let (ev, mark) = self.raw()?;
            let (node, anchor) = match ev {
                Token::Scalar {
                    text,
                    style,
                    anchor,
                    tag,
                } => (
                    Node::Scalar {
                        text: Cow::Borrowed(text),
                        style,
                        tag: tag.map(core_tag),
                    },
                    anchor,
                ),
                Token::SequenceStart { anchor, .. } => (Node::SequenceStart, anchor),
                Token::MappingStart { anchor, .. } => (Node::MappingStart, anchor),
                Token::SequenceEnd => (Node::SequenceEnd, None),
                Token::MappingEnd => (Node::MappingEnd, None),
                Token::Alias(name) => {
                    let Some((_, range)) = self.done.iter().rev().find(|(a, _)| *a == name) else {
                        let message = if self.open.iter().any(|(a, _, _)| *a == name) {
                            format!("alias *{name:?} refers to its own node (a recursive alias)")
                        } else {
                            format!("alias to an undefined anchor {name:?}")
                        };
                        let kind = if message.contains("undefined") {
                            ErrorKind::Syntax
                        } else {
                            ErrorKind::Data
                        };
                        return Err(Error::new(kind, message).at(mark));
                    };
                    let range = range.clone();
                    self.replayer.start(&mut self.replay, range, mark);
                    continue;
                }
                Token::StreamStart
                | Token::StreamEnd
                | Token::DocumentStart { .. }
                | Token::DocumentEnd { .. } => {
                    return Err(
                        Error::new(ErrorKind::Syntax, "unexpected end of document").at(mark)
                    );
                }
            };
            return Ok((node, mark, anchor));
        }
    }
}

impl Drop for ScannerNodes<'_, '_> {
    fn drop(&mut self) {
        if let Some(parser) = self.parser.take() {
            parser.release(&mut self.buffers.parse);
        }
        self.buffers.log = keep(recycle(std::mem::take(&mut self.log)));
        self.buffers.open = keep(recycle(std::mem::take(&mut self.open)));
        self.buffers.done = keep(recycle(std::mem::take(&mut self.done)));
        self.replay.clear();
        self.buffers.replay = keep(std::mem::take(&mut self.replay));
    }
}

impl<'s> NodeSource<'s> for ScannerNodes<'s, '_> {
    #[inline]
    fn next_event(&mut self) -> Result<(Node<'s>, Mark), Error> {
        if self.state != State::Content {
            self.enter()?;
        }
        let (node, mark, anchor) = self.pull()?;
        if anchor.is_none() && self.open.is_empty() {
            match node {
                Node::SequenceStart | Node::MappingStart => {
                    self.depth += 1;
                    if self.depth > self.max_depth {
                        return Err(self.too_deep(mark));
                    }
                }
                Node::SequenceEnd | Node::MappingEnd => self.depth = self.depth.saturating_sub(1),
                Node::Scalar { .. } => {}
            }
            if self.depth == 0 {
                self.state = State::Done;
            }
            return Ok((node, mark));
        }
        let depth_before = self.depth;
        if let Some(name) = anchor {
            self.open.push((name, self.log.len(), depth_before));
        }
        self.log.push((node.clone(), mark));
        match node {
            Node::SequenceStart | Node::MappingStart => {
                self.depth += 1;
                if self.depth > self.max_depth {
                    return Err(self.too_deep(mark));
                }
            }
            Node::SequenceEnd | Node::MappingEnd => self.depth = self.depth.saturating_sub(1),
            Node::Scalar { .. } => {}
        }
        while let Some(&(name, start, depth)) = self.open.last() {
            if depth != self.depth {
                break;
            }
            self.open.pop();
            let end = self.log.len();
            self.done.push((name, start..end));
        }
        if self.depth == 0 {
            self.state = State::Done;
        }
        Ok((node, mark))
    }

    fn finish(&mut self) -> Result<(), Error> {
        loop {
            let (ev, m) = self.raw()?;
            match ev {
                Token::DocumentEnd { .. } => {}
                Token::StreamEnd => return Ok(()),
                _ => {
                    let message = if self.one_per_event {
                        "expected the end of the document, found more content (one document per event)"
                    } else {
                        "expected a single YAML document, found more content after it"
                    };
                    return Err(Error::new(ErrorKind::Syntax, message).at(m));
                }
            }
        }
    }
}

/// The core schema tag a tag names, if any.
pub(super) fn core_tag(tag: Tag<'_>) -> CoreTag {
    if tag.prefix == "!" && tag.suffix.is_empty() {
        // The non-specific tag `!`: not plain, so a string.
        return CoreTag::Str;
    }
    for (name, core) in [
        ("str", CoreTag::Str),
        ("int", CoreTag::Int),
        ("float", CoreTag::Float),
        ("bool", CoreTag::Bool),
        ("null", CoreTag::Null),
    ] {
        if tag.is_core(name) {
            return core;
        }
    }
    CoreTag::Other
}

/// A syntax error at the very end of the text is an end-of-input error.
#[cold]
fn eof_if_at_end(e: Error, text: &str) -> Error {
    let Some(mark) = e.mark() else {
        return e;
    };
    if e.kind() != ErrorKind::Syntax {
        return e;
    }
    let end = super::chars::mark_of(text, text.len());
    if mark.index >= end.index {
        Error::new(
            ErrorKind::Eof,
            format!("unexpected end of input: {}", e.message()),
        )
        .at(mark)
    } else {
        e
    }
}
