//! The input cursor of the scanner: a byte position in the text with its
//! line and column kept up to date, and YAML's character classes.

use super::super::error::{Error, ErrorKind};
use super::super::source::Mark;

/// A position in the text: byte offset plus the [`Mark`] fields, advanced
/// one character at a time (ASCII in one step).
#[derive(Debug, Clone, Copy)]
pub(super) struct Cursor<'s> {
    pub text: &'s str,
    /// Byte offset.
    pub pos: usize,
    /// 1-based line.
    pub line: u64,
    /// 0-based column, in characters.
    pub col: u64,
    /// 0-based character index.
    pub index: u64,
}

impl<'s> Cursor<'s> {
    pub fn new(text: &'s str) -> Self {
        Cursor {
            text,
            pos: 0,
            line: 1,
            col: 0,
            index: 0,
        }
    }

    #[inline]
    pub fn mark(&self) -> Mark {
        Mark {
            line: self.line,
            column: self.col + 1,
            index: self.index,
        }
    }

    /// The byte `k` bytes ahead, 0 past the end (NUL never reaches the
    /// scanner raw: the pre-check refuses it).
    #[inline(always)]
    pub fn at(&self, k: usize) -> u8 {
        self.text.as_bytes().get(self.pos + k).copied().unwrap_or(0)
    }

    #[inline(always)]
    pub fn cur(&self) -> u8 {
        self.at(0)
    }

    #[inline(always)]
    pub fn eof(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// Moves over one character that is not a line break.
    #[inline(always)]
    pub fn advance(&mut self) {
        let b = self.cur();
        self.pos += utf8_width(b);
        self.col += 1;
        self.index += 1;
    }

    /// Moves over `n` ASCII characters that are not line breaks.
    #[inline(always)]
    pub fn advance_ascii(&mut self, n: usize) {
        self.pos += n;
        self.col += n as u64;
        self.index += n as u64;
    }

    /// Moves over a line break (LF, CR LF or CR); false when none is here.
    #[inline(always)]
    pub fn skip_break(&mut self) -> bool {
        match self.cur() {
            b'\n' => {
                self.pos += 1;
                self.index += 1;
            }
            b'\r' => {
                if self.at(1) == b'\n' {
                    self.pos += 2;
                    self.index += 2;
                } else {
                    self.pos += 1;
                    self.index += 1;
                }
            }
            _ => return false,
        }
        self.line += 1;
        self.col = 0;
        true
    }

    /// Whether `---` or `...` followed by a blank or the end stands at the
    /// start of a line here.
    #[inline]
    pub fn document_indicator(&self) -> bool {
        self.col == 0
            && matches!(
                self.text.as_bytes().get(self.pos..self.pos + 3),
                Some(b"---") | Some(b"...")
            )
            && is_blankz(self.at(3))
    }

    /// The character at the cursor (for messages).
    pub fn char(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }
}

/// The length of the UTF-8 sequence that starts with byte `b`.
#[inline(always)]
pub(super) fn utf8_width(b: u8) -> usize {
    if b < 0x80 {
        1
    } else if b >= 0xf0 {
        4
    } else if b >= 0xe0 {
        3
    } else {
        2
    }
}

#[inline(always)]
pub(super) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

#[inline(always)]
pub(super) fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// A line break or the end (0).
#[inline(always)]
pub(super) fn is_breakz(b: u8) -> bool {
    b == b'\n' || b == b'\r' || b == 0
}

/// A blank, a line break or the end.
#[inline(always)]
pub(super) fn is_blankz(b: u8) -> bool {
    b == b' ' || b == b'\t' || is_breakz(b)
}

/// YAML 1.2's `c-indicator` (production 22): the characters that cannot
/// start a plain scalar, except `-`, `?` and `:` before a character that may
/// continue one. Shared by the scanner and the line scanner in front of it.
#[inline(always)]
pub(in crate::yaml) fn is_c_indicator(b: u8) -> bool {
    matches!(
        b,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

#[inline(always)]
pub(super) fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

/// `[0-9A-Za-z-]`: the characters of a tag handle's name.
#[inline(always)]
pub(super) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// A character of a tag's URI (`ns-uri-char`), without `%` (escapes are
/// checked apart).
#[inline(always)]
pub(super) fn is_uri_char(b: u8) -> bool {
    is_word(b) || b"#;/?:@&=+$,_.!~*'()[]".contains(&b) || b >= 0x80
}

/// Whether `c` may stand outside quoted scalars (`c-printable`; tab, LF
/// and CR included; a byte-order mark is not, as `nb-char` excludes it: it may
/// stand only first in the input, where it is dropped, or in a quoted scalar).
fn printable(c: char) -> bool {
    c != '\u{feff}'
        && matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// The error for the non-printable character at byte `at` of `text`.
#[cold]
pub(super) fn non_printable(text: &str, at: usize) -> Error {
    let c = text[at..].chars().next().unwrap_or('\0');
    Error::new(
        ErrorKind::Syntax,
        format!(
            "non-printable character {:?} (U+{:04X}) in the input: YAML allows it only escaped in a double-quoted scalar",
            c, c as u32
        ),
    )
    .at(mark_of(text, at))
}

/// The first character of `text` from byte `from` on that YAML allows only
/// inside quoted scalars (`nb-json` but not printable: DEL, C1 controls
/// other than NEL, U+FFFE, U+FFFF); a C0 control other than tab, LF and CR
/// (allowed nowhere) is an error at once.
pub(super) fn next_json_only(text: &str, from: usize) -> Result<Option<usize>, Error> {
    let bytes = &text.as_bytes()[from..];
    // ASCII fast check: this loop is all most documents need.
    let Some(first) = bytes
        .iter()
        .position(|&b| (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') || b >= 0x7f)
    else {
        return Ok(None);
    };
    // C0 controls are refused everywhere, wherever they stand: checked over
    // the whole rest, not only up to the first character found below.
    if let Some(c0) = bytes[first..]
        .iter()
        .position(|&b| b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
    {
        let at = from + first + c0;
        let before = text[from + first..at].chars().any(|c| !printable(c));
        if !before {
            return Err(non_printable(text, at));
        }
    }
    for (i, c) in text[from + first..].char_indices() {
        if !printable(c) {
            let at = from + first + i;
            if (c as u32) < 0x20 {
                return Err(non_printable(text, at));
            }
            return Ok(Some(at));
        }
    }
    Ok(None)
}

/// The mark of byte offset `at` (cold path: errors only).
pub(super) fn mark_of(text: &str, at: usize) -> Mark {
    let mut c = Cursor::new(text);
    while c.pos < at && !c.eof() {
        if !c.skip_break() {
            c.advance();
        }
    }
    c.mark()
}
