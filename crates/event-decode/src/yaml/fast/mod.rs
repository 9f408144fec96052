//! A second [`NodeSource`]: a line scanner for the block and flow YAML
//! that producers (and [`encode`](super::encode)) write, with every scalar
//! borrowed from the input.
//!
//! It accepts a deliberately small subset and gives up on anything else:
//! one document (an optional `---` line first, an optional `...` line last),
//! blank lines and ` #` comments, block mappings with single-line keys,
//! block sequences (compact mappings in items, sequences at their parent
//! key's column), single-line plain scalars, single-line quoted scalars
//! without escapes (`\` in double quotes, `''` in single quotes), empty
//! values; flow collections (nested both ways) as whole values on one line,
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

use std::borrow::Cow;

use event_model::Limits;

use super::error::{Error, ErrorKind};
use super::scanner::is_c_indicator;
use super::source::{Mark, Node, NodeSource, ScalarStyle};

/// Implicit keys must stay under 1024 characters in YAML; a byte bound
/// below that keeps every accepted key within it.
const MAX_KEY_BYTES: usize = 1000;

/// One event, its scalar text as a byte range of the document (so that the
/// buffer holding it can outlive any one document).
#[derive(Debug, Clone, Copy)]
enum Token {
    Scalar {
        start: usize,
        end: usize,
        style: ScalarStyle,
    },
    SequenceStart,
    SequenceEnd,
    MappingStart,
    MappingEnd,
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
    tokens: Vec<(Token, Mark)>,
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
    tokens: &'t [(Token, Mark)],
    next: usize,
}

