//! # event-decode: pluggable decoders behind one small trait
//!
//! A [`Decoder`] turns the bytes of one event into an [`Event`] view whose
//! strings live in the input or in a caller-owned [`Bump`] arena. The trait is
//! all that a consumer such as `event-router` needs: it builds with
//! `default-features = false`, without yaml-rust2, serde_json or the protobuf
//! code. Implementations sit behind features with symmetric names:
//!
//! | feature    | decoder                         | encoder                |
//! |------------|---------------------------------|------------------------|
//! | `yaml`     | `yaml::YamlDecoder` (streaming) | `yaml::encode`         |
//! | `json`     | `json::JsonDecoder`             | `json::encode`         |
//! | `protobuf` | `protobuf::ZeroCopyDecoder`, `protobuf::ProstDecoder` | `protobuf::encode` |
//!
//! Decoders are pull-based and allocation-conscious in the style of
//! ripgrep's matcher crates: callers own the arena and the decoder's reusable
//! state (`&mut self`), so the hot path allocates nothing the format does not
//! force. Streams of many events are split into frames first ([`frames`]):
//! YAML documents, JSON lines, or length-delimited protobuf messages, read
//! incrementally with bounded memory.
#![deny(missing_docs)]
#![deny(unsafe_code)]

mod error;
pub mod frames;
#[cfg(feature = "json")]
pub mod json;
#[cfg(feature = "protobuf")]
pub mod protobuf;
#[cfg(feature = "yaml")]
pub mod yaml;

pub use bumpalo::Bump;
pub use error::{Category, DecodeError, Position};
pub use event_model::{Event, Limit, Limits};

/// An encoding of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// YAML 1.2 (one document per event).
    Yaml,
    /// JSON (one object per event; JSON lines for streams).
    Json,
    /// Protobuf `veltrix.events.v1.Event` (length-delimited for streams).
    Protobuf,
}

impl Format {
    /// The format's name on the command line (`yaml`, `json`, `proto`).
    pub const fn name(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Protobuf => "proto",
        }
    }
}

/// Decodes one event from its bytes.
///
/// The returned view borrows from `input` and `arena` only. Implementations
/// check the event's limits and validate it ([`Event::validate`]) before
/// returning it, so a successful decode is a valid event. Errors carry the
/// position inside `input`; a stream reader adds the event number and moves
/// the position to the whole stream.
pub trait Decoder {
    /// The format this decoder reads.
    fn format(&self) -> Format;

    /// Decodes `input` (exactly one event) into a view.
    fn decode<'a>(&mut self, input: &'a [u8], arena: &'a Bump) -> Result<Event<'a>, DecodeError>;
}

impl<D: Decoder + ?Sized> Decoder for &mut D {
    fn format(&self) -> Format {
        (**self).format()
    }

    fn decode<'a>(&mut self, input: &'a [u8], arena: &'a Bump) -> Result<Event<'a>, DecodeError> {
        (**self).decode(input, arena)
    }
}

impl<D: Decoder + ?Sized> Decoder for Box<D> {
    fn format(&self) -> Format {
        (**self).format()
    }

    fn decode<'a>(&mut self, input: &'a [u8], arena: &'a Bump) -> Result<Event<'a>, DecodeError> {
        (**self).decode(input, arena)
    }
}
