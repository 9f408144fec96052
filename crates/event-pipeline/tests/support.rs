//! Shared helpers: encoding events in every format, decoders, tables.

use event_decode::Decoder;
use event_decode::json::JsonDecoder;
use event_decode::protobuf::ZeroCopyDecoder;
use event_decode::yaml::YamlDecoder;
use event_model::OwnedEvent;
use event_model::bumpalo::Bump;

/// Every format the router is tested with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fmt {
    Yaml,
    Json,
    Proto,
}

pub const ALL_FORMATS: [Fmt; 3] = [Fmt::Yaml, Fmt::Json, Fmt::Proto];

/// The example table shipped with the crate (six routes).
pub const EXAMPLE_TABLE: &str = include_str!("../../event-router/examples/routes.yaml");

/// `event` encoded as one frame in `fmt`.
pub fn encode(fmt: Fmt, event: &OwnedEvent) -> Vec<u8> {
    let arena = Bump::new();
    let view = event.as_view(&arena);
    match fmt {
        Fmt::Yaml => {
            let mut s = String::new();
            event_decode::yaml::encode(&view, &mut s);
            s.into_bytes()
        }
        Fmt::Json => {
            let mut out = Vec::new();
            event_decode::json::encode(&view, &mut out);
            out
        }
        Fmt::Proto => {
            let mut out = Vec::new();
            event_decode::protobuf::encode(&view, &mut out);
            out
        }
    }
}

/// A decoder for `fmt`.
pub fn decoder(fmt: Fmt) -> Box<dyn Decoder> {
    match fmt {
        Fmt::Yaml => Box::new(YamlDecoder::new()),
        Fmt::Json => Box::new(JsonDecoder::new()),
        Fmt::Proto => Box::new(ZeroCopyDecoder::new()),
    }
}

/// Bytes that no decoder accepts (invalid UTF-8; protobuf wire type 7).
pub const GARBAGE: &[u8] = b"\xff\xff\xff";

/// Borrowed frames of owned buffers.
pub fn frames(buffers: &[Vec<u8>]) -> Vec<&[u8]> {
    buffers.iter().map(Vec::as_slice).collect()
}
