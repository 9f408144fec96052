//! Scalar scanning: plain, single- and double-quoted, literal and folded.
//! A scalar the input holds verbatim (one line, no escapes) is a slice of
//! the input; any other is built in the lexer's reused scratch string and
//! copied once into the arena.

use super::super::escape::{BadEscape, escape};
use super::chars::utf8_width;
use super::chars::{is_blank, is_blankz, is_break, is_breakz, is_flow_indicator};
use super::lexer::{Lex, Lexer, colon_ends_plain, eof, syntax};

impl<'s> Lexer<'s> {
    /// A plain scalar from the cursor. In block context it continues on
    /// more-indented lines; a line break between two lines folds to a
    /// space, empty lines to line feeds.
    pub(super) fn scan_plain(&mut self) -> Lex<&'s str> {
        let start_mark = self.c.mark();
        let flow = self.flow_level > 0;
        let min_indent = self.indent + 1;
        let start = self.c.pos;
        let mut end = start;
        // Built only once the scalar spans lines.
        let mut built = false;
        let mut leading_blanks = false;
        self.scratch.clear();
        self.spaces.clear();
        self.breaks.clear();
        let mut leading_break = false;
        loop {
            if self.c.document_indicator() || self.c.eof() {
                break;
            }
            if self.c.cur() == b'#' {
                break;
            }
            // The text of this line up to a blank: scanned on a local index,
            // the cursor moved once (its fields live in memory).
            let seg_start = self.c.pos;
            let bytes = self.c.text.as_bytes();
            let mut i = seg_start;
            let mut chars = 0u64;
            loop {
                let b = bytes.get(i).copied().unwrap_or(0);
                if is_blankz(b) {
                    break;
                }
                if b == b':' && colon_ends_plain(bytes.get(i + 1).copied().unwrap_or(0), flow) {
                    break;
                }
                if flow && is_flow_indicator(b) {
                    break;
                }
                i += utf8_width(b);
                chars += 1;
            }
            self.c.pos = i;
            self.c.col += chars;
            self.c.index += chars;
            let seg_end = self.c.pos;
            if seg_end > seg_start {
                if leading_blanks {
                    if !built {
                        built = true;
                        self.scratch.push_str(&self.c.text[start..end]);
                    }
                    if leading_break && self.breaks.is_empty() {
                        self.scratch.push(' ');
                    } else {
                        self.scratch.push_str(&self.breaks);
                    }
                } else if built {
                    self.scratch.push_str(&self.spaces);
                }
                if built {
                    self.scratch.push_str(&self.c.text[seg_start..seg_end]);
                }
                end = seg_end;
                self.spaces.clear();
                self.breaks.clear();
                leading_blanks = false;
                leading_break = false;
            }
            let b = self.c.cur();
            if !(is_blank(b) || is_break(b)) {
                break;
            }
            // Blanks and breaks.
            let ws_start = self.c.pos;
            while is_blank(self.c.cur()) || is_break(self.c.cur()) {
                if is_blank(self.c.cur()) {
                    if leading_blanks
                        && (self.c.col as i64) < min_indent
                        && self.c.cur() == b'\t'
                        && !flow
                    {
                        // A tab in the indentation of a continuation line
                        // is only allowed once the indentation is reached.
                        self.c.advance_ascii(1);
                        continue;
                    }
                    if !leading_blanks && built {
                        // Kept verbatim: a run of blanks inside a line.
                        self.spaces.push(self.c.cur() as char);
                    }
                    self.c.advance_ascii(1);
                } else {
                    if leading_blanks {
                        self.breaks.push('\n');
                    } else {
                        self.spaces.clear();
                        leading_blanks = true;
                        leading_break = true;
                    }
                    self.c.skip_break();
                }
            }
            let _ = ws_start;
            if !flow && (self.c.col as i64) < min_indent {
                break;
            }
        }
        if leading_blanks {
            self.simple_key_allowed = true;
        }
        if built {
            let s = std::mem::take(&mut self.scratch);
            let r = self.store(&s, start_mark);
            self.scratch = s;
            r
        } else {
            Ok(&self.c.text[start..end])
        }
    }

    /// A quoted scalar from its opening quote to its closing one.
    pub(super) fn scan_quoted(&mut self, double: bool) -> Lex<&'s str> {
        let start_mark = self.c.mark();
        let quote = if double { b'"' } else { b'\'' };
        self.c.advance_ascii(1);
        let start = self.c.pos;
        let mut built = false;
        // An escaped line break was the last thing read: the empty lines
        // after it are `l-empty`, a line feed each, not folded (YAML 1.2
        // production [112], s-double-escaped).
        let mut escaped_break = false;
        self.scratch.clear();
        loop {
            if self.c.document_indicator() {
                return Err(syntax(
                    self.c.mark(),
                    "document marker inside a quoted scalar",
                ));
            }
            if self.c.eof() {
                return Err(eof(
                    start_mark,
                    "unexpected end of input inside a quoted scalar",
                ));
            }
            // Text up to a blank, a break, the quote or an escape.
            loop {
                let b = self.c.cur();
                if is_blankz(b) {
                    if self.c.eof() {
                        break;
                    }
                    break;
                }
                if b == quote {
                    if !double && self.c.at(1) == b'\'' {
                        if !built {
                            built = true;
                            self.scratch.push_str(&self.c.text[start..self.c.pos]);
                        }
                        self.scratch.push('\'');
                        self.c.advance_ascii(2);
                        continue;
                    }
                    break;
                }
                if double && b == b'\\' {
                    if !built {
                        built = true;
                        self.scratch.push_str(&self.c.text[start..self.c.pos]);
                    }
                    if is_break(self.c.at(1)) {
                        // An escaped line break: no folding, no text.
                        self.c.advance_ascii(1);
                        self.c.skip_break();
                        self.skip_quoted_indent()?;
                        escaped_break = true;
                        continue;
                    }
                    self.escape()?;
                    escaped_break = false;
                    continue;
                }
                escaped_break = false;
                let from = self.c.pos;
                self.c.advance();
                if built {
                    self.scratch.push_str(&self.c.text[from..self.c.pos]);
                }
            }
            if self.c.cur() == quote {
                break;
            }
            // Blanks and breaks: kept inside a line, folded across lines.
            let ws_start = self.c.pos;
            while is_blank(self.c.cur()) {
                self.c.advance_ascii(1);
            }
            if !is_break(self.c.cur()) {
                if self.c.eof() {
                    continue;
                }
                if self.c.cur() == 0 {
                    // Unreachable past the C0 check; never loop on it.
                    return Err(syntax(self.c.mark(), "NUL in a quoted scalar"));
                }
                if built {
                    self.scratch.push_str(&self.c.text[ws_start..self.c.pos]);
                }
                escaped_break = false;
                continue;
            }
            if !built {
                built = true;
                self.scratch.push_str(&self.c.text[start..ws_start]);
            }
            let mut breaks = 0usize;
            while is_break(self.c.cur()) {
                self.c.skip_break();
                breaks += 1;
                self.skip_quoted_indent()?;
            }
            if escaped_break {
                for _ in 0..breaks {
                    self.scratch.push('\n');
                }
                escaped_break = false;
            } else if breaks == 1 {
                self.scratch.push(' ');
            } else {
                for _ in 1..breaks {
                    self.scratch.push('\n');
                }
            }
        }
        let end = self.c.pos;
        self.c.advance_ascii(1);
        if built {
            let s = std::mem::take(&mut self.scratch);
            let r = self.store(&s, start_mark);
            self.scratch = s;
            r
        } else {
            Ok(&self.c.text[start..end])
        }
    }

    /// The indentation of a quoted scalar's continuation line: in block
    /// context it must be deeper than the enclosing collection's.
    fn skip_quoted_indent(&mut self) -> Lex {
        while self.c.cur() == b' ' {
            self.c.advance_ascii(1);
        }
        let reached = self.flow_level > 0 || self.c.col as i64 > self.indent;
        while is_blank(self.c.cur()) {
            self.c.advance_ascii(1);
        }
        if !reached && !is_breakz(self.c.cur()) {
            if self.c.document_indicator() {
                return Err(syntax(
                    self.c.mark(),
                    "document marker inside a quoted scalar",
                ));
            }
            return Err(syntax(
                self.c.mark(),
                "a quoted scalar's continuation line is not indented enough",
            ));
        }
        Ok(())
    }

    /// One escape sequence after `\` in a double-quoted scalar, appended to
    /// the scratch text.
    fn escape(&mut self) -> Lex {
        let mark = self.c.mark();
        let code = self.c.at(1);
        match escape(self.c.text.as_bytes(), self.c.pos) {
            Ok((c, len)) => {
                self.scratch.push(c);
                self.c.advance_ascii(len);
                Ok(())
            }
            Err(BadEscape::Digits(len)) => Err(syntax(
                mark,
                format!(
                    "escape \"\\{}\" needs {len} hexadecimal digits",
                    code as char
                ),
            )),
            Err(BadEscape::NotScalar(len)) => Err(syntax(
                mark,
                format!(
                    "escape \"\\{}\" is not a Unicode scalar value",
                    &self.c.text[self.c.pos + 1..self.c.pos + 2 + len]
                ),
            )),
            Err(BadEscape::Unknown) => {
                let shown = self.c.text[self.c.pos + 1..].chars().next().unwrap_or(' ');
                Err(syntax(
                    mark,
                    format!(
                        "unknown escape {:?} in a double-quoted scalar",
                        format!("\\{shown}")
                    ),
                ))
            }
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar, from its indicator.
    pub(super) fn scan_block_scalar(&mut self, literal: bool) -> Lex<&'s str> {
        let start_mark = self.c.mark();
        self.c.advance_ascii(1);
        // Header: chomping and indentation indicators, in either order.
        let mut chomp = 0i8;
        let mut increment = 0i64;
        for _ in 0..2 {
            match self.c.cur() {
                b'+' | b'-' if chomp == 0 => {
                    chomp = if self.c.cur() == b'+' { 1 } else { -1 };
                    self.c.advance_ascii(1);
                }
                b'1'..=b'9' if increment == 0 => {
                    increment = i64::from(self.c.cur() - b'0');
                    self.c.advance_ascii(1);
                }
                b'0' => {
                    return Err(syntax(
                        self.c.mark(),
                        "a block scalar's indentation indicator must be 1 to 9",
                    ));
                }
                _ => {}
            }
        }
        if !is_blankz(self.c.cur()) {
            return Err(syntax(
                self.c.mark(),
                "unexpected character in a block scalar's header",
            ));
        }
        while is_blank(self.c.cur()) {
            self.c.advance_ascii(1);
        }
        if self.c.cur() == b'#' {
            while !is_breakz(self.c.cur()) {
                self.c.advance();
            }
        }
        if !is_breakz(self.c.cur()) {
            return Err(syntax(
                self.c.mark(),
                "a block scalar's header must end the line",
            ));
        }
        self.c.skip_break();
        let parent = self.indent;
        // Content may start in column 0 only at the top level.
        let min_indent = (parent + 1).max(0);
        let mut indent: i64 = if parent >= 0 {
            parent + increment
        } else {
            increment
        };
        let mut auto = increment == 0;
        self.scratch.clear();
        self.breaks.clear();
        let mut leading_break = false;
        self.block_breaks(&mut indent, &mut auto, min_indent)?;
        let mut leading_blank = false;
        let mut content_start: Option<usize> = None;
        while self.c.col as i64 == indent
            && !self.c.eof()
            && !(self.c.col == 0 && self.c.document_indicator())
        {
            let trailing_blank = is_blank(self.c.cur());
            if !literal && leading_break && !leading_blank && !trailing_blank {
                if self.breaks.is_empty() {
                    self.scratch.push(' ');
                }
            } else if leading_break {
                self.scratch.push('\n');
            }
            self.scratch.push_str(&self.breaks);
            self.breaks.clear();
            leading_blank = is_blank(self.c.cur());
            let from = self.c.pos;
            content_start.get_or_insert(from);
            let rest = &self.c.text.as_bytes()[from..];
            let len = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
            let line = &self.c.text[from..from + len];
            let chars = if line.is_ascii() {
                len
            } else {
                line.chars().count()
            };
            self.c.pos += len;
            self.c.col += chars as u64;
            self.c.index += chars as u64;
            self.scratch.push_str(line);
            if self.c.eof() {
                // A last line of blanks counts as ended by a line break.
                leading_break = line.bytes().all(is_blank);
                break;
            }
            self.c.skip_break();
            leading_break = true;
            self.block_breaks(&mut indent, &mut auto, min_indent)?;
        }
        if chomp != -1 && leading_break {
            self.scratch.push('\n');
        }
        if chomp == 1 {
            self.scratch.push_str(&self.breaks);
        }
        // Literal text that stands verbatim in the input is borrowed.
        if let Some(from) = content_start {
            if self.c.text[from..].starts_with(self.scratch.as_str()) {
                return Ok(&self.c.text[from..from + self.scratch.len()]);
            }
        }
        if self.scratch.is_empty() {
            return Ok("");
        }
        let s = std::mem::take(&mut self.scratch);
        let r = self.store(&s, start_mark);
        self.scratch = s;
        r
    }

    /// Empty lines and indentation before a block scalar's next line; finds
    /// the indentation from the first non-empty line when not given.
    fn block_breaks(&mut self, indent: &mut i64, auto: &mut bool, min_indent: i64) -> Lex {
        let mut max_indent = 0i64;
        loop {
            let line_start = self.c.col == 0;
            while (*auto || (self.c.col as i64) < *indent) && self.c.cur() == b' ' {
                self.c.advance_ascii(1);
            }
            if self.c.col as i64 > max_indent {
                max_indent = self.c.col as i64;
            }
            if *auto && self.c.cur() == b'\t' && self.c.col as i64 >= min_indent {
                // Content that starts with a tab, at this indentation.
                break;
            }
            if self.c.eof() && self.c.col > 0 && line_start {
                // A last line of spaces without a line break: an empty line.
                self.breaks.push('\n');
                break;
            }
            if (*auto || (self.c.col as i64) < *indent) && self.c.cur() == b'\t' {
                return Err(syntax(
                    self.c.mark(),
                    "a tab character where a block scalar's indentation is expected",
                ));
            }
            if !is_break(self.c.cur()) {
                break;
            }
            self.breaks.push('\n');
            self.c.skip_break();
        }
        if *auto {
            *auto = false;
            let found = max_indent.max(min_indent);
            // A later line with content less indented than a leading empty
            // line's spaces is an error in YAML 1.2.
            if !is_breakz(self.c.cur())
                && (self.c.col as i64) < max_indent
                && (self.c.col as i64) >= min_indent
            {
                return Err(syntax(
                    self.c.mark(),
                    "a block scalar's leading empty line is more indented than its content",
                ));
            }
            *indent = found;
        }
        Ok(())
    }
}
