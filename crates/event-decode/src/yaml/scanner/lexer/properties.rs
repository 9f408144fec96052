//! Node properties and directives: anchors and aliases, tags and their URIs,
//! %YAML and %TAG directives (YAML 1.2 sections 6.8, 6.9).

use super::*;

impl<'s> Lexer<'s> {
    pub(super) fn fetch_anchor(&mut self, alias: bool) -> Lex {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let mark = self.c.mark();
        self.c.advance_ascii(1);
        let start = self.c.pos;
        while !is_blankz(self.c.cur()) && !is_flow_indicator(self.c.cur()) {
            self.c.advance();
        }
        let name = &self.c.text[start..self.c.pos];
        if name.is_empty() {
            return Err(syntax(
                mark,
                if alias {
                    "an alias needs a name after '*'"
                } else {
                    "an anchor needs a name after '&'"
                },
            ));
        }
        self.push(
            if alias {
                Tok::Alias(name)
            } else {
                Tok::Anchor(name)
            },
            mark,
        );
        Ok(())
    }

    pub(super) fn fetch_tag(&mut self) -> Lex {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let mark = self.c.mark();
        let (handle, suffix) = if self.c.at(1) == b'<' {
            self.c.advance_ascii(2);
            let uri = self.scan_uri(true, mark)?;
            if self.c.cur() != b'>' {
                return Err(syntax(self.c.mark(), "a verbatim tag must end with '>'"));
            }
            self.c.advance_ascii(1);
            if uri.is_empty() {
                return Err(syntax(mark, "a verbatim tag may not be empty"));
            }
            ("", uri)
        } else {
            // `!`, `!!`, or `!name!`: then the suffix.
            let start = self.c.pos;
            let mut end = start + 1;
            let bytes = self.c.text.as_bytes();
            while end < bytes.len() && is_word(bytes[end]) {
                end += 1;
            }
            let handle = if bytes.get(end) == Some(&b'!') {
                end + 1
            } else {
                start + 1
            };
            let handle_text = &self.c.text[start..handle];
            self.c.advance_ascii(handle - start);
            let suffix = self.scan_uri(false, mark)?;
            if suffix.is_empty() && handle_text != "!" {
                return Err(syntax(mark, "a tag needs a suffix after its handle"));
            }
            (handle_text, suffix)
        };
        let next = self.c.cur();
        if !(is_blankz(next) || (self.flow_level > 0 && is_flow_indicator(next))) {
            return Err(syntax(
                self.c.mark(),
                "a tag must be followed by a blank or a line break",
            ));
        }
        self.push(Tok::Tag(handle, suffix), mark);
        Ok(())
    }

    /// The characters of a tag URI, `%XX` escapes decoded (then built).
    pub(super) fn scan_uri(&mut self, verbatim: bool, mark: Mark) -> Lex<&'s str> {
        let start = self.c.pos;
        let mut escaped = false;
        loop {
            let b = self.c.cur();
            if b == b'%' {
                escaped = true;
                if !(self.c.at(1).is_ascii_hexdigit() && self.c.at(2).is_ascii_hexdigit()) {
                    return Err(syntax(
                        self.c.mark(),
                        "a '%' in a tag must start a %XX escape",
                    ));
                }
                self.c.advance_ascii(3);
            } else if is_uri_char(b)
                && (verbatim || (b != b'!' && !is_flow_indicator(b)))
                && !(verbatim && b == b'>')
            {
                self.c.advance();
            } else {
                break;
            }
        }
        let raw = &self.c.text[start..self.c.pos];
        if !escaped {
            return Ok(raw);
        }
        let mut bytes = Vec::with_capacity(raw.len());
        let r = raw.as_bytes();
        let mut i = 0;
        while i < r.len() {
            if r[i] == b'%' {
                let hex = &raw[i + 1..i + 3];
                bytes.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            } else {
                bytes.push(r[i]);
                i += 1;
            }
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| syntax(mark, "a tag's %XX escapes are not valid UTF-8"))?;
        self.store(&text, mark)
    }

    pub(super) fn fetch_directive(&mut self) -> Lex {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let mark = self.c.mark();
        self.c.advance_ascii(1);
        let start = self.c.pos;
        while !is_blankz(self.c.cur()) {
            self.c.advance();
        }
        let name = &self.c.text[start..self.c.pos];
        let token = match name {
            "YAML" => {
                self.skip_blanks();
                let major = self.scan_number(mark)?;
                if self.c.cur() != b'.' {
                    return Err(syntax(self.c.mark(), "%YAML needs a version major.minor"));
                }
                self.c.advance_ascii(1);
                let minor = self.scan_number(mark)?;
                Some(Tok::Version(major, minor))
            }
            "TAG" => {
                self.skip_blanks();
                let start = self.c.pos;
                if self.c.cur() != b'!' {
                    return Err(syntax(self.c.mark(), "a %TAG handle must start with '!'"));
                }
                self.c.advance_ascii(1);
                while is_word(self.c.cur()) {
                    self.c.advance_ascii(1);
                }
                if self.c.cur() == b'!' {
                    self.c.advance_ascii(1);
                }
                let handle = &self.c.text[start..self.c.pos];
                if handle.len() > 1 && !handle.ends_with('!') {
                    return Err(syntax(mark, "a %TAG handle must end with '!'"));
                }
                if !is_blank(self.c.cur()) {
                    return Err(syntax(
                        self.c.mark(),
                        "a %TAG handle must be followed by a blank",
                    ));
                }
                self.skip_blanks();
                let prefix_start = self.c.pos;
                while !is_blankz(self.c.cur()) {
                    self.c.advance();
                }
                let prefix = &self.c.text[prefix_start..self.c.pos];
                if prefix.is_empty() {
                    return Err(syntax(self.c.mark(), "a %TAG directive needs a prefix"));
                }
                Some(Tok::TagDirective(handle, prefix))
            }
            _ => {
                // Reserved directives are ignored, parameters and all.
                while !is_breakz(self.c.cur()) {
                    if self.c.cur() == b'#' && is_blank(self.c.text.as_bytes()[self.c.pos - 1]) {
                        break;
                    }
                    self.c.advance();
                }
                None
            }
        };
        self.skip_blanks();
        if self.c.cur() == b'#' {
            if !is_blank(self.c.text.as_bytes()[self.c.pos - 1]) {
                return Err(syntax(self.c.mark(), "a comment must follow a blank"));
            }
            while !is_breakz(self.c.cur()) {
                self.c.advance();
            }
        }
        if !is_breakz(self.c.cur()) {
            return Err(syntax(
                self.c.mark(),
                "unexpected content after a directive's parameters",
            ));
        }
        if let Some(token) = token {
            self.push(token, mark);
        }
        Ok(())
    }

    pub(super) fn skip_blanks(&mut self) {
        while is_blank(self.c.cur()) {
            self.c.advance_ascii(1);
        }
    }

    pub(super) fn scan_number(&mut self, mark: Mark) -> Lex<u32> {
        let start = self.c.pos;
        while self.c.cur().is_ascii_digit() {
            self.c.advance_ascii(1);
        }
        self.c.text[start..self.c.pos]
            .parse()
            .map_err(|_| syntax(mark, "%YAML needs a version major.minor"))
    }
}
