//! YAML: the streaming decoder on the project's own YAML 1.2 scanner (with
//! yaml-rust2's event parser as a second engine), the encoder,
//! multi-document framing, a generic [`from_str`], and a DOM baseline.
//!
//! ## Layers
//!
//! - [`EventSource`]: a pull source of one document's events, aliases
//!   expanded. [`ScannerEvents`] (the default [`Engine`]) reads with
//!   [`scanner`]: zero-copy, every YAML 1.2 style, exact error positions,
//!   checked against the YAML test suite. [`ParserEvents`] drives `yaml_rust2::parser::Parser::next_token()`
//!   directly: no `Yaml` tree, no `YamlLoader`, no recursion that the input's
//!   depth controls. It records anchored nodes and replays them on aliases
//!   under [`Limits::max_alias_events`], and checks [`Limits::max_depth`] on
//!   each collection start.
//! - [`FastEvents`]: a line scanner for the plain block YAML that producers
//!   write, every scalar borrowed from the input (no allocation); it scans a
//!   whole document first and declines anything outside its subset.
//! - [`Deserializer`]: a serde `Deserializer` over any [`EventSource`], with
//!   one event of lookahead. String requests take any non-null scalar's text
//!   (`build: 4412` is the string `"4412"`), typed requests check the YAML 1.2
//!   core-schema type and range, `deserialize_any` resolves by the core schema
//!   and honours the core tags.
//! - [`YamlDecoder`]: the [`Decoder`] for one document, through
//!   [`event_model::EventSeed`]; [`from_str`] for any serde type (the
//!   router's configuration).
//! - [`YamlFrames`] and [`documents`]: split a multi-document stream at its
//!   `---` / `...` lines, with bounded memory.
//! - [`encode`]: block YAML that every YAML 1.2 parser reads back identically.
//! - [`dom::DomDecoder`]: `YamlLoader` then conversion, only as a baseline for
//!   benchmarks and differential tests.
//!
//! ## Example
//!
//! ```
//! use event_decode::{Bump, Decoder, yaml::YamlDecoder};
//!
//! let doc = b"id: e1\nseq: 7\nts: 2024-05-17T14:00:00.406Z\nkind: player_left\n\
//!             player_id: plr_1\nregion: eu-west\npayload: {reason: quit}\n";
//! let arena = Bump::new();
//! let event = YamlDecoder::new().decode(doc, &arena).unwrap();
//! assert_eq!(event.ts.millis(), 1_715_954_400_406);
//! ```

mod de;
pub mod dom;
mod encode;
mod error;
mod fast;
mod frames;
mod scalar;
pub mod scanner;
mod source;

use bumpalo::Bump;
use event_model::{DecodeOptions, Event, EventSeed, Limit, Limits, MAX_DEPTH_CEILING, Trail};
use serde::de::{DeserializeOwned, DeserializeSeed};

pub use de::Deserializer;
pub use encode::encode;
pub use error::{Error, ErrorKind};
pub use fast::{FastEvents, FastTokens};
pub use frames::{Documents, YamlFrames, documents};
pub use scanner::{ScannerBuffers, ScannerEvents};
pub use source::{AliasBuffers, CoreTag, EventSource, Mark, Node, ParserEvents, ScalarStyle};

/// Which parser a [`YamlDecoder`] (or [`from_str_with_engine`]) reads
/// documents with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Engine {
    /// The project's own YAML 1.2 scanner ([`ScannerEvents`]): zero-copy,
    /// every style, the default.
    #[default]
    Scanner,
    /// yaml-rust2's parser ([`ParserEvents`]), after the plain-block
    /// [`FastEvents`] path when [`YamlDecoder::fast_path`] is on: the
    /// reference of differential tests.
    YamlRust2,
}

use crate::{Category, DecodeError, Decoder, Format, Position};

/// Decodes one YAML document into an event view, streaming: events go
/// straight into [`EventSeed`], strings are copied into the arena, and no
/// tree is built.
///
/// Events come from the project's scanner ([`ScannerEvents`], the default
/// [`Engine`]): scalars that stand verbatim in the input are borrowed,
/// escaped and folded ones are built in the arena, and errors carry the
/// scanner's exact line and column. [`Engine::YamlRust2`] reads with
/// yaml-rust2's parser instead ([`ParserEvents`], after [`FastEvents`] for
/// documents inside its plain-block subset; errors always from the
/// yaml-rust2 path there, whatever [`YamlDecoder::fast_path`] says).
///
/// The decoder keeps its token, alias and mark buffers between calls, so a
/// long-running decoder allocates nothing of its own per event once warm.
#[derive(Debug, Clone)]
pub struct YamlDecoder {
    options: DecodeOptions,
    engine: Engine,
    fast_path: bool,
    buffers: Scratch,
}

/// Reusable memory of a decoder (cloned empty).
#[derive(Debug, Default)]
struct Scratch {
    scanner: ScannerBuffers,
    aliases: AliasBuffers,
    marks: Vec<Mark>,
    tokens: FastTokens,
}

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Scratch::default()
    }
}

