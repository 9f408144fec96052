//! Tokens: the scanner's first stage. Indentation becomes explicit block
//! start and end tokens, and a `KEY` token is inserted before a simple
//! (implicit) key once its `:` is found, as in the YAML 1.2 reference
//! scanners. Everything that can take the input's nesting is a loop over
//! explicit stacks; lookahead for a simple key is bounded to one line of at
//! most 1024 characters, so the token queue stays small.

use std::collections::VecDeque;

use bumpalo::Bump;

use super::super::error::{Error, ErrorKind};
use super::super::source::{Mark, ScalarStyle};
use super::chars::{
    Cursor, is_blank, is_blankz, is_breakz, is_c_indicator, is_flow_indicator, is_uri_char,
    is_word, next_json_only, non_printable,
};

mod indicators;
mod keys;

mod properties;

/// One token and where it starts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Lexeme<'s> {
    pub kind: Tok<'s>,
    pub mark: Mark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok<'s> {
    StreamStart,
    StreamEnd,
    /// `%YAML major.minor`
    Version(u32, u32),
    /// `%TAG handle prefix`
    TagDirective(&'s str, &'s str),
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias(&'s str),
    Anchor(&'s str),
    /// A tag: handle (`""` for a verbatim tag) and suffix.
    Tag(&'s str, &'s str),
    Scalar(&'s str, ScalarStyle),
}

#[derive(Debug, Clone, Copy, Default)]
struct SimpleKey {
    possible: bool,
    /// A tab was in the blanks before the key on its line.
    tab_before: bool,
    /// This level is a flow mapping (where a key's `:` may be on a later
    /// line).
    in_flow_map: bool,
    required: bool,
    token_number: usize,
    mark: Mark,
}

/// The reusable memory of a [`Lexer`]. Lexeme lists hold text borrowed for
/// one document only, so they are kept empty between documents (see
/// [`recycle`]).
#[derive(Debug, Default)]
pub(crate) struct LexBuffers {
    tokens: VecDeque<Lexeme<'static>>,
    indents: Vec<i64>,
    simple_keys: Vec<SimpleKey>,
    pub(super) scratch: String,
    pub(super) spaces: String,
    pub(super) breaks: String,
}

/// Reuses an emptied vector's allocation for elements of another lifetime
/// (the standard library collects in place when the layouts match), so
/// that buffers of borrowed tokens outlive the text they borrowed.
// `filter_map` to `None` is the point: no element survives, the type changes.
#[allow(clippy::unnecessary_filter_map)]
pub(super) fn recycle<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
}

/// The most memory a reusable buffer keeps between documents (the fast
/// path's buffers follow the same rule).
pub(in crate::yaml) const KEEP_BYTES: usize = 16 * 1024;

/// `v`, or an empty vector when it holds more than [`KEEP_BYTES`].
pub(super) fn keep<T, U: From<Vec<T>>>(v: Vec<T>) -> U {
    if v.capacity() * std::mem::size_of::<T>() > KEEP_BYTES {
        Vec::new().into()
    } else {
        v.into()
    }
}

fn keep_string(s: String) -> String {
    if s.capacity() > KEEP_BYTES {
        String::new()
    } else {
        s
    }
}

pub(super) struct Lexer<'s> {
    pub(super) c: Cursor<'s>,
    pub(super) arena: &'s Bump,
    tokens: VecDeque<Lexeme<'s>>,
    tokens_parsed: usize,
    stream_start_produced: bool,
    stream_end_produced: bool,
    pub(super) indent: i64,
    indents: Vec<i64>,
    pub(super) simple_key_allowed: bool,
    simple_keys: Vec<SimpleKey>,
    pub(super) flow_level: usize,
    max_depth: usize,
    /// The last token was JSON-like (a quoted scalar or a flow collection's
    /// end): in flow context a `:` after it is a value indicator even
    /// without a blank after the `:`.
    json_key: bool,
    pub(super) scratch: String,
    pub(super) spaces: String,
    pub(super) breaks: String,
    /// A tab was among the blanks before the token being fetched, on its
    /// line: block structure may not follow it.
    tab_before: bool,
    /// The token being fetched is the first on its line; the spaces
    /// before it (up to any tab).
    first_on_line: Option<u64>,
    /// The next character allowed only inside quoted scalars (DEL, C1,
    /// U+FFFE, U+FFFF): an error once anything else consumes it.
    next_json_only: Option<usize>,
}

pub(super) type Lex<T = ()> = Result<T, Error>;

#[cold]
pub(super) fn eof(mark: Mark, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Eof, message).at(mark)
}

#[cold]
pub(super) fn syntax(mark: Mark, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Syntax, message).at(mark)
}

