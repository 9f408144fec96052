//! What the run's tasks share: the schedule, the bodies, the target, and
//! the counts and latency histograms (for the whole run and the current
//! second).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::sync::Semaphore;

use crate::bodies::BodyPool;
use crate::outcome::Outcomes;
use crate::target::Target;

/// Highest latency the histograms hold, ns (an hour); longer ones saturate.
pub(super) const MAX_LATENCY_NS: u64 = 3_600_000_000_000;

/// Counts kept for the whole run and for the current second.
#[derive(Debug, Default, Clone)]
pub(super) struct Counters {
    pub(super) sent: u64,
    pub(super) responses: u64,
    pub(super) ok: u64,
    pub(super) http_errors: BTreeMap<u16, u64>,
    pub(super) transport: BTreeMap<&'static str, u64>,
    pub(super) unsent: u64,
    pub(super) events_sent: u64,
    pub(super) outcomes: Outcomes,
    pub(super) unreadable_bodies: u64,
    pub(super) reconnects: u64,
}

impl Counters {
    pub(super) fn errors(&self) -> u64 {
        self.http_errors.values().sum::<u64>() + self.transport.values().sum::<u64>()
    }
}

/// The latency histograms and counts, for the run and the current second.
pub(super) struct Stats {
    pub(super) all: Histogram<u64>,
    pub(super) second: Histogram<u64>,
    pub(super) total: Counters,
    pub(super) this_second: Counters,
    pub(super) last_response: Option<Instant>,
}

impl Stats {
    pub(super) fn new() -> anyhow::Result<Self> {
        let histogram = || Histogram::<u64>::new_with_bounds(1, MAX_LATENCY_NS, 3);
        Ok(Stats {
            all: histogram()?,
            second: histogram()?,
            total: Counters::default(),
            this_second: Counters::default(),
            last_response: None,
        })
    }

    /// Applies `f` to the second's counters, and to the run's when `measured`.
    pub(super) fn count(&mut self, measured: bool, f: impl Fn(&mut Counters)) {
        f(&mut self.this_second);
        if measured {
            f(&mut self.total);
        }
    }

    pub(super) fn latency(&mut self, measured: bool, latency: Duration) {
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX).max(1);
        self.second.saturating_record(ns);
        if measured {
            self.all.saturating_record(ns);
        }
    }
}

/// What every connection task shares.
pub(super) struct Shared {
    pub(super) pool: BodyPool,
    pub(super) target: Target,
    /// Every request's head up to the `Content-Length` value.
    pub(super) head_prefix: Vec<u8>,
    pub(super) batch: u64,
    pub(super) start: Instant,
    pub(super) interval_ns: f64,
    pub(super) total: u64,
    pub(super) warmup: u64,
    pub(super) send_deadline: Instant,
    pub(super) timeout: Duration,
    pub(super) next: AtomicU64,
    pub(super) permits: Semaphore,
    pub(super) abort: AtomicBool,
    pub(super) stats: Mutex<Stats>,
}

impl Shared {
    pub(super) fn scheduled(&self, i: u64) -> Instant {
        self.start + Duration::from_nanos((i as f64 * self.interval_ns) as u64)
    }

    pub(super) fn stats(&self) -> MutexGuard<'_, Stats> {
        // A poisoned lock only means another task panicked mid-update; the
        // counts are still the best there are.
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }
}
