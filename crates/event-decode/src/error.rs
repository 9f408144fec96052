//! The one error type of every decoder.

use std::fmt;

use event_model::{Limit, ValidationError};

use crate::text::path::{Fault, needs_escape, push_escaped};

/// What kind of failure a [`DecodeError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// The bytes are not well-formed for the format (bad YAML, bad JSON, bad
    /// protobuf wire data, invalid UTF-8).
    Syntax,
    /// Well-formed input that is not a valid event: wrong type, missing or
    /// duplicate field, unknown kind, out-of-range number, failed validation.
    Data,
    /// The input exceeded one of the configured limits ([`DecodeError::limit`]).
    Limit,
    /// The input ended in the middle of an event or frame.
    Eof,
    /// Reading the input failed.
    Io,
    /// The caller's arena refused an allocation: its allocation limit
    /// (`Bump::set_allocation_limit`) was reached.
    OutOfMemory,
}

/// Where in the input an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A text format: 1-based line and column (columns count characters).
    Text {
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
    },
    /// A binary format: byte offset from the start of the input (or stream).
    Byte {
        /// 0-based byte offset.
        offset: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    category: Category,
    limit: Option<Limit>,
    event: Option<u64>,
    position: Option<Position>,
    path: String,
    message: String,
}

/// A decoding failure: what went wrong and where (event number, line and
/// column or byte offset, field path).
///
/// Boxed so that `Result<Event, DecodeError>` stays two words: a large error
/// type measurably slows the happy path (the same choice serde_json made).
#[derive(Clone, PartialEq, Eq)]
pub struct DecodeError(Box<Inner>);

impl DecodeError {
    /// A new error with no position yet.
    pub fn new(category: Category, message: impl Into<String>) -> Self {
        DecodeError(Box::new(Inner {
            category,
            limit: None,
            event: None,
            position: None,
            path: String::new(),
            message: message.into(),
        }))
    }

    /// A [`Category::OutOfMemory`] error: the arena's allocation limit was
    /// reached.
    #[cold]
    pub fn out_of_memory() -> Self {
        DecodeError::new(
            Category::OutOfMemory,
            "the arena's allocation limit was reached",
        )
    }

    /// A [`Category::Limit`] error for `limit`.
    pub fn limit_exceeded(limit: Limit, message: impl Into<String>) -> Self {
        let mut e = DecodeError::new(Category::Limit, message);
        e.0.limit = Some(limit);
        e
    }

    /// An error for a seed fault recorded in an [`Trail`](crate::text::path::Trail):
    /// [`Fault::Limit`] becomes a limit error, anything else `fallback`.
    pub fn from_fault(
        fault: Option<Fault>,
        fallback: Category,
        message: impl Into<String>,
    ) -> Self {
        match fault {
            Some(Fault::Limit(l)) => DecodeError::limit_exceeded(l, message),
            Some(Fault::Data) => DecodeError::new(Category::Data, message),
            Some(Fault::OutOfMemory) => DecodeError::new(Category::OutOfMemory, message),
            None => DecodeError::new(fallback, message),
        }
    }

    /// Sets the 1-based number of the event in its stream.
    pub fn with_event(mut self, number: u64) -> Self {
        self.0.event = Some(number);
        self
    }

    /// Sets the position.
    pub fn with_position(mut self, position: Position) -> Self {
        self.0.position = Some(position);
        self
    }

