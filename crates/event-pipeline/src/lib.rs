//! # event-pipeline: decoding frames and feeding the router
//!
//! The layer above both [`event_decode`] and [`event_router`]: it decodes
//! frames into an arena it bounds, hands each event to the router (or the
//! frame that would not decode, as a rejection), applies the policy for
//! rejected frames ([`OnReject`]), and reads routing tables from YAML. The
//! command line, the benchmarks and the service use it; the router core
//! itself knows no encoding.
//!
//! ```
//! use event_decode::json::JsonDecoder;
//! use event_pipeline::{Pipeline, table_from_yaml_str};
//! use event_router::{infallible, Router};
//!
//! let table = table_from_yaml_str(
//!     "key: match_id\npartitions: 4\nroutes:\n  - name: all\n    to: [audit]\n",
//! )?;
//! let router = Router::builder(table)
//!     .handler("audit", infallible(|event, ctx| {
//!         assert!(ctx.partition() < 4);
//!         let _ = event.id;
//!     }))
//!     .build()?;
//! let mut pipeline = Pipeline::new(router);
//! let frame = br#"{"id":"e1","seq":1,"ts":"2026-01-01T00:00:00Z","kind":"player_left","player_id":"p1","region":"eu-west","payload":{"reason":"quit"}}"#;
//! let report = pipeline.route_batch(&mut JsonDecoder::new(), &[frame]).unwrap();
//! assert_eq!(report.routed, 1);
//! assert_eq!(pipeline.counters().routed(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod frame;
mod pipeline;
mod stream;
mod table;

pub use frame::{FrameObserver, Routed};
pub use pipeline::{
    ArenaStats, BatchReport, DEFAULT_ARENA_CAP, DEFAULT_ARENA_LIMIT, OnReject, Pipeline,
    RejectCause, Rejected,
};
pub use stream::{Delivery, StreamEnd, StreamObserver};
pub use table::{TableError, config_from_yaml_str, table_from_yaml_reader, table_from_yaml_str};

// The README's example is compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