impl Default for YamlDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl YamlDecoder {
    /// A decoder with the default [`Limits`] that skips unknown fields.
    pub fn new() -> Self {
        YamlDecoder {
            options: DecodeOptions {
                // `deserialize_str` gives any scalar's text itself.
                text_from_any_scalar: false,
                ..DecodeOptions::default()
            },
            engine: Engine::Scanner,
            fast_path: true,
            buffers: Scratch::default(),
        }
    }

    /// Replaces all limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.options.limits = limits;
        self
    }

    /// Sets [`Limits::max_event_bytes`] (the size of one document).
    pub fn max_event_bytes(mut self, n: usize) -> Self {
        self.options.limits.max_event_bytes = n;
        self
    }

    /// Sets [`Limits::max_depth`] (at most [`MAX_DEPTH_CEILING`] is followed).
    pub fn max_depth(mut self, n: usize) -> Self {
        self.options.limits.max_depth = n;
        self
    }

    /// Sets [`Limits::max_string_bytes`].
    pub fn max_string_bytes(mut self, n: usize) -> Self {
        self.options.limits.max_string_bytes = n;
        self
    }

    /// Sets [`Limits::max_items`].
    pub fn max_items(mut self, n: usize) -> Self {
        self.options.limits.max_items = n;
        self
    }

    /// Sets [`Limits::max_alias_events`]: how many events alias expansion may
    /// replay in one document.
    pub fn max_alias_events(mut self, n: usize) -> Self {
        self.options.limits.max_alias_events = n;
        self
    }

    /// Unknown fields become errors instead of being skipped.
    pub fn strict(mut self, strict: bool) -> Self {
        self.options.strict = strict;
        self
    }

    /// The parser to read with (default [`Engine::Scanner`]).
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    /// With [`Engine::YamlRust2`]: whether to try [`FastEvents`] before
    /// yaml-rust2's parser (default `true`). Results and errors are the
    /// same either way; `false` decodes every document through
    /// [`ParserEvents`] only (a baseline for benchmarks and differential
    /// tests). The scanner engine has no separate fast path.
    pub fn fast_path(mut self, on: bool) -> Self {
        self.fast_path = on;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.options.limits
    }
}

impl Decoder for YamlDecoder {
    fn format(&self) -> Format {
        Format::Yaml
    }

    fn decode<'a>(&mut self, input: &'a [u8], arena: &'a Bump) -> Result<Event<'a>, DecodeError> {
        let text = document_text(input, &self.options.limits)?;
        let mut limits = self.options.limits;
        limits.max_depth = limits.max_depth.min(MAX_DEPTH_CEILING);
        let Scratch {
            scanner,
            aliases,
            marks,
            tokens,
        } = &mut self.buffers;
        if self.engine == Engine::Scanner {
            let source = ScannerEvents::new(text, &limits, arena, scanner);
            return decode_from(source, marks, arena, &self.options);
        }
        if self.fast_path {
            if let Some(source) = FastEvents::new(text, &limits, tokens) {
                // Any failure is decoded again below, so that errors are
                // always the yaml-rust2 path's.
                if let Ok(event) = decode_from(source, marks, arena, &self.options) {
                    return Ok(event);
                }
            }
        }
        let source = ParserEvents::new(text, &limits, aliases);
        decode_from(source, marks, arena, &self.options)
    }
}

/// Decodes and validates the event of `source`, reusing `marks`.
fn decode_from<'a, 's, S: EventSource<'s>>(
    source: S,
    marks: &mut Vec<Mark>,
    arena: &'a Bump,
    options: &DecodeOptions,
) -> Result<Event<'a>, DecodeError> {
    let trail = Trail::new();
    let mut de = Deserializer::with_stack(source, std::mem::take(marks));
    let outcome = read_event(&mut de, arena, &trail, options).map_err(|e| {
        de.locate(e)
            .into_decode_error(trail.fault())
            .with_path(trail.path())
    });
    let root = de.root_mark();
    *marks = de.into_stack();
    let event = outcome?;
    event.validate().map_err(|e| {
        let m = root.unwrap_or(Mark {
            line: 1,
            column: 1,
            index: 0,
        });
        DecodeError::from(e).with_position(Position::Text {
            line: m.line,
            column: m.column,
        })
    })?;
    Ok(event)
}

fn read_event<'a, 's, S: EventSource<'s>>(
    de: &mut Deserializer<'s, S>,
    arena: &'a Bump,
    trail: &Trail<'a>,
    options: &DecodeOptions,
) -> Result<Event<'a>, Error> {
    let (node, mark) = de.peek()?;
    if let Node::Scalar {
        text,
        style: ScalarStyle::Plain,
        tag: None,
    } = node
    {
        if text.is_empty() {
            return Err(Error::new(
                ErrorKind::Data,
                "empty document (expected an event mapping)",
            )
            .at(*mark));
        }
    }
    let event = EventSeed::new(arena, trail, options).deserialize(&mut *de)?;
    de.end()?;
    Ok(event)
}

