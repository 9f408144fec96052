//! Where YAML events come from: the [`NodeSource`] trait the serde layer
//! reads, and its implementation on yaml-rust2's pull parser, which expands
//! aliases under a budget and bounds nesting as events arrive.

use std::borrow::Cow;
use std::ops::Range;
use std::str::Chars;

use event_model::{Limit, Limits};
use yaml_rust2::parser::{Event as RawEvent, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use super::error::{Error, ErrorKind};

/// A position in the text of one document: 1-based line and column (columns
/// count characters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark {
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// 0-based character index, to order marks.
    pub index: u64,
}

impl Mark {
    /// Converts a yaml-rust2 marker (1-based line, 0-based column).
    pub(crate) fn from_marker(m: &Marker) -> Mark {
        Mark {
            line: m.line() as u64,
            column: m.col() as u64 + 1,
            index: m.index() as u64,
        }
    }
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    /// Unquoted: resolved by the core schema (null, bool, int, float or string).
    Plain,
    /// `'single quoted'`: always a string unless tagged.
    SingleQuoted,
    /// `"double quoted"`: always a string unless tagged.
    DoubleQuoted,
    /// A `|` block scalar.
    Literal,
    /// A `>` block scalar.
    Folded,
}

/// The tag of a scalar, when it has one: the core schema's tags, or any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreTag {
    /// `!!str`
    Str,
    /// `!!int`
    Int,
    /// `!!float`
    Float,
    /// `!!bool`
    Bool,
    /// `!!null`
    Null,
    /// Any other tag: the scalar is read as a string.
    Other,
}

/// One YAML event of a document's content. Scalar text is owned when the
/// scanner made it (yaml-rust2) and borrowed when a source can lend it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node<'s> {
    /// A scalar with its text, style and tag.
    Scalar {
        /// The scalar's text, escapes and folding applied.
        text: Cow<'s, str>,
        /// How it was written.
        style: ScalarStyle,
        /// Its tag, if any.
        tag: Option<CoreTag>,
    },
    /// A sequence begins.
    SequenceStart,
    /// The innermost sequence ends.
    SequenceEnd,
    /// A mapping begins (keys and values follow, alternating).
    MappingStart,
    /// The innermost mapping ends.
    MappingEnd,
}

/// A pull source of the events of exactly one YAML document, aliases already
/// expanded. The serde [`Deserializer`](super::Deserializer) is written
/// against this trait only, so another scanner can feed it unchanged.
pub trait NodeSource<'s> {
    /// The next event of the document's root node and where it is. Called
    /// only while the root node is incomplete; an input with no document is
    /// an [`ErrorKind::Eof`] error.
    fn next_event(&mut self) -> Result<(Node<'s>, Mark), Error>;

    /// Called once the root node is complete: checks that nothing but the
    /// end of the document and of the input follows.
    fn finish(&mut self) -> Result<(), Error>;
}

impl<'s, S: NodeSource<'s> + ?Sized> NodeSource<'s> for &mut S {
    fn next_event(&mut self) -> Result<(Node<'s>, Mark), Error> {
        (**self).next_event()
    }

    fn finish(&mut self) -> Result<(), Error> {
        (**self).finish()
    }
}

