//! The router's thread: it owns the pipeline (router, arena, handlers), the
//! dedupe window and the dead-letter file, and takes jobs from one queue in
//! the order the service accepted them.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};

use bytes::Bytes;
use event_decode::frames::Frame;
use event_decode::{DecodeConfig, DecodeError, Decoder, Format};
use event_model::Event;
use event_pipeline::{FrameObserver, Pipeline, RejectCause, Routed};
use event_router::{DeadLetter, DeadLetterReason, Explanation, HandlerId, Outcome, Router};
use tokio::sync::oneshot;

use crate::dead_letters::{DeadLetterFile, SYNC_EVERY, record};
use crate::dedupe::Window;
use crate::game::{Game, Names};

/// What happened to one event of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Routed, dead-lettered, dropped or rejected by the router.
    Router(Outcome),
    /// Its id was already accepted within the dedupe window.
    Duplicate,
}

impl Fate {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Fate::Router(o) => o.name(),
            Fate::Duplicate => "duplicate",
        }
    }
}

/// One event's result, as the response lists it.
#[derive(Debug)]
pub(crate) struct EventResult {
    pub fate: Fate,
    /// The event's id, as a range of [`JobResults::ids`].
    pub id: Option<(u32, u32)>,
    pub partition: Option<u32>,
    /// The handlers, as a range of [`Outcome::handlers`] of the job.
    pub handlers: (u32, u32),
    pub error: Option<String>,
}

/// The results of one request, in body order.
#[derive(Debug, Default)]
pub(crate) struct JobResults {
    pub results: Vec<EventResult>,
    pub handlers: Vec<HandlerId>,
    /// The events' ids back to back (one buffer per request, not one
    /// allocation per event).
    pub ids: String,
    /// The job's dead-letter records (JSON), when the engine collects them
    /// instead of writing a file (consume mode).
    pub dead_letters: Vec<Vec<u8>>,
}

impl JobResults {
    /// The id of a result.
    pub(crate) fn id(&self, r: &EventResult) -> Option<&str> {
        r.id.and_then(|(lo, hi)| self.ids.get(lo as usize..hi as usize))
    }
}

/// One frame of a request body, or the error of a frame the body could not
/// deliver (an oversize YAML document, say).
#[derive(Debug)]
pub(crate) enum Slot {
    Frame {
        start: u32,
        end: u32,
        number: u64,
        offset: u64,
        line: u64,
    },
    Bad(DecodeError),
}

impl Slot {
    /// The frame in `bytes` (the job's frames back to back), or the error of
    /// a frame the body could not deliver.
    pub(crate) fn frame<'b>(&self, bytes: &'b [u8]) -> Result<Frame<'b>, &DecodeError> {
        match self {
            Slot::Frame {
                start,
                end,
                number,
                offset,
                line,
            } => Ok(Frame {
                bytes: &bytes[*start as usize..*end as usize],
                number: *number,
                offset: *offset,
                line: *line,
            }),
            Slot::Bad(error) => Err(error),
        }
    }
}

/// A request's events, framed, for the router.
#[derive(Debug)]
pub(crate) struct RouteJob {
    pub format: Format,
    /// The content type that sends one of these events on its own (what a
    /// dead letter records for `veltrix replay`).
    pub single_type: &'static str,
    /// The frames' bytes, back to back.
    pub bytes: Bytes,
    pub slots: Vec<Slot>,
    pub reply: oneshot::Sender<JobResults>,
}

/// The totals and per-name counts, for `/v1/stats`, `/metrics` and the
/// final summary.
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshot {
    /// §5's summary plus `duplicate`, as JSON.
    pub summary: serde_json::Value,
    pub routed: u64,
    pub dead_letter: u64,
    pub dropped: u64,
    pub rejected: u64,
    pub duplicate: u64,
    pub routes: Vec<(String, u64)>,
    pub handlers: Vec<(String, u64)>,
    pub partitions: Vec<u64>,
    pub dead_letters_written: u64,
}

/// A question about the game handlers' state.
#[derive(Debug)]
pub(crate) enum Query {
    Matchmaking(oneshot::Sender<serde_json::Value>),
    Scoreboard(String, oneshot::Sender<Option<serde_json::Value>>),
}

