//! What the HTTP side and the router's thread exchange: jobs and their
//! replies (per-event results, snapshots, game queries), the admission
//! bound on queued events, and what the thread needs to start and reports
//! once ready.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use event_decode::frames::Frame;
use event_decode::{DecodeError, Format};
use event_router::{HandlerId, Outcome};
use tokio::sync::oneshot;

use crate::dead_letters::DeadLetterFile;

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
