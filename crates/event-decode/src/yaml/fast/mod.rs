//! A second [`NodeSource`]: a line scanner for the block and flow YAML
//! that producers (and [`encode`](super::encode)) write, with every scalar
//! borrowed from the input but those with escapes.
//!
//! It accepts a deliberately small subset and gives up on anything else:
//! one document (an optional `---` line first, an optional `...` line last),
//! blank lines and ` #` comments, block mappings with single-line keys,
//! block sequences (compact mappings in items, sequences at their parent
//! key's column), single-line plain scalars, single-line quoted scalars
//! (double-quoted ones with any valid escape but an escaped line break;
//! single-quoted ones without `''`), empty values; flow collections (nested both ways) as whole values on one line,
//! or as the root over any number of lines (PyYAML's flow style), holding
//! such scalars, keys followed by their `:` at once, no empty entries,
//! values or single-pair mappings; LF or CR LF line breaks. Tabs, lone
//! carriage returns, control and non-printable characters, comments inside
//! flow collections, anchors, aliases, tags, block scalars, multi-line
//! scalars, complex keys and directives all make it give up.
//!
//! Giving up costs nothing but the time spent: [`FastNodes::new`] scans the
//! whole document into reusable [`FastTokens`] first and returns `None`
//! unless all of it is inside the subset, so the caller falls back to the
//! engine (the project's scanner or [`ParserNodes`](super::ParserNodes))
//! before a single event was used. For every document it accepts, its
//! events (scalar text, style, no tag) are exactly the scanner's (and
//! yaml-rust2's, where yaml-rust2 reads the document); its marks are valid
//! positions but not necessarily the engine's (errors are re-derived on
//! the engine's path).
//!
//! The decoder does not go through [`FastNodes`] (which tests and fuzzing
//! use): it reads the tokens with `FastDe` ([`de`]), a serde
//! `Deserializer` that gives visitors what the general one gives for the
//! same nodes and declines on any error, so that the engine decodes the
//! document again and reports it.
//!
//! This module holds the public types and the scan's state; the scan
//! itself is spread by role: [`lines`] (characters, lines, block
//! structure), [`scalar`] (block-context scalars), [`flow`] (flow
//! collections and their scalars), [`tokens`] (events written), and
//! [`de`] reads them.

use std::borrow::Cow;

use event_model::Limits;

use super::error::{Error, ErrorKind};
use super::escape::unescape_into;
use super::source::{Mark, Node, NodeSource, ScalarStyle};
pub(crate) use de::{Declined, FastDe};

mod de;
mod flow;
mod lines;
mod scalar;
mod tokens;

/// Implicit keys must stay under 1024 characters in YAML; a byte bound
/// below that keeps every accepted key within it.
const MAX_KEY_BYTES: usize = 1000;

/// The most events the line scanner holds (48 KiB of tokens; an event
/// has about 60): a longer document goes to the engine, which streams it
/// and stops at the first limit, so that what a document makes the fast
/// path hold stays bounded whatever its size (a million keys would
/// otherwise be 24 MB of tokens before the item limit could refuse them).
const MAX_TOKENS: usize = 4096;

/// One event: its kind, and a byte range of the document (so that the
/// buffer holding it can outlive any one document): a scalar's text, or
/// the empty range at a collection's start or end. Twelve bytes and no
/// line or column: those are worked out from the offset only when a
/// [`FastNodes`] hands out a [`Mark`], never on the decoder's path (a
/// document the fast path fails is decoded again by the engine, whose
/// errors carry the positions).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    kind: TokenKind,
    start: u32,
    end: u32,
}

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A scalar, with its style (plain, single- or double-quoted only),
    /// its text the range as it stands.
    Scalar(ScalarStyle),
    /// A double-quoted scalar whose range holds escapes to apply (all
    /// valid, on one line): the one kind of scalar that is built.
    Escaped,
    SequenceStart,
    SequenceEnd,
    MappingStart,
    MappingEnd,
}

impl Token {
    /// Its byte range in the document.
    #[inline(always)]
    pub(crate) fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Map,
    Seq,
}

