//! YAML: the streaming decoder on the project's own YAML 1.2 scanner (with
//! yaml-rust2's event parser as a second engine), the encoder,
//! multi-document framing and a generic [`from_str`].
//!
//! ## Layers
//!
//! The plumbing below [`YamlDecoder`] is not part of the documented API; it
//! is reachable under `event_decode::internals::yaml` for tests, benchmarks
//! and fuzzing.
//!
//! - `NodeSource`: a pull source of one document's `Node`s (YAML parse
//!   events), aliases expanded. `ScannerNodes` (the default engine) reads
//!   with the project's scanner: zero-copy, every YAML 1.2 style, exact
//!   error positions, checked against the YAML test suite. `ParserNodes`
//!   drives `yaml_rust2::parser::Parser::next_token()` directly: no `Yaml`
//!   tree, no `YamlLoader`, no recursion that the input's depth controls. It
//!   records anchored nodes and replays them on aliases under
//!   [`Limits::max_alias_events`], and checks [`Limits::max_depth`] on each
//!   collection start.
//! - `FastNodes`: a line scanner for the plain block YAML that producers
//!   write, every scalar borrowed from the input (no allocation); it scans a
//!   whole document into 12-byte tokens first and declines anything outside
//!   its subset. The decoder reads those tokens through `FastDe`, a serde
//!   `Deserializer` that keeps nothing but a cursor (no marks, no path):
//!   whatever it or a seed refuses is decoded again by the engine, whose
//!   errors carry the line, column and path.
//! - `Deserializer`: a serde `Deserializer` over any `NodeSource`, with
//!   one node of lookahead. String requests take any non-null scalar's text
//!   (`build: 4412` is the string `"4412"`), typed requests check the YAML 1.2
//!   core-schema type and range, `deserialize_any` resolves by the core schema
//!   and honours the core tags.
//! - [`YamlDecoder`]: the [`Decoder`] for one document, through
//!   `EventSeed`; [`from_str`] for any serde type (the
//!   router's configuration).
//! - [`YamlFrames`] and [`documents`]: split a multi-document stream at its
//!   `---` / `...` lines, with bounded memory.
//! - [`encode`]: block YAML that every YAML 1.2 parser reads back identically.

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

pub(crate) mod de;
mod encode;
pub(crate) mod error;
mod escape;
pub(crate) mod fast;
mod frames;
mod scalar;
pub(crate) mod scanner;
pub(crate) mod source;
mod text;

use bumpalo::Bump;
use event_model::{Event, Kind, Limits};
use serde::de::{DeserializeOwned, DeserializeSeed};

use de::Deserializer;
pub use encode::encode;
use error::{Error, ErrorKind};
use fast::{Declined, FastDe, FastTokens};
pub use frames::{Documents, YamlFrames, documents};
use scanner::{ScannerBuffers, ScannerNodes};
use source::{AliasBuffers, Mark, Node, NodeSource, ParserNodes, ScalarStyle};
pub(crate) use text::document_text;
use text::{check_printable, check_version, document_text_unchecked};

/// Which parser a [`YamlDecoder`] (or [`from_str_with_engine`]) reads
/// documents with (for differential tests and benchmarks; see
/// `internals::yaml`).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Engine {
    /// The project's own YAML 1.2 scanner (`ScannerNodes`): zero-copy,
    /// every style, the default.
    #[default]
    Scanner,
    /// yaml-rust2's parser (`ParserNodes`), after the plain-block
    /// `FastNodes` path when [`YamlDecoder::fast_path`] is on: the
    /// reference of differential tests.
    YamlRust2,
}

use crate::text::path::Trail;
use crate::text::seed::{DecodeOptions, EventSeed, MAX_DEPTH_CEILING};
use crate::{Category, DecodeConfig, DecodeError, Decoder, Format, Position};

/// Decodes one YAML document into an event view, streaming: parse nodes go
/// straight into [`EventSeed`], strings are copied into the arena, and no
/// tree is built.
///
/// YAML parse events (nodes) come from the project's scanner (`ScannerNodes`, the default
/// `Engine`): scalars that stand verbatim in the input are borrowed,
/// escaped and folded ones are built in the arena, and errors carry the
/// scanner's exact line and column. `Engine::YamlRust2` reads with
/// yaml-rust2's parser instead (`ParserNodes`, after `FastNodes` for
/// documents inside its plain-block subset; errors always from the
/// yaml-rust2 path there, whatever `fast_path` says).
///
/// The decoder keeps its token, alias and mark buffers between calls, so a
/// long-running decoder allocates nothing of its own per event once warm.
#[derive(Debug, Clone)]
pub struct YamlDecoder {
    config: DecodeConfig,
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
    /// A decoder with the default [`DecodeConfig`]: default [`Limits`],
    /// unknown fields skipped.
    pub fn new() -> Self {
        Self::with_config(&DecodeConfig::new())
    }

