//! Indicators: document markers, flow collections and entries, block
//! entries, keys and values (YAML 1.2 sections 7.4, 8.2, 9.1).

use super::*;

impl<'s> Lexer<'s> {
    pub(super) fn fetch_document_indicator(&mut self, kind: Tok<'s>) -> Lex {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let mark = self.c.mark();
        self.c.advance_ascii(3);
        if kind == Tok::DocumentEnd {
            // Only a comment may follow `...` on its line.
            let mut probe = self.c;
            while is_blank(probe.cur()) {
                probe.advance_ascii(1);
            }
            if !is_breakz(probe.cur()) && probe.cur() != b'#' {
                return Err(syntax(
                    probe.mark(),
                    "unexpected content after a document end marker '...'",
                ));
            }
        }
        self.push(kind, mark);
        Ok(())
    }

    pub(super) fn fetch_flow_start(&mut self, kind: Tok<'s>) -> Lex {
        self.save_simple_key()?;
        self.check_depth(self.c.mark())?;
        self.flow_level += 1;
        self.simple_keys.push(SimpleKey {
            in_flow_map: kind == Tok::FlowMappingStart,
            ..SimpleKey::default()
        });
        self.simple_key_allowed = true;
        let mark = self.c.mark();
        self.c.advance_ascii(1);
        self.push(kind, mark);
        Ok(())
    }

    pub(super) fn fetch_flow_end(&mut self, kind: Tok<'s>) -> Lex {
        self.remove_simple_key()?;
        if self.flow_level > 0 {
            self.flow_level -= 1;
            self.simple_keys.pop();
        }
        self.simple_key_allowed = false;
        let mark = self.c.mark();
        self.c.advance_ascii(1);
        self.json_key = true;
        self.push(kind, mark);
        Ok(())
    }

    pub(super) fn fetch_flow_entry(&mut self) -> Lex {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let mark = self.c.mark();
        self.c.advance_ascii(1);
        self.push(Tok::FlowEntry, mark);
        Ok(())
    }

    pub(super) fn fetch_block_entry(&mut self) -> Lex {
        let mark = self.c.mark();
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return Err(syntax(
                    mark,
                    "block sequence entries are not allowed in this context",
                ));
            }
            self.roll_indent(self.c.col as i64, None, Tok::BlockSequenceStart, mark)?;
        } else {
            return Err(syntax(
                mark,
                "a block sequence entry (\"- \") may not stand in a flow collection",
            ));
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        self.c.advance_ascii(1);
        self.push(Tok::BlockEntry, mark);
        Ok(())
    }

    pub(super) fn fetch_key(&mut self) -> Lex {
        let mark = self.c.mark();
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return Err(syntax(mark, "mapping keys are not allowed in this context"));
            }
            self.roll_indent(self.c.col as i64, None, Tok::BlockMappingStart, mark)?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = self.flow_level == 0;
        self.c.advance_ascii(1);
        self.push(Tok::Key, mark);
        Ok(())
    }

    pub(super) fn fetch_value(&mut self) -> Lex {
        let mark = self.c.mark();
        let key = self.simple_keys.last().copied().unwrap_or_default();
        if key.possible {
            if key.tab_before && self.flow_level == 0 && self.indent < key.mark.column as i64 - 1 {
                return Err(syntax(
                    key.mark,
                    "a tab may not stand before a block mapping's first key (tabs are not indentation)",
                ));
            }
            let at = key.token_number - self.tokens_parsed;
            self.tokens.insert(
                at,
                Lexeme {
                    kind: Tok::Key,
                    mark: key.mark,
                },
            );
            self.roll_indent(
                key.mark.column as i64 - 1,
                Some(key.token_number),
                Tok::BlockMappingStart,
                key.mark,
            )?;
            if let Some(k) = self.simple_keys.last_mut() {
                k.possible = false;
            }
            self.simple_key_allowed = false;
        } else {
            if self.flow_level == 0 {
                if !self.simple_key_allowed {
                    return Err(syntax(
                        mark,
                        "mapping values are not allowed in this context",
                    ));
                }
                self.roll_indent(self.c.col as i64, None, Tok::BlockMappingStart, mark)?;
            }
            self.simple_key_allowed = self.flow_level == 0;
        }
        self.c.advance_ascii(1);
        self.push(Tok::Value, mark);
        Ok(())
    }
}
