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
//!   whole document first and declines anything outside its subset.
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
#[doc(hidden)]
pub mod dom;
mod encode;
pub(crate) mod error;
pub(crate) mod fast;
mod frames;
mod scalar;
pub(crate) mod scanner;
pub(crate) mod source;

use bumpalo::Bump;
use event_model::{Event, Kind, Limit, Limits};
use serde::de::{DeserializeOwned, DeserializeSeed};

use de::Deserializer;
pub use encode::encode;
use error::{Error, ErrorKind};
use fast::{FastNodes, FastTokens};
pub use frames::{Documents, YamlFrames, documents};
use scanner::{ScannerBuffers, ScannerNodes};
use source::{AliasBuffers, Mark, Node, NodeSource, ParserNodes, ScalarStyle};

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
            if let Some(source) = FastNodes::new(text, &limits, tokens) {
                // Any other failure is decoded again below, so that errors
                // are always the engine's.
                match decode_from(source, marks, arena, &self.options, payload_kind) {
                    Ok(event) => return Ok(event),
                    Err(Failure::Deferred(kind)) => return Err(Failure::Deferred(kind)),
                    Err(Failure::Error(_)) => {}
                }
            }
        }
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

/// The checked text of one document: size limit first, then UTF-8, then a
/// leading byte-order mark dropped.
pub(crate) fn document_text<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a str, DecodeError> {
    let text = document_text_unchecked(input, limits)?;
    check_printable(input)?;
    Ok(text)
}

/// [`document_text`] without the check for non-printable characters: for
/// a caller that runs the fast scanner first, which refuses them itself.
fn document_text_unchecked<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a str, DecodeError> {
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
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check_version(text)?;
    Ok(text)
}

/// YAML allows only printable characters raw (escapes in double quotes are
/// the way to write others); yaml-rust2 accepts most of them, and reads a
/// NUL as the end of the input, silently dropping what follows. `input` is
/// valid UTF-8.
fn check_printable(input: &[u8]) -> Result<(), DecodeError> {
    match first_non_printable(input) {
        None => Ok(()),
        Some(at) => Err(non_printable_error(
            std::str::from_utf8(input).unwrap_or_default(),
            at,
        )),
    }
}

/// The byte offset of the first character YAML 1.2 does not allow raw: C0
/// controls other than tab, LF and CR anywhere; DEL, C1 controls other than
/// NEL (U+0085), and U+FFFE / U+FFFF outside quoted scalars (which take any
/// JSON character, so that JSON reads as YAML). `input` is valid UTF-8.
#[inline]
fn first_non_printable(input: &[u8]) -> Option<usize> {
    // One pass without early exit (it vectorises) clears the common case:
    // no byte that can start a refused character (C0 but tab, LF and CR;
    // DEL; 0xC2 for C1; 0xEF for U+FFFE/U+FFFF). Other UTF-8 is fine.
    let suspect = input.iter().fold(false, |acc, &c| {
        acc | ((c < 0x20 && c != b'\n' && c != b'\t' && c != b'\r')
            || c == 0x7f
            || c == 0xc2
            || c == 0xef)
    });
    if !suspect {
        return None;
    }
    first_non_printable_slow(input)
}

/// The careful scan: where quoted scalars are is told by a small lexer
/// (quotes open after a blank, a line start or a flow indicator; `#` after
/// a blank starts a comment). It can only err towards accepting a
/// character inside something that looks quoted.
#[cold]
fn first_non_printable_slow(input: &[u8]) -> Option<usize> {
    #[derive(PartialEq)]
    enum At {
        Normal,
        Comment,
        Single,
        Double,
    }
    let mut at = At::Normal;
    // The byte before was a blank, a line break, the start, or `[{,`.
    let mut boundary = true;
    let mut i = 0;
    while i < input.len() {
        let c = input[i];
        let quoted = matches!(at, At::Single | At::Double);
        let bad = match c {
            b'\t' | b'\n' | b'\r' => false,
            0..0x20 => true,
            0x7f => !quoted,
            // U+0080..=U+009F is C2 80..=C2 9F; NEL (U+0085) is allowed.
            0xc2 => {
                !quoted
                    && matches!(input.get(i + 1), Some(&n) if (0x80..=0x9f).contains(&n) && n != 0x85)
            }
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
            0xef => {
                !quoted
                    && input.get(i + 1) == Some(&0xbf)
                    && matches!(input.get(i + 2), Some(0xbe | 0xbf))
            }
            _ => false,
        };
        if bad {
            return Some(i);
        }
        match at {
            At::Comment if c == b'\n' || c == b'\r' => at = At::Normal,
            At::Double if c == b'\\' => i += 1,
            At::Double if c == b'"' => at = At::Normal,
            At::Single if c == b'\'' => {
                if input.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    at = At::Normal;
                }
            }
            At::Normal if boundary && c == b'#' => at = At::Comment,
            At::Normal if boundary && c == b'"' => at = At::Double,
            At::Normal if boundary && c == b'\'' => at = At::Single,
            _ => {}
        }
        boundary = matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':');
        i += 1;
    }
    None
}

/// A syntax error at the line and column of the character at byte `at`.
#[cold]
fn non_printable_error(text: &str, at: usize) -> DecodeError {
    let c = text[at..].chars().next().unwrap_or('\0');
    let message = if c == '\0' {
        "NUL byte (U+0000) in the input: YAML allows it only escaped as \"\\0\"".to_owned()
    } else {
        format!(
            "non-printable character U+{:04X} in the input: YAML allows it only as an escape in a double-quoted scalar",
            c as u32
        )
    };
    DecodeError::new(Category::Syntax, message).with_position(text_position(text, at))
}

/// The 1-based line and column of byte `at` of `text` (LF, CRLF and lone
/// CR are line breaks; columns count characters).
fn text_position(text: &str, at: usize) -> Position {
    let before = &text.as_bytes()[..at];
    let mut line = 1u64;
    let mut line_start = 0;
    for (i, &b) in before.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && before.get(i + 1) != Some(&b'\n')) {
            line += 1;
            line_start = i + 1;
        }
    }
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u64
        + 1;
    Position::Text { line, column }
}

/// Refuses a `%YAML` directive for any version but 1.x (YAML 1.2 section
/// 6.8.1; yaml-rust2 accepts every version). Directives come before the
/// document's first content line, so only those lines are looked at.
fn check_version(text: &str) -> Result<(), DecodeError> {
    // Most documents have no `%` at all: one SIMD search instead of a
    // walk over the leading lines.
    if memchr::memchr(b'%', text.as_bytes()).is_none() {
        return Ok(());
    }
    let mut offset = 0;
    for line in text.split_inclusive(['\n', '\r']) {
        let start = offset;
        offset += line.len();
        if let Some(rest) = line.strip_prefix("%YAML") {
            let version = rest.trim_start_matches([' ', '\t']);
            let at = start + line.len() - version.len();
            let version = version
                .split([' ', '\t', '\r', '\n', '#'])
                .next()
                .unwrap_or_default();
            let ok = version.strip_prefix("1.").is_some_and(|minor| {
                !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit())
            });
            if !ok {
                return Err(DecodeError::new(
                    Category::Syntax,
                    format!(
                        "unsupported YAML version {version:?} in %YAML directive (only 1.x is read)"
                    ),
                )
                .with_position(text_position(text, at)));
            }
            continue;
        }
        let content = line.trim_start_matches([' ', '\t']);
        if line.starts_with('%') || content.is_empty() || content.starts_with(['#', '\n', '\r']) {
            continue;
        }
        break;
    }
    Ok(())
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