/// Work for the router's thread.
#[derive(Debug)]
pub(crate) enum Job {
    Route(RouteJob),
    Snapshot(oneshot::Sender<Snapshot>),
    Query(Query),
    /// Sync the dead letters and stop, answering with the final totals.
    Shutdown(oneshot::Sender<Snapshot>),
}

/// The bound on queued events, shared by the HTTP side (which reserves) and
/// the router's thread (which releases).
#[derive(Debug)]
pub(crate) struct Admission {
    queued: AtomicUsize,
    capacity: usize,
}

impl Admission {
    pub(crate) fn new(capacity: usize) -> Admission {
        Admission {
            queued: AtomicUsize::new(0),
            capacity: capacity.max(1),
        }
    }

    /// Reserves room for `n` events; `false` when the queue is full. An
    /// empty queue takes any request, so a body bigger than the queue is
    /// not refused forever.
    pub(crate) fn reserve(&self, n: usize) -> bool {
        let mut now = self.queued.load(Ordering::Relaxed);
        loop {
            if now > 0 && now.saturating_add(n) > self.capacity {
                return false;
            }
            match self.queued.compare_exchange_weak(
                now,
                now + n,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(seen) => now = seen,
            }
        }
    }

    pub(crate) fn release(&self, n: usize) {
        self.queued.fetch_sub(n, Ordering::AcqRel);
    }

    /// Events queued now.
    pub(crate) fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }
}

/// What the router's thread tells the HTTP side once it is ready.
#[derive(Debug, Clone)]
pub(crate) struct Ready {
    pub handler_names: Arc<[String]>,
    pub routes: usize,
    pub partitions: u32,
}

/// Everything the router's thread needs to start.
pub(crate) struct EngineSetup {
    pub table: event_router::RouteTable,
    pub dedupe_window: usize,
    pub dead_letters: Option<DeadLetterFile>,
    /// Hand each job's dead letters back with its results (consume mode)
    /// instead of writing them to the file.
    pub collect_dead_letters: bool,
}

/// Builds the router on this thread (handlers need not be `Send`), reports
/// readiness, then serves jobs until shutdown or until every sender is gone.
pub(crate) fn run(
    setup: EngineSetup,
    jobs: Receiver<Job>,
    admission: Arc<Admission>,
    ready: std::sync::mpsc::Sender<Result<Ready, String>>,
) {
    let mut engine = match Engine::new(setup) {
        Ok(engine) => engine,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(engine.ready()));
    loop {
        let job = match jobs.recv_timeout(SYNC_EVERY) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                engine.sync_dead_letters(false);
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if let Flow::Stop = engine.handle(job, &admission) {
            return;
        }
    }
    engine.sync_dead_letters(true);
}

thread_local! {
    /// The router's state when it lives on the one HTTP thread (inline
    /// mode, see the crate docs): only that thread's tasks reach it, each
    /// job runs to completion before the next (no `await` inside), so the
    /// borrow is never contended.
    static INLINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// Builds the router on the calling thread and keeps it there for
/// [`Jobs::Inline`]: the thread that then runs the (current-thread) HTTP
/// runtime. Returns what the router reports when ready.
pub(crate) fn start_inline(setup: EngineSetup) -> Result<Ready, String> {
    let engine = Engine::new(setup)?;
    let ready = engine.ready();
    INLINE.with_borrow_mut(|slot| *slot = Some(engine));
    Ok(ready)
}

/// Drops the inline router of this thread, syncing its dead letters.
pub(crate) fn stop_inline() {
    if let Some(mut engine) = INLINE.with_borrow_mut(Option::take) {
        engine.sync_dead_letters(true);
    }
}

/// Syncs the inline router's dead letters if a sync is due (the timer that
/// the router's own thread gets from waiting on its queue).
pub(crate) fn tick_inline() {
    INLINE.with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            if let Some(engine) = slot.as_mut() {
                engine.sync_dead_letters(false);
            }
        }
    });
}