    /// Sets the field path (`payload.position.x`).
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.0.path = path.into();
        self
    }

    /// Moves a position found inside one frame to the whole stream: text
    /// lines shift by the frame's first line (1-based), byte offsets by the
    /// frame's offset.
    pub fn relative_to_frame(mut self, first_line: u64, offset: u64) -> Self {
        self.0.position = match self.0.position {
            Some(Position::Text { line, column }) => Some(Position::Text {
                line: line + first_line.saturating_sub(1),
                column,
            }),
            Some(Position::Byte { offset: o }) => Some(Position::Byte { offset: o + offset }),
            None => None,
        };
        self
    }

    /// What kind of failure this is.
    pub fn category(&self) -> Category {
        self.0.category
    }

    /// The limit exceeded, for [`Category::Limit`].
    pub fn limit(&self) -> Option<Limit> {
        self.0.limit
    }

    /// The 1-based number of the event in its stream, when known.
    pub fn event_number(&self) -> Option<u64> {
        self.0.event
    }

    /// Where in the input.
    pub fn position(&self) -> Option<Position> {
        self.0.position
    }

    /// 1-based line, for text formats.
    pub fn line(&self) -> Option<u64> {
        match self.0.position {
            Some(Position::Text { line, .. }) => Some(line),
            _ => None,
        }
    }

    /// 1-based column, for text formats.
    pub fn column(&self) -> Option<u64> {
        match self.0.position {
            Some(Position::Text { column, .. }) => Some(column),
            _ => None,
        }
    }

    /// Byte offset, for binary formats.
    pub fn byte_offset(&self) -> Option<u64> {
        match self.0.position {
            Some(Position::Byte { offset }) => Some(offset),
            _ => None,
        }
    }

    /// The field path, empty at the top level.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// What was wrong, without the position.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// True when the input ended too early.
    pub fn is_eof(&self) -> bool {
        self.0.category == Category::Eof
    }
}

impl From<ValidationError> for DecodeError {
    fn from(e: ValidationError) -> Self {
        DecodeError::new(Category::Data, e.message).with_path(e.path)
    }
}

impl From<std::io::Error> for DecodeError {
    fn from(e: std::io::Error) -> Self {
        DecodeError::new(Category::Io, format!("read failed: {e}"))
    }
}

impl fmt::Display for DecodeError {
    /// `event 3, line 42, column 7: payload.position.x: expected a 32-bit float, found "abc"`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.0;
        let mut sep = "";
        if let Some(n) = e.event {
            write!(f, "event {n}")?;
            sep = ", ";
        }
        match e.position {
            Some(Position::Text { line, column }) => {
                write!(f, "{sep}line {line}, column {column}")?;
                sep = ", ";
            }
            Some(Position::Byte { offset }) => {
                write!(f, "{sep}byte {offset}")?;
                sep = ", ";
            }
            None => {}
        }
        if !sep.is_empty() {
            f.write_str(": ")?;
        }
        if !e.path.is_empty() {
            write_escaped(f, &e.path)?;
            f.write_str(": ")?;
        }
        write_escaped(f, &e.message)
    }
}

/// Writes `text`, escaping any control character or line separator: a
/// message is always one printable line, even if a fragment of the input in
/// it was not escaped where it was quoted.
fn write_escaped(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    if !text.chars().any(needs_escape) {
        return f.write_str(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text);
    f.write_str(&out)
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("category", &self.0.category)
            .field("limit", &self.0.limit)
            .field("event", &self.0.event)
            .field("position", &self.0.position)
            .field("path", &self.0.path)
            .field("message", &self.0.message)
            .finish()
    }
}

impl std::error::Error for DecodeError {}

/// The line and column of byte `offset` in `input` (columns count
/// characters, read lossily: the bytes before `offset` may end mid-character).
pub(crate) fn text_position(input: &[u8], offset: usize) -> Position {
    let before = &input[..offset.min(input.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u64
        + 1;
    Position::Text { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_reads_like_the_spec() {
        let e = DecodeError::new(Category::Data, "expected a 32-bit float, found \"abc\"")
            .with_position(Position::Text { line: 2, column: 7 })
            .with_path("payload.position.x")
            .with_event(3)
            .relative_to_frame(41, 0);
        assert_eq!(
            e.to_string(),
            "event 3, line 42, column 7: payload.position.x: expected a 32-bit float, found \"abc\""
        );
        let e = DecodeError::limit_exceeded(Limit::Depth, "too deep")
            .with_position(Position::Byte { offset: 5 })
            .relative_to_frame(1, 100);
        assert_eq!(e.to_string(), "byte 105: too deep");
        assert_eq!(e.limit(), Some(Limit::Depth));
        assert_eq!(std::mem::size_of::<Result<(), DecodeError>>(), 8);
    }

    #[test]
    fn display_is_one_printable_line() {
        let e = DecodeError::new(Category::Data, "key \u{1b}[2J\nerror: event 99")
            .with_path("attrs.\r\u{85}x")
            .with_event(1);
        let shown = e.to_string();
        assert!(!shown.chars().any(needs_escape), "{shown:?}");
        assert!(shown.contains("\\u{1b}[2J\\nerror"), "{shown}");
    }
}
