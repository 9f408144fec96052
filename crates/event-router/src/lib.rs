//! # event-router: the arena-allocated router core
//!
//! Takes batches of raw frames, decodes each through any
//! [`event_decode::Decoder`] into the batch's arena, matches it against a
//! compiled routing table (SPEC section 4) and delivers it to handlers by
//! partition, accounting for every frame exactly once.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
