//! Events from tokens: the YAML 1.2 grammar as an explicit state machine
//! (a state stack, never recursion), with tag handles resolved through the
//! document's `%TAG` directives.

use bumpalo::Bump;

use super::super::error::Error;
use super::super::source::{Mark, ScalarStyle};
use super::lexer::{LexBuffers, Lexeme, Lexer, Tok, syntax};

mod collections;
mod document;

/// A resolved tag: prefix (from the handle) and suffix. The full tag is
/// their concatenation; kept apart so that resolving allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag<'s> {
    /// What the handle stands for (`tag:yaml.org,2002:` for `!!`, `!` for
    /// `!`, `""` for a verbatim tag).
    pub prefix: &'s str,
    /// The rest of the tag, `%XX` escapes decoded.
    pub suffix: &'s str,
}

impl Tag<'_> {
    /// Whether the full tag is `tag:yaml.org,2002:<name>`.
    pub fn is_core(&self, name: &str) -> bool {
        const CORE: &str = "tag:yaml.org,2002:";
        if self.prefix == CORE {
            self.suffix == name
        } else {
            let full_len = self.prefix.len() + self.suffix.len();
            full_len == CORE.len() + name.len() && format_eq(self.prefix, self.suffix, CORE, name)
        }
    }
}

/// Whether `a ++ b == c ++ d` (equal total lengths assumed).
fn format_eq(a: &str, b: &str, c: &str, d: &str) -> bool {
    a.bytes().chain(b.bytes()).eq(c.bytes().chain(d.bytes()))
}

/// One token (parse event) of a YAML stream, as the scanner reports it: everything the
/// YAML test suite's event notation shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'s> {
    /// The stream begins.
    StreamStart,
    /// The stream ends.
    StreamEnd,
    /// A document begins; `explicit` when a `---` marker opened it.
    DocumentStart {
        /// Whether `---` was written.
        explicit: bool,
    },
    /// A document ends; `explicit` when a `...` marker closed it.
    DocumentEnd {
        /// Whether `...` was written.
        explicit: bool,
    },
    /// `*name`
    Alias(&'s str),
    /// A scalar.
    Scalar {
        /// Its text, escapes and folding applied.
        text: &'s str,
        /// How it was written.
        style: ScalarStyle,
        /// `&name`, if any.
        anchor: Option<&'s str>,
        /// Its tag, if any.
        tag: Option<Tag<'s>>,
    },
    /// A sequence begins.
    SequenceStart {
        /// `&name`, if any.
        anchor: Option<&'s str>,
        /// Its tag, if any.
        tag: Option<Tag<'s>>,
        /// Whether it is written `[...]`.
        flow: bool,
    },
    /// The innermost sequence ends.
    SequenceEnd,
    /// A mapping begins.
    MappingStart {
        /// `&name`, if any.
        anchor: Option<&'s str>,
        /// Its tag, if any.
        tag: Option<Tag<'s>>,
        /// Whether it is written `{...}`.
        flow: bool,
    },
    /// The innermost mapping ends.
    MappingEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

/// The reusable memory of a [`YamlParser`].
#[derive(Debug, Default)]
pub struct ParseBuffers {
    lex: LexBuffers,
    states: Vec<State>,
}

/// A pull parser of a YAML 1.2 stream into [`Token`]s, every scalar a
/// slice of the input or (when escaped or folded) of the arena.
///
/// ```
/// use event_decode::Bump;
/// use event_decode::internals::yaml::scanner::{Token, YamlParser};
///
/// let arena = Bump::new();
/// let mut p = YamlParser::new("[a -, b]", &arena, 64);
/// let mut texts = Vec::new();
/// loop {
///     match p.next_event().unwrap().0 {
///         Token::Scalar { text, .. } => texts.push(text),
///         Token::StreamEnd => break,
///         _ => {}
///     }
/// }
/// assert_eq!(texts, ["a -", "b"]);
/// ```
pub struct YamlParser<'s> {
    lexer: Lexer<'s>,
    states: Vec<State>,
    state: State,
    /// `%TAG` handles of the current document.
    tags: [(&'s str, &'s str); 8],
    tag_count: usize,
    /// A `%YAML` directive was seen in the current document's prologue.
    version_seen: bool,
    /// Where the last event was (for a read past the end).
    last_mark: Mark,
}

type Parse<T> = Result<T, Error>;

impl<'s> YamlParser<'s> {
    /// A parser of `text`; built scalars go to `arena`; block and flow
    /// nesting beyond `max_depth` is an error.
    pub fn new(text: &'s str, arena: &'s Bump, max_depth: usize) -> Self {
        Self::with_buffers(text, arena, max_depth, &mut ParseBuffers::default())
    }