/// The reusable memory of a [`FastNodes`]: the scanned events of one
/// document and the open-collection stack. A decoder keeps one across
/// documents, so scanning allocates nothing once the buffers have grown.
/// Both grow at most linearly in the document's size.
#[derive(Debug, Default)]
pub struct FastTokens {
    tokens: Vec<Token>,
    /// The text of an escaped scalar, built while a visitor reads it.
    scratch: String,
    /// Open block collections: kind and column (0-based, in bytes).
    open: Vec<(Block, usize)>,
    /// Open flow collections, innermost last: what comes next in each.
    flow: Vec<Flow>,
}

/// Where a flow collection being scanned is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// After `[`.
    SeqFirst,
    /// After `,` in a sequence.
    SeqItem,
    /// After an item of a sequence.
    SeqAfter,
    /// After `{`.
    MapFirst,
    /// After `,` in a mapping.
    MapKey,
    /// After a key's `:`.
    MapValue,
    /// After a value of a mapping.
    MapAfter,
}

/// The events of one document in the fast scanner's subset, replayed with
/// scalars borrowed from the text (no allocation).
///
/// ```
/// use std::borrow::Cow;
/// use event_decode::Limits;
/// use event_decode::internals::yaml::{NodeSource, FastNodes, FastTokens, Node, ScalarStyle};
///
/// let mut tokens = FastTokens::default();
/// let mut events = FastNodes::new("a: 'x'\n", &Limits::DEFAULT, &mut tokens).unwrap();
/// assert_eq!(events.next_event().unwrap().0, Node::MappingStart);
/// let (key, _) = events.next_event().unwrap();
/// assert!(matches!(key, Node::Scalar { text: Cow::Borrowed("a"), .. }));
/// let (value, _) = events.next_event().unwrap();
/// assert_eq!(value, Node::Scalar { text: "x".into(), style: ScalarStyle::SingleQuoted, tag: None });
///
/// // Outside the subset: the caller uses `ParserNodes` instead.
/// assert!(FastNodes::new("a: &x 1\n", &Limits::DEFAULT, &mut tokens).is_none());
/// ```
#[derive(Debug)]
pub struct FastNodes<'s, 't> {
    text: &'s str,
    tokens: &'t [Token],
    next: usize,
    /// Where the last mark handed out was (marks are worked out from
    /// offsets by walking forward from it).
    cursor: Cursor,
}

/// A byte offset of the text and its [`Mark`].
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    offset: usize,
    line: u64,
    line_index: u64,
    index: u64,
}

impl Cursor {
    /// The mark of byte `at` of `text`, walking on from this cursor (or
    /// from the start, for an offset before it).
    fn mark(&mut self, text: &str, at: usize) -> Mark {
        if at < self.offset || self.line == 0 {
            *self = Cursor {
                line: 1,
                ..Cursor::default()
            };
        }
        for c in text.get(self.offset..at).unwrap_or_default().chars() {
            self.index += 1;
            if c == '\n' {
                self.line += 1;
                self.line_index = self.index;
            }
        }
        self.offset = at;
        Mark {
            line: self.line,
            column: self.index - self.line_index + 1,
            index: self.index,
        }
    }
}

impl<'s, 't> FastNodes<'s, 't> {
    /// Scans all of `text` (one document) into `buffers`; `None` when any
    /// of it is outside the subset, or when its nesting passes
    /// [`Limits::max_depth`] (left for the other path to report).
    pub fn new(text: &'s str, limits: &Limits, buffers: &'t mut FastTokens) -> Option<Self> {
        if !scan(text, limits, buffers) {
            return None;
        }
        Some(FastNodes {
            text,
            tokens: &buffers.tokens,
            next: 0,
            cursor: Cursor::default(),
        })
    }

