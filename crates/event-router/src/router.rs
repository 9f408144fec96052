//! The router: decodes a batch of frames into one arena, matches each event,
//! delivers it, accounts for it, and recycles the arena.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use bumpalo::Bump;
use event_decode::{DecodeError, Decoder};
use event_model::{Event, Kind};

use crate::config::Unmatched;
use crate::handler::{
    Context, DeadLetter, DeadLetterReason, DeadLetterSink, DiscardDeadLetters, Handler,
};
use crate::table::{HandlerId, RouteId, RouteTable};
use crate::{ConfigError, Counters, HandlerError};

/// The default [`RouterBuilder::arena_cap`]: 16 MiB.
pub const DEFAULT_ARENA_CAP: usize = 16 << 20;

/// The default [`RouterBuilder::arena_limit`]: 64 MiB. One event can never
/// make the arena hold more: past it the decoder gets a refused allocation
/// and the frame is rejected with a typed error.
pub const DEFAULT_ARENA_LIMIT: usize = 64 << 20;

/// What happened to one frame or event.
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

/// What to do after an event is rejected (a bad event, or `unmatched: error`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnReject {
    /// Stop the batch at the rejected frame and return [`Rejected`]; later
    /// frames are not touched or counted, so the caller may resubmit them.
    #[default]
    Stop,
    /// Count it, list its index in [`BatchReport::rejections`], and go on.
    Continue,
}

/// How one frame or event was handled, for explaining a run
/// (`veltrix route --explain`).
#[derive(Debug, Clone, Copy)]
pub struct Explanation<'b> {
    /// The 0-based index in the batch.
    pub index: usize,
    /// What happened.
    pub outcome: Outcome,
    /// The partition; `None` when the frame did not decode.
    pub partition: Option<u32>,
    /// The decoded event, if it decoded.
    pub event: Option<&'b Event<'b>>,
    /// The decode error, if it did not.
    pub error: Option<&'b DecodeError>,
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
    /// The event's 0-based index in the batch.
    pub index: usize,
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

/// What one batch did. `events == routed + dead_letter + dropped + rejected`.
#[derive(Debug, Default)]
pub struct BatchReport {
    /// Frames (or events) accounted for: the whole batch, unless it stopped at
    /// a rejection ([`OnReject::Stop`]).
    pub events: usize,
    /// Delivered to at least one handler.
    pub routed: usize,
    /// Unmatched and given to the dead-letter sink.
    pub dead_letter: usize,
    /// Dropped (`unmatched: drop`).
    pub dropped: usize,
    /// Rejected: bad events, and unmatched ones under `unmatched: error`.
    pub rejected: usize,
    /// Every handler error, in order (allocates only when there is one).
    pub handler_errors: Vec<HandlerFailure>,
    /// Indexes of rejected events under [`OnReject::Continue`].
    pub rejections: Vec<usize>,
}

/// Why an event was rejected.
#[derive(Debug, Clone)]
pub enum RejectCause {
    /// It did not decode or failed validation (or its frame could not be read).
    Bad(DecodeError),
    /// No route matched and the table says `unmatched: error`.
    Unmatched {
        /// Its kind.
        kind: Kind,
        /// Its id.
        id: String,
    },
}

impl fmt::Display for RejectCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectCause::Bad(e) => write!(f, "{e}"),
            RejectCause::Unmatched { kind, id } => write!(
                f,
                "kind {kind}, id {id:?}: no route matched and the table says `unmatched: error`"
            ),
        }
    }
}

/// A rejected event that stopped its batch ([`OnReject::Stop`]), with the
/// report of the batch up to and including it.
#[derive(Debug, thiserror::Error)]
#[error("event {index}: {cause}")]
pub struct Rejected {
    /// The rejected frame's 0-based index in the batch.
    pub index: usize,
    /// Why it was rejected.
    pub cause: RejectCause,
    /// The batch up to and including the rejected frame; later frames were
    /// not touched.
    pub report: Box<BatchReport>,
}

/// The arena's state, to watch memory come back after a spike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArenaStats {
    /// Bytes the arena holds now (its chunks' capacity).
    pub allocated_bytes: usize,
    /// The cap above which the arena is replaced (checked after each event).
    pub cap: usize,
    /// The most the arena may ever hold ([`RouterBuilder::arena_limit`]).
    pub limit: usize,
    /// How many times it was replaced.
    pub replacements: u64,
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
/// `to` lists use, optionally a dead-letter sink and an arena cap.
///
/// [`build`](Self::build) fails on a table handler with no registration
/// ([`ConfigError::UnknownHandler`]), on a registration no route names
/// ([`ConfigError::UnusedHandler`]: it would never run, almost always a typo)
/// and on a name registered twice.
pub struct RouterBuilder {
    table: RouteTable,
    handlers: Vec<(String, Box<dyn Slot>)>,
    dead_letters: Box<dyn DeadLetterSink>,
    arena_cap: usize,
    arena_limit: usize,
    on_reject: OnReject,
}

