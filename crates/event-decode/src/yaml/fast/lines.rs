//! The document line by line: the allowed characters checked up front,
//! line breaks, blank and comment lines, document markers, and the block
//! structure (indentation, `- ` entries, `key:` lines and their values).

use super::scalar::{After, LO, Scalar, end_of_value, scalar, zero_bytes};
use super::{Block, GiveUp, MAX_KEY_BYTES, MAX_TOKENS, Scan, Scanner, TokenKind};

impl Scanner<'_, '_> {
    /// Scans the whole text; `Err` when any of it is outside the subset.
    ///
    /// This and [`Self::content`] are inlined by hand: called once per
    /// line, `content` cost about 18 instructions a line in register saves
    /// alone, some 700 per reference event (`icount.sh`).
    #[inline(always)]
    pub(super) fn document(&mut self) -> Scan {
        allowed_characters(self.text)?;
        let text = self.text;
        let mut pos = 0;
        while pos < text.len() {
            // A line adds a bounded number of events (closing at most
            // `max_depth` collections): checked once a line.
            if self.out.len() > MAX_TOKENS {
                return Err(GiveUp);
            }
            let end = line_end(text.as_bytes(), pos);
            // Bytes, not `&str`: no character-boundary checks per line.
            let line = &text.as_bytes()[pos..end];
            self.line += 1;
            self.line_start = pos;
            // A CR LF break: the CR is part of the break, not of the line
            // (a lone CR was refused up front).
            self.line_text(line.strip_suffix(b"\r").unwrap_or(line))?;
            // A root flow collection may have read on to a later line.
            pos = self.resume.take().unwrap_or(end) + 1;
        }
        if !self.started {
            return Err(GiveUp);
        }
        // The end: the end of the text.
        let end = text.len();
        if let Some((_, _, at)) = self.pending.take() {
            self.empty(at);
        }
        while !self.open.is_empty() {
            self.close(end);
        }
        Ok(())
    }

    #[inline(always)]
    fn line_text(&mut self, line: &[u8]) -> Scan {
        let b = line;
        let indent = b.iter().take_while(|&&c| c == b' ').count();
        if indent == b.len() || b[indent] == b'#' {
            return Ok(());
        }
        if self.ended {
            return Err(GiveUp);
        }
        if indent == 0 && (line.starts_with(b"---") || line.starts_with(b"...")) {
            if line == b"---" && !self.started && !self.marker {
                self.marker = true;
                return Ok(());
            }
            if line == b"..." && self.started {
                self.ended = true;
                return Ok(());
            }
            return Err(GiveUp);
        }
        self.started = true;
        self.content(line, indent)
    }

    /// A line with content at column `indent`.
    #[inline(always)]
    fn content(&mut self, line: &[u8], indent: usize) -> Scan {
        let b = line;
        let dash = is_dash(b, indent);
        let here = self.at(indent);
        if let Some((kind, column, at)) = self.pending.take() {
            let nested = indent > column || (kind == Block::Map && indent == column && dash);
            if nested {
                self.open_block(if dash { Block::Seq } else { Block::Map }, indent)?;
            } else {
                self.empty(at);
            }
        }
        if self.open.is_empty() {
            if self.out.is_empty() && indent == 0 && matches!(b[0], b'[' | b'{') {
                return self.root_flow();
            }
            if self.out.is_empty() && indent == 0 {
                self.open_block(if dash { Block::Seq } else { Block::Map }, 0)?;
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
    fn entry(&mut self, line: &[u8], column: usize) -> Scan {
        let b = line;
        let i = skip_spaces(b, column + 1);
        if i == b.len() || b[i] == b'#' {
            self.pending = Some((Block::Seq, column, self.at(i)));
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
                self.scalar(s.start, s.end, s.kind);
                Ok(())
            }
            After::Colon(next) => {
                self.open_block(Block::Map, i)?;
                self.key(&s)?;
                self.value(line, next, i)
            }
        }
    }

    /// `key: ...` at `column`.
    #[inline(always)]
    fn key_line(&mut self, line: &[u8], column: usize) -> Scan {
        let s = scalar(line, column)?;
        let After::Colon(next) = s.after else {
            return Err(GiveUp);
        };
        self.key(&s)?;
        self.value(line, next, column)
    }

    #[inline(always)]
    fn key(&mut self, s: &Scalar) -> Scan {
        if s.end - s.start > MAX_KEY_BYTES {
            return Err(GiveUp);
        }
        self.scalar(s.start, s.end, s.kind);
        Ok(())
    }

    /// What follows a key's `:` (from byte `from`), the key at `column`.
    #[inline(always)]
    fn value(&mut self, line: &[u8], from: usize, column: usize) -> Scan {
        let b = line;
        let i = skip_spaces(b, from);
        if i == b.len() || b[i] == b'#' {
            self.pending = Some((Block::Map, column, self.at(i)));
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
        self.scalar(s.start, s.end, s.kind);
        Ok(())
    }

    /// `[]` or `{}` as a whole value: the collection's two events.
    fn empty_flow(&mut self, b: &[u8], i: usize) -> Scan<bool> {
        let (open, close) = match b.get(i..i + 2) {
            Some(b"[]") => (TokenKind::SequenceStart, TokenKind::SequenceEnd),
            Some(b"{}") => (TokenKind::MappingStart, TokenKind::MappingEnd),
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
        let at = self.at(i);
        self.push(open, at, at);
        self.push(close, at, at);
        Ok(true)
    }
}

/// Only printable characters, no tabs, no carriage returns but in CR LF
/// line breaks, no byte-order marks or Unicode line separators.
fn allowed_characters(text: &str) -> Scan {
    let bytes = text.as_bytes();
    // One pass without early exit and without branches (it vectorises):
    // any byte that is a control but LF and CR, or DEL; whether there is a
    // CR; the OR of all bytes for non-ASCII. Then CRs, if any, by `memchr`.
    let mut bad = false;
    let mut cr = false;
    let mut or = 0u8;
    for &c in bytes {
        let is_cr = c == b'\r';
        bad |= ((c < 0x20) & (c != b'\n') & !is_cr) | (c == 0x7f);
        cr |= is_cr;
        or |= c;
    }
    if bad || (cr && memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'))) {
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
    Ok(())
}

/// The first line feed in `b` from byte `i` on, or `b.len()`.
///
/// Eight bytes per step (SWAR, as `space_or_colon`), then byte by byte:
/// written by hand because an event's lines are short (about 20 bytes) and
/// `memchr`'s per-call dispatch cost about 55 instructions a line, more than
/// the search.
#[inline(always)]
fn line_end(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let found = zero_bytes(u64::from_le_bytes(bytes) ^ (LO * u64::from(b'\n')));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .unwrap_or(b.len() - i)
}

/// `-` followed by a space or the end of the line: a block entry.
pub(super) fn is_dash(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&b'-') && matches!(b.get(i + 1), None | Some(b' '))
}

pub(super) fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}
