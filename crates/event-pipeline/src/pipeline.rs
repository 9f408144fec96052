//! Frames decoded into one bounded arena and fed to the router, a batch at
//! a time, with the policy for rejected frames.

use std::fmt;

use bumpalo::Bump;
use event_decode::{DecodeError, Decoder};
use event_model::{Event, Kind};
use event_router::{Counters, Explanation, HandlerFailure, Outcome, Router};

/// The default [`Pipeline::arena_cap`]: 16 MiB.
pub const DEFAULT_ARENA_CAP: usize = 16 << 20;

/// The default [`Pipeline::arena_limit`]: 64 MiB. One event can never make
/// the arena hold more: past it the decoder gets a refused allocation and
/// the frame is rejected with a typed error.
pub const DEFAULT_ARENA_LIMIT: usize = 64 << 20;

/// What to do after a frame is rejected (a bad event, or `unmatched: error`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnReject {
    /// Stop the batch at the rejected frame and return [`Rejected`]; later
    /// frames are not touched or counted, so the caller may resubmit them.
    #[default]
    Stop,
    /// Count it, list its index in [`BatchReport::rejections`], and go on.
    Continue,
}

/// What one batch did: the change in the router's [`Counters`] over the
/// batch, with the handler errors and rejections in it.
/// `events == routed + dead_letter + dropped + rejected`.
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
    /// Every handler error, in order, with the event's 0-based index in the
    /// batch (allocates only when there is one).
    pub handler_errors: Vec<HandlerFailure>,
    /// Indexes of rejected frames under [`OnReject::Continue`].
    pub rejections: Vec<usize>,
}

/// Why a frame was rejected.
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

/// A rejected frame that stopped its batch ([`OnReject::Stop`]), with the
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
    /// The most the arena may ever hold ([`Pipeline::arena_limit`]).
    pub limit: usize,
    /// How many times it was replaced.
    pub replacements: u64,
}

/// Decodes batches of frames into one arena and routes each event.
///
/// The arena is checked after every event: past [`arena_cap`](Self::arena_cap)
/// it is replaced, so a batch never makes it grow without limit, and it has
/// an allocation limit ([`arena_limit`](Self::arena_limit)) that turns a
/// runaway event into a typed error rather than an abort. After a batch it
/// is reset, keeping its largest chunk, so once warmed up a batch allocates
/// nothing on the heap unless a handler, sink or decoder does (a frame that
/// fails to decode costs its boxed [`DecodeError`]; a handler error or a
/// rejection costs its report entry).
///
/// Frames that fail to decode or validate are rejected: the router counts
/// them ([`Counters::rejected`], [`Counters::decode_errors`]) and its
/// dead-letter sink gets their bytes and the [`DecodeError`] (downcast
/// [`DeadLetterReason::Bad`](event_router::DeadLetterReason::Bad) to read its
/// position), so that nothing is lost.
pub struct Pipeline {
    pub(crate) router: Router,
    pub(crate) arena: Bump,
    arena_cap: usize,
    arena_limit: usize,
    replacements: u64,
    pub(crate) on_reject: OnReject,
}

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("router", &self.router)
            .field("arena", &self.arena_stats())
            .field("on_reject", &self.on_reject)
            .finish()
    }
}

/// The state of a batch: the counters when it started, for the report.
struct Start {
    events: u64,
    routed: u64,
    dead_letter: u64,
    dropped: u64,
    rejected: u64,
}

impl Start {
    fn of(c: &Counters) -> Start {
        Start {
            events: c.events(),
            routed: c.routed(),
            dead_letter: c.dead_letter(),
            dropped: c.dropped(),
            rejected: c.rejected(),
        }
    }

    /// The report's counts: the change in `c` since the start.
    fn fill(&self, c: &Counters, report: &mut BatchReport) {
        let delta = |now: u64, then: u64| (now - then) as usize;
        report.events = delta(c.events(), self.events);
        report.routed = delta(c.routed(), self.routed);
        report.dead_letter = delta(c.dead_letter(), self.dead_letter);
        report.dropped = delta(c.dropped(), self.dropped);
        report.rejected = delta(c.rejected(), self.rejected);
    }
}

impl Pipeline {
    /// A pipeline feeding `router`, with the default arena cap and limit and
    /// [`OnReject::Stop`].
    pub fn new(router: Router) -> Pipeline {
        Pipeline {
            router,
            arena: limited_arena(DEFAULT_ARENA_LIMIT),
            arena_cap: DEFAULT_ARENA_CAP,
            arena_limit: DEFAULT_ARENA_LIMIT,
            replacements: 0,
            on_reject: OnReject::Stop,
        }
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
        self.arena = limited_arena(bytes);
        self
    }

