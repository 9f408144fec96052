//! # event-decode: game events from YAML, JSON and protobuf
//!
//! The documented surface is small:
//!
//! - [`from_slice`] decodes one event (`serde_json::from_slice` style);
//!   [`from_slice_with`] under a [`DecodeConfig`]; [`from_slice_owned`] and
//!   [`from_slice_owned_with`] into an [`event_model::OwnedEvent`].
//! - [`EventReader`] reads a stream (YAML documents, JSON lines or
//!   length-delimited protobuf) from any [`std::io::BufRead`], one event at
//!   a time into the caller's arena, with each frame's number, offset, line
//!   and bytes; a bad frame is an [`Item::Bad`] with a positioned error, and
//!   the reader resynchronises where the format allows it.
//! - [`DecodeConfig`]: the [`Limits`] and the [`UnknownFields`] policy,
//!   taken by every decoder and frame reader.
//! - [`Format`], with [`Format::decoder`] and [`Format::frames`] to pick a
//!   format's [`Decoder`] and [`frames::FrameReader`] at run time.
//! - [`DecodeError`] (with [`Category`] and [`Position`]): the one error,
//!   saying what is wrong and where.
//! - Per format, behind features with symmetric names:
//!
//! | feature    | decoder                        | frames                               | encoder            |
//! |------------|--------------------------------|--------------------------------------|--------------------|
//! | `yaml`     | `yaml::YamlDecoder` (streaming) | `yaml::YamlFrames`, `yaml::documents` | `yaml::encode`     |
//! | `json`     | `json::JsonDecoder`            | `json::JsonLines`, `json::lines`      | `json::encode`     |
//! | `protobuf` | `protobuf::ZeroCopyDecoder`    | `protobuf::LengthDelimitedFrames`, `protobuf::length_delimited` | `protobuf::encode` |
//!
//! [`from_slice`], [`EventReader`], [`Format::decoder`] and
//! [`Format::frames`] need all three features (the default). The [`Decoder`]
//! trait alone builds with `default-features = false`.
//!
//! Decoders are pull-based and allocation-conscious: callers own the arena
//! and the decoder's reusable state (`&mut self`), so the hot path allocates
//! nothing the format does not force. Everything else (the YAML parse
//! layers, the baselines benchmarks and differential tests compare against)
//! is plumbing under a hidden `internals` module, with no stability promise.
//!
//! ```
//! use event_decode::{Bump, DecodeConfig, EventReader, Format, Item};
//!
//! let lines = b"{\"id\":\"e1\",\"seq\":1,\"ts\":\"2024-05-17T14:00:00Z\",\"kind\":\"player_left\",\
//!               \"player_id\":\"plr_1\",\"region\":\"eu-west\",\"payload\":{\"reason\":\"quit\"}}\n\
//!               not json\n";
//! let cfg = DecodeConfig::new().max_event_bytes(4096);
//! let mut reader = EventReader::new(Format::Json, &lines[..], &cfg);
//! let arena = Bump::new();
//! assert!(matches!(reader.read_event_into(&arena), Some(Item::Event { .. })));
//! match reader.read_event_into(&arena) {
//!     Some(Item::Bad { error, frame, resumes }) => {
//!         assert_eq!((error.event_number(), error.line()), (Some(2), Some(2)));
//!         assert_eq!(frame.unwrap().bytes, b"not json");
//!         assert!(resumes);
//!     }
//!     other => panic!("{other:?}"),
//! }
//! assert!(reader.read_event_into(&arena).is_none());
//! ```
#![deny(missing_docs)]
#![deny(unsafe_code)]

mod config;
mod error;
pub mod frames;
#[cfg(feature = "json")]
pub mod json;
#[cfg(all(feature = "yaml", feature = "json", feature = "protobuf"))]
mod owned;
#[cfg(feature = "protobuf")]
pub mod protobuf;
#[cfg(all(feature = "yaml", feature = "json", feature = "protobuf"))]
mod reader;
mod text;
#[cfg(feature = "yaml")]
pub mod yaml;

