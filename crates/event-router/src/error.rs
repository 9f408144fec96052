//! Errors of the router: configuration and handlers.

use crate::table::{MAX_HANDLERS, MAX_PARTITIONS, MAX_ROUTE_HANDLERS, MAX_ROUTES};

/// A routing table or router configuration that cannot be used. Each
/// message names the route (by name, or by position when it has none) and
/// the field. (Reading the table's file, and its YAML errors with line and
/// column, belong to whoever parses it.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `partitions` outside `1..=4096`.
    #[error("partitions: {value} is out of range (expected 1..={MAX_PARTITIONS})")]
    Partitions {
        /// The value given.
        value: u64,
    },
    /// More routes than route ids can number.
    #[error("routes: {count} routes is more than the {MAX_ROUTES} supported")]
    TooManyRoutes {
        /// How many were given.
        count: usize,
    },
    /// More distinct handler names than handler ids can number.
    #[error("routes: {count} distinct handlers is more than the {MAX_HANDLERS} supported")]
    TooManyHandlers {
        /// How many were seen.
        count: usize,
    },
    /// A route with an empty `name`.
    #[error("route {index}: name: must not be empty")]
    EmptyRouteName {
        /// 0-based position of the route.
        index: usize,
    },
    /// Two routes with the same name.
    #[error("route {route:?}: name: duplicate route name (routes {first} and {index})")]
    DuplicateRoute {
        /// The name used twice.
        route: String,
        /// 0-based position of the second use.
        index: usize,
        /// 0-based position of the first use.
        first: usize,
    },
    /// A `when.kind` entry that is not a kind.
    #[error("route {route:?}: when.kind: unknown kind {kind:?} (expected one of: {names})", names = event_model::Kind::NAMES)]
    UnknownKind {
        /// The route.
        route: String,
        /// The unknown name.
        kind: String,
    },
    /// An empty condition list, which would match nothing.
    #[error(
        "route {route:?}: when.{field}: empty, so the route could never match (omit `{field}` to accept any)"
    )]
    EmptyCondition {
        /// The route.
        route: String,
        /// `kind`, `region` or `attrs`.
        field: &'static str,
    },
    /// A `to` list that is empty or too long.
    #[error("route {route:?}: to: {count} handlers (expected 1..={MAX_ROUTE_HANDLERS})")]
    HandlerCount {
        /// The route.
        route: String,
        /// How many were given.
        count: usize,
    },
    /// An empty handler name in a `to` list.
    #[error("route {route:?}: to: handler names must not be empty")]
    EmptyHandlerName {
        /// The route.
        route: String,
    },
    /// The same handler twice in one `to` list.
    #[error("route {route:?}: to: handler {handler:?} is listed twice")]
    DuplicateHandler {
        /// The route.
        route: String,
        /// The handler.
        handler: String,
    },
    /// A handler named in the table that was not registered with the router.
    #[error("route {route:?}: to: unknown handler {handler:?} (registered: {registered})")]
    UnknownHandler {
        /// The first route that names it.
        route: String,
        /// The handler.
        handler: String,
        /// The registered names, comma-separated (`none` when empty).
        registered: String,
    },
    /// A handler registered under a name that no route sends to: it would
    /// never run, which is almost always a typo.
    #[error(
        "handler {handler:?}: registered but no route's `to` names it (table handlers: {known})"
    )]
    UnusedHandler {
        /// The registered name.
        handler: String,
        /// The table's handler names, comma-separated.
        known: String,
    },
    /// Two handlers registered under one name.
    #[error("handler {handler:?}: registered twice")]
    DuplicateRegistration {
        /// The name.
        handler: String,
    },
}

impl ConfigError {
    /// The route the error is about, when there is one by name.
    pub fn route(&self) -> Option<&str> {
        match self {
            ConfigError::DuplicateRoute { route, .. }
            | ConfigError::UnknownKind { route, .. }
            | ConfigError::EmptyCondition { route, .. }
            | ConfigError::HandlerCount { route, .. }
            | ConfigError::EmptyHandlerName { route }
            | ConfigError::DuplicateHandler { route, .. }
            | ConfigError::UnknownHandler { route, .. } => Some(route),
            _ => None,
        }
    }
}

/// What a handler returns when it could not process an event. It does not
/// stop delivery to other handlers; the router reports it with the
/// handler's name and the event's index.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct HandlerError(Box<dyn std::error::Error + Send + Sync + 'static>);

impl HandlerError {
    /// Wraps any error (or a message: `HandlerError::new("queue full")`).
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        HandlerError(error.into())
    }

    /// The underlying error.
    pub fn source_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}