/// The reusable memory of a [`ParserNodes`]: recorded anchor contents and
/// the replay stack. A decoder keeps one across documents so that anchors
/// cost no allocation once the buffers have grown.
#[derive(Debug, Default)]
pub struct AliasBuffers {
    /// Events recorded while at least one anchored node is open.
    log: Vec<(Node<'static>, Mark)>,
    /// Open anchored nodes: (anchor id, start in `log`, depth before the node).
    open: Vec<(usize, usize, usize)>,
    /// Finished anchors by id (yaml-rust2 numbers anchors 1, 2, ... in
    /// each document): their events in `log`. Indexed, so that an alias
    /// costs the same however many anchors the document has.
    done: Vec<Option<Range<usize>>>,
    /// Replays in progress: (next index, end) in `log`, innermost last.
    replay: Vec<(usize, usize)>,
}

impl AliasBuffers {
    fn clear(&mut self) {
        self.log.clear();
        self.open.clear();
        self.done.clear();
        self.replay.clear();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the stream's first events.
    Start,
    /// Inside the root node.
    Content,
    /// The root node is complete.
    Done,
}

/// yaml-rust2's `Parser::next_token()` as an [`NodeSource`] over one
/// document's text.
///
/// Anchored nodes are recorded as they stream past and replayed on each
/// alias; every replayed event counts against
/// [`Limits::max_alias_events`] and the text of every replayed scalar (keys
/// included) against [`Limits::max_alias_bytes`], so a billion-laughs
/// document fails after a bounded amount of work and memory. The parser is made per document, so anchors
/// never leak from one document into the next. Nesting is checked on every
/// collection start against [`Limits::max_depth`] before anything deeper is
/// parsed.
pub struct ParserNodes<'t, 'b> {
    parser: Parser<Chars<'t>>,
    text: &'t str,
    buffers: &'b mut AliasBuffers,
    state: State,
    depth: usize,
    max_depth: usize,
    max_alias_events: usize,
    max_alias_bytes: usize,
    replayed: usize,
    replayed_bytes: usize,
    /// Where the alias being replayed is: replayed events are reported there.
    alias_mark: Mark,
    /// Trailing content is refused as "one document per event" (events) or
    /// as a second document (any other document, see [`super::from_str`]).
    one_per_event: bool,
}

impl<'t, 'b> ParserNodes<'t, 'b> {
    /// Events of `text` (one document), under `limits`, using `buffers`.
    pub fn new(text: &'t str, limits: &Limits, buffers: &'b mut AliasBuffers) -> Self {
        buffers.clear();
        ParserNodes {
            parser: Parser::new_from_str(text),
            text,
            buffers,
            state: State::Start,
            depth: 0,
            max_depth: limits.max_depth,
            max_alias_events: limits.max_alias_events,
            max_alias_bytes: limits.max_alias_bytes,
            replayed: 0,
            replayed_bytes: 0,
            alias_mark: Mark::default(),
            one_per_event: true,
        }
    }

    /// Words errors for a generic document rather than an event.
    pub(crate) fn generic_document(mut self) -> Self {
        self.one_per_event = false;
        self
    }

    #[cold]
    fn too_many_alias_bytes(&self) -> Error {
        Error::new(
            ErrorKind::Limit(Limit::AliasBytes),
            format!(
                "alias expansion of more than {max} bytes of text exceeds limit max_alias_bytes ({max})",
                max = self.max_alias_bytes
            ),
        )
        .at(self.alias_mark)
    }

    fn raw(&mut self) -> Result<(RawEvent, Marker), Error> {
        self.parser
            .next_token()
            .map_err(|e| scan_error(&e, self.text, self.max_depth))
    }

    /// Pulls StreamStart and DocumentStart.
    fn start(&mut self) -> Result<(), Error> {
        loop {
            let (ev, m) = self.raw()?;
            match ev {
                RawEvent::StreamStart | RawEvent::Nothing => {}
                RawEvent::DocumentStart => {
                    self.state = State::Content;
                    return Ok(());
                }
                _ => {
                    return Err(Error::new(ErrorKind::Eof, "empty input: no YAML document")
                        .at(Mark::from_marker(&m)));
                }
            }
        }
    }

    /// Before the first event (or after the last): enters the document.
    #[cold]
    fn enter(&mut self) -> Result<(), Error> {
        match self.state {
            State::Start => self.start(),
            State::Content => Ok(()),
            State::Done => Err(Error::new(
                ErrorKind::Syntax,
                "read past the end of the document",
            )),
        }
    }

    /// One level deeper, within the limit.
    #[inline]
    fn deeper(&mut self, mark: Mark) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(self.too_deep(mark));
        }
        Ok(())
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

