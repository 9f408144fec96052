//! The router: matches each event against the table, delivers it to its
//! handlers, and accounts for it. It does not decode: a pipeline above it
//! (decoding frames into an arena) hands it events, and the frames that
//! would not decode as rejections.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::sync::Arc;

use event_model::Event;

use crate::config::Unmatched;
use crate::handler::{
    Context, DeadLetter, DeadLetterReason, DeadLetterSink, DiscardDeadLetters, Handler,
};
use crate::table::{HandlerId, RouteId, RouteTable};
use crate::{ConfigError, Counters, HandlerError};

/// What happened to one event or frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Delivered to at least one handler.
    Routed,
    /// Unmatched and given to the dead-letter sink (`unmatched: dead_letter`).
    DeadLetter,
    /// Unmatched and dropped (`unmatched: drop`).
    Dropped,
    /// A bad event (it did not decode, failed validation, or its frame could
    /// not be read), or an unmatched one under `unmatched: error`. The
    /// dead-letter sink still receives a bad event's bytes and error.
    Rejected,
}

impl Outcome {
    /// `routed`, `dead_letter`, `dropped` or `rejected`.
    pub const fn name(self) -> &'static str {
        match self {
            Outcome::Routed => "routed",
            Outcome::DeadLetter => "dead_letter",
            Outcome::Dropped => "dropped",
            Outcome::Rejected => "rejected",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How one event or frame was handled, for explaining a run
/// (`veltrix route --explain`).
#[derive(Debug, Clone, Copy)]
pub struct Explanation<'b> {
    /// The 0-based number of the event or frame since the router was built.
    pub index: u64,
    /// What happened.
    pub outcome: Outcome,
    /// The partition; `None` for a frame that did not decode.
    pub partition: Option<u32>,
    /// The event, when there is one.
    pub event: Option<&'b Event<'b>>,
    /// Why the frame was bad, when it was.
    pub error: Option<&'b (dyn Error + 'static)>,
    /// Handler errors this event caused.
    pub handler_errors: usize,
    routes: &'b [RouteId],
    handlers: &'b [HandlerId],
    table: &'b RouteTable,
}

impl<'b> Explanation<'b> {
    /// The ids of the matched routes, in route order.
    pub fn route_ids(&self) -> &'b [RouteId] {
        self.routes
    }

    /// The names of the matched routes, in route order.
    pub fn route_names(&self) -> impl ExactSizeIterator<Item = &'b str> + 'b {
        let table = self.table;
        self.routes
            .iter()
            .map(move |&r| table.routes()[usize::from(r)].name())
    }

    /// The ids of the handlers the event was delivered to, in delivery order.
    pub fn handler_ids(&self) -> &'b [HandlerId] {
        self.handlers
    }

    /// The names of the handlers the event was delivered to, in delivery order.
    pub fn handler_names(&self) -> impl ExactSizeIterator<Item = &'b str> + 'b {
        let table = self.table;
        self.handlers
            .iter()
            .map(move |&h| &*table.handler_names()[usize::from(h)])
    }
}

/// A handler's failure on one event.
#[derive(Debug)]
pub struct HandlerFailure {
    /// The event's 0-based number since the router was built.
    pub index: u64,
    /// The handler's name.
    pub handler: String,
    /// What it returned.
    pub error: HandlerError,
}

impl fmt::Display for HandlerFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "event {}: handler {:?}: {}",
            self.index, self.handler, self.error
        )
    }
}

