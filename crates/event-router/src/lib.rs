//! # event-router: the arena-allocated router core
//!
//! Takes batches of raw frames, decodes each through any
//! [`event_decode::Decoder`] into the batch's arena, matches it against a
//! compiled routing table (SPEC section 4) and delivers it to handlers by
//! partition, accounting for every frame exactly once.
//!
//! ## Layers
//!
//! - [`RouteConfig`]: the table as written (serde, strict about unknown keys),
//!   parsed from YAML by Veltrix's own streaming decoder (feature
//!   `yaml-config`, on by default).
//! - [`RouteTable`]: validated and compiled. Kinds are a bit set, conditions
//!   are pre-resolved, each route's handlers are a small vector of ids, so
//!   matching an event allocates nothing.
//! - [`Router`]: owns the handlers (registered by name through
//!   [`Router::builder`]), the dead-letter sink, the [`Counters`] and one
//!   `bumpalo` arena per batch. Only the [`Decoder`](event_decode::Decoder)
//!   trait is needed: the core builds without any decoder implementation.
//!
//! ## Semantics
//!
//! Routes are evaluated in order; an event goes to the union of the `to`
//! lists of the routes it matches, in route order, each handler once; an
//! `exclusive` route that matches ends the evaluation. The partition is
//! FNV-1a 64 ([`fnv1a64`]) of the key's bytes modulo `partitions`. Events are
//! delivered synchronously in input order, so each handler sees every
//! partition's events in input order.
//!
//! Each frame is counted once as routed, dead-lettered (unmatched under
//! `unmatched: dead_letter`), dropped (`unmatched: drop`) or rejected (a
//! decode or validation failure, an unreadable frame, or unmatched under
//! `unmatched: error`). The dead-letter sink receives unmatched events and
//! the bytes and error of every bad one, so nothing is lost. A rejection
//! stops the batch by default ([`OnReject`]).
//!
//! ## Memory
//!
//! The arena is checked after every event: past
//! [`RouterBuilder::arena_cap`] it is replaced, so a batch never makes it
//! grow without limit, and it has an allocation limit
//! ([`RouterBuilder::arena_limit`]) that turns a runaway event into a typed
//! error rather than an abort. Handler errors do not stop delivery;
//! they are reported with the handler's name and the event's index.
//!
//! ```
//! # #[cfg(feature = "yaml-config")] {
//! use event_router::{infallible, RouteTable, Router};
//!
//! let table = RouteTable::from_yaml_str(
//!     "key: match_id\npartitions: 4\nroutes:\n  - name: all\n    to: [audit]\n",
//! )?;
//! let router = Router::builder(table)
//!     .handler("audit", infallible(|event, ctx| {
//!         assert!(ctx.partition() < 4);
//!         let _ = event.id;
//!     }))
//!     .build()?;
//! assert_eq!(router.counters().events(), 0);
//! # }
//! # Ok::<(), event_router::ConfigError>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod config;
mod counters;
mod error;
mod handler;
pub mod handlers;
mod router;
mod table;

pub use config::{KeyField, RouteConfig, RouteSpec, Unmatched, When};
pub use counters::Counters;
pub use error::{ConfigError, HandlerError};
pub use handler::{
    Context, DeadLetter, DeadLetterReason, DeadLetterSink, DiscardDeadLetters, Handler, handler_fn,
    infallible,
};
pub use router::{
    ArenaStats, BatchReport, DEFAULT_ARENA_CAP, DEFAULT_ARENA_LIMIT, Explanation, HandlerFailure,
    OnReject, Outcome, RejectCause, Rejected, Router, RouterBuilder,
};
pub use table::{
    HandlerId, MAX_HANDLERS, MAX_PARTITIONS, MAX_ROUTE_HANDLERS, MAX_ROUTES, MAX_TABLE_BYTES,
    Route, RouteId, RouteTable, TABLE_LIMITS, fnv1a64,
};

pub use event_model::{Event, Kind};

// The README's example is compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