    /// The next event before depth and anchor bookkeeping: from a replay in
    /// progress, or from the parser.
    #[inline(always)]
    fn pull(&mut self) -> Result<(Node<'static>, Mark, usize), Error> {
        while let Some(top) = self.buffers.replay.last_mut() {
            if top.0 < top.1 {
                let i = top.0;
                top.0 += 1;
                self.replayed += 1;
                if self.replayed > self.max_alias_events {
                    return Err(Error::new(
                        ErrorKind::Limit(Limit::AliasEvents),
                        format!(
                            "alias expansion of more than {} events exceeds limit max_alias_events ({})",
                            self.max_alias_events, self.max_alias_events
                        ),
                    )
                    .at(self.alias_mark));
                }
                let recorded = &self.buffers.log[i].0;
                if let Node::Scalar { text, .. } = recorded {
                    // Counted before the copy is made.
                    self.replayed_bytes = self.replayed_bytes.saturating_add(text.len());
                    if self.replayed_bytes > self.max_alias_bytes {
                        return Err(self.too_many_alias_bytes());
                    }
                }
                let node = recorded.clone();
                return Ok((node, self.alias_mark, 0));
            }
            self.buffers.replay.pop();
        }
        loop {
            // Matched here rather than through `raw()`: one less copy of a
            // large event on the hot path.
            let (ev, m) = match self.parser.next_token() {
                Ok(ev) => ev,
                Err(e) => return Err(scan_error(&e, self.text, self.max_depth)),
            };
            let mark = Mark::from_marker(&m);
            let (node, anchor) = match ev {
                RawEvent::Scalar(mut text, style, anchor, tag) => {
                    let style = convert_style(style);
                    fix_empty_block(&mut text, style, self.text, &mark);
                    (
                        Node::Scalar {
                            text: Cow::Owned(text),
                            style,
                            tag: tag.as_ref().map(core_tag),
                        },
                        anchor,
                    )
                }
                RawEvent::SequenceStart(anchor, _) => (Node::SequenceStart, anchor),
                RawEvent::MappingStart(anchor, _) => (Node::MappingStart, anchor),
                RawEvent::SequenceEnd => (Node::SequenceEnd, 0),
                RawEvent::MappingEnd => (Node::MappingEnd, 0),
                RawEvent::Alias(id) => {
                    let Some(range) = self.buffers.done.get(id).and_then(Option::as_ref) else {
                        return Err(Error::new(
                            ErrorKind::Data,
                            "alias to an anchor whose node is not complete (a recursive alias)",
                        )
                        .at(mark));
                    };
                    let range = range.clone();
                    if self.buffers.replay.is_empty() {
                        self.alias_mark = mark;
                    }
                    self.buffers.replay.push((range.start, range.end));
                    return self.pull();
                }
                RawEvent::Nothing => continue,
                RawEvent::StreamStart
                | RawEvent::StreamEnd
                | RawEvent::DocumentStart
                | RawEvent::DocumentEnd => {
                    return Err(
                        Error::new(ErrorKind::Syntax, "unexpected end of document").at(mark)
                    );
                }
            };
            return Ok((node, mark, anchor));
        }
    }
}

impl NodeSource<'static> for ParserNodes<'_, '_> {
    #[inline]
    fn next_event(&mut self) -> Result<(Node<'static>, Mark), Error> {
        if self.state != State::Content {
            self.enter()?;
        }
        let (node, mark, anchor) = self.pull()?;
        // Fast path: no anchor in play, only the depth to keep.
        if anchor == 0 && self.buffers.open.is_empty() {
            match node {
                Node::SequenceStart | Node::MappingStart => self.deeper(mark)?,
                Node::SequenceEnd | Node::MappingEnd => self.depth = self.depth.saturating_sub(1),
                Node::Scalar { .. } => {}
            }
            if self.depth == 0 {
                self.state = State::Done;
            }
            return Ok((node, mark));
        }
        let depth_before = self.depth;
        if anchor > 0 {
            let start = self.buffers.log.len();
            self.buffers.open.push((anchor, start, depth_before));
        }
        self.buffers.log.push((node.clone(), mark));
        match node {
            Node::SequenceStart | Node::MappingStart => self.deeper(mark)?,
            Node::SequenceEnd | Node::MappingEnd => self.depth = self.depth.saturating_sub(1),
            Node::Scalar { .. } => {}
        }
        // Close every anchored node that this event completed.
        while let Some(&(id, start, depth)) = self.buffers.open.last() {
            if depth != self.depth {
                break;
            }
            self.buffers.open.pop();
            let end = self.buffers.log.len();
            let done = &mut self.buffers.done;
            if done.len() <= id {
                done.resize(id + 1, None);
            }
            done[id] = Some(start..end);
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
                RawEvent::DocumentEnd | RawEvent::Nothing => {}
                RawEvent::StreamEnd => return Ok(()),
                _ => {
                    let message = if self.one_per_event {
                        "expected the end of the document, found more content (one document per event)"
                    } else {
                        "expected a single YAML document, found more content after it"
                    };
                    return Err(Error::new(ErrorKind::Syntax, message).at(Mark::from_marker(&m)));
                }
            }
        }
    }
}