    /// What a rejection does to the rest of its batch (default [`OnReject::Stop`]).
    pub fn on_reject(mut self, policy: OnReject) -> Self {
        self.on_reject = policy;
        self
    }

    /// The router.
    pub fn router(&self) -> &Router {
        &self.router
    }

    /// The router, mutably (to reach its handlers).
    pub fn router_mut(&mut self) -> &mut Router {
        &mut self.router
    }

    /// The router, giving the pipeline up.
    pub fn into_router(self) -> Router {
        self.router
    }

    /// The router's totals: the one tally.
    pub fn counters(&self) -> &Counters {
        self.router.counters()
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

    /// Decodes and routes a batch of frames (one event each).
    ///
    /// With [`OnReject::Stop`], the batch stops at the first rejected frame
    /// (a bad one, or an unmatched one under `unmatched: error`) and returns
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
        let start = Start::of(self.router.counters());
        let mut report = BatchReport::default();
        let mut stopped = None;
        for (index, raw) in frames.iter().enumerate() {
            let verdict = match decoder.decode(raw, &self.arena) {
                Ok(event) => {
                    let outcome = self.router.route_frame(raw, &event, &mut observe);
                    after_event(
                        &mut self.router,
                        self.on_reject,
                        index,
                        outcome,
                        &event,
                        &mut report,
                    )
                }
                Err(error) => {
                    self.router.reject_frame(raw, &error, &mut observe);
                    after_bad(self.on_reject, index, error, &mut report)
                }
            };
            // Bound the arena per event, not per batch: a batch of events
            // that each fill the arena up to its limit never adds up.
            self.bound_arena();
            if let Some(r) = verdict {
                stopped = Some(r);
                break;
            }
        }
        self.end_batch();
        start.fill(self.router.counters(), &mut report);
        finish(report, stopped)
    }

    /// Accounts for a frame that never reached a decoder because the stream
    /// could not deliver it (an oversize frame, say): it is rejected, and
    /// the dead-letter sink receives `raw` (what could be kept of it, often
    /// nothing) with the error. `index` is the frame's place in its batch,
    /// for the report. Returns [`Rejected`] under [`OnReject::Stop`].
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
        observe: O,
    ) -> Result<BatchReport, Rejected> {
        let start = Start::of(self.router.counters());
        let mut report = BatchReport::default();
        self.router.reject_frame(raw, &error, observe);
        let stopped = after_bad(self.on_reject, index, error, &mut report);
        start.fill(self.router.counters(), &mut report);
        finish(report, stopped)
    }

    /// Routes events that are already decoded (dead letters then carry no
    /// raw bytes).
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
        let start = Start::of(self.router.counters());
        let mut report = BatchReport::default();
        let mut stopped = None;
        for (index, event) in events.iter().enumerate() {
            let outcome = self.router.route_frame(&[], event, &mut observe);
            if let Some(r) = after_event(
                &mut self.router,
                self.on_reject,
                index,
                outcome,
                event,
                &mut report,
            ) {
                stopped = Some(r);
                break;
            }
        }
        start.fill(self.router.counters(), &mut report);
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
    pub(crate) fn end_batch(&mut self) {
        self.bound_arena();
        self.arena.reset();
    }
}

/// Collects a routed event's handler errors; applies the policy to a
/// rejected one.
fn after_event(
    router: &mut Router,
    policy: OnReject,
    index: usize,
    outcome: Outcome,
    event: &Event<'_>,
    report: &mut BatchReport,
) -> Option<(usize, RejectCause)> {
    for mut failure in router.take_handler_failures() {
        failure.index = index as u64;
        report.handler_errors.push(failure);
    }
    if outcome != Outcome::Rejected {
        return None;
    }
    match policy {
        OnReject::Stop => Some((
            index,
            RejectCause::Unmatched {
                kind: event.kind(),
                id: event.id.to_owned(),
            },
        )),
        OnReject::Continue => {
            report.rejections.push(index);
            None
        }
    }
}

/// Applies the policy to a bad frame.
fn after_bad(
    policy: OnReject,
    index: usize,
    error: DecodeError,
    report: &mut BatchReport,
) -> Option<(usize, RejectCause)> {
    match policy {
        OnReject::Stop => Some((index, RejectCause::Bad(error))),
        OnReject::Continue => {
            report.rejections.push(index);
            None
        }
    }
}

fn limited_arena(limit: usize) -> Bump {
    let arena = Bump::new();
    arena.set_allocation_limit(Some(limit));
    arena
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