/// Plumbing for the project's own tests, benchmarks and fuzz targets: the
/// YAML parse layers and their buffers. Not part of the documented API; it
/// may change in any release.
#[doc(hidden)]
pub mod internals {
    /// The YAML layers below [`YamlDecoder`](crate::yaml::YamlDecoder).
    #[cfg(feature = "yaml")]
    pub mod yaml {
        pub use crate::yaml::Engine;
        pub use crate::yaml::de::Deserializer;
        pub use crate::yaml::dom::DomDecoder;
        pub use crate::yaml::error::{Error, ErrorKind};
        pub use crate::yaml::fast::{FastNodes, FastTokens};
        pub use crate::yaml::from_str_with_engine;
        pub use crate::yaml::scanner::{ScannerBuffers, ScannerNodes};
        pub use crate::yaml::source::{
            AliasBuffers, CoreTag, Mark, Node, NodeSource, ParserNodes, ScalarStyle,
        };

        /// The project's YAML 1.2 scanner.
        pub mod scanner {
            pub use crate::yaml::scanner::*;
        }
    }

    /// The serde seeds of the text decoders and the trail of a failed
    /// decode's position.
    pub mod text {
        pub use crate::text::path::{
            Fault, MAX_TRAIL, Segment, Trail, needs_escape, push_escaped, push_segment,
        };
        pub use crate::text::seed::{
            DecodeOptions, EventSeed, MAX_DEPTH_CEILING, OwnedEventSeed, SerdeOwnedEvent,
        };
    }

    /// The prost baseline of the protobuf decoders.
    #[cfg(feature = "protobuf")]
    pub mod protobuf {
        pub use crate::protobuf::ProstDecoder;
    }
}

pub use bumpalo::Bump;
pub use config::{DecodeConfig, UnknownFields};
pub use error::{Category, DecodeError, Position};
pub use event_model::{Event, Limit, Limits};
#[cfg(all(feature = "yaml", feature = "json", feature = "protobuf"))]
pub use owned::{from_slice_owned, from_slice_owned_with};
#[cfg(all(feature = "yaml", feature = "json", feature = "protobuf"))]
pub use reader::{EventReader, Item, from_slice, from_slice_with};

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

    /// The decoder of this format under `config`: [`yaml::YamlDecoder`],
    /// [`json::JsonDecoder`] or [`protobuf::ZeroCopyDecoder`].
    #[cfg(all(feature = "yaml", feature = "json", feature = "protobuf"))]
    pub fn decoder(self, config: &DecodeConfig) -> Box<dyn Decoder> {
        match self {
            Format::Yaml => Box::new(yaml::YamlDecoder::with_config(config)),
            Format::Json => Box::new(json::JsonDecoder::with_config(config)),
            Format::Protobuf => Box::new(protobuf::ZeroCopyDecoder::with_config(config)),
        }
    }

    /// The frame reader of this format over `reader` under `config`
    /// (`max_event_bytes` is the largest frame): [`yaml::YamlFrames`]
    /// (documents), [`json::JsonLines`] (lines) or
    /// [`protobuf::LengthDelimitedFrames`] (length-delimited messages).
    #[cfg(all(feature = "yaml", feature = "json", feature = "protobuf"))]
    pub fn frames<'r>(
        self,
        reader: impl std::io::BufRead + 'r,
        config: &DecodeConfig,
    ) -> Box<dyn frames::FrameReader + 'r> {
        match self {
            Format::Yaml => Box::new(yaml::YamlFrames::with_config(reader, config)),
            Format::Json => Box::new(json::JsonLines::with_config(reader, config)),
            Format::Protobuf => {
                Box::new(protobuf::LengthDelimitedFrames::with_config(reader, config))
            }
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
