//! # event-model: the Veltrix event schema
//!
//! The typed form of the events of SPEC section 2, shared by every decoder,
//! the router and the command line.
//!
//! ## Borrowed views and owned events
//!
//! Decoders produce an [`Event<'a>`]: a *view* whose strings are `&'a str` and
//! whose lists are `&'a [T]`. The strings point into the input buffer when the
//! bytes can be used as they are (protobuf, unescaped JSON) and into a
//! caller-owned [`bumpalo::Bump`] arena otherwise (YAML scalars, escaped
//! text); lists and `attrs` are always built in the arena. A router decodes a
//! whole batch into one arena and resets it afterwards, so steady-state
//! decoding allocates nothing on the heap.
//!
//! **The arena rule.** An arena never runs `Drop`. Every view type is therefore
//! drop-free (checked at compile time): no `String`, `Vec` or `Box` inside a
//! value that lives in an arena, or its heap memory would leak at each reset.
//!
//! Users who want to keep an event past its batch call [`Event::to_owned`] to
//! get an [`OwnedEvent`] (`String`s and `Vec`s), and
//! [`OwnedEvent::as_view`] to get a view back cheaply (strings are borrowed,
//! only list slices are built in an arena).
//!
//! ## Wire contract
//!
//! [`proto`] holds the protobuf message types of
//! `proto/veltrix_events_v1.proto` (package `veltrix.events.v1`). They are
//! generated from the `.proto` file by `prost-build` fed by `protox`, a
//! pure-Rust protobuf compiler, and committed; a test regenerates them and
//! fails on any difference, so the Rust types cannot drift from the file a
//! Go or Python producer compiles with stock `protoc`, and building needs
//! neither `protoc` nor the generators.
//!
//! ## serde
//!
//! Views and owned events serialize in the canonical order of the
//! specification. Decoding (YAML, JSON, protobuf) is `event-decode`'s:
//! `event_decode::from_slice` into a view, `event_decode::from_slice_owned`
//! into an [`OwnedEvent`], each failure one `event_decode::DecodeError`.
//!
//! ## Also here
//!
//! [`Kind`], [`Timestamp`] (RFC 3339 parsing), validation
//! ([`Event::validate`], [`ValidationError`]), [`Limits`], the
//! deterministic [`corpus`] generator, and (feature `proptest`) shared
//! [`strategies`] of valid events.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod corpus;
mod kind;
mod limits;
mod owned;
pub mod proto;
pub mod schema;
mod serde_impl;
#[cfg(feature = "proptest")]
pub mod strategies;
mod timestamp;
mod validate;
mod view;

pub use kind::{Kind, UnknownKind};
pub use limits::{Limit, LimitExceeded, Limits};
pub use owned::{OwnedEvent, OwnedPayload};
pub use schema::{Field, KIND_FIELDS, KindFields};
pub use timestamp::{Timestamp, TimestampError};
pub use validate::{MAX_ID_BYTES, MAX_REGION_BYTES, ValidationError};
pub use view::{
    Attr, ClueFound, Event, InventoryItem, MatchEnded, MatchRequested, MatchStarted, Payload,
    PlayerJoined, PlayerLeft, PlayerMoved, Score, TreasureClaimed, Vec3,
};

/// Re-exported so users build arenas with the same `bumpalo` version.
pub use bumpalo;
