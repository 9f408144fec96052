//! Simple keys and indentation: where an implicit key may start, and the
//! block start and end tokens that indentation changes insert (with the
//! nesting bound checked).

use super::*;

impl<'s> Lexer<'s> {
    pub(super) fn stale_simple_keys(&mut self) -> Lex {
        let (line, index) = (self.c.line, self.c.index);
        for k in &mut self.simple_keys {
            // In a flow mapping a key may have its ':' on a later line; the
            // 1024-character bound still holds.
            if k.possible && ((!k.in_flow_map && k.mark.line < line) || k.mark.index + 1024 < index)
            {
                if k.required {
                    return Err(syntax(k.mark, "could not find the expected ':' of a key"));
                }
                k.possible = false;
            }
        }
        Ok(())
    }

    pub(super) fn save_simple_key(&mut self) -> Lex {
        let required = self.flow_level == 0 && self.indent == self.c.col as i64;
        if self.simple_key_allowed {
            self.remove_simple_key()?;
            let in_flow_map = self.simple_keys.last().is_some_and(|k| k.in_flow_map);
            let key = SimpleKey {
                possible: true,
                tab_before: self.tab_before,
                in_flow_map,
                required,
                token_number: self.tokens_parsed + self.tokens.len(),
                mark: self.c.mark(),
            };
            if let Some(last) = self.simple_keys.last_mut() {
                *last = key;
            }
        }
        Ok(())
    }

    pub(super) fn remove_simple_key(&mut self) -> Lex {
        if let Some(k) = self.simple_keys.last_mut() {
            if k.possible && k.required {
                return Err(syntax(k.mark, "could not find the expected ':' of a key"));
            }
            k.possible = false;
        }
        Ok(())
    }

    /// Opens a block collection at `column` (block context only); the
    /// start token goes at queue position `number`, or last.
    pub(super) fn roll_indent(
        &mut self,
        column: i64,
        number: Option<usize>,
        kind: Tok<'s>,
        mark: Mark,
    ) -> Lex {
        if self.flow_level > 0 {
            return Ok(());
        }
        if self.indent < column {
            self.check_depth(mark)?;
            self.indents.push(self.indent);
            self.indent = column;
            let token = Lexeme { kind, mark };
            match number {
                Some(n) => {
                    let at = n - self.tokens_parsed;
                    self.tokens.insert(at, token);
                }
                None => self.tokens.push_back(token),
            }
        }
        Ok(())
    }

    /// Closes block collections indented more than `column`.
    pub(super) fn unroll_indent(&mut self, column: i64) {
        if self.flow_level > 0 {
            return;
        }
        while self.indent > column {
            self.push(Tok::BlockEnd, self.c.mark());
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    /// One more collection level must stay within the depth limit: checked
    /// here so that the token queue and stacks never outgrow it.
    pub(super) fn check_depth(&self, mark: Mark) -> Lex {
        let levels = self.indents.len() + self.flow_level + 1;
        if levels > self.max_depth {
            return Err(Error::new(
                ErrorKind::Limit(event_model::Limit::Depth),
                format!(
                    "nesting of {levels} levels exceeds limit max_depth ({})",
                    self.max_depth
                ),
            )
            .at(mark));
        }
        Ok(())
    }
}