impl<'s> Lexer<'s> {
    pub fn new(text: &'s str, arena: &'s Bump, max_depth: usize, buffers: &mut LexBuffers) -> Self {
        let tokens = std::mem::take(&mut buffers.tokens);
        let tokens: Vec<Lexeme<'static>> = tokens.into();
        let tokens: VecDeque<Lexeme<'s>> = recycle(tokens).into();
        let mut indents = std::mem::take(&mut buffers.indents);
        indents.clear();
        let mut simple_keys = std::mem::take(&mut buffers.simple_keys);
        simple_keys.clear();
        Lexer {
            c: Cursor::new(text),
            arena,
            tokens,
            tokens_parsed: 0,
            stream_start_produced: false,
            stream_end_produced: false,
            indent: -1,
            indents,
            simple_key_allowed: false,
            simple_keys,
            flow_level: 0,
            max_depth,
            json_key: false,
            scratch: std::mem::take(&mut buffers.scratch),
            spaces: std::mem::take(&mut buffers.spaces),
            breaks: std::mem::take(&mut buffers.breaks),
            tab_before: false,
            first_on_line: None,
            next_json_only: None,
        }
    }

    /// Gives the buffers back for the next document; one grown past
    /// [`KEEP_BYTES`] by a spike is dropped, so that memory comes back.
    pub fn release(self, buffers: &mut LexBuffers) {
        let tokens: Vec<Lexeme<'s>> = self.tokens.into();
        buffers.tokens = keep(recycle(tokens));
        buffers.indents = keep(self.indents);
        buffers.simple_keys = keep(self.simple_keys);
        buffers.scratch = keep_string(self.scratch);
        buffers.spaces = keep_string(self.spaces);
        buffers.breaks = keep_string(self.breaks);
    }

