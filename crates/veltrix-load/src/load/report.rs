//! The run's report: latency percentiles, memory, per-second samples,
//! counts, and the table printed at the end.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::args::WireFormat;
use crate::outcome::Outcomes;

/// Latency percentiles over the measured requests, in microseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Latency {
    /// Latencies recorded (see [`LoadReport::latency`]).
    pub count: u64,
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
    /// Worst.
    pub max_us: f64,
    /// Mean.
    pub mean_us: f64,
}

/// The service's resident memory (`process_resident_memory_bytes` from
/// `GET /metrics`); `None` where it could not be read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rss {
    /// Before the first request.
    pub start_bytes: Option<u64>,
    /// Largest sample (start, once a second, end).
    pub max_bytes: Option<u64>,
    /// After the last response.
    pub end_bytes: Option<u64>,
}

/// One second of the run (warmup included, marked).
#[derive(Debug, Clone, Serialize)]
pub struct Second {
    /// Seconds since the schedule started (end of this interval).
    pub t_s: f64,
    /// Whether the interval is (partly) inside the warmup.
    pub warmup: bool,
    /// Requests sent in this second.
    pub sent: u64,
    /// Responses received.
    pub responses: u64,
    /// 2xx responses.
    pub ok: u64,
    /// Non-2xx responses plus transport errors.
    pub errors: u64,
    /// Median latency of the responses in this second, µs.
    pub p50_us: Option<f64>,
    /// p99 latency of the responses in this second, µs.
    pub p99_us: Option<f64>,
    /// Worst latency in this second, µs.
    pub max_us: Option<f64>,
    /// The service's resident memory at the end of this second.
    pub rss_bytes: Option<u64>,
}

/// One point of the latency distribution, as HdrHistogram prints it.
#[derive(Debug, Clone, Serialize)]
pub struct PercentilePoint {
    /// Percentile, 0..=100.
    pub percentile: f64,
    /// Latency at that percentile, µs.
    pub latency_us: f64,
}

/// The request bodies encoded before the run.
#[derive(Debug, Clone, Serialize)]
pub struct PoolInfo {
    /// Distinct bodies (reused, with fresh ids, when the run needs more).
    pub bodies: u64,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// The outcome of a load run. Counts cover the measured requests (those
/// scheduled after the warmup); `seconds` covers the warmup too.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// `--target`.
    pub target: String,
    /// `--unix`, when given.
    pub unix: Option<String>,
    /// `--format`.
    pub format: WireFormat,
    /// The `Content-Type` sent.
    pub content_type: String,
    /// Events per request.
    pub batch: u32,
    /// Connections.
    pub connections: u32,
    /// Distinct players.
    pub players: u32,
    /// Prefix of every event id of the run.
    pub id_prefix: String,
    /// Requests per second scheduled.
    pub requested_rate: f64,
    /// Responses per second over [`LoadReport::elapsed_s`].
    pub achieved_rate: f64,
    /// Measured seconds scheduled.
    pub duration_s: f64,
    /// Warmup seconds (not counted).
    pub warmup_s: f64,
    /// Seconds from the first measured request's due time to the last
    /// response, or to the end of the schedule if that is later.
    pub elapsed_s: f64,
    /// Requests scheduled in the measured window.
    pub requests: u64,
    /// Requests written to a connection (whatever became of them).
    pub sent: u64,
    /// Requests never sent: still waiting for a free connection `--timeout`
    /// seconds after the schedule ended.
    pub unsent: u64,
    /// HTTP responses received.
    pub responses: u64,
    /// 2xx responses.
    pub ok: u64,
    /// Non-2xx responses by status code.
    pub http_errors: BTreeMap<u16, u64>,
    /// Requests that failed without a response (connect, connection broken,
    /// timeout).
    pub transport_errors: u64,
    /// [`LoadReport::transport_errors`] by kind (see
    /// [`TransportError::kind`](crate::TransportError::kind)): `connect`,
    /// `exchange` (the connection broke or closed before the whole
    /// response), `response` (a response that could not be read),
    /// `timeout`.
    pub transport_errors_by_kind: BTreeMap<String, u64>,
    /// Connections opened again after the server closed one or it broke.
    pub reconnects: u64,
    /// Events in the requests sent.
    pub events_sent: u64,
    /// The service's per-outcome counts, summed over the response bodies.
    pub outcomes: Outcomes,
    /// Responses whose body did not carry those counts.
    pub unreadable_bodies: u64,
    /// Latency from each request's *scheduled* time to its response's last
    /// byte, for every response (any status). Requests that timed out, or
    /// were never sent, are recorded with the time they had waited when
    /// given up: a lower bound, so that they are not omitted.
    pub latency: Latency,
    /// `--target-p99-ms`.
    pub target_p99_ms: f64,
    /// `latency.p99_us` within the target.
    pub p99_target_met: bool,
    /// The service's resident memory.
    pub rss: Rss,
    /// The bodies encoded before the run.
    pub pool: PoolInfo,
    /// One sample per second.
    pub seconds: Vec<Second>,
    /// The latency distribution (HdrHistogram's percentile iteration, five
    /// ticks per half distance).
    pub percentiles: Vec<PercentilePoint>,
}

