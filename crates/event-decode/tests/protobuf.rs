//! Tests of the protobuf decoders (zero-copy and prost), framing and encoder.
//!
//! Every case runs through both decoders: the prost decoder is the reference
//! the zero-copy decoder must agree with, event for event and failure for failure.

use bench_harness::baselines::ProstDecoder;
use bumpalo::Bump;
use event_decode::protobuf::{ZeroCopyDecoder, encode};
use event_decode::{DecodeError, Decoder};
use event_model::OwnedEvent;

#[path = "protobuf/alloc_free.rs"]
mod alloc_free;
#[path = "protobuf/differential.rs"]
mod differential;
#[path = "protobuf/errors.rs"]
mod errors;
#[path = "protobuf/frames.rs"]
mod frames;
#[path = "protobuf/reference.rs"]
mod reference;
#[path = "protobuf/strings.rs"]
mod strings;
pub mod wire;

/// The protobuf bytes of `event` (this crate's encoder).
pub fn encoded(event: &OwnedEvent) -> Vec<u8> {
    let arena = Bump::new();
    let mut out = Vec::new();
    encode(&event.as_view(&arena), &mut out);
    out
}

/// Decodes with the zero-copy decoder into an owned event.
pub fn zero_copy(bytes: &[u8]) -> Result<OwnedEvent, DecodeError> {
    let arena = Bump::new();
    ZeroCopyDecoder::new()
        .decode(bytes, &arena)
        .map(|e| e.to_owned())
}

/// Decodes with the prost decoder into an owned event.
pub fn prost(bytes: &[u8]) -> Result<OwnedEvent, DecodeError> {
    let arena = Bump::new();
    ProstDecoder::new()
        .decode(bytes, &arena)
        .map(|e| e.to_owned())
}

/// Both decoders on `bytes`: the same event, or both fail. Returns the event.
pub fn agree(bytes: &[u8]) -> Result<Option<OwnedEvent>, String> {
    match (zero_copy(bytes), prost(bytes)) {
        (Ok(z), Ok(p)) if z == p => Ok(Some(z)),
        (Err(_), Err(_)) => Ok(None),
        (z, p) => Err(format!(
            "decoders disagree on {bytes:02x?}\n zero-copy: {z:?}\n prost:     {p:?}"
        )),
    }
}