pub(crate) fn convert_style(style: TScalarStyle) -> ScalarStyle {
    match style {
        TScalarStyle::Plain => ScalarStyle::Plain,
        TScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        TScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        TScalarStyle::Literal => ScalarStyle::Literal,
        TScalarStyle::Folded => ScalarStyle::Folded,
    }
}

/// An empty block scalar is "" unless it keeps its line breaks (`|+`);
/// yaml-rust2 gives "\n" when it ends the input.
#[inline]
pub(crate) fn fix_empty_block(text: &mut String, style: ScalarStyle, doc: &str, mark: &Mark) {
    if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
        && !text.is_empty()
        && text.bytes().all(|b| b == b'\n')
        && !keeps_breaks(doc, mark)
    {
        text.clear();
    }
}

/// The verbatim form of a core tag (`!<tag:yaml.org,2002:int>`) as the
/// `!!int` form yaml-rust2's tree understands.
pub(crate) fn normalise_core_tag(tag: &mut Tag) {
    const CORE: &str = "tag:yaml.org,2002:";
    if tag.handle.is_empty() && tag.suffix.starts_with(CORE) {
        tag.suffix.drain(..CORE.len());
        tag.handle = CORE.to_owned();
    }
}

/// Whether the block scalar whose indicator is at `mark` keeps its final
/// line breaks (a `+` chomping indicator in its header).
#[cold]
fn keeps_breaks(text: &str, mark: &Mark) -> bool {
    let index = mark.index as usize;
    let start = if text.is_ascii() {
        index.min(text.len())
    } else {
        text.char_indices()
            .nth(index)
            .map_or(text.len(), |(i, _)| i)
    };
    text[start..]
        .chars()
        .take_while(|c| !matches!(c, '\n' | '\r' | '#'))
        .any(|c| c == '+')
}

/// The core tag a tag names: `!!int` (a handle that expands to the core
/// prefix) and the verbatim `!<tag:yaml.org,2002:int>` alike.
fn core_tag(tag: &Tag) -> CoreTag {
    const CORE: &str = "tag:yaml.org,2002:";
    // handle + suffix must spell CORE + name; the handle is a prefix of
    // CORE ("" for a verbatim tag, CORE itself for `!!`).
    let Some(name) = CORE
        .strip_prefix(tag.handle.as_str())
        .and_then(|rest| tag.suffix.strip_prefix(rest))
    else {
        return CoreTag::Other;
    };
    match name {
        "str" => CoreTag::Str,
        "int" => CoreTag::Int,
        "float" => CoreTag::Float,
        "bool" => CoreTag::Bool,
        "null" => CoreTag::Null,
        _ => CoreTag::Other,
    }
}

/// A scanner error as a syntax error, or an end-of-input error when the
/// scanner ran out of text. The scanner's own cap on flow nesting (it looks
/// ahead up to 256 levels before the first event of a deep `[[[...`) is a
/// depth-limit error: that is always deeper than
/// [`MAX_DEPTH_CEILING`](crate::text::seed::MAX_DEPTH_CEILING) allows.
pub(crate) fn scan_error(e: &ScanError, text: &str, max_depth: usize) -> Error {
    let info = e.info();
    if info == "recursion limit exceeded" {
        return Error::new(
            ErrorKind::Limit(Limit::Depth),
            format!(
                "nesting of more than {max_depth} levels exceeds limit max_depth ({max_depth})"
            ),
        )
        .at(Mark::from_marker(e.marker()));
    }
    let at_end = e.marker().index() >= text.chars().count();
    let eof = at_end
        || info.contains("end of stream")
        || info.contains("unexpected eof")
        || info.contains("unexpected end");
    let kind = if eof {
        ErrorKind::Eof
    } else {
        ErrorKind::Syntax
    };
    let message = if eof && !info.contains("end of stream") && !info.contains("eof") {
        format!("unexpected end of input: {info}")
    } else {
        info.to_owned()
    };
    Error::new(kind, message).at(Mark::from_marker(e.marker()))
}