    /// A decoder with `config`'s limits (`max_event_bytes` is the size of
    /// one document) and unknown-field policy.
    pub fn with_config(config: &DecodeConfig) -> Self {
        YamlDecoder {
            config: *config,
            // `deserialize_str` gives any scalar's text itself.
            options: config.options(false),
            engine: Engine::Scanner,
            fast_path: true,
            buffers: Scratch::default(),
        }
    }

    /// The parser to read with (default `Engine::Scanner`).
    #[doc(hidden)]
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = engine;
        self
    }

    #[doc(hidden)]
    /// Whether to try `FastNodes`, the line scanner for plain block
    /// documents, before the engine (default `true`): the plain block YAML
    /// that producers write decodes fastest there, with no allocation.
    /// Results and errors are the same either way (a document it declines or
    /// fails is decoded again by the engine, whose errors are the ones
    /// reported); `false` decodes every document through the engine only (a
    /// baseline for benchmarks and differential tests).
    pub fn fast_path(mut self, on: bool) -> Self {
        self.fast_path = on;
        self
    }

    /// The configuration in force.
    pub fn config(&self) -> &DecodeConfig {
        &self.config
    }
}

impl Decoder for YamlDecoder {
    fn format(&self) -> Format {
        Format::Yaml
    }

    fn decode<'a>(&mut self, input: &'a [u8], arena: &'a Bump) -> Result<Event<'a>, DecodeError> {
        let text = document_text_unchecked(input, &self.options.limits)?;
        match self.decode_text(input, text, arena, None) {
            Err(Failure::Deferred(kind)) => self.decode_text(input, text, arena, Some(kind)),
            other => other,
        }
        .map_err(Failure::into_error)
    }
}

impl YamlDecoder {
    /// One pass over the document; `payload_kind` is the kind found by a
    /// first pass that skipped a `payload` placed before `kind`.
    fn decode_text<'a>(
        &mut self,
        input: &[u8],
        text: &'a str,
        arena: &'a Bump,
        payload_kind: Option<Kind>,
    ) -> Result<Event<'a>, Failure> {
        let mut limits = self.options.limits;
        limits.max_depth = limits.max_depth.min(MAX_DEPTH_CEILING);
        let Scratch {
            scanner,
            aliases,
            marks,
            tokens,
        } = &mut self.buffers;
        if self.fast_path {
            let scanned = fast::scan(text, &limits, tokens);
            let outcome = if scanned {
                decode_fast(tokens.de(text), arena, &self.options, payload_kind)
            } else {
                Err(None)
            };
            tokens.trim();
            // Anything declined is decoded again below, so that errors are
            // always the engine's.
            match outcome {
                Ok(event) => return Ok(event),
                Err(Some(kind)) => return Err(Failure::Deferred(kind)),
                Err(None) => {}
            }
        }
        // The fast scanner accepts no document that this refuses: it takes
        // no `%` line (the first line that is not blank or a comment must
        // open the root), so only the engine's path needs it.
        check_version(text)?;
        match self.engine {
            Engine::Scanner => {
                // The scanner refuses non-printable characters itself.
                let source = ScannerNodes::new(text, &limits, arena, scanner);
                decode_from(source, marks, arena, &self.options, payload_kind)
            }
            Engine::YamlRust2 => {
                // The fast line scanner accepts printable characters only;
                // yaml-rust2 accepts more, so they are checked here.
                check_printable(input)?;
                let source = ParserNodes::new(text, &limits, aliases);
                decode_from(source, marks, arena, &self.options, payload_kind)
            }
        }
    }
}

/// Why one decoding pass failed.
pub(crate) enum Failure {
    /// The event's `payload` came before its `kind` (this one) and was
    /// skipped: decode again knowing it.
    Deferred(Kind),
    /// Anything else.
    Error(DecodeError),
}