    /// [`new`](Self::new) reusing `buffers` (give them back with
    /// [`release`](Self::release)).
    pub fn with_buffers(
        text: &'s str,
        arena: &'s Bump,
        max_depth: usize,
        buffers: &mut ParseBuffers,
    ) -> Self {
        let mut states = std::mem::take(&mut buffers.states);
        states.clear();
        YamlParser {
            lexer: Lexer::new(text, arena, max_depth, &mut buffers.lex),
            states,
            state: State::StreamStart,
            tags: [("", ""); 8],
            tag_count: 0,
            version_seen: false,
            last_mark: Mark::default(),
        }
    }

    /// Gives the buffers back for the next document.
    pub fn release(self, buffers: &mut ParseBuffers) {
        self.lexer.release(&mut buffers.lex);
        buffers.states = super::lexer::keep(self.states);
    }

    /// The next event and where it starts.
    pub fn next_event(&mut self) -> Parse<(Token<'s>, Mark)> {
        if self.state == State::End {
            return Err(syntax(self.last_mark, "read past the end of the stream"));
        }
        let r = self.step();
        match &r {
            Ok((_, m)) => self.last_mark = *m,
            Err(_) => self.state = State::End,
        }
        r
    }

    fn peek(&mut self) -> Parse<Lexeme<'s>> {
        self.lexer.peek()
    }

    fn skip(&mut self) {
        self.lexer.skip();
    }

    fn pop_state(&mut self) -> State {
        self.states.pop().unwrap_or(State::End)
    }

    fn step(&mut self) -> Parse<(Token<'s>, Mark)> {
        match self.state {
            State::StreamStart => {
                let t = self.peek()?;
                self.skip();
                self.state = State::ImplicitDocumentStart;
                Ok((Token::StreamStart, t.mark))
            }
            State::ImplicitDocumentStart => self.document_start(true),
            State::DocumentStart => self.document_start(false),
            State::DocumentContent => {
                let t = self.peek()?;
                match t.kind {
                    Tok::Version(..)
                    | Tok::TagDirective(..)
                    | Tok::DocumentStart
                    | Tok::DocumentEnd
                    | Tok::StreamEnd => {
                        self.state = self.pop_state();
                        Ok(empty_scalar(t.mark))
                    }
                    _ => self.node(true, false),
                }
            }
            State::DocumentEnd => self.document_end(),
            State::BlockNode => self.node(true, false),
            State::BlockSequenceFirstEntry => {
                self.skip();
                self.block_sequence_entry()
            }
            State::BlockSequenceEntry => self.block_sequence_entry(),
            State::IndentlessSequenceEntry => self.indentless_sequence_entry(),
            State::BlockMappingFirstKey => {
                self.skip();
                self.block_mapping_key()
            }
            State::BlockMappingKey => self.block_mapping_key(),
            State::BlockMappingValue => self.block_mapping_value(),
            State::FlowSequenceFirstEntry => {
                self.skip();
                self.flow_sequence_entry(true)
            }
            State::FlowSequenceEntry => self.flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => {
                let t = self.peek()?;
                if matches!(t.kind, Tok::Value | Tok::FlowEntry | Tok::FlowSequenceEnd) {
                    self.state = State::FlowSequenceEntryMappingValue;
                    Ok(empty_scalar(t.mark))
                } else {
                    self.states.push(State::FlowSequenceEntryMappingValue);
                    self.node(false, false)
                }
            }
            State::FlowSequenceEntryMappingValue => {
                let t = self.peek()?;
                if t.kind == Tok::Value {
                    self.skip();
                    let t = self.peek()?;
                    if !matches!(t.kind, Tok::FlowEntry | Tok::FlowSequenceEnd) {
                        self.states.push(State::FlowSequenceEntryMappingEnd);
                        return self.node(false, false);
                    }
                    self.state = State::FlowSequenceEntryMappingEnd;
                    return Ok(empty_scalar(t.mark));
                }
                self.state = State::FlowSequenceEntryMappingEnd;
                Ok(empty_scalar(t.mark))
            }
            State::FlowSequenceEntryMappingEnd => {
                let t = self.peek()?;
                self.state = State::FlowSequenceEntry;
                Ok((Token::MappingEnd, t.mark))
            }
            State::FlowMappingFirstKey => {
                self.skip();
                self.flow_mapping_key(true)
            }
            State::FlowMappingKey => self.flow_mapping_key(false),
            State::FlowMappingValue => self.flow_mapping_value(false),
            State::FlowMappingEmptyValue => self.flow_mapping_value(true),
            State::End => Err(syntax(self.last_mark, "read past the end of the stream")),
        }
    }

    /// A node: properties, then an alias, scalar or collection start.
    fn node(&mut self, block: bool, indentless: bool) -> Parse<(Token<'s>, Mark)> {
        let mut t = self.peek()?;
        if let Tok::Alias(name) = t.kind {
            self.skip();
            self.state = self.pop_state();
            return Ok((Token::Alias(name), t.mark));
        }
        let start = t.mark;
        let mut anchor = None;
        let mut tag = None;
        for _ in 0..2 {
            match t.kind {
                Tok::Anchor(name) if anchor.is_none() => {
                    anchor = Some(name);
                    self.skip();
                    t = self.peek()?;
                }
                Tok::Tag(handle, suffix) if tag.is_none() => {
                    tag = Some(self.resolve_tag(handle, suffix, t.mark)?);
                    self.skip();
                    t = self.peek()?;
                }
                _ => break,
            }
        }
        if matches!(t.kind, Tok::Anchor(_) | Tok::Tag(..)) {
            return Err(syntax(
                t.mark,
                "a node may have at most one anchor and one tag",
            ));
        }
        let has_props = anchor.is_some() || tag.is_some();
        let mark = if has_props { start } else { t.mark };
        if indentless && t.kind == Tok::BlockEntry {
            self.state = State::IndentlessSequenceEntry;
            return Ok((
                Token::SequenceStart {
                    anchor,
                    tag,
                    flow: false,
                },
                mark,
            ));
        }
        match t.kind {
            Tok::Scalar(text, style) => {
                self.skip();
                self.state = self.pop_state();
                Ok((
                    Token::Scalar {
                        text,
                        style,
                        anchor,
                        tag,
                    },
                    mark,
                ))
            }
            Tok::FlowSequenceStart => {
                self.state = State::FlowSequenceFirstEntry;
                Ok((
                    Token::SequenceStart {
                        anchor,
                        tag,
                        flow: true,
                    },
                    mark,
                ))
            }
            Tok::FlowMappingStart => {
                self.state = State::FlowMappingFirstKey;
                Ok((
                    Token::MappingStart {
                        anchor,
                        tag,
                        flow: true,
                    },
                    mark,
                ))
            }
            Tok::BlockSequenceStart if block => {
                self.state = State::BlockSequenceFirstEntry;
                Ok((
                    Token::SequenceStart {
                        anchor,
                        tag,
                        flow: false,
                    },
                    mark,
                ))
            }
            Tok::BlockMappingStart if block => {
                self.state = State::BlockMappingFirstKey;
                Ok((
                    Token::MappingStart {
                        anchor,
                        tag,
                        flow: false,
                    },
                    mark,
                ))
            }
            _ if has_props => {
                // Properties on an empty node.
                self.state = self.pop_state();
                Ok((
                    Token::Scalar {
                        text: "",
                        style: ScalarStyle::Plain,
                        anchor,
                        tag,
                    },
                    mark,
                ))
            }
            _ => Err(syntax(
                t.mark,
                format!(
                    "did not find the expected node content, found {}",
                    describe(t.kind)
                ),
            )),
        }
    }
}

