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
//!   saying what is wrong and where; [`peek_id`] reads the `id` of an event
//!   that did not decode, when it can be read.
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
//! nothing the format does not force. The YAML and JSON decoders read
//! through one set of serde seeds, which count everything against the
//! [`Limits`] and, as prost does, build the field path of a failure on the
//! error path only; every decoder's failure is one [`DecodeError`].
//! Everything else (the seeds, the YAML parse layers, and what the baseline
//! decoders of `bench-harness` borrow from the real ones) is plumbing under
//! a hidden `internals` module, with no stability promise. The baselines
//! themselves (`DomDecoder`, the `YamlLoader` tree; `ProstDecoder`, prost's
//! owned types) live in `bench-harness::baselines`, the benchmarks' and
//! differential tests' reference.
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
mod peek;
#[cfg(feature = "protobuf")]
pub mod protobuf;
#[cfg(all(feature = "yaml", feature = "json", feature = "protobuf"))]
mod reader;
mod text;
#[cfg(feature = "yaml")]
pub mod yaml;

/// Plumbing for the project's own tests, benchmarks and fuzz targets: the
/// YAML parse layers and their buffers, and what bench-harness's baseline
/// decoders borrow from the real ones. Not part of the documented API; it
/// may change in any release.
#[doc(hidden)]
pub mod internals {
    use crate::DecodeConfig;
    use crate::text::seed::DecodeOptions;

    /// The serde seed's options of `config` for a text decoder
    /// (`text_from_any_scalar`: string fields take any scalar's text).
    pub fn decode_options(config: &DecodeConfig, text_from_any_scalar: bool) -> DecodeOptions {
        config.options(text_from_any_scalar)
    }

    /// The YAML layers below [`YamlDecoder`](crate::yaml::YamlDecoder).
    #[cfg(feature = "yaml")]
    pub mod yaml {
        use event_model::Limits;
        use yaml_rust2::parser::Tag;
        use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

        use crate::DecodeError;
        pub use crate::yaml::Engine;
        pub use crate::yaml::de::Deserializer;
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

        /// The checked text of one document, as the decoders take it: size
        /// limit, UTF-8, printable characters, `%YAML` version, a leading
        /// byte-order mark dropped.
        pub fn document_text<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a str, DecodeError> {
            crate::yaml::document_text(input, limits)
        }

        /// A yaml-rust2 marker (0-based column) as a [`Mark`].
        pub fn mark_of(marker: &Marker) -> Mark {
            Mark::from_marker(marker)
        }

        /// A yaml-rust2 scanner error as the streaming decoder reports it.
        pub fn scan_error(e: &ScanError, text: &str, max_depth: usize) -> Error {
            crate::yaml::source::scan_error(e, text, max_depth)
        }

        /// yaml-rust2's scalar style as a [`ScalarStyle`].
        pub fn convert_style(style: TScalarStyle) -> ScalarStyle {
            crate::yaml::source::convert_style(style)
        }

        /// An empty block scalar as "" (unless `|+`), as the scanner reads it.
        pub fn fix_empty_block(text: &mut String, style: ScalarStyle, doc: &str, mark: &Mark) {
            crate::yaml::source::fix_empty_block(text, style, doc, mark)
        }

        /// A verbatim core tag (`!<tag:yaml.org,2002:int>`) in the `!!int` form.
        pub fn normalise_core_tag(tag: &mut Tag) {
            crate::yaml::source::normalise_core_tag(tag)
        }
    }

    /// The serde seeds of the text decoders and the trail of a failed
    /// decode's position.
    pub mod text {
        pub use crate::text::path::{Fault, Trail};
        pub use crate::text::seed::{
            DecodeOptions, EventSeed, MAX_DEPTH_CEILING, OwnedEventSeed, SerdeOwnedEvent,
        };
    }

    /// What the prost baseline shares with the zero-copy decoder.
    #[cfg(feature = "protobuf")]
    pub mod protobuf {
        use crate::DecodeError;

        /// The zero-copy decoder's error for an event of `len` bytes over
        /// `max_event_bytes` (`max`).
        pub fn event_too_big(len: usize, max: usize) -> DecodeError {
            crate::protobuf::event_too_big(len, max)
        }
    }
}

pub use bumpalo::Bump;
pub use config::{DecodeConfig, UnknownFields};
pub use error::{Category, DecodeError, Position};
pub use event_model::{Event, Limit, Limits};
#[cfg(all(feature = "yaml", feature = "json", feature = "protobuf"))]
pub use owned::{from_slice_owned, from_slice_owned_with};
pub use peek::peek_id;
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
