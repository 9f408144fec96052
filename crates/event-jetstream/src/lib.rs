//! # event-jetstream: Veltrix past one machine (SPEC §7)
//!
//! When one router is not enough, Veltrix instances share the partitions
//! through NATS JetStream (an existing, trusted distributed log) instead of a
//! home-made cluster protocol. This crate holds what the publishing side and
//! the consuming side share:
//!
//! - the layout: stream [`EVENTS_STREAM`] on `veltrix.events.p.*`, one
//!   subject per partition ([`partition_subject`]), file storage, a
//!   two-minute duplicate window keyed by the `Nats-Msg-Id` header (the
//!   event's id); dead letters in [`DEAD_STREAM`] on [`DEAD_SUBJECT`]; one
//!   durable pull consumer per partition ([`consumer_name`],
//!   [`consumer_config`]);
//! - [`connect`]: a client that retries the first connection and every
//!   reconnection with capped backoff, and logs when the server goes away
//!   and comes back;
//! - [`PublishArgs`] and [`run_publish`]: `veltrix publish`, a stream of
//!   events read one at a time, each published to its partition's subject
//!   with a bounded number of acknowledgements outstanding; what the
//!   operator must fix (a bad `--config`, a missing input or stream) is a
//!   [`PublishUsage`] error (exit status 2).
//!
//! The consuming side (`veltrix serve --consume`) lives in `event-service`,
//! next to the router thread it feeds.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod layout;
mod publish;

pub use layout::{
    DEAD_STREAM, DEAD_SUBJECT, EVENTS_STREAM, EVENTS_SUBJECTS, PartitionRange, connect,
    consumer_config, consumer_name, content_type_format, dead_stream_config, ensure_streams,
    events_stream_config, partition_subject, single_type, stream_not_found,
};
pub use publish::{
    PublishArgs, PublishSummary, PublishUsage, StreamFormat, load_table, publish, run_publish,
};

/// The client library, re-exported so that users of this crate name the
/// same types.
pub use async_nats;
