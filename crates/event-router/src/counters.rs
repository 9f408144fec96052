//! Running totals of everything the router did.

use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// Totals since the router was built. Every frame or event given to the
/// router counts once in `events` and once in exactly one of `routed`,
/// `dead_letter`, `dropped` or `rejected`.
///
/// Serializes as the JSON summary of `veltrix route` (SPEC section 5),
/// exactly its keys in order: `events`, `routed`, `dead_letter`, `dropped`,
/// `rejected`, `routes` (name → events matched), `handlers` (name → events
/// delivered) and `partitions` (a list: routed events per partition).
/// Handler errors are counted apart ([`Counters::per_handler_errors`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counters {
    pub(crate) events: u64,
    pub(crate) routed: u64,
    pub(crate) dead_letter: u64,
    pub(crate) decode_errors: u64,
    pub(crate) dropped: u64,
    pub(crate) rejected: u64,
    pub(crate) routes: Box<[u64]>,
    pub(crate) handlers: Box<[u64]>,
    pub(crate) handler_errors: Box<[u64]>,
    pub(crate) partitions: Box<[u64]>,
    pub(crate) route_names: Arc<[Box<str>]>,
    pub(crate) handler_names: Arc<[Box<str>]>,
}

impl Counters {
    pub(crate) fn new(
        route_names: Arc<[Box<str>]>,
        handler_names: Arc<[Box<str>]>,
        partitions: u32,
    ) -> Self {
        Counters {
            events: 0,
            routed: 0,
            dead_letter: 0,
            decode_errors: 0,
            dropped: 0,
            rejected: 0,
            routes: vec![0; route_names.len()].into(),
            handlers: vec![0; handler_names.len()].into(),
            handler_errors: vec![0; handler_names.len()].into(),
            partitions: vec![0; partitions as usize].into(),
            route_names,
            handler_names,
        }
    }

    /// Frames (or events) seen.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Events delivered to at least one handler.
    pub fn routed(&self) -> u64 {
        self.routed
    }

    /// Unmatched events given to the dead-letter sink under
    /// `unmatched: dead_letter`.
    pub fn dead_letter(&self) -> u64 {
        self.dead_letter
    }

    /// The part of [`Self::rejected`] that failed to decode or validate, or
    /// whose frame could not be read.
    pub fn decode_errors(&self) -> u64 {
        self.decode_errors
    }

    /// Unmatched events dropped under `unmatched: drop`.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Rejected events: bad ones (see [`Self::decode_errors`]) plus
    /// unmatched ones under `unmatched: error`.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Events matched per route, indexed by route id.
    pub fn per_route(&self) -> &[u64] {
        &self.routes
    }

    /// Events delivered per handler, indexed by handler id.
    pub fn per_handler(&self) -> &[u64] {
        &self.handlers
    }

    /// Handler errors per handler, indexed by handler id.
    pub fn per_handler_errors(&self) -> &[u64] {
        &self.handler_errors
    }

    /// Routed events per partition.
    pub fn per_partition(&self) -> &[u64] {
        &self.partitions
    }

    /// Events matched by route `name` (`None`: no such route).
    pub fn route(&self, name: &str) -> Option<u64> {
        let i = self.route_names.iter().position(|n| **n == *name)?;
        self.routes.get(i).copied()
    }

    /// Events delivered to handler `name` (`None`: no such handler).
    pub fn handler(&self, name: &str) -> Option<u64> {
        let i = self.handler_names.iter().position(|n| **n == *name)?;
        self.handlers.get(i).copied()
    }

    /// Errors returned by handler `name` (`None`: no such handler).
    pub fn handler_errors(&self, name: &str) -> Option<u64> {
        let i = self.handler_names.iter().position(|n| **n == *name)?;
        self.handler_errors.get(i).copied()
    }

    /// `(route name, events matched)`, in route order.
    pub fn routes(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.route_names
            .iter()
            .map(|n| &**n)
            .zip(self.routes.iter().copied())
    }

    /// `(handler name, events delivered)`, in handler id order.
    pub fn handlers(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.handler_names
            .iter()
            .map(|n| &**n)
            .zip(self.handlers.iter().copied())
    }
}

struct Named<'a>(&'a [Box<str>], &'a [u64]);

impl Serialize for Named<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, n) in self.0.iter().zip(self.1) {
            map.serialize_entry(&**name, n)?;
        }
        map.end()
    }
}

impl Serialize for Counters {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(8))?;
        map.serialize_entry("events", &self.events)?;
        map.serialize_entry("routed", &self.routed)?;
        map.serialize_entry("dead_letter", &self.dead_letter)?;
        map.serialize_entry("dropped", &self.dropped)?;
        map.serialize_entry("rejected", &self.rejected)?;
        map.serialize_entry("routes", &Named(&self.route_names, &self.routes))?;
        map.serialize_entry("handlers", &Named(&self.handler_names, &self.handlers))?;
        map.serialize_entry("partitions", &self.partitions)?;
        map.end()
    }
}