    /// Copies built text into the arena.
    pub(super) fn store(&self, text: &str, mark: Mark) -> Lex<&'s str> {
        match self.arena.try_alloc_str(text) {
            Ok(s) => Ok(s),
            Err(_) => Err(Error::new(
                ErrorKind::Limit(event_model::Limit::EventBytes),
                "out of arena memory while building a scalar",
            )
            .at(mark)),
        }
    }

    /// The next token, without taking it.
    #[inline]
    pub fn peek(&mut self) -> Lex<Lexeme<'s>> {
        if self.tokens.is_empty() || self.need_more() {
            self.fetch_more()?;
        }
        match self.tokens.front() {
            Some(t) => Ok(*t),
            None => Err(syntax(self.c.mark(), "read past the end of the stream")),
        }
    }

    /// Takes the token [`peek`](Self::peek) returned.
    #[inline]
    pub fn skip(&mut self) {
        if self.tokens.pop_front().is_some() {
            self.tokens_parsed += 1;
        }
    }

    #[inline]
    fn need_more(&self) -> bool {
        self.simple_keys
            .iter()
            .any(|k| k.possible && k.token_number == self.tokens_parsed)
    }

    fn fetch_more(&mut self) -> Lex {
        loop {
            if self.stream_end_produced && !self.tokens.is_empty() {
                return Ok(());
            }
            let mut need = self.tokens.is_empty();
            if !need {
                self.stale_simple_keys()?;
                need = self.need_more();
            }
            if !need {
                return Ok(());
            }
            if self.stream_end_produced {
                return Ok(());
            }
            self.fetch_next()?;
        }
    }

    fn push(&mut self, kind: Tok<'s>, mark: Mark) {
        self.tokens.push_back(Lexeme { kind, mark });
    }

    fn fetch_next(&mut self) -> Lex {
        self.fetch_token()?;
        self.check_printable_consumed()
    }

    /// A character allowed only in quoted scalars was consumed by
    /// something else: an error at it.
    #[inline]
    fn check_printable_consumed(&self) -> Lex {
        match self.next_json_only {
            Some(at) if at < self.c.pos => Err(non_printable(self.c.text, at)),
            _ => Ok(()),
        }
    }

    fn fetch_token(&mut self) -> Lex {
        if !self.stream_start_produced {
            // C0 controls anywhere are an error before any token.
            let bytes = self.c.text.as_bytes();
            if let Some(at) = bytes
                .iter()
                .position(|&b| b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
            {
                return Err(non_printable(self.c.text, at));
            }
            self.next_json_only = next_json_only(self.c.text, 0)?;
            self.stream_start_produced = true;
            self.simple_key_allowed = true;
            self.simple_keys.push(SimpleKey::default());
            self.push(Tok::StreamStart, self.c.mark());
            return Ok(());
        }
        self.scan_to_next_token()?;
        self.stale_simple_keys()?;
        self.unroll_indent(self.c.col as i64);
        if self.c.eof() {
            return self.fetch_stream_end();
        }
        let b = self.c.cur();
        let n = self.c.at(1);
        if self.c.col == 0 {
            if b == b'%' {
                return self.fetch_directive();
            }
            if self.c.document_indicator() {
                let kind = if b == b'-' {
                    Tok::DocumentStart
                } else {
                    Tok::DocumentEnd
                };
                return self.fetch_document_indicator(kind);
            }
        }
        let json = std::mem::take(&mut self.json_key);
        if self.tab_before
            && self.flow_level == 0
            && matches!(b, b'-' | b'?' | b':')
            && is_blankz(n)
        {
            return Err(syntax(
                self.c.mark(),
                "a tab may not stand before a block indicator (tabs are not indentation)",
            ));
        }
        if let Some(spaces) = self.first_on_line {
            if self.flow_level > 0 && self.indent >= 0 && (spaces as i64) <= self.indent {
                return Err(syntax(
                    self.c.mark(),
                    "a flow collection's line is not indented more than its block parent",
                ));
            }
        }
        let flow = self.flow_level > 0;
        match b {
            b'[' => self.fetch_flow_start(Tok::FlowSequenceStart),
            b'{' => self.fetch_flow_start(Tok::FlowMappingStart),
            b']' => self.fetch_flow_end(Tok::FlowSequenceEnd),
            b'}' => self.fetch_flow_end(Tok::FlowMappingEnd),
            b',' => self.fetch_flow_entry(),
            b'-' if is_blankz(n) => self.fetch_block_entry(),
            b'?' if is_blankz(n) || (flow && is_flow_indicator(n)) => self.fetch_key(),
            b':' if is_blankz(n) || (flow && (is_flow_indicator(n) || json)) => self.fetch_value(),
            b'*' => self.fetch_anchor(true),
            b'&' => self.fetch_anchor(false),
            b'!' => self.fetch_tag(),
            b'|' | b'>' if !flow => self.fetch_block_scalar(b == b'|'),
            b'\'' | b'"' => self.fetch_quoted(b == b'"'),
            _ => {
                let starts_plain = !(is_blankz(b) || is_c_indicator(b))
                    || (matches!(b, b'-' | b'?' | b':')
                        && !is_blankz(n)
                        && !(flow && is_flow_indicator(n)));
                if starts_plain {
                    self.fetch_plain()
                } else {
                    Err(syntax(
                        self.c.mark(),
                        format!(
                            "found character {:?} that cannot start any token",
                            self.c.char().unwrap_or(' ')
                        ),
                    ))
                }
            }
        }
    }

    /// Skips blanks, comments and line breaks before the next token.
    fn scan_to_next_token(&mut self) -> Lex {
        self.tab_before = false;
        self.first_on_line = None;
        let mut line_start = self.c.col == 0;
        let mut spaces: Option<u64> = if line_start { None } else { Some(0) };
        loop {
            // Blanks. Tabs are separation, never indentation: remembered
            // so that block structure after them is refused.
            loop {
                match self.c.cur() {
                    b' ' => self.c.advance_ascii(1),
                    b'\t' => {
                        self.tab_before = true;
                        if spaces.is_none() {
                            spaces = Some(self.c.col);
                        }
                        self.c.advance_ascii(1);
                    }
                    _ => break,
                }
            }
            if self.c.cur() == b'#' {
                if self.c.pos > 0 && !is_blankz(self.c.text.as_bytes()[self.c.pos - 1]) {
                    return Err(syntax(
                        self.c.mark(),
                        "a comment must be separated from what precedes it by a blank",
                    ));
                }
                let rest = &self.c.text.as_bytes()[self.c.pos..];
                let len = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
                let chars = self.c.text[self.c.pos..self.c.pos + len].chars().count();
                self.c.pos += len;
                self.c.col += chars as u64;
                self.c.index += chars as u64;
            }
            if self.c.skip_break() {
                if self.flow_level == 0 {
                    self.simple_key_allowed = true;
                }
                self.tab_before = false;
                line_start = true;
                spaces = None;
            } else {
                if line_start {
                    self.first_on_line = Some(spaces.unwrap_or(self.c.col));
                }
                return Ok(());
            }
        }
    }

    fn fetch_stream_end(&mut self) -> Lex {
        if self.c.col != 0 {
            // The end mark is on a line of its own, like a final break.
            self.c.col = 0;
            self.c.line += 1;
        }
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        self.stream_end_produced = true;
        self.push(Tok::StreamEnd, self.c.mark());
        Ok(())
    }

    fn fetch_block_scalar(&mut self, literal: bool) -> Lex {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let mark = self.c.mark();
        let text = self.scan_block_scalar(literal)?;
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        self.push(Tok::Scalar(text, style), mark);
        Ok(())
    }

    fn fetch_quoted(&mut self, double: bool) -> Lex {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let mark = self.c.mark();
        self.check_printable_consumed()?;
        let text = self.scan_quoted(double)?;
        if self.next_json_only.is_some_and(|at| at < self.c.pos) {
            self.next_json_only = next_json_only(self.c.text, self.c.pos)?;
        }
        self.json_key = true;
        let style = if double {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        self.push(Tok::Scalar(text, style), mark);
        Ok(())
    }

    fn fetch_plain(&mut self) -> Lex {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let mark = self.c.mark();
        let text = self.scan_plain()?;
        self.push(Tok::Scalar(text, ScalarStyle::Plain), mark);
        Ok(())
    }
}

/// Whether `b` may follow a plain scalar's `:` inside it.
#[inline(always)]
pub(super) fn colon_ends_plain(next: u8, flow: bool) -> bool {
    is_blankz(next) || (flow && is_flow_indicator(next))
}