impl LoadReport {
    /// Every scheduled request was sent and answered 2xx, with no transport error.
    pub fn is_clean(&self) -> bool {
        self.ok == self.requests && self.transport_errors == 0 && self.unsent == 0
    }

    /// The table `run_load` prints on stdout.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let ms = |us: f64| format!("{:.3} ms", us / 1e3);
        let mb =
            |b: Option<u64>| b.map_or("n/a".to_owned(), |b| format!("{:.1} MB", b as f64 / 1e6));
        let via = self
            .unix
            .as_ref()
            .map_or(String::new(), |u| format!(" via unix:{u}"));
        let _ = writeln!(
            t,
            "veltrix load: {} req/s for {} s ({} s warmup) -> {}{via}",
            self.requested_rate, self.duration_s, self.warmup_s, self.target
        );
        let _ = writeln!(
            t,
            "  body        {} ({}), {} event(s) per request, {} players, {} connections",
            self.format.name(),
            self.content_type,
            self.batch,
            self.players,
            self.connections
        );
        let _ = writeln!(
            t,
            "  requests    {} scheduled, {} sent, {} unsent, {} responses",
            self.requests, self.sent, self.unsent, self.responses
        );
        let _ = writeln!(
            t,
            "  rate        {:.1} req/s achieved of {} requested ({:.2} s)",
            self.achieved_rate, self.requested_rate, self.elapsed_s
        );
        let statuses = if self.http_errors.is_empty() {
            "none".to_owned()
        } else {
            join(self.http_errors.iter().map(|(s, n)| format!("{s}: {n}")))
        };
        let _ = writeln!(t, "  ok (2xx)    {}; errors by status: {statuses}", self.ok);
        let transport = if self.transport_errors_by_kind.is_empty() {
            "none".to_owned()
        } else {
            join(
                self.transport_errors_by_kind
                    .iter()
                    .map(|(k, n)| format!("{k}: {n}")),
            )
        };
        let _ = writeln!(
            t,
            "  transport   {} errors ({transport}); {} reconnects",
            self.transport_errors, self.reconnects
        );
        let o = &self.outcomes;
        let _ = writeln!(
            t,
            "  events      {} sent; service: {} routed, {} dead_letter, {} dropped, {} rejected, {} duplicate",
            self.events_sent, o.routed, o.dead_letter, o.dropped, o.rejected, o.duplicate
        );
        let l = &self.latency;
        let _ = writeln!(
            t,
            "  latency     p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  ({} recorded)",
            ms(l.p50_us),
            ms(l.p90_us),
            ms(l.p99_us),
            ms(l.p999_us),
            ms(l.max_us),
            l.count
        );
        let _ = writeln!(
            t,
            "  target      p99 {} vs {} ms: {}",
            ms(l.p99_us),
            self.target_p99_ms,
            if self.p99_target_met { "met" } else { "missed" }
        );
        let _ = writeln!(
            t,
            "  server RSS  start {}, max {}, end {}",
            mb(self.rss.start_bytes),
            mb(self.rss.max_bytes),
            mb(self.rss.end_bytes)
        );
        t
    }
}

fn join(parts: impl Iterator<Item = String>) -> String {
    parts.collect::<Vec<_>>().join(", ")
}