impl<'s, 't> FastNodes<'s, 't> {
    /// Scans all of `text` (one document) into `buffers`; `None` when any
    /// of it is outside the subset, or when its nesting passes
    /// [`Limits::max_depth`] (left for the other path to report).
    pub fn new(text: &'s str, limits: &Limits, buffers: &'t mut FastTokens) -> Option<Self> {
        buffers.tokens.clear();
        buffers.open.clear();
        buffers.flow.clear();
        let mut scan = Scanner {
            text,
            out: &mut buffers.tokens,
            open: &mut buffers.open,
            flow: &mut buffers.flow,
            all_ascii: true,
            resume: None,
            max_depth: limits.max_depth,
            line: 0,
            line_start: 0,
            line_index: 0,
            ascii: true,
            pending: None,
            started: false,
            marker: false,
            ended: false,
        };
        if scan.document().is_err() {
            buffers.tokens.clear();
            buffers.open.clear();
            return None;
        }
        Some(FastNodes {
            text,
            tokens: &buffers.tokens,
            next: 0,
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

impl<'s> NodeSource<'s> for FastNodes<'s, '_> {
    #[inline(always)]
    fn next_event(&mut self) -> Result<(Node<'s>, Mark), Error> {
        let Some(&(token, mark)) = self.tokens.get(self.next) else {
            return Err(Error::new(
                ErrorKind::Syntax,
                "read past the end of the document",
            ));
        };
        self.next += 1;
        let node = match token {
            Token::Scalar { start, end, style } => Node::Scalar {
                text: Cow::Borrowed(self.text.get(start..end).unwrap_or_default()),
                style,
                tag: None,
            },
            Token::SequenceStart => Node::SequenceStart,
            Token::SequenceEnd => Node::SequenceEnd,
            Token::MappingStart => Node::MappingStart,
            Token::MappingEnd => Node::MappingEnd,
        };
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

/// What follows a scalar on its line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    /// The end of the line, or a comment.
    End,
    /// A `:` and then a space or the end of the line; the byte after `:`.
    Colon(usize),
}

struct Scalar {
    start: usize,
    end: usize,
    style: ScalarStyle,
    after: After,
}

struct Scanner<'s, 'b> {
    text: &'s str,
    out: &'b mut Vec<(Token, Mark)>,
    open: &'b mut Vec<(Block, usize)>,
    flow: &'b mut Vec<Flow>,
    /// The whole text is ASCII.
    all_ascii: bool,
    /// A root flow collection ended on a later line than it began: the
    /// end of its last line (whose start is `line_start`).
    resume: Option<usize>,
    max_depth: usize,
    /// 1-based number of the current line.
    line: u64,
    /// Byte offset of the current line.
    line_start: usize,
    /// Character index of the current line's start.
    line_index: u64,
    /// Whether the current line is ASCII (columns are byte offsets).
    ascii: bool,
    /// A key or `-` whose value is not on its line: its kind, column, and
    /// where its empty value would be.
    pending: Option<(Block, usize, Mark)>,
    /// The root node has begun.
    started: bool,
    /// The `---` line was seen.
    marker: bool,
    /// The `...` line was seen.
    ended: bool,
}

impl Scanner<'_, '_> {
    fn document(&mut self) -> Scan {
        let all_ascii = allowed_characters(self.text)?;
        self.all_ascii = all_ascii;
        let text = self.text;
        let mut pos = 0;
        // Line ends found by `memchr` (SIMD) over the whole text at once,
        // rather than a search per line.
        let mut breaks = memchr::memchr_iter(b'\n', text.as_bytes());
        while pos < text.len() {
            let end = breaks.next().unwrap_or(text.len());
            let line = &text[pos..end];
            self.line += 1;
            self.line_start = pos;
            self.ascii = all_ascii || line.is_ascii();
            // A CR LF break: the CR is part of the break, not of the line
            // (a lone CR was refused up front). Counted in `chars` below,
            // as the break is two characters.
            self.line_text(line.strip_suffix('\r').unwrap_or(line))?;
            let (line, end) = match self.resume.take() {
                Some(last_end) => {
                    // Lines up to `last_end` were read by the flow scanner.
                    if last_end > end {
                        for e in breaks.by_ref() {
                            if e >= last_end {
                                break;
                            }
                        }
                    }
                    (&text[self.line_start..last_end], last_end)
                }
                None => (line, end),
            };
            let chars = if self.ascii {
                line.len()
            } else {
                line.chars().count()
            };
            self.line_index += chars as u64 + 1;
            pos = end + 1;
        }
        if !self.started {
            return Err(GiveUp);
        }
        // The end mark: the start of the line after the last.
        self.line += 1;
        self.line_start = text.len();
        self.ascii = true;
        let end = self.mark(0);
        if let Some((_, _, mark)) = self.pending.take() {
            self.empty(mark);
        }
        while !self.open.is_empty() {
            self.close(end);
        }
        Ok(())
    }

    #[inline(always)]
    fn line_text(&mut self, line: &str) -> Scan {
        let b = line.as_bytes();
        let indent = b.iter().take_while(|&&c| c == b' ').count();
        if indent == b.len() || b[indent] == b'#' {
            return Ok(());
        }
        if self.ended {
            return Err(GiveUp);
        }
        if indent == 0 && (line.starts_with("---") || line.starts_with("...")) {
            if line == "---" && !self.started && !self.marker {
                self.marker = true;
                return Ok(());
            }
            if line == "..." && self.started {
                self.ended = true;
                return Ok(());
            }
            return Err(GiveUp);
        }
        self.started = true;
        self.content(line, indent)
    }

    /// A line with content at column `indent`.
    fn content(&mut self, line: &str, indent: usize) -> Scan {
        let b = line.as_bytes();
        let dash = is_dash(b, indent);
        let here = self.mark(indent);
        if let Some((kind, column, mark)) = self.pending.take() {
            let nested = indent > column || (kind == Block::Map && indent == column && dash);
            if nested {
                self.open_block(if dash { Block::Seq } else { Block::Map }, indent, here)?;
            } else {
                self.empty(mark);
            }
        }
        if self.open.is_empty() {
            if self.out.is_empty() && indent == 0 && matches!(b[0], b'[' | b'{') {
                return self.root_flow();
            }
            if self.out.is_empty() && indent == 0 {
                self.open_block(if dash { Block::Seq } else { Block::Map }, 0, here)?;
            } else {
                return Err(GiveUp);
            }
        }
        while let Some(&(_, column)) = self.open.last() {
            if column <= indent {
                break;
            }
            self.close(here);
        }
        let Some(&(block, column)) = self.open.last() else {
            return Err(GiveUp);
        };
        if column != indent {
            return Err(GiveUp);
        }
        match (block, dash) {
            (Block::Seq, true) => self.entry(line, indent),
            (Block::Map, false) => self.key_line(line, indent),
            (Block::Seq, false) => {
                // A sequence at its parent key's column ends at the next key.
                self.close(here);
                match self.open.last() {
                    Some(&(Block::Map, c)) if c == indent => self.key_line(line, indent),
                    _ => Err(GiveUp),
                }
            }
            (Block::Map, true) => Err(GiveUp),
        }
    }

    /// `- ...` at `column`.
    fn entry(&mut self, line: &str, column: usize) -> Scan {
        let b = line.as_bytes();
        let i = skip_spaces(b, column + 1);
        if i == b.len() || b[i] == b'#' {
            self.pending = Some((Block::Seq, column, self.mark(i)));
            return Ok(());
        }
        if is_dash(b, i) {
            return Err(GiveUp);
        }
        // Checked here first: most values are scalars.
        if matches!(b[i], b'[' | b'{') && self.empty_flow(b, i)? {
            return Ok(());
        }
        let s = scalar(b, i)?;
        match s.after {
            After::End => {
                let m = self.mark(s.start);
                self.scalar(m, s.start, s.end, s.style);
                Ok(())
            }
            After::Colon(next) => {
                let m = self.mark(i);
                self.open_block(Block::Map, i, m)?;
                self.key(&s, i)?;
                self.value(line, next, i)
            }
        }
    }

    /// `key: ...` at `column`.
    #[inline(always)]
    fn key_line(&mut self, line: &str, column: usize) -> Scan {
        let s = scalar(line.as_bytes(), column)?;
        let After::Colon(next) = s.after else {
            return Err(GiveUp);
        };
        self.key(&s, column)?;
        self.value(line, next, column)
    }

    #[inline(always)]
    fn key(&mut self, s: &Scalar, at: usize) -> Scan {
        if s.end - s.start > MAX_KEY_BYTES {
            return Err(GiveUp);
        }
        let m = self.mark(at);
        self.scalar(m, s.start, s.end, s.style);
        Ok(())
    }

    /// What follows a key's `:` (from byte `from`), the key at `column`.
    #[inline(always)]
    fn value(&mut self, line: &str, from: usize, column: usize) -> Scan {
        let b = line.as_bytes();
        let i = skip_spaces(b, from);
        if i == b.len() || b[i] == b'#' {
            self.pending = Some((Block::Map, column, self.mark(i)));
            return Ok(());
        }
        if is_dash(b, i) {
            return Err(GiveUp);
        }
        // Checked here first: most values are scalars.
        if matches!(b[i], b'[' | b'{') && self.empty_flow(b, i)? {
            return Ok(());
        }
        let s = scalar(b, i)?;
        if s.after != After::End {
            return Err(GiveUp);
        }
        let m = self.mark(s.start);
        self.scalar(m, s.start, s.end, s.style);
        Ok(())
    }

    /// `[]` or `{}` as a whole value: the collection's two events.
    fn empty_flow(&mut self, b: &[u8], i: usize) -> Scan<bool> {
        let (open, close) = match b.get(i..i + 2) {
            Some(b"[]") => (Token::SequenceStart, Token::SequenceEnd),
            Some(b"{}") => (Token::MappingStart, Token::MappingEnd),
            _ => {
                if !matches!(b[i], b'[' | b'{') {
                    return Ok(false);
                }
                // A flow collection on this line, as a whole value.
                let base = self.line_start;
                let end = self.flow(base + i, false)? - base;
                if end_of_value(b, end) != Some(After::End) {
                    return Err(GiveUp);
                }
                return Ok(true);
            }
        };
        if end_of_value(b, i + 2) != Some(After::End) || self.open.len() >= self.max_depth {
            return Err(GiveUp);
        }
        let m = self.mark(i);
        self.out.push((open, m));
        self.out.push((close, m));
        Ok(true)
    }

    /// A flow collection as the document's root, from the start of the
    /// current line; it may span lines. Only spaces and a comment may
    /// follow it on its last line.
    fn root_flow(&mut self) -> Scan {
        let b = self.text.as_bytes();
        let first_line = self.line;
        let mut i = self.flow(self.line_start, true)?;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let end = match b.get(i) {
            None | Some(b'\n') => i,
            Some(b'\r') => i + 1,
            Some(b'#') if b[i - 1] == b' ' => {
                memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n)
            }
            _ => return Err(GiveUp),
        };
        if self.line != first_line {
            self.resume = Some(end);
        }
        Ok(())
    }

    /// The flow collection whose `[` or `{` is at byte `at` of the text, to
    /// its end; the byte after it. Scalars on one line each: plain (the
    /// flow context's rules), quoted without escapes; keys followed by
    /// their `:` at once; no empty entries or values, no single-pair
    /// mappings in sequences, no comments, no properties. Crosses lines only
    /// when `lines` is set.
    fn flow(&mut self, at: usize, lines: bool) -> Scan<usize> {
        let b = self.text.as_bytes();
        self.flow.clear();
        let mut i = self.flow_node(at)?;
        while let Some(&state) = self.flow.last() {
            i = self.flow_blanks(i, lines)?;
            let Some(&c) = b.get(i) else {
                return Err(GiveUp);
            };
            let top = self.flow.len() - 1;
            match (state, c) {
                (Flow::SeqFirst | Flow::SeqAfter, b']')
                | (Flow::MapFirst | Flow::MapAfter, b'}') => {
                    let m = self.mark_at(i);
                    self.flow.pop();
                    let token = if c == b']' {
                        Token::SequenceEnd
                    } else {
                        Token::MappingEnd
                    };
                    self.out.push((token, m));
                    i += 1;
                }
                (Flow::SeqAfter, b',') => {
                    self.flow[top] = Flow::SeqItem;
                    i += 1;
                }
                (Flow::MapAfter, b',') => {
                    self.flow[top] = Flow::MapKey;
                    i += 1;
                }
                (Flow::SeqFirst | Flow::SeqItem, _) => {
                    self.flow[top] = Flow::SeqAfter;
                    i = self.flow_node(i)?;
                }
                (Flow::MapValue, _) => {
                    self.flow[top] = Flow::MapAfter;
                    i = self.flow_node(i)?;
                }
                (Flow::MapFirst | Flow::MapKey, _) => {
                    let s = flow_scalar(b, i)?;
                    if s.end - s.start > MAX_KEY_BYTES || b.get(s.next) != Some(&b':') {
                        return Err(GiveUp);
                    }
                    let m = self.mark_at(i);
                    self.push_scalar(m, s.start, s.end, s.style);
                    self.flow[top] = Flow::MapValue;
                    i = s.next + 1;
                }
                _ => return Err(GiveUp),
            }
        }
        Ok(i)
    }

    /// A node inside a flow collection (or the collection itself) at byte
    /// `i`: a scalar, or the start of a nested collection.
    fn flow_node(&mut self, i: usize) -> Scan<usize> {
        let b = self.text.as_bytes();
        let m = self.mark_at(i);
        let (token, state) = match b.get(i) {
            Some(b'[') => (Token::SequenceStart, Flow::SeqFirst),
            Some(b'{') => (Token::MappingStart, Flow::MapFirst),
            _ => {
                let s = flow_scalar(b, i)?;
                self.push_scalar(m, s.start, s.end, s.style);
                return Ok(s.next);
            }
        };
        if self.open.len() + self.flow.len() >= self.max_depth {
            return Err(GiveUp);
        }
        self.flow.push(state);
        self.out.push((token, m));
        Ok(i + 1)
    }

    /// Spaces, and line breaks when `lines` is set, from byte `i`; the
    /// next byte of content. A comment, a document marker or (without
    /// `lines`) a line break declines.
    fn flow_blanks(&mut self, mut i: usize, lines: bool) -> Scan<usize> {
        let b = self.text.as_bytes();
        loop {
            match b.get(i) {
                Some(b' ') => i += 1,
                Some(&c @ (b'\n' | b'\r')) if lines => {
                    // A CR is always followed by LF here.
                    let lf = if c == b'\r' { i + 1 } else { i };
                    let line = &self.text[self.line_start..lf];
                    let chars = if self.ascii {
                        line.len()
                    } else {
                        line.chars().count()
                    };
                    self.line_index += chars as u64 + 1;
                    self.line += 1;
                    self.line_start = lf + 1;
                    self.ascii = self.all_ascii;
                    i = lf + 1;
                    let rest = &b[i..];
                    if rest.starts_with(b"---") || rest.starts_with(b"...") {
                        return Err(GiveUp);
                    }
                }
                _ => return Ok(i),
            }
        }
    }

    /// The mark of byte `at` of the text, on the current line.
    fn mark_at(&self, at: usize) -> Mark {
        self.mark(at - self.line_start)
    }

    /// A scalar at bytes `start..end` of the text.
    fn push_scalar(&mut self, mark: Mark, start: usize, end: usize, style: ScalarStyle) {
        self.out.push((Token::Scalar { start, end, style }, mark));
    }

    fn open_block(&mut self, block: Block, column: usize, mark: Mark) -> Scan {
        if self.open.len() >= self.max_depth {
            return Err(GiveUp);
        }
        self.open.push((block, column));
        let token = match block {
            Block::Map => Token::MappingStart,
            Block::Seq => Token::SequenceStart,
        };
        self.out.push((token, mark));
        Ok(())
    }

    fn close(&mut self, mark: Mark) {
        if let Some((block, _)) = self.open.pop() {
            let token = match block {
                Block::Map => Token::MappingEnd,
                Block::Seq => Token::SequenceEnd,
            };
            self.out.push((token, mark));
        }
    }

    /// An empty (null) value: an empty plain scalar.
    fn empty(&mut self, mark: Mark) {
        // Any in-bounds empty range of the text will do: the line's start.
        let at = self.line_start;
        self.out.push((
            Token::Scalar {
                start: at,
                end: at,
                style: ScalarStyle::Plain,
            },
            mark,
        ));
    }

    /// A scalar at bytes `start..end` of the current line.
    #[inline(always)]
    fn scalar(&mut self, mark: Mark, start: usize, end: usize, style: ScalarStyle) {
        let base = self.line_start;
        self.out.push((
            Token::Scalar {
                start: base + start,
                end: base + end,
                style,
            },
            mark,
        ));
    }

    /// The mark of byte `offset` of the current line.
    #[inline(always)]
    fn mark(&self, offset: usize) -> Mark {
        let chars = if self.ascii {
            offset
        } else {
            let line = &self.text[self.line_start..];
            line.get(..offset).map_or(offset, |s| s.chars().count())
        };
        Mark {
            line: self.line,
            column: chars as u64 + 1,
            index: self.line_index + chars as u64,
        }
    }
}

/// Only printable characters, no tabs, no carriage returns but in CR LF
/// line breaks, no byte-order marks or Unicode line separators; whether the
/// text is all ASCII.
fn allowed_characters(text: &str) -> Scan<bool> {
    let bytes = text.as_bytes();
    // One pass without early exit and without branches (it vectorises):
    // any byte that is a control but LF and CR, or DEL; the OR of all
    // bytes for non-ASCII. Then CRs, rare, by `memchr`.
    let mut bad = false;
    let mut or = 0u8;
    for &c in bytes {
        bad |= ((c < 0x20) & (c != b'\n') & (c != b'\r')) | (c == 0x7f);
        or |= c;
    }
    if bad || memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n')) {
        return Err(GiveUp);
    }
    let ascii = or < 0x80;
    if !ascii
        && !text.chars().all(|c| match c {
            '\0'..='\u{7f}' => true,
            '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'.. => {
                !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
            }
            _ => false,
        })
    {
        return Err(GiveUp);
    }
    Ok(ascii)
}

/// `-` followed by a space or the end of the line: a block entry.
fn is_dash(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&b'-') && matches!(b.get(i + 1), None | Some(b' '))
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// What follows a quoted scalar or flow collection ending at `i`: a key's
/// `:`, or spaces and the end of the line or a ` #` comment.
fn end_of_value(b: &[u8], i: usize) -> Option<After> {
    if i == b.len() {
        return Some(After::End);
    }
    if b[i] == b':' && matches!(b.get(i + 1), None | Some(b' ')) {
        return Some(After::Colon(i + 1));
    }
    let j = skip_spaces(b, i);
    if j == b.len() || (j > i && b[j] == b'#') {
        Some(After::End)
    } else {
        None
    }
}

/// The first space or colon in `b` from byte `j` on, or `b.len()`.
///
/// Eight bytes per step (SWAR: a word whose bytes are XORed with the
/// byte sought has a zero byte where it stood; `(x - 0x01..) & !x & 0x80..`
/// flags the lowest such byte exactly), then byte by byte for the tail:
/// written by hand because plain scalars are most of a document's bytes
/// and a byte loop with two comparisons cost about 5,000 instructions per
/// reference event.
#[inline(always)]
fn space_or_colon(b: &[u8], mut j: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(j..j + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let v = u64::from_le_bytes(bytes);
        let s = v ^ (LO * u64::from(b' '));
        let c = v ^ (LO * u64::from(b':'));
        let found = (s.wrapping_sub(LO) & !s & HI) | (c.wrapping_sub(LO) & !c & HI);
        if found != 0 {
            return j + (found.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    j + b[j..]
        .iter()
        .position(|&c| c == b' ' || c == b':')
        .unwrap_or(b.len() - j)
}

/// The single-line scalar starting at byte `i` of a line (not a space).
#[inline(always)]
fn scalar(b: &[u8], i: usize) -> Scan<Scalar> {
    let first = b[i];
    if first == b'"' || first == b'\'' {
        let start = i + 1;
        let Some(len) = memchr::memchr(first, &b[start..]) else {
            return Err(GiveUp);
        };
        let end = start + len;
        let style = if first == b'"' {
            if b[start..end].contains(&b'\\') {
                return Err(GiveUp);
            }
            ScalarStyle::DoubleQuoted
        } else {
            if b.get(end + 1) == Some(&b'\'') {
                return Err(GiveUp);
            }
            ScalarStyle::SingleQuoted
        };
        let after = end_of_value(b, end + 1).ok_or(GiveUp)?;
        return Ok(Scalar {
            start,
            end,
            style,
            after,
        });
    }
    // Indicators that start something other than a plain scalar (or a
    // plain scalar only in some positions: `-x`, `:x`, `?x`).
    // A `match` rather than a search of the indicator list: this runs
    // once per scalar.
    let indicator = is_c_indicator(first);
    let plain_dash = first == b'-' && !is_dash(b, i);
    if indicator && !plain_dash {
        return Err(GiveUp);
    }
    let mut end = i;
    let mut j = i;
    loop {
        // Runs of ordinary characters eight at a time: only a space or a
        // colon can end a plain scalar here.
        let stop = space_or_colon(b, j);
        if stop > j {
            j = stop;
            end = j;
        }
        match b.get(j) {
            None => break,
            Some(b' ') => {
                if b.get(j + 1) == Some(&b'#') {
                    break;
                }
                j += 1;
            }
            Some(_) if matches!(b.get(j + 1), None | Some(b' ')) => {
                // `key :` (space before the colon) is left to the other path.
                if end != j {
                    return Err(GiveUp);
                }
                return Ok(Scalar {
                    start: i,
                    end,
                    style: ScalarStyle::Plain,
                    after: After::Colon(j + 1),
                });
            }
            Some(_) => {
                j += 1;
                end = j;
            }
        }
    }
    Ok(Scalar {
        start: i,
        end,
        style: ScalarStyle::Plain,
        after: After::End,
    })
}

/// A scalar in a flow collection, at bytes `start..end` of the text; the
/// byte after it is `next`.
struct FlowScalar {
    start: usize,
    end: usize,
    style: ScalarStyle,
    next: usize,
}

#[inline]
fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// The one-line scalar at byte `i` of the text `b`, inside a flow
/// collection: quoted without escapes, or plain by the flow context's
/// rules (it ends before `,[]{}`, a `:` followed by a blank or one of
/// those, ` #`, or the line's end).
fn flow_scalar(b: &[u8], i: usize) -> Scan<FlowScalar> {
    let first = *b.get(i).ok_or(GiveUp)?;
    if first == b'"' || first == b'\'' {
        let start = i + 1;
        let len = b[start..]
            .iter()
            .position(|&c| c == first || c == b'\n' || c == b'\r')
            .ok_or(GiveUp)?;
        let end = start + len;
        if b[end] != first {
            return Err(GiveUp);
        }
        let escaped = if first == b'"' {
            b[start..end].contains(&b'\\')
        } else {
            b.get(end + 1) == Some(&b'\'')
        };
        if escaped {
            return Err(GiveUp);
        }
        let style = if first == b'"' {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        return Ok(FlowScalar {
            start,
            end,
            style,
            next: end + 1,
        });
    }
    // `-` starts a plain scalar before a character that may continue one;
    // `?` and `:` are left to the other path.
    let plain_dash = first == b'-'
        && b.get(i + 1)
            .is_some_and(|&n| !matches!(n, b' ' | b'\n' | b'\r') && !is_flow_indicator(n));
    let indicator = is_c_indicator(first) || matches!(first, b' ' | b'\n' | b'\r');
    if indicator && !plain_dash {
        return Err(GiveUp);
    }
    let mut end = i;
    let mut j = i;
    loop {
        let run = b[j..]
            .iter()
            .position(|&c| matches!(c, b' ' | b':' | b'\n' | b'\r') || is_flow_indicator(c))
            .unwrap_or(b.len() - j);
        if run > 0 {
            j += run;
            end = j;
        }
        match b.get(j) {
            Some(b' ') => {
                // Spaces inside the scalar, or after it.
                let k = j + b[j..].iter().take_while(|&&c| c == b' ').count();
                match b.get(k) {
                    None | Some(b'\n' | b'\r' | b'#') => break,
                    Some(&c) if is_flow_indicator(c) => break,
                    Some(b':') if ends_flow_plain(b.get(k + 1)) => break,
                    Some(_) => j = k,
                }
            }
            Some(b':') if !ends_flow_plain(b.get(j + 1)) => {
                j += 1;
                end = j;
            }
            _ => break,
        }
    }
    Ok(FlowScalar {
        start: i,
        end,
        style: ScalarStyle::Plain,
        next: end,
    })
}

/// Whether a `:` followed by `next` ends a plain scalar in flow context.
#[inline]
fn ends_flow_plain(next: Option<&u8>) -> bool {
    match next {
        None | Some(b' ' | b'\n' | b'\r') => true,
        Some(&c) => is_flow_indicator(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time search finds exactly what a byte loop finds,
    /// whatever the position, the start, and bytes with the high bit set
    /// (UTF-8) or one below the sought bytes around it.
    #[test]
    fn space_or_colon_matches_a_byte_loop() {
        let fillers = [b'a', 0x1f, b'9', 0x21, 0xc3, 0xa9, 0xff, 0x80, b';'];
        for len in 0..40 {
            for hit in 0..=len {
                for &filler in &fillers {
                    for &sought in b" :" {
                        let mut b = vec![filler; len];
                        if hit < len {
                            b[hit] = sought;
                        }
                        for start in 0..=len.min(9) {
                            let naive = b[start..]
                                .iter()
                                .position(|&c| c == b' ' || c == b':')
                                .map_or(len, |p| start + p);
                            assert_eq!(space_or_colon(&b, start), naive, "{b:?} from {start}");
                        }
                    }
                }
            }
        }
    }
}
