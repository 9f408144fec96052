//! The parser's states between documents: directives (`%YAML`, `%TAG`),
//! the `---` and `...` markers, implicit documents (YAML 1.2 chapter 9), and
//! tag handles resolved through the document's `%TAG` directives.

use super::*;

impl<'s> YamlParser<'s> {
    pub(super) fn document_start(&mut self, implicit: bool) -> Parse<(Token<'s>, Mark)> {
        let mut t = self.peek()?;
        if !implicit {
            // `...` lines between documents.
            while t.kind == Tok::DocumentEnd {
                self.skip();
                t = self.peek()?;
            }
        }
        self.tag_count = 0;
        self.version_seen = false;
        if !matches!(
            t.kind,
            Tok::Version(..)
                | Tok::TagDirective(..)
                | Tok::DocumentStart
                | Tok::StreamEnd
                | Tok::DocumentEnd
        ) {
            // A bare document.
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;
            return Ok((Token::DocumentStart { explicit: false }, t.mark));
        }
        if implicit && t.kind == Tok::DocumentEnd {
            // `...` before any document.
            self.skip();
            return self.document_start(false);
        }
        if t.kind == Tok::StreamEnd {
            self.skip();
            self.state = State::End;
            return Ok((Token::StreamEnd, t.mark));
        }
        // Directives, then `---`.
        let mut directives = false;
        loop {
            match t.kind {
                Tok::Version(major, _minor) => {
                    if self.version_seen {
                        return Err(syntax(t.mark, "duplicate %YAML directive"));
                    }
                    if major != 1 {
                        return Err(syntax(
                            t.mark,
                            format!(
                                "unsupported YAML version {major}.x (this parser reads YAML 1.x)"
                            ),
                        ));
                    }
                    self.version_seen = true;
                }
                Tok::TagDirective(handle, prefix) => {
                    if self.tags[..self.tag_count]
                        .iter()
                        .any(|(h, _)| *h == handle)
                    {
                        return Err(syntax(
                            t.mark,
                            format!("duplicate %TAG directive for {handle:?}"),
                        ));
                    }
                    if self.tag_count == self.tags.len() {
                        return Err(syntax(t.mark, "too many %TAG directives in one document"));
                    }
                    self.tags[self.tag_count] = (handle, prefix);
                    self.tag_count += 1;
                }
                _ => break,
            }
            directives = true;
            self.skip();
            t = self.peek()?;
        }
        if t.kind != Tok::DocumentStart {
            return Err(syntax(
                t.mark,
                if directives {
                    "expected '---' after the directives"
                } else {
                    "expected a document start '---'"
                },
            ));
        }
        self.skip();
        self.states.push(State::DocumentEnd);
        self.state = State::DocumentContent;
        Ok((Token::DocumentStart { explicit: true }, t.mark))
    }

    pub(super) fn document_end(&mut self) -> Parse<(Token<'s>, Mark)> {
        let t = self.peek()?;
        let explicit = t.kind == Tok::DocumentEnd;
        if explicit {
            self.skip();
            self.state = State::DocumentStart;
        } else {
            match t.kind {
                Tok::DocumentStart | Tok::StreamEnd => {}
                Tok::Version(..) | Tok::TagDirective(..) => {
                    return Err(syntax(
                        t.mark,
                        "directives must follow a document end marker '...'",
                    ));
                }
                _ => {
                    return Err(syntax(
                        t.mark,
                        "expected the end of the document, found more content",
                    ));
                }
            }
            self.state = State::DocumentStart;
        }
        Ok((Token::DocumentEnd { explicit }, t.mark))
    }

    pub(super) fn resolve_tag(
        &self,
        handle: &'s str,
        suffix: &'s str,
        mark: Mark,
    ) -> Parse<Tag<'s>> {
        if handle.is_empty() {
            return Ok(Tag { prefix: "", suffix });
        }
        if let Some((_, prefix)) = self.tags[..self.tag_count]
            .iter()
            .find(|(h, _)| *h == handle)
        {
            return Ok(Tag { prefix, suffix });
        }
        match handle {
            "!" => Ok(Tag {
                prefix: "!",
                suffix,
            }),
            "!!" => Ok(Tag {
                prefix: "tag:yaml.org,2002:",
                suffix,
            }),
            _ => Err(syntax(mark, format!("undefined tag handle {handle:?}"))),
        }
    }
}
