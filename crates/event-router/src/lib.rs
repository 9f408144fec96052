//! # event-router: the router core
//!
//! Matches events against a compiled routing table (SPEC section 4) and
//! delivers them to handlers by partition, accounting for each exactly once.
//! It knows events ([`event_model::Event`]), not encodings: decoding a
//! stream of frames and feeding the router, with per-frame positions and
//! rejections, is the pipeline's job (the `event-pipeline` crate), and
//! whoever reads a routing table's file parses its YAML.
//!
//! ## Layers
//!
//! - [`RouteConfig`]: the table as written, plain serde types (strict about
//!   unknown keys), for any serde format.
//! - [`RouteTable`]: validated and compiled. Kinds are a bit set, conditions
//!   are pre-resolved, each route's handlers are a small vector of ids, so
//!   matching an event allocates nothing.
//! - [`Router`]: owns the handlers (registered by name through
//!   [`Router::builder`]), the dead-letter sink and the [`Counters`], the
//!   one tally of everything it did. [`Router::route`] routes one event;
//!   [`Router::reject`] accounts for a frame that gave none.
//!
//! ## Semantics
//!
//! Routes are evaluated in order; an event goes to the union of the `to`
//! lists of the routes it matches, in route order, each handler once; an
//! `exclusive` route that matches ends the evaluation. The partition is
//! FNV-1a 64 ([`fnv1a64`]) of the key's bytes modulo `partitions`. Events are
//! delivered synchronously in the order given, so each handler sees every
//! partition's events in that order.
//!
//! Each event or frame is counted once as routed, dead-lettered (unmatched
//! under `unmatched: dead_letter`), dropped (`unmatched: drop`) or rejected
//! (a bad frame, or unmatched under `unmatched: error`). The dead-letter
//! sink receives unmatched events and the bytes and error of every bad
//! frame, so nothing is lost. Handler errors do not stop delivery; they are
//! counted per handler and reported with the handler's name.
//!
//! ```
//! use event_router::{infallible, KeyField, Outcome, RouteConfig, RouteSpec, RouteTable, Router};
//! use event_model::Event;
//!
//! let table = RouteTable::new(RouteConfig {
//!     key: KeyField::MatchId,
//!     partitions: 4,
//!     routes: vec![RouteSpec {
//!         name: "all".into(),
//!         when: None,
//!         to: vec!["audit".into()],
//!         exclusive: false,
//!     }],
//!     unmatched: Default::default(),
//! })?;
//! let mut router = Router::builder(table)
//!     .handler("audit", infallible(|event: &Event<'_>, ctx| {
//!         assert!(ctx.partition() < 4);
//!         let _ = event.id;
//!     }))
//!     .build()?;
//! let arena = event_model::bumpalo::Bump::new();
//! let event = event_model::corpus::corpus(7, 1).remove(0);
//! assert_eq!(router.route(&event.as_view(&arena)), Outcome::Routed);
//! assert_eq!(router.counters().routed(), 1);
//! # Ok::<(), event_router::ConfigError>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod config;
mod counters;
mod error;
mod handler;
mod router;
mod table;

pub use config::{KeyField, RouteConfig, RouteSpec, Unmatched, When};
pub use counters::Counters;
pub use error::{ConfigError, HandlerError};
pub use handler::{
    Context, DeadLetter, DeadLetterReason, DeadLetterSink, DiscardDeadLetters, Handler, handler_fn,
    infallible,
};
pub use router::{Explanation, HandlerFailure, Outcome, Router, RouterBuilder};
pub use table::{
    HandlerId, MAX_HANDLERS, MAX_PARTITIONS, MAX_ROUTE_HANDLERS, MAX_ROUTES, MAX_TABLE_BYTES,
    Route, RouteId, RouteTable, TABLE_LIMITS, fnv1a64,
};

pub use event_model::{Event, Kind};