/// The router seen from the HTTP side: its thread's queue, or the router
/// living on this very thread.
#[derive(Debug)]
pub(crate) enum Jobs {
    /// The router's own thread (`veltrix-router`), fed through a FIFO.
    Thread(Sender<Job>),
    /// The router on the calling thread: a job runs at once, before
    /// `send` returns (its reply is then ready without a wakeup).
    Inline(Arc<Admission>),
}

impl Jobs {
    /// Hands a job to the router; the job back if the router has stopped.
    pub(crate) fn send(&self, job: Job) -> Result<(), Job> {
        match self {
            Jobs::Thread(tx) => tx.send(job).map_err(|e| e.0),
            Jobs::Inline(admission) => INLINE.with(|slot| {
                let Ok(mut slot) = slot.try_borrow_mut() else {
                    return Err(job);
                };
                let Some(engine) = slot.as_mut() else {
                    return Err(job);
                };
                if let Flow::Stop = engine.handle(job, admission) {
                    *slot = None;
                }
                Ok(())
            }),
        }
    }
}

/// Whether the router goes on after a job.
enum Flow {
    Go,
    Stop,
}

/// Where dead letters go: the file, told the content type of the request
/// being routed.
struct Sink {
    file: Option<Rc<RefCell<DeadLetterFile>>>,
    collected: Option<Rc<RefCell<Vec<Vec<u8>>>>>,
    content_type: Rc<Cell<&'static str>>,
}

impl event_router::DeadLetterSink for Sink {
    fn dead_letter(&mut self, letter: &DeadLetter<'_>) {
        if let Some(collected) = &self.collected {
            let ct = self.content_type.get();
            let record = match letter.reason {
                DeadLetterReason::Unmatched(_) => {
                    record("dead_letter", Ok("unmatched"), ct, letter.raw)
                }
                DeadLetterReason::Bad(error) => {
                    record("rejected", Err(&error.to_string()), ct, letter.raw)
                }
            };
            collected.borrow_mut().push(record);
            return;
        }
        let Some(file) = &self.file else { return };
        let mut file = file.borrow_mut();
        let ct = self.content_type.get();
        match letter.reason {
            DeadLetterReason::Unmatched(_) => {
                file.append("dead_letter", Ok("unmatched"), ct, letter.raw)
            }
            DeadLetterReason::Bad(error) => {
                let message = error.to_string();
                file.append("rejected", Err(&message), ct, letter.raw)
            }
        }
    }
}

struct Engine {
    pipeline: Pipeline,
    decoders: [Box<dyn Decoder>; 3],
    window: Window,
    duplicate: u64,
    file: Option<Rc<RefCell<DeadLetterFile>>>,
    collected: Option<Rc<RefCell<Vec<Vec<u8>>>>>,
    content_type: Rc<Cell<&'static str>>,
    game: Game,
    /// Per partition, the chain of the routed events' ids in the order the
    /// handlers saw them (see [`order_step`]).
    order: Vec<u64>,
}

impl Engine {
    fn new(setup: EngineSetup) -> Result<Engine, String> {
        let names = Rc::new(RefCell::new(Names::default()));
        let file = setup.dead_letters.map(|f| Rc::new(RefCell::new(f)));
        let content_type = Rc::new(Cell::new("application/yaml"));
        let collected = setup
            .collect_dead_letters
            .then(|| Rc::new(RefCell::new(Vec::new())));
        let mut game = Game::new(names);
        let handler_names: Vec<String> = setup
            .table
            .handler_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let mut builder = Router::builder(setup.table).dead_letter(Sink {
            file: file.clone(),
            collected: collected.clone(),
            content_type: content_type.clone(),
        });
        for name in handler_names {
            builder = game.bind(builder, name);
        }
        let router = builder.build().map_err(|e| e.to_string())?;
        let config = DecodeConfig::new();
        let partitions = router.table().partitions() as usize;
        Ok(Engine {
            pipeline: Pipeline::new(router),
            decoders: [
                Format::Yaml.decoder(&config),
                Format::Json.decoder(&config),
                Format::Protobuf.decoder(&config),
            ],
            window: Window::new(setup.dedupe_window),
            duplicate: 0,
            file,
            collected,
            content_type,
            game,
            order: vec![ORDER_START; partitions],
        })
    }

