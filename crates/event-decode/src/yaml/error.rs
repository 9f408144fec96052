//! The error of the YAML serde layer, turned into a [`DecodeError`] at the
//! edge of the module.

use std::fmt;

use event_model::Limit;

use super::source::Mark;
use crate::text::path::Fault;
use crate::{Category, DecodeError, Position};

/// What kind of failure a YAML [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Malformed YAML (from the scanner) or invalid UTF-8.
    Syntax,
    /// The input ended inside the document.
    Eof,
    /// A limit was exceeded.
    Limit(Limit),
    /// Well-formed YAML of the wrong shape or type.
    Data,
    /// A message from a `Deserialize` implementation (`serde::de::Error::custom`);
    /// its category comes from the fault its seed recorded, else data.
    Custom,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    mark: Option<Mark>,
    path: Option<String>,
}

/// A failure of the YAML deserializer: its kind, message, and (once known)
/// its position and field path. Boxed to keep `Result`s small.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<Inner>);

impl Error {
    /// A new error without a position.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            mark: None,
            path: None,
        }))
    }

    /// Sets the position unless one is already known.
    pub fn at(mut self, mark: Mark) -> Self {
        if self.0.mark.is_none() {
            self.0.mark = Some(mark);
        }
        self
    }

    /// Sets the field path unless one is already known.
    pub(crate) fn with_path(mut self, path: impl FnOnce() -> String) -> Self {
        if self.0.path.is_none() {
            self.0.path = Some(path());
        }
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message, without position or path.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Where in the document, when known.
    pub fn mark(&self) -> Option<Mark> {
        self.0.mark
    }

    /// The field path recorded by the deserializer itself (generic serde
    /// types), when known.
    pub fn path(&self) -> Option<&str> {
        self.0.path.as_deref()
    }

    /// The [`DecodeError`] for this failure: a custom error takes its
    /// category from `fault` (what an [`EventSeed`](crate::text::seed::EventSeed) recorded).
    pub fn into_decode_error(self, fault: Option<Fault>) -> DecodeError {
        let inner = *self.0;
        let mut e = match inner.kind {
            ErrorKind::Syntax => DecodeError::new(Category::Syntax, inner.message),
            ErrorKind::Eof => DecodeError::new(Category::Eof, inner.message),
            ErrorKind::Limit(l) => DecodeError::limit_exceeded(l, inner.message),
            ErrorKind::Data => DecodeError::new(Category::Data, inner.message),
            ErrorKind::Custom => DecodeError::from_fault(fault, Category::Data, inner.message),
        };
        if let Some(m) = inner.mark {
            e = e.with_position(Position::Text {
                line: m.line,
                column: m.column,
            });
        }
        if let Some(p) = inner.path {
            e = e.with_path(p);
        }
        e
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = self.0.mark {
            write!(f, "line {}, column {}: ", m.line, m.column)?;
        }
        if let Some(p) = self.0.path.as_deref().filter(|p| !p.is_empty()) {
            write!(f, "{p}: ")?;
        }
        f.write_str(&self.0.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("message", &self.0.message)
            .field("mark", &self.0.mark)
            .field("path", &self.0.path)
            .finish()
    }
}

impl std::error::Error for Error {}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(ErrorKind::Custom, msg.to_string())
    }
}