/// A handler stored with enough type information to be found again.
trait Slot {
    fn handle(&mut self, event: &Event<'_>, ctx: &Context<'_>) -> Result<(), HandlerError>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<H: Handler + 'static> Slot for H {
    fn handle(&mut self, event: &Event<'_>, ctx: &Context<'_>) -> Result<(), HandlerError> {
        Handler::handle(self, event, ctx)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Builds a [`Router`]: register a handler under every name the table's
/// `to` lists use, and optionally a dead-letter sink.
///
/// [`build`](Self::build) fails on a table handler with no registration
/// ([`ConfigError::UnknownHandler`]), on a registration no route names
/// ([`ConfigError::UnusedHandler`]: it would never run, almost always a typo)
/// and on a name registered twice.
pub struct RouterBuilder {
    table: RouteTable,
    handlers: Vec<(String, Box<dyn Slot>)>,
    dead_letters: Box<dyn DeadLetterSink>,
}

impl fmt::Debug for RouterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouterBuilder")
            .field("table", &self.table)
            .field(
                "handlers",
                &self.handlers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl RouterBuilder {
    /// Registers `handler` under `name`.
    pub fn handler(mut self, name: impl Into<String>, handler: impl Handler + 'static) -> Self {
        self.handlers.push((name.into(), Box::new(handler)));
        self
    }

    /// Registers a closure under `name` (its argument types are inferred).
    pub fn handler_fn<F>(self, name: impl Into<String>, f: F) -> Self
    where
        F: FnMut(&Event<'_>, &Context<'_>) -> Result<(), HandlerError> + 'static,
    {
        self.handler(name, f)
    }

    /// Sets the dead-letter sink (default: [`DiscardDeadLetters`]).
    pub fn dead_letter(mut self, sink: impl DeadLetterSink + 'static) -> Self {
        self.dead_letters = Box::new(sink);
        self
    }

    /// Sets a closure as the dead-letter sink (its argument type is inferred).
    pub fn dead_letter_fn<F>(self, f: F) -> Self
    where
        F: FnMut(&DeadLetter<'_>) + 'static,
    {
        self.dead_letter(f)
    }

    /// Checks the registrations against the table and builds the router.
    pub fn build(self) -> Result<Router, ConfigError> {
        let RouterBuilder {
            table,
            handlers,
            dead_letters,
        } = self;
        let mut registered_names = std::collections::HashSet::with_capacity(handlers.len());
        for (name, _) in &handlers {
            if !registered_names.insert(name.as_str()) {
                return Err(ConfigError::DuplicateRegistration {
                    handler: name.clone(),
                });
            }
            if table.handler_id(name).is_none() {
                return Err(ConfigError::UnusedHandler {
                    handler: name.clone(),
                    known: join(table.handler_names().iter().map(|n| &**n)),
                });
            }
        }
        let mut slots: Vec<Option<Box<dyn Slot>>> =
            (0..table.handler_names().len()).map(|_| None).collect();
        drop(registered_names);
        let registered = join(handlers.iter().map(|(n, _)| n.as_str()));
        for (name, slot) in handlers {
            if let Some(id) = table.handler_id(&name) {
                slots[usize::from(id)] = Some(slot);
            }
        }
        let mut ordered = Vec::with_capacity(slots.len());
        for (id, slot) in slots.into_iter().enumerate() {
            match slot {
                Some(slot) => ordered.push(slot),
                None => {
                    let handler = table.handler_names()[id].to_string();
                    let route = table
                        .routes()
                        .iter()
                        .find(|r| r.handlers().iter().any(|&h| usize::from(h) == id))
                        .map(|r| r.name().to_owned())
                        .unwrap_or_default();
                    return Err(ConfigError::UnknownHandler {
                        route,
                        handler,
                        registered,
                    });
                }
            }
        }
        let route_names: Arc<[Box<str>]> = table.route_names().map(Box::from).collect();
        let handler_names: Arc<[Box<str>]> = table.handler_names().iter().cloned().collect();
        let counters = Counters::new(route_names, handler_names, table.partitions());
        Ok(Router {
            matched: Vec::with_capacity(table.routes().len()),
            targets: Vec::with_capacity(ordered.len()),
            seen: vec![false; ordered.len()],
            failures: Vec::new(),
            handlers: ordered,
            dead_letters,
            counters,
            table,
        })
    }
}

fn join<'a>(names: impl Iterator<Item = &'a str>) -> String {
    // Names come from the table file: quoted and escaped, like every
    // echoed piece of input.
    let all: Vec<String> = names.map(|n| format!("{n:?}")).collect();
    if all.is_empty() {
        "none".to_owned()
    } else {
        all.join(", ")
    }
}

/// Routes events to handlers (SPEC section 4), one at a time.
///
/// [`route`](Self::route) matches an event against the table, delivers it
/// synchronously to each handler of the matched routes (in route order,
/// each handler once) and counts it; [`reject`](Self::reject) accounts for
/// a frame that did not give an event. Every call counts once in
/// [`Counters`], the one tally. Routing allocates nothing on the heap
/// unless a handler or sink does (a handler error costs its
/// [`HandlerFailure`]).
///
/// A router is single-threaded: handlers need not be `Send`. To use several
/// cores, run one router per core over disjoint sets of partitions.
pub struct Router {
    table: RouteTable,
    handlers: Vec<Box<dyn Slot>>,
    dead_letters: Box<dyn DeadLetterSink>,
    counters: Counters,
    failures: Vec<HandlerFailure>,
    // Per-event scratch, allocated once at build time.
    matched: Vec<RouteId>,
    targets: Vec<HandlerId>,
    seen: Vec<bool>,
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("table", &self.table)
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

impl Router {
    /// Starts building a router for `table`.
    pub fn builder(table: RouteTable) -> RouterBuilder {
        RouterBuilder {
            table,
            handlers: Vec::new(),
            dead_letters: Box::new(DiscardDeadLetters),
        }
    }

    /// The routing table.
    pub fn table(&self) -> &RouteTable {
        &self.table
    }

    /// Totals since the router was built.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// The handler registered as `name`, if it is an `H`.
    pub fn handler<H: Handler + 'static>(&self, name: &str) -> Option<&H> {
        let id = self.table.handler_id(name)?;
        self.handlers.get(usize::from(id))?.as_any().downcast_ref()
    }

    /// The handler registered as `name`, mutably, if it is an `H`.
    pub fn handler_mut<H: Handler + 'static>(&mut self, name: &str) -> Option<&mut H> {
        let id = self.table.handler_id(name)?;
        self.handlers
            .get_mut(usize::from(id))?
            .as_any_mut()
            .downcast_mut()
    }

    /// Routes one event: matches it, delivers it, counts it.
    ///
    /// An unmatched event goes to the dead-letter sink, is dropped, or is
    /// rejected, as the table's `unmatched` says. Handler errors do not stop
    /// delivery to the other handlers; they are counted
    /// ([`Counters::per_handler_errors`]) and kept until the next call
    /// ([`handler_failures`](Self::handler_failures)).
    pub fn route(&mut self, event: &Event<'_>) -> Outcome {
        self.dispatch(&[], Ok(event), &mut |_: &Explanation<'_>| {})
    }

    /// [`route`](Self::route) for an event decoded from `raw`: a dead
    /// letter keeps those bytes, and `observe` is called once with the
    /// outcome, routes, handlers and partition.
    pub fn route_frame<O: FnMut(&Explanation<'_>)>(
        &mut self,
        raw: &[u8],
        event: &Event<'_>,
        mut observe: O,
    ) -> Outcome {
        self.dispatch(raw, Ok(event), &mut observe)
    }

    /// Accounts for a frame that gave no event: it did not decode, failed
    /// validation, or the stream could not deliver it. It is rejected
    /// (counted in [`Counters::rejected`] and [`Counters::decode_errors`]),
    /// and the dead-letter sink receives `raw` (what could be kept of it,
    /// perhaps nothing) with `error`, so that nothing is lost.
    pub fn reject(&mut self, raw: &[u8], error: &(dyn Error + 'static)) -> Outcome {
        self.dispatch(raw, Err(error), &mut |_: &Explanation<'_>| {})
    }

    /// [`reject`](Self::reject) with an observer.
    pub fn reject_frame<O: FnMut(&Explanation<'_>)>(
        &mut self,
        raw: &[u8],
        error: &(dyn Error + 'static),
        mut observe: O,
    ) -> Outcome {
        self.dispatch(raw, Err(error), &mut observe)
    }

    /// The handler errors of the last event routed, in delivery order
    /// (cleared by the next call).
    pub fn handler_failures(&self) -> &[HandlerFailure] {
        &self.failures
    }

    /// Takes the handler errors of the last event routed.
    pub fn take_handler_failures(&mut self) -> std::vec::Drain<'_, HandlerFailure> {
        self.failures.drain(..)
    }

    /// Accounts for and delivers one event, or rejects one bad frame.
    fn dispatch(
        &mut self,
        raw: &[u8],
        event: Result<&Event<'_>, &(dyn Error + 'static)>,
        observe: &mut dyn FnMut(&Explanation<'_>),
    ) -> Outcome {
        let Router {
            table,
            handlers,
            dead_letters,
            counters,
            failures,
            matched,
            targets,
            seen,
        } = self;
        failures.clear();
        let index = counters.events;
        counters.events += 1;
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                // A bad event is rejected (SPEC section 4); the sink still
                // gets its bytes and error so that nothing is lost.
                counters.rejected += 1;
                counters.decode_errors += 1;
                dead_letters.dead_letter(&DeadLetter {
                    index,
                    raw,
                    reason: DeadLetterReason::Bad(error),
                });
                observe(&Explanation {
                    index,
                    outcome: Outcome::Rejected,
                    partition: None,
                    event: None,
                    error: Some(error),
                    handler_errors: 0,
                    routes: &[],
                    handlers: &[],
                    table,
                });
                return Outcome::Rejected;
            }
        };

        matched.clear();
        targets.clear();
        for (rid, route) in table.routes().iter().enumerate() {
            if route.matches(event) {
                counters.routes[rid] += 1;
                // Route count is checked to fit a RouteId when the table is built.
                matched.push(rid as RouteId);
                for &h in route.handlers() {
                    let slot = &mut seen[usize::from(h)];
                    if !*slot {
                        *slot = true;
                        targets.push(h);
                    }
                }
                if route.is_exclusive() {
                    break;
                }
            }
        }
        for &h in targets.iter() {
            seen[usize::from(h)] = false;
        }
        let partition = table.partition_of(event);

        let outcome = if targets.is_empty() {
            match table.unmatched() {
                Unmatched::DeadLetter => {
                    counters.dead_letter += 1;
                    dead_letters.dead_letter(&DeadLetter {
                        index,
                        raw,
                        reason: DeadLetterReason::Unmatched(event),
                    });
                    Outcome::DeadLetter
                }
                Unmatched::Drop => {
                    counters.dropped += 1;
                    Outcome::Dropped
                }
                Unmatched::Error => {
                    counters.rejected += 1;
                    Outcome::Rejected
                }
            }
        } else {
            counters.routed += 1;
            counters.partitions[partition as usize] += 1;
            Outcome::Routed
        };

        if outcome == Outcome::Routed {
            let ctx = Context {
                index,
                partition,
                routes: matched,
                table,
            };
            for &h in targets.iter() {
                let h = usize::from(h);
                counters.handlers[h] += 1;
                if let Err(error) = handlers[h].handle(event, &ctx) {
                    counters.handler_errors[h] += 1;
                    failures.push(HandlerFailure {
                        index,
                        handler: table.handler_names()[h].to_string(),
                        error,
                    });
                }
            }
        }
        observe(&Explanation {
            index,
            outcome,
            partition: Some(partition),
            event: Some(event),
            error: None,
            handler_errors: failures.len(),
            routes: matched,
            handlers: targets,
            table,
        });
        outcome
    }
}