    /// How many events the document has.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the document has no events (never, for an accepted one).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// Scans all of `text` (one document) into `buffers`: `false` when any of
/// it is outside the subset, when its nesting passes [`Limits::max_depth`],
/// or when it is 4 GiB or more.
pub(crate) fn scan(text: &str, limits: &Limits, buffers: &mut FastTokens) -> bool {
    buffers.tokens.clear();
    buffers.open.clear();
    buffers.flow.clear();
    if u32::try_from(text.len()).is_err() {
        return false;
    }
    let mut scan = Scanner {
        text,
        out: &mut buffers.tokens,
        open: &mut buffers.open,
        flow: &mut buffers.flow,
        resume: None,
        max_depth: limits.max_depth,
        line: 0,
        line_start: 0,
        pending: None,
        started: false,
        marker: false,
        ended: false,
    };
    if scan.document().is_err() {
        buffers.tokens.clear();
        buffers.open.clear();
        return false;
    }
    true
}

impl FastTokens {
    /// A deserializer of the tokens [`scan`] left here, from `text`.
    pub(crate) fn de<'s>(&mut self, text: &'s str) -> FastDe<'s, '_> {
        FastDe::new(text, &self.tokens, &mut self.scratch)
    }

    /// Drops any buffer that a large document grew past
    /// [`KEEP_BYTES`](super::scanner::KEEP_BYTES), as the scanner does with
    /// its own, so that the memory of a spike comes back once the document
    /// is decoded.
    pub(crate) fn trim(&mut self) {
        use std::mem::size_of;
        const KEEP: usize = super::scanner::KEEP_BYTES;
        if self.tokens.capacity() * size_of::<Token>() > KEEP {
            self.tokens = Vec::new();
        }
        if self.open.capacity() * size_of::<(Block, usize)>() > KEEP {
            self.open = Vec::new();
        }
        if self.flow.capacity() * size_of::<Flow>() > KEEP {
            self.flow = Vec::new();
        }
        if self.scratch.capacity() > KEEP {
            self.scratch = String::new();
        }
    }
}

impl<'s> NodeSource<'s> for FastNodes<'s, '_> {
    fn next_event(&mut self) -> Result<(Node<'s>, Mark), Error> {
        let Some(&token) = self.tokens.get(self.next) else {
            return Err(Error::new(
                ErrorKind::Syntax,
                "read past the end of the document",
            ));
        };
        self.next += 1;
        let raw = self.text.get(token.range()).unwrap_or_default();
        let node = match token.kind {
            TokenKind::Scalar(style) => Node::Scalar {
                text: Cow::Borrowed(raw),
                style,
                tag: None,
            },
            TokenKind::Escaped => {
                let mut text = String::new();
                // The scan checked every escape.
                let _ = unescape_into(raw, &mut text);
                Node::Scalar {
                    text: Cow::Owned(text),
                    style: ScalarStyle::DoubleQuoted,
                    tag: None,
                }
            }
            TokenKind::SequenceStart => Node::SequenceStart,
            TokenKind::SequenceEnd => Node::SequenceEnd,
            TokenKind::MappingStart => Node::MappingStart,
            TokenKind::MappingEnd => Node::MappingEnd,
        };
        let mark = self.cursor.mark(self.text, token.start as usize);
        Ok((node, mark))
    }

    fn finish(&mut self) -> Result<(), Error> {
        if self.next == self.tokens.len() {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Syntax,
                "expected the end of the document, found more content",
            ))
        }
    }
}

/// The scan left the subset.
struct GiveUp;

type Scan<T = ()> = Result<T, GiveUp>;

/// The state of one scan: the buffers being filled and where on which
/// line it is. Its methods are spread by role over the submodules.
struct Scanner<'s, 'b> {
    text: &'s str,
    out: &'b mut Vec<Token>,
    open: &'b mut Vec<(Block, usize)>,
    flow: &'b mut Vec<Flow>,
    /// A root flow collection ended on a later line than it began: the
    /// end of its last line (whose start is `line_start`).
    resume: Option<usize>,
    max_depth: usize,
    /// 1-based number of the current line.
    line: u64,
    /// Byte offset of the current line.
    line_start: usize,
    /// A key or `-` whose value is not on its line: its kind, column, and
    /// the byte offset where its empty value would be.
    pending: Option<(Block, usize, usize)>,
    /// The root node has begun.
    started: bool,
    /// The `---` line was seen.
    marker: bool,
    /// The `...` line was seen.
    ended: bool,
}
