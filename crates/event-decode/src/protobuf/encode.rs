//! Event → protobuf bytes, with prost.

use event_model::{Event, proto};
use prost::Message;

/// Appends the protobuf encoding of `event` to `out` (prost's encoding of
/// [`proto::Event`]: fields in number order, proto3 defaults left out,
/// `attrs` sorted by key).
///
/// ```
/// use event_decode::{Bump, Decoder, protobuf::{ZeroCopyDecoder, encode}};
///
/// let event = &event_model::corpus::corpus(3, 1)[0];
/// let arena = Bump::new();
/// let mut out = Vec::new();
/// encode(&event.as_view(&arena), &mut out);
/// assert_eq!(ZeroCopyDecoder::new().decode(&out, &arena).unwrap().id, event.id);
/// ```
pub fn encode(event: &Event<'_>, out: &mut Vec<u8>) {
    let msg = proto::Event::from(event);
    out.reserve(msg.encoded_len());
    // A `Vec` grows to fit, so prost's only error (out of capacity) cannot happen.
    let _ = msg.encode(out);
}

/// Appends `event` as one frame of a length-delimited stream: its length as
/// a varint, then the message (prost's `encode_length_delimited`).
pub fn encode_length_delimited(event: &Event<'_>, out: &mut Vec<u8>) {
    let msg = proto::Event::from(event);
    let len = msg.encoded_len();
    out.reserve(len + prost::length_delimiter_len(len));
    // As above: writing into a `Vec` cannot run out of capacity.
    let _ = msg.encode_length_delimited(out);
}
