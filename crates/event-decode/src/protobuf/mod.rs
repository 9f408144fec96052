//! Protobuf (`veltrix.events.v1.Event`): the zero-copy decoder, length-delimited
//! framing and the encoder.
//!
//! - [`ZeroCopyDecoder`] reads the wire format straight into an
//!   [`Event`](crate::Event) view: strings borrow from the input, lists live in
//!   the caller's arena, and nothing is allocated on the heap once the arena
//!   is warm. This is the decoder to use.
//! - `ProstDecoder` (a baseline, in `bench-harness::baselines`) decodes
//!   with `prost` into the owned [`event_model::proto::Event`] and validates
//!   it: the reference the zero-copy decoder is tested against, and the
//!   benchmark baseline.
//!
//! Both accept exactly the same inputs and produce the same events (the
//! differential property tests check it): unknown fields of every wire type
//! are skipped (groups too), the last value of a scalar wins, embedded
//! messages and a repeated oneof member merge, map entries resolve last-wins,
//! and proto3 defaults stand in for absence (an empty `id`, `player_id` or
//! `region`, or no payload, is a `Data` error naming the field).
//!
//! Streams are length-delimited (a varint length, then the message):
//! [`LengthDelimitedFrames`] reads them from any [`std::io::BufRead`],
//! [`length_delimited`] from a slice without copying.

mod encode;
mod frames;
mod wire;
mod zero_copy;

pub use encode::{encode, encode_length_delimited};
pub use frames::{LengthDelimitedFrames, LengthDelimitedSlice, length_delimited};
pub use zero_copy::ZeroCopyDecoder;
pub(crate) use zero_copy::event_too_big;
