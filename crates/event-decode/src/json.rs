//! JSON: a decoder on `serde_json` (strings borrowed from the input when they
//! have no escapes), the canonical JSON encoder, and JSON-lines framing.

use std::io::BufRead;

use bumpalo::Bump;
use event_model::{Event, Limit};
use serde::de::DeserializeSeed;

use crate::error::text_position;
use crate::frames::{Frame, FrameReader};
use crate::text::path::Trail;
use crate::text::seed::{DecodeOptions, EventSeed};
use crate::{Category, DecodeConfig, DecodeError, Decoder, Format, Position};

/// Decodes one JSON object into an event view.
///
/// ```
/// use event_decode::{Bump, Decoder, json::JsonDecoder};
///
/// let line = br#"{"id":"e1","seq":7,"ts":"2024-05-17T14:00:00.406Z","kind":"player_left",
///                 "player_id":"plr_1","region":"eu-west","payload":{"reason":"quit"}}"#;
/// let arena = Bump::new();
/// let event = JsonDecoder::new().decode(line, &arena).unwrap();
/// assert_eq!(event.ts.millis(), 1_715_954_400_406);
/// ```
#[derive(Debug, Clone)]
pub struct JsonDecoder {
    config: DecodeConfig,
    options: DecodeOptions,
}

impl Default for JsonDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl JsonDecoder {
    /// A decoder with the default [`DecodeConfig`]: default [`Limits`](crate::Limits),
    /// unknown fields skipped.
    pub fn new() -> Self {
        Self::with_config(&DecodeConfig::new())
    }

    /// A decoder with `config`'s limits and unknown-field policy
    /// (`max_alias_*` never apply: JSON has no aliases).
    pub fn with_config(config: &DecodeConfig) -> Self {
        JsonDecoder {
            config: *config,
            // serde_json's `deserialize_str` refuses numbers; string
            // fields take any scalar's text, so read them with `any`.
            options: config.options(true),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &DecodeConfig {
        &self.config
    }
}

/// serde_json's `Display` appends " at line L column C"; the position is
/// kept separately, so the message drops it.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) if message[i..].contains(" column ") => &message[..i],
        _ => message,
    }
}

fn convert(e: &serde_json::Error, trail: &Trail<'_>) -> DecodeError {
    let fallback = match e.classify() {
        serde_json::error::Category::Io => Category::Io,
        serde_json::error::Category::Syntax => Category::Syntax,
        serde_json::error::Category::Data => Category::Data,
        serde_json::error::Category::Eof => Category::Eof,
    };
    let message = e.to_string();
    let mut err = DecodeError::from_fault(trail.fault(), fallback, strip_position(&message));
    if e.line() > 0 {
        err = err.with_position(Position::Text {
            line: e.line() as u64,
            column: e.column().max(1) as u64,
        });
    }
    err.with_path(trail.path())
}

impl Decoder for JsonDecoder {
    fn format(&self) -> Format {
        Format::Json
    }

    fn decode<'a>(&mut self, input: &'a [u8], arena: &'a Bump) -> Result<Event<'a>, DecodeError> {
        let max = self.options.limits.max_event_bytes;
        if input.len() > max {
            return Err(DecodeError::limit_exceeded(
                Limit::EventBytes,
                format!(
                    "an event of {} bytes exceeds limit max_event_bytes ({max})",
                    input.len()
                ),
            )
            .with_position(Position::Text { line: 1, column: 1 }));
        }
        let trail = Trail::new();
        let mut de = serde_json::Deserializer::from_slice(input);
        let mut event = EventSeed::new(arena, &trail, &self.options).deserialize(&mut de);
        if let (Err(_), Some(kind)) = (&event, trail.deferred()) {
            // `payload` came before `kind` and was skipped: read the line
            // again knowing the kind (only such events pay a second pass).
            de = serde_json::Deserializer::from_slice(input);
            event = EventSeed::new(arena, &trail, &self.options)
                .payload_kind(kind)
                .deserialize(&mut de);
        }
        let event = event.map_err(|e| convert(&e, &trail))?;
        de.end().map_err(|e| convert(&e, &Trail::new()))?;
        event.validate().map_err(|e| {
            DecodeError::from(e).with_position(text_position(input, first_non_space(input)))
        })?;
        Ok(event)
    }
}