/// The checked text of one document: size limit first, then UTF-8, then a
/// leading byte-order mark dropped.
pub(crate) fn document_text<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a str, DecodeError> {
    let max = limits.max_event_bytes;
    if input.len() > max {
        return Err(DecodeError::limit_exceeded(
            Limit::EventBytes,
            format!(
                "a document of {} bytes exceeds limit max_event_bytes ({max})",
                input.len()
            ),
        )
        .with_position(Position::Text { line: 1, column: 1 }));
    }
    let text = utf8(input)?;
    // yaml-rust2 reads a NUL as the end of the input and would silently drop
    // what follows it; YAML allows NUL only escaped, so refuse the raw byte.
    if input.contains(&0) {
        return Err(nul_error(text));
    }
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// A syntax error at the line and column of the first NUL in `text`.
#[cold]
fn nul_error(text: &str) -> DecodeError {
    let at = text.find('\0').unwrap_or(text.len());
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() as u64 + 1;
    let column = before[line_start..].chars().count() as u64 + 1;
    DecodeError::new(
        Category::Syntax,
        "NUL byte (U+0000) in the input: YAML allows it only escaped as \"\\0\"",
    )
    .with_position(Position::Text { line, column })
}

/// `input` as text, or a syntax error at the line and column of the first
/// invalid byte.
fn utf8(input: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(input).map_err(|e| {
        let bad = e.valid_up_to();
        let before = &input[..bad];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        // The bytes before `bad` are valid UTF-8, so this counts characters.
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count() as u64
            + 1;
        DecodeError::new(
            Category::Syntax,
            format!("invalid UTF-8 (byte 0x{:02x})", input[bad]),
        )
        .with_position(Position::Text { line, column })
    })
}

/// The limits of [`from_str`]: the text is already in memory, so only depth
/// (the stack) and alias expansion (the work) are bounded.
pub const FROM_STR_LIMITS: Limits = Limits {
    max_event_bytes: usize::MAX,
    max_depth: MAX_DEPTH_CEILING,
    max_string_bytes: usize::MAX,
    max_items: usize::MAX,
    max_alias_events: Limits::DEFAULT.max_alias_events,
};

/// Reads one YAML document into any serde type through the streaming
/// [`Deserializer`], under [`FROM_STR_LIMITS`].
///
/// Errors carry the line and column, and the field path
/// (`routes[1].when.kind`). Duplicate mapping keys are refused.
///
/// ```
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// #[serde(deny_unknown_fields)]
/// struct Table { partitions: u32, name: Option<String> }
///
/// let t: Table = event_decode::yaml::from_str("partitions: 16\nname: ~\n").unwrap();
/// assert_eq!(t, Table { partitions: 16, name: None });
///
/// let e = event_decode::yaml::from_str::<Table>("partitions: -1\n").unwrap_err();
/// assert_eq!(
///     e.to_string(),
///     "line 1, column 13: partitions: expected an unsigned 32-bit integer, found \"-1\""
/// );
/// ```
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    from_str_with_limits(text, &FROM_STR_LIMITS)
}

/// [`from_str`] under other limits (`max_depth`, `max_alias_events` and
/// `max_event_bytes` apply; the depth is capped at [`MAX_DEPTH_CEILING`]).
pub fn from_str_with_limits<T: DeserializeOwned>(
    text: &str,
    limits: &Limits,
) -> Result<T, DecodeError> {
    from_str_with_engine(text, limits, Engine::Scanner)
}

/// [`from_str_with_limits`] with the given [`Engine`] (for differential
/// tests: the scanner against yaml-rust2).
pub fn from_str_with_engine<T: DeserializeOwned>(
    text: &str,
    limits: &Limits,
    engine: Engine,
) -> Result<T, DecodeError> {
    let text = document_text(text.as_bytes(), limits)?;
    let mut limits = *limits;
    limits.max_depth = limits.max_depth.min(MAX_DEPTH_CEILING);
    match engine {
        Engine::Scanner => {
            // Built scalars live in this arena until the value is made.
            let arena = Bump::new();
            let mut buffers = ScannerBuffers::default();
            let source = ScannerEvents::new(text, &limits, &arena, &mut buffers);
            from_source(source)
        }
        Engine::YamlRust2 => {
            let mut buffers = AliasBuffers::default();
            from_source(ParserEvents::new(text, &limits, &mut buffers))
        }
    }
}

fn from_source<'s, T: DeserializeOwned, S: EventSource<'s>>(source: S) -> Result<T, DecodeError> {
    let mut de = Deserializer::new(source).track_paths();
    let result = (|| {
        let empty = matches!(
            de.peek()?,
            (Node::Scalar { text, style: ScalarStyle::Plain, tag: None }, _) if text.is_empty()
        );
        let value = T::deserialize(&mut de).map_err(|e| {
            if empty {
                Error::new(ErrorKind::Data, "empty document").at(Mark {
                    line: 1,
                    column: 1,
                    index: 0,
                })
            } else {
                e
            }
        })?;
        de.end()?;
        Ok(value)
    })();
    result.map_err(|e| de.locate(e).into_decode_error(None))
}
