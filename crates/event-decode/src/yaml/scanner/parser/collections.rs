//! The parser's states inside collections: block sequences (indented and
//! indentless), block mappings, flow sequences and flow mappings (YAML 1.2
//! sections 7.4, 8.2).

use super::*;

impl<'s> YamlParser<'s> {
    pub(super) fn block_sequence_entry(&mut self) -> Parse<(Token<'s>, Mark)> {
        let t = self.peek()?;
        match t.kind {
            Tok::BlockEntry => {
                self.skip();
                let n = self.peek()?;
                if matches!(n.kind, Tok::BlockEntry | Tok::BlockEnd) {
                    self.state = State::BlockSequenceEntry;
                    Ok(empty_scalar(n.mark))
                } else {
                    self.states.push(State::BlockSequenceEntry);
                    self.node(true, false)
                }
            }
            Tok::BlockEnd => {
                self.skip();
                self.state = self.pop_state();
                Ok((Token::SequenceEnd, t.mark))
            }
            _ => Err(syntax(
                t.mark,
                format!(
                    "expected a block sequence entry '-', found {}",
                    describe(t.kind)
                ),
            )),
        }
    }

    pub(super) fn indentless_sequence_entry(&mut self) -> Parse<(Token<'s>, Mark)> {
        let t = self.peek()?;
        if t.kind != Tok::BlockEntry {
            self.state = self.pop_state();
            return Ok((Token::SequenceEnd, t.mark));
        }
        self.skip();
        let n = self.peek()?;
        if matches!(
            n.kind,
            Tok::BlockEntry | Tok::Key | Tok::Value | Tok::BlockEnd
        ) {
            self.state = State::IndentlessSequenceEntry;
            Ok(empty_scalar(n.mark))
        } else {
            self.states.push(State::IndentlessSequenceEntry);
            self.node(true, false)
        }
    }

    pub(super) fn block_mapping_key(&mut self) -> Parse<(Token<'s>, Mark)> {
        let t = self.peek()?;
        match t.kind {
            Tok::Key => {
                self.skip();
                let n = self.peek()?;
                if matches!(n.kind, Tok::Key | Tok::Value | Tok::BlockEnd) {
                    self.state = State::BlockMappingValue;
                    Ok(empty_scalar(n.mark))
                } else {
                    self.states.push(State::BlockMappingValue);
                    self.node(true, true)
                }
            }
            // A value without a key: the key is empty.
            Tok::Value => {
                self.state = State::BlockMappingValue;
                Ok(empty_scalar(t.mark))
            }
            Tok::BlockEnd => {
                self.skip();
                self.state = self.pop_state();
                Ok((Token::MappingEnd, t.mark))
            }
            _ => Err(syntax(
                t.mark,
                format!(
                    "expected a mapping key, found {} (is a ':' missing?)",
                    describe(t.kind)
                ),
            )),
        }
    }

    pub(super) fn block_mapping_value(&mut self) -> Parse<(Token<'s>, Mark)> {
        let t = self.peek()?;
        if t.kind == Tok::Value {
            self.skip();
            let n = self.peek()?;
            if matches!(n.kind, Tok::Key | Tok::Value | Tok::BlockEnd) {
                self.state = State::BlockMappingKey;
                Ok(empty_scalar(n.mark))
            } else {
                self.states.push(State::BlockMappingKey);
                self.node(true, true)
            }
        } else {
            self.state = State::BlockMappingKey;
            Ok(empty_scalar(t.mark))
        }
    }

    pub(super) fn flow_sequence_entry(&mut self, first: bool) -> Parse<(Token<'s>, Mark)> {
        let mut t = self.peek()?;
        if t.kind != Tok::FlowSequenceEnd {
            if !first {
                if t.kind == Tok::FlowEntry {
                    self.skip();
                    t = self.peek()?;
                } else {
                    return Err(syntax(
                        t.mark,
                        format!(
                            "expected ',' or ']' in a flow sequence, found {}",
                            describe(t.kind)
                        ),
                    ));
                }
            }
            match t.kind {
                Tok::FlowSequenceEnd => {}
                Tok::Key | Tok::Value => {
                    self.state = State::FlowSequenceEntryMappingKey;
                    if t.kind == Tok::Key {
                        self.skip();
                    }
                    return Ok((
                        Token::MappingStart {
                            anchor: None,
                            tag: None,
                            flow: true,
                        },
                        t.mark,
                    ));
                }
                Tok::FlowEntry => {
                    return Err(syntax(t.mark, "an empty entry (',,') in a flow sequence"));
                }
                _ => {
                    self.states.push(State::FlowSequenceEntry);
                    return self.node(false, false);
                }
            }
        }
        self.skip();
        self.state = self.pop_state();
        Ok((Token::SequenceEnd, t.mark))
    }

    pub(super) fn flow_mapping_key(&mut self, first: bool) -> Parse<(Token<'s>, Mark)> {
        let mut t = self.peek()?;
        if t.kind != Tok::FlowMappingEnd {
            if !first {
                if t.kind == Tok::FlowEntry {
                    self.skip();
                    t = self.peek()?;
                } else {
                    return Err(syntax(
                        t.mark,
                        format!(
                            "expected ',' or '}}' in a flow mapping, found {}",
                            describe(t.kind)
                        ),
                    ));
                }
            }
            match t.kind {
                Tok::FlowMappingEnd => {}
                Tok::Key => {
                    self.skip();
                    let n = self.peek()?;
                    if matches!(n.kind, Tok::Value | Tok::FlowEntry | Tok::FlowMappingEnd) {
                        self.state = State::FlowMappingValue;
                        return Ok(empty_scalar(n.mark));
                    }
                    self.states.push(State::FlowMappingValue);
                    return self.node(false, false);
                }
                Tok::Value => {
                    self.state = State::FlowMappingValue;
                    return Ok(empty_scalar(t.mark));
                }
                Tok::FlowEntry => {
                    return Err(syntax(t.mark, "an empty entry (',,') in a flow mapping"));
                }
                _ => {
                    self.states.push(State::FlowMappingEmptyValue);
                    return self.node(false, false);
                }
            }
        }
        self.skip();
        self.state = self.pop_state();
        Ok((Token::MappingEnd, t.mark))
    }

    pub(super) fn flow_mapping_value(&mut self, empty: bool) -> Parse<(Token<'s>, Mark)> {
        let t = self.peek()?;
        if empty {
            self.state = State::FlowMappingKey;
            return Ok(empty_scalar(t.mark));
        }
        if t.kind == Tok::Value {
            self.skip();
            let n = self.peek()?;
            if !matches!(n.kind, Tok::FlowEntry | Tok::FlowMappingEnd) {
                self.states.push(State::FlowMappingKey);
                return self.node(false, false);
            }
            self.state = State::FlowMappingKey;
            return Ok(empty_scalar(n.mark));
        }
        self.state = State::FlowMappingKey;
        Ok(empty_scalar(t.mark))
    }
}
