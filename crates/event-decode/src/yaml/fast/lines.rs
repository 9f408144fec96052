//! The document line by line: the allowed characters checked up front,
//! line breaks, blank and comment lines, document markers, and the block
//! structure (indentation, `- ` entries, `key:` lines and their values).

use super::scalar::{After, Scalar, end_of_value, scalar};
use super::{Block, GiveUp, MAX_KEY_BYTES, Scan, Scanner, Token};

impl Scanner<'_, '_> {
    /// Scans the whole text; `Err` when any of it is outside the subset.
    pub(super) fn document(&mut self) -> Scan {
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
pub(super) fn is_dash(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&b'-') && matches!(b.get(i + 1), None | Some(b' '))
}

pub(super) fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}