impl fmt::Debug for RouterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouterBuilder")
            .field("table", &self.table)
            .field(
                "handlers",
                &self.handlers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("arena_cap", &self.arena_cap)
            .field("arena_limit", &self.arena_limit)
            .field("on_reject", &self.on_reject)
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

    /// After an event that left the arena holding more than `bytes`, the
    /// arena is replaced by an empty one, so a spike's memory goes back to
    /// the system and a batch never grows it without limit. Default
    /// [`DEFAULT_ARENA_CAP`].
    pub fn arena_cap(mut self, bytes: usize) -> Self {
        self.arena_cap = bytes;
        self
    }

    /// The most the arena may hold at once (bumpalo's allocation limit).
    /// An event that would need more is rejected with a typed
    /// [`Category::OutOfMemory`](event_decode::Category::OutOfMemory) error
    /// instead of aborting the process. Default [`DEFAULT_ARENA_LIMIT`].
    pub fn arena_limit(mut self, bytes: usize) -> Self {
        self.arena_limit = bytes;
        self
    }

    /// What a rejection does to the rest of its batch (default [`OnReject::Stop`]).
    pub fn on_reject(mut self, policy: OnReject) -> Self {
        self.on_reject = policy;
        self
    }

    /// Checks the registrations against the table and builds the router.
    pub fn build(self) -> Result<Router, ConfigError> {
        let RouterBuilder {
            table,
            handlers,
            dead_letters,
            arena_cap,
            arena_limit,
            on_reject,
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
        let core = Core {
            matched: Vec::with_capacity(table.routes().len()),
            targets: Vec::with_capacity(ordered.len()),
            seen: vec![false; ordered.len()],
            handlers: ordered,
            dead_letters,
            counters,
            on_reject,
            table,
        };
        Ok(Router {
            core,
            arena: limited_arena(arena_limit),
            arena_cap,
            arena_limit,
            replacements: 0,
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

fn limited_arena(limit: usize) -> Bump {
    let arena = Bump::new();
    arena.set_allocation_limit(Some(limit));
    arena
}

/// Routes batches of frames to handlers (SPEC section 4).
///
/// Each batch is decoded into one arena, which is reset afterwards (or
/// replaced after a spike past the cap). Events are processed in input
/// order and delivered synchronously, so every handler sees the events of a
/// partition in input order. Once warmed up, routing a batch allocates
/// nothing on the heap unless a handler, sink or decoder does (a frame that
/// fails to decode costs its boxed [`DecodeError`]; a handler error or a
/// rejection costs its report entry).
///
/// A router is single-threaded: handlers need not be `Send`. To use several
/// cores, run one router per core over disjoint sets of partitions.
pub struct Router {
    core: Core,
    arena: Bump,
    arena_cap: usize,
    arena_limit: usize,
    replacements: u64,
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("table", &self.core.table)
            .field("counters", &self.core.counters)
            .field("arena", &self.arena_stats())
            .finish_non_exhaustive()
    }
}

/// Everything but the arena, so that events borrowed from the arena can be
/// dispatched while the rest is mutated.
struct Core {
    table: RouteTable,
    handlers: Vec<Box<dyn Slot>>,
    dead_letters: Box<dyn DeadLetterSink>,
    counters: Counters,
    on_reject: OnReject,
    // Per-event scratch, allocated once at build time.
    matched: Vec<RouteId>,
    targets: Vec<HandlerId>,
    seen: Vec<bool>,
}

impl Router {
    /// Starts building a router for `table`.
    pub fn builder(table: RouteTable) -> RouterBuilder {
        RouterBuilder {
            table,
            handlers: Vec::new(),
            dead_letters: Box::new(DiscardDeadLetters),
            arena_cap: DEFAULT_ARENA_CAP,
            arena_limit: DEFAULT_ARENA_LIMIT,
            on_reject: OnReject::Stop,
        }
    }

    /// The routing table.
    pub fn table(&self) -> &RouteTable {
        &self.core.table
    }

    /// Totals since the router was built.
    pub fn counters(&self) -> &Counters {
        &self.core.counters
    }

    /// The arena's size, cap and replacement count.
    pub fn arena_stats(&self) -> ArenaStats {
        ArenaStats {
            allocated_bytes: self.arena.allocated_bytes(),
            cap: self.arena_cap,
            limit: self.arena_limit,
            replacements: self.replacements,
        }
    }

    /// The handler registered as `name`, if it is an `H`.
    pub fn handler<H: Handler + 'static>(&self, name: &str) -> Option<&H> {
        let id = self.core.table.handler_id(name)?;
        self.core
            .handlers
            .get(usize::from(id))?
            .as_any()
            .downcast_ref()
    }

    /// The handler registered as `name`, mutably, if it is an `H`.
    pub fn handler_mut<H: Handler + 'static>(&mut self, name: &str) -> Option<&mut H> {
        let id = self.core.table.handler_id(name)?;
        self.core
            .handlers
            .get_mut(usize::from(id))?
            .as_any_mut()
            .downcast_mut()
    }

    /// Decodes and routes a batch of frames (one event each).
    ///
    /// Frames that fail to decode or validate are rejected: counted in
    /// [`Counters::rejected`], and given to the dead-letter sink with their
    /// bytes and the [`DecodeError`] so that nothing is lost. With
    /// [`OnReject::Stop`], the batch stops at the first rejected frame (a bad
    /// one, or an unmatched one under `unmatched: error`) and returns
    /// [`Rejected`]; frames after it are neither routed nor counted.
    pub fn route_batch<D: Decoder + ?Sized>(
        &mut self,
        decoder: &mut D,
        frames: &[&[u8]],
    ) -> Result<BatchReport, Rejected> {
        self.route_batch_explained(decoder, frames, |_: &Explanation<'_>| {})
    }

    /// [`route_batch`](Self::route_batch), calling `observe` once per frame
    /// with its outcome, routes, handlers and partition.
    pub fn route_batch_explained<D, O>(
        &mut self,
        decoder: &mut D,
        frames: &[&[u8]],
        mut observe: O,
    ) -> Result<BatchReport, Rejected>
    where
        D: Decoder + ?Sized,
        O: FnMut(&Explanation<'_>),
    {
        let mut report = BatchReport::default();
        let mut stopped = None;
        for (index, raw) in frames.iter().enumerate() {
            let decoded = decoder.decode(raw, &self.arena);
            let verdict =
                self.core
                    .dispatch(index, raw, decoded, &self.arena, &mut report, &mut observe);
            // Bound the arena per event, not per batch: a batch of events
            // that each fill the arena up to its limit never adds up.
            self.bound_arena();
            if let Some(r) = verdict {
                stopped = Some(r);
                break;
            }
        }
        self.end_batch();
        finish(report, stopped)
    }

    /// Accounts for a frame that never reached a decoder because the stream
    /// could not deliver it (an oversize frame, say): it is rejected, and
    /// the dead-letter sink receives `raw` (what could be kept of it, often
    /// nothing) with the error. Returns [`Rejected`] under [`OnReject::Stop`].
    pub fn reject_frame(
        &mut self,
        index: usize,
        raw: &[u8],
        error: DecodeError,
    ) -> Result<BatchReport, Rejected> {
        self.reject_frame_explained(index, raw, error, |_: &Explanation<'_>| {})
    }

    /// [`reject_frame`](Self::reject_frame) with an observer.
    pub fn reject_frame_explained<O: FnMut(&Explanation<'_>)>(
        &mut self,
        index: usize,
        raw: &[u8],
        error: DecodeError,
        mut observe: O,
    ) -> Result<BatchReport, Rejected> {
        let mut report = BatchReport::default();
        let stopped = self.core.dispatch(
            index,
            raw,
            Err(error),
            &self.arena,
            &mut report,
            &mut observe,
        );
        finish(report, stopped)
    }

    /// Routes events that are already decoded (dead letters then carry no
    /// raw bytes). Handlers still get the router's arena for scratch.
    pub fn route_events(&mut self, events: &[Event<'_>]) -> Result<BatchReport, Rejected> {
        self.route_events_explained(events, |_: &Explanation<'_>| {})
    }

    /// [`route_events`](Self::route_events) with an observer.
    pub fn route_events_explained<O>(
        &mut self,
        events: &[Event<'_>],
        mut observe: O,
    ) -> Result<BatchReport, Rejected>
    where
        O: FnMut(&Explanation<'_>),
    {
        let mut report = BatchReport::default();
        let mut stopped = None;
        for (index, event) in events.iter().enumerate() {
            let verdict = self.core.dispatch(
                index,
                &[],
                Ok(*event),
                &self.arena,
                &mut report,
                &mut observe,
            );
            self.bound_arena();
            if let Some(r) = verdict {
                stopped = Some(r);
                break;
            }
        }
        self.end_batch();
        finish(report, stopped)
    }

    /// Replaces the arena once an event left it holding more than the cap,
    /// so a spike's memory goes back to the system at once.
    fn bound_arena(&mut self) {
        if self.arena.allocated_bytes() > self.arena_cap {
            self.arena = limited_arena(self.arena_limit);
            self.replacements += 1;
        }
    }

    /// Recycles the arena after a batch: reset (it keeps its largest chunk,
    /// at most the cap, so the next batch allocates nothing).
    fn end_batch(&mut self) {
        self.bound_arena();
        self.arena.reset();
    }
}

fn finish(
    report: BatchReport,
    stopped: Option<(usize, RejectCause)>,
) -> Result<BatchReport, Rejected> {
    match stopped {
        None => Ok(report),
        Some((index, cause)) => Err(Rejected {
            index,
            cause,
            report: Box::new(report),
        }),
    }
}

impl Core {
    /// Accounts for and delivers one frame. Returns the rejected event's
    /// index and cause when the batch must stop.
    fn dispatch<O: FnMut(&Explanation<'_>)>(
        &mut self,
        index: usize,
        raw: &[u8],
        decoded: Result<Event<'_>, DecodeError>,
        arena: &Bump,
        report: &mut BatchReport,
        observe: &mut O,
    ) -> Option<(usize, RejectCause)> {
        let Core {
            table,
            handlers,
            dead_letters,
            counters,
            on_reject,
            matched,
            targets,
            seen,
        } = self;
        counters.events += 1;
        report.events += 1;
        let event = match decoded {
            Ok(event) => event,
            Err(error) => {
                // A bad event is rejected (SPEC section 4); the sink still
                // gets its bytes and error so that nothing is lost.
                counters.rejected += 1;
                counters.decode_errors += 1;
                report.rejected += 1;
                dead_letters.dead_letter(&DeadLetter {
                    index,
                    raw,
                    reason: DeadLetterReason::Decode(&error),
                });
                observe(&Explanation {
                    index,
                    outcome: Outcome::Rejected,
                    partition: None,
                    event: None,
                    error: Some(&error),
                    handler_errors: 0,
                    routes: &[],
                    handlers: &[],
                    table,
                });
                return match on_reject {
                    OnReject::Stop => Some((index, RejectCause::Bad(error))),
                    OnReject::Continue => {
                        report.rejections.push(index);
                        None
                    }
                };
            }
        };

        matched.clear();
        targets.clear();
        for (rid, route) in table.routes().iter().enumerate() {
            if route.matches(&event) {
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
        let partition = table.partition_of(&event);

        let outcome = if targets.is_empty() {
            match table.unmatched() {
                Unmatched::DeadLetter => {
                    counters.dead_letter += 1;
                    report.dead_letter += 1;
                    dead_letters.dead_letter(&DeadLetter {
                        index,
                        raw,
                        reason: DeadLetterReason::Unmatched(&event),
                    });
                    Outcome::DeadLetter
                }
                Unmatched::Drop => {
                    counters.dropped += 1;
                    report.dropped += 1;
                    Outcome::Dropped
                }
                Unmatched::Error => {
                    counters.rejected += 1;
                    report.rejected += 1;
                    Outcome::Rejected
                }
            }
        } else {
            counters.routed += 1;
            report.routed += 1;
            counters.partitions[partition as usize] += 1;
            Outcome::Routed
        };

        let mut errors = 0;
        if outcome == Outcome::Routed {
            let ctx = Context {
                index,
                partition,
                routes: matched,
                table,
                arena,
            };
            for &h in targets.iter() {
                let h = usize::from(h);
                counters.handlers[h] += 1;
                if let Err(error) = handlers[h].handle(&event, &ctx) {
                    counters.handler_errors[h] += 1;
                    errors += 1;
                    report.handler_errors.push(HandlerFailure {
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
            event: Some(&event),
            error: None,
            handler_errors: errors,
            routes: matched,
            handlers: targets,
            table,
        });
        if outcome == Outcome::Rejected {
            match on_reject {
                OnReject::Stop => {
                    return Some((
                        index,
                        RejectCause::Unmatched {
                            kind: event.kind(),
                            id: event.id.to_owned(),
                        },
                    ));
                }
                OnReject::Continue => report.rejections.push(index),
            }
        }
        None
    }
}