impl Failure {
    pub(crate) fn into_error(self) -> DecodeError {
        match self {
            Failure::Error(e) => e,
            // Only a first pass defers; a second knows the kind.
            Failure::Deferred(_) => DecodeError::new(
                Category::Data,
                "payload came before kind and could not be decoded",
            ),
        }
    }
}

impl From<DecodeError> for Failure {
    fn from(e: DecodeError) -> Self {
        Failure::Error(e)
    }
}

/// Decodes and validates the event of the fast scanner's tokens through
/// `de`: `Err(Some(kind))` when the payload came before `kind`,
/// `Err(None)` when the fast path declines (for any error, which the engine
/// then reports).
fn decode_fast<'a>(
    mut de: FastDe<'a, '_>,
    arena: &'a Bump,
    options: &DecodeOptions,
    payload_kind: Option<Kind>,
) -> Result<Event<'a>, Option<Kind>> {
    if !de.starts_with_mapping() {
        return Err(None);
    }
    let trail = Trail::new();
    let mut seed = EventSeed::new(arena, &trail, options);
    if let Some(kind) = payload_kind {
        seed = seed.payload_kind(kind);
    }
    let event = match seed.deserialize(&mut de) {
        Ok(event) => event,
        Err(Declined) => return Err(trail.deferred()),
    };
    de.end().map_err(|Declined| None)?;
    event.validate().map_err(|_| None)?;
    Ok(event)
}

/// Decodes and validates the event of `source`, reusing `marks`.
fn decode_from<'a, 's: 'a, S: NodeSource<'s>>(
    source: S,
    marks: &mut Vec<Mark>,
    arena: &'a Bump,
    options: &DecodeOptions,
    payload_kind: Option<Kind>,
) -> Result<Event<'a>, Failure> {
    let trail = Trail::new();
    let mut de = Deserializer::with_stack(source, std::mem::take(marks));
    let outcome =
        read_event(&mut de, arena, &trail, options, payload_kind).map_err(|e| {
            match trail.deferred() {
                Some(kind) => Failure::Deferred(kind),
                None => Failure::Error(
                    de.locate(e)
                        .into_decode_error(trail.fault())
                        .with_path(trail.path()),
                ),
            }
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

fn read_event<'a, 's: 'a, S: NodeSource<'s>>(
    de: &mut Deserializer<'s, S>,
    arena: &'a Bump,
    trail: &Trail<'a>,
    options: &DecodeOptions,
    payload_kind: Option<Kind>,
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
    let mut seed = EventSeed::new(arena, trail, options);
    if let Some(kind) = payload_kind {
        seed = seed.payload_kind(kind);
    }
    let event = seed.deserialize(&mut *de)?;
    de.end()?;
    Ok(event)
}

/// The limits of [`from_str`]: the text is already in memory, so only depth
/// (the stack) and alias expansion (the work, and the bytes it replays)
/// are bounded.
pub const FROM_STR_LIMITS: Limits = Limits {
    max_event_bytes: usize::MAX,
    max_depth: MAX_DEPTH_CEILING,
    max_string_bytes: usize::MAX,
    max_items: usize::MAX,
    max_alias_events: Limits::DEFAULT.max_alias_events,
    max_alias_bytes: Limits::DEFAULT.max_alias_bytes,
};

/// Reads one YAML document into any serde type through the streaming
/// `Deserializer`, under [`FROM_STR_LIMITS`].
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

/// [`from_str`] under other limits (`max_depth`, `max_alias_events`,
/// `max_alias_bytes` and `max_event_bytes` apply; the depth is capped at
/// [`MAX_DEPTH_CEILING`]).
pub fn from_str_with_limits<T: DeserializeOwned>(
    text: &str,
    limits: &Limits,
) -> Result<T, DecodeError> {
    from_str_with_engine(text, limits, Engine::Scanner)
}

#[doc(hidden)]
/// [`from_str_with_limits`] with the given `Engine` (for differential
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
            let source = ScannerNodes::new(text, &limits, &arena, &mut buffers).generic_document();
            from_source(source)
        }
        Engine::YamlRust2 => {
            let mut buffers = AliasBuffers::default();
            from_source(ParserNodes::new(text, &limits, &mut buffers).generic_document())
        }
    }
}

fn from_source<'s, T: DeserializeOwned, S: NodeSource<'s>>(source: S) -> Result<T, DecodeError> {
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