fn first_non_space(input: &[u8]) -> usize {
    input
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0)
}

/// Appends `event` as one line of canonical JSON (SPEC section 2), newline included.
pub fn encode(event: &Event<'_>, out: &mut Vec<u8>) {
    // Writing to a Vec cannot fail, and every view serializes (map keys are strings).
    if serde_json::to_writer(&mut *out, event).is_ok() {
        out.push(b'\n');
    }
}

/// Reads JSON lines: one event per line, blank lines skipped, `\r\n` accepted.
///
/// The line buffer is reused and never grows past `max_event_bytes`: a longer
/// line is skipped to its end and reported as a limit error, after which
/// reading continues with the next line.
#[derive(Debug)]
pub struct JsonLines<R> {
    reader: R,
    buf: Vec<u8>,
    max: usize,
    number: u64,
    line: u64,
    offset: u64,
}

impl<R: BufRead> JsonLines<R> {
    /// Lines from `reader`, bounded by the default `max_event_bytes`.
    pub fn new(reader: R) -> Self {
        Self::with_config(reader, &DecodeConfig::new())
    }

    /// Lines from `reader`, each bounded by `config.limits.max_event_bytes`.
    pub fn with_config(reader: R, config: &DecodeConfig) -> Self {
        JsonLines {
            reader,
            buf: Vec::new(),
            max: config.limits.max_event_bytes,
            number: 0,
            line: 0,
            offset: 0,
        }
    }

    /// Reads one line into `buf` (without its newline). Returns the bytes
    /// consumed, and whether the line was longer than the limit.
    fn read_line(&mut self) -> std::io::Result<(u64, bool)> {
        self.buf.clear();
        let mut consumed = 0u64;
        let mut too_long = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok((consumed, too_long));
            }
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let content = &chunk[..if done { take - 1 } else { take }];
            if !too_long {
                if self.buf.len() + content.len() > self.max {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(content);
                }
            }
            self.reader.consume(take);
            consumed += take as u64;
            if done {
                return Ok((consumed, too_long));
            }
        }
    }
}

impl<R: BufRead> FrameReader for JsonLines<R> {
    fn format(&self) -> Format {
        Format::Json
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, DecodeError> {
        loop {
            let start = self.offset;
            let (consumed, too_long) = self.read_line()?;
            if consumed == 0 {
                return Ok(None);
            }
            self.offset += consumed;
            self.line += 1;
            if too_long {
                self.number += 1;
                return Err(DecodeError::limit_exceeded(
                    Limit::EventBytes,
                    format!("a line longer than limit max_event_bytes ({})", self.max),
                )
                .with_position(Position::Text {
                    line: self.line,
                    column: 1,
                })
                .with_event(self.number));
            }
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
            let skip = first_non_space(&self.buf);
            if self.buf[skip..].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.number += 1;
            return Ok(Some(Frame {
                bytes: &self.buf,
                number: self.number,
                offset: start,
                line: self.line,
            }));
        }
    }
}

/// The JSON lines of an in-memory stream, without copying: each frame
/// borrows from `input`.
pub fn lines(input: &[u8]) -> impl Iterator<Item = Frame<'_>> {
    let mut offset = 0u64;
    let mut number = 0u64;
    input
        .split_inclusive(|&b| b == b'\n')
        .enumerate()
        .filter_map(move |(i, raw)| {
            let start = offset;
            offset += raw.len() as u64;
            let mut line = raw.strip_suffix(b"\n").unwrap_or(raw);
            line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                return None;
            }
            number += 1;
            Some(Frame {
                bytes: line,
                number,
                offset: start,
                line: i as u64 + 1,
            })
        })
}