    fn ready(&self) -> Ready {
        let table = self.pipeline.router().table();
        Ready {
            handler_names: table
                .handler_names()
                .iter()
                .map(|n| n.to_string())
                .collect(),
            routes: table.route_names().len(),
            partitions: table.partitions(),
        }
    }

    fn route(&mut self, job: RouteJob) {
        self.content_type.set(job.single_type);
        let decoder = &mut self.decoders[match job.format {
            Format::Yaml => 0,
            Format::Json => 1,
            Format::Protobuf => 2,
        }];
        let mut out = JobResults {
            results: Vec::with_capacity(job.slots.len()),
            handlers: Vec::new(),
            ids: String::new(),
            dead_letters: Vec::new(),
        };
        for slot in &job.slots {
            let handlers_start = out.handlers.len() as u32;
            let mut seen = Seen {
                window: &mut self.window,
                order: &mut self.order,
                out: &mut out,
                id: None,
                hash: None,
                partition: None,
                error: None,
            };
            let fate = match slot.frame(&job.bytes) {
                Ok(frame) => match self.pipeline.route_one(decoder, &frame, &mut seen) {
                    Routed::Event(o) => Fate::Router(o),
                    Routed::Refused => Fate::Duplicate,
                    Routed::Bad(e) => {
                        seen.error.get_or_insert_with(|| e.to_string());
                        Fate::Router(Outcome::Rejected)
                    }
                },
                Err(error) => {
                    self.pipeline.reject_one(&[], error, &mut seen);
                    seen.error.get_or_insert_with(|| error.to_string());
                    Fate::Router(Outcome::Rejected)
                }
            };
            if fate == Fate::Duplicate {
                self.duplicate += 1;
            }
            let (id, partition, error) = (seen.id, seen.partition, seen.error);
            let handlers = (handlers_start, out.handlers.len() as u32);
            out.results.push(EventResult {
                fate,
                id,
                partition: if fate == Fate::Duplicate {
                    None
                } else {
                    partition
                },
                handlers,
                error,
            });
        }
        if let Some(collected) = &self.collected {
            out.dead_letters = std::mem::take(&mut *collected.borrow_mut());
        }
        let _ = job.reply.send(out);
    }

    /// Runs one job; [`Flow::Stop`] after the shutdown job.
    fn handle(&mut self, job: Job, admission: &Admission) -> Flow {
        match job {
            Job::Route(job) => {
                let n = job.slots.len();
                self.route(job);
                admission.release(n);
                self.sync_dead_letters(false);
            }
            Job::Snapshot(reply) => {
                let _ = reply.send(self.snapshot());
            }
            Job::Query(q) => self.query(q),
            Job::Shutdown(reply) => {
                self.sync_dead_letters(true);
                let _ = reply.send(self.snapshot());
                return Flow::Stop;
            }
        }
        Flow::Go
    }

    fn sync_dead_letters(&mut self, force: bool) {
        if let Some(file) = &self.file {
            file.borrow_mut().sync_due(force);
        }
    }

    fn snapshot(&self) -> Snapshot {
        let c = self.pipeline.counters();
        let mut summary = serde_json::to_value(c).unwrap_or_default();
        if let Some(map) = summary.as_object_mut() {
            map.insert("events".into(), (c.events() + self.duplicate).into());
            map.insert("duplicate".into(), self.duplicate.into());
            let order: Vec<String> = self.order.iter().map(|h| format!("{h:016x}")).collect();
            map.insert("partition_order".into(), order.into());
        }
        Snapshot {
            summary,
            routed: c.routed(),
            dead_letter: c.dead_letter(),
            dropped: c.dropped(),
            rejected: c.rejected(),
            duplicate: self.duplicate,
            routes: c.routes().map(|(n, v)| (n.to_owned(), v)).collect(),
            handlers: c.handlers().map(|(n, v)| (n.to_owned(), v)).collect(),
            partitions: c.per_partition().to_vec(),
            dead_letters_written: self.file.as_ref().map_or(0, |f| f.borrow().written),
        }
    }