fn empty_scalar<'s>(mark: Mark) -> (Token<'s>, Mark) {
    (
        Token::Scalar {
            text: "",
            style: ScalarStyle::Plain,
            anchor: None,
            tag: None,
        },
        mark,
    )
}

/// A token in words, for messages.
fn describe(t: Tok<'_>) -> &'static str {
    match t {
        Tok::StreamStart => "the start of the input",
        Tok::StreamEnd => "the end of the input",
        Tok::Version(..) => "a %YAML directive",
        Tok::TagDirective(..) => "a %TAG directive",
        Tok::DocumentStart => "a document start '---'",
        Tok::DocumentEnd => "a document end '...'",
        Tok::BlockSequenceStart => "a block sequence",
        Tok::BlockMappingStart => "a block mapping",
        Tok::BlockEnd => "the end of a block collection",
        Tok::FlowSequenceStart => "'['",
        Tok::FlowSequenceEnd => "']'",
        Tok::FlowMappingStart => "'{'",
        Tok::FlowMappingEnd => "'}'",
        Tok::BlockEntry => "'-'",
        Tok::FlowEntry => "','",
        Tok::Key => "a key",
        Tok::Value => "':'",
        Tok::Alias(_) => "an alias",
        Tok::Anchor(_) => "an anchor",
        Tok::Tag(..) => "a tag",
        Tok::Scalar(..) => "a scalar",
    }
}