    fn query(&mut self, q: Query) {
        match q {
            Query::Matchmaking(reply) => {
                let _ = reply.send(self.game.matchmaking_json(self.pipeline.router()));
            }
            Query::Scoreboard(match_id, reply) => {
                let _ = reply.send(self.game.scoreboard_json(self.pipeline.router(), &match_id));
            }
        }
    }
}

/// Collects one frame's result while the router handles it, and keeps the
/// dedupe window: an admitted id is remembered once the router accepted the
/// event (routed, dead-lettered or dropped), never when it was rejected.
struct Seen<'a> {
    window: &'a mut Window,
    /// The engine's per-partition order chains.
    order: &'a mut [u64],
    out: &'a mut JobResults,
    id: Option<(u32, u32)>,
    /// The id's key in the window, computed once by `admit`.
    hash: Option<u128>,
    partition: Option<u32>,
    error: Option<String>,
}

impl Seen<'_> {
    fn note_id(&mut self, id: &str) {
        if self.id.is_none() {
            let lo = self.out.ids.len();
            self.out.ids.push_str(id);
            self.id = u32::try_from(lo)
                .ok()
                .zip(u32::try_from(self.out.ids.len()).ok());
        }
    }
}

impl FrameObserver for Seen<'_> {
    fn admit(&mut self, event: &Event<'_>) -> bool {
        self.note_id(event.id);
        let h = self.window.hash(event.id);
        self.hash = Some(h);
        !self.window.contains_hash(h)
    }

    fn delivered(&mut self, x: &Explanation<'_>) {
        if let Some(event) = x.event {
            self.note_id(event.id);
            if x.outcome != Outcome::Rejected {
                let h = self.hash.unwrap_or_else(|| self.window.hash(event.id));
                self.window.insert_hash(h);
            }
        }
        self.partition = x.partition;
        if x.outcome == Outcome::Routed {
            self.out.handlers.extend_from_slice(x.handler_ids());
            if let (Some(event), Some(k)) = (x.event, x.partition) {
                if let Some(h) = self.order.get_mut(k as usize) {
                    *h = order_step(*h, event.id);
                }
            }
        }
        if x.outcome == Outcome::Rejected && self.error.is_none() {
            if let Some(e) = x.error {
                self.error = Some(e.to_string());
            } else if let Some(event) = x.event {
                let cause = RejectCause::Unmatched {
                    kind: event.kind(),
                    id: event.id.to_owned(),
                };
                self.error = Some(cause.to_string());
            }
        }
    }
}

/// The value of a partition's order chain before any event: FNV-1a's 64-bit
/// offset basis.
pub(crate) const ORDER_START: u64 = 0xcbf2_9ce4_8422_2325;

/// One step of a partition's order chain (`partition_order` in `/v1/stats`):
/// FNV-1a (64-bit) continued over the routed event's id and then one `0xff`
/// byte, which no UTF-8 id contains, so that `["ab","c"]` and `["a","bc"]`
/// differ. Two runs that routed the same ids in a partition in the same
/// order show the same chain; any change of order changes it (but for
/// collisions, 1 in 2^64). Hand-written rather than a hashing crate: it is
/// six lines, and clients (tests, operators' scripts) recompute it from the
/// published ids, so its definition must stay this one.
pub(crate) fn order_step(mut h: u64, id: &str) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    for &b in id.as_bytes().iter().chain(&[0xff]) {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

#[cfg(test)]
mod order_tests {
    use super::{ORDER_START, order_step};

    #[test]
    fn the_chain_depends_on_order_and_on_boundaries() {
        let ab = order_step(order_step(ORDER_START, "a"), "b");
        let ba = order_step(order_step(ORDER_START, "b"), "a");
        assert_ne!(ab, ba);
        let split = order_step(order_step(ORDER_START, "ab"), "c");
        let other = order_step(order_step(ORDER_START, "a"), "bc");
        assert_ne!(split, other);
        // FNV-1a of "a\xff" from the offset basis.
        let mut h = ORDER_START;
        for b in [b'a', 0xff] {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        assert_eq!(order_step(ORDER_START, "a"), h);
    }
}
