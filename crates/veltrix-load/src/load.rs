//! `veltrix load`: the open-loop run, its report, and the printed table.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use hdrhistogram::Histogram;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::args::{LoadArgs, WireFormat};
use crate::bodies::{
    BodyPool, EventSource, ID_DIGITS, MAX_POOL_BYTES, MAX_POOL_EVENTS, check_id_prefix,
};
use crate::metrics::RssProbe;
use crate::outcome::Outcomes;
use crate::target::{Target, TransportError};
use crate::wire::FastConnection;

/// Highest latency the histograms hold, ns (an hour); longer ones saturate.
const MAX_LATENCY_NS: u64 = 3_600_000_000_000;

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

/// Counts kept for the whole run and for the current second.
#[derive(Debug, Default, Clone)]
struct Counters {
    sent: u64,
    responses: u64,
    ok: u64,
    http_errors: BTreeMap<u16, u64>,
    transport: BTreeMap<&'static str, u64>,
    unsent: u64,
    events_sent: u64,
    outcomes: Outcomes,
    unreadable_bodies: u64,
    reconnects: u64,
}

impl Counters {
    fn errors(&self) -> u64 {
        self.http_errors.values().sum::<u64>() + self.transport.values().sum::<u64>()
    }
}

struct Stats {
    all: Histogram<u64>,
    second: Histogram<u64>,
    total: Counters,
    this_second: Counters,
    last_response: Option<Instant>,
}

impl Stats {
    fn new() -> anyhow::Result<Self> {
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
    fn count(&mut self, measured: bool, f: impl Fn(&mut Counters)) {
        f(&mut self.this_second);
        if measured {
            f(&mut self.total);
        }
    }

    fn latency(&mut self, measured: bool, latency: Duration) {
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX).max(1);
        self.second.saturating_record(ns);
        if measured {
            self.all.saturating_record(ns);
        }
    }
}

/// What every connection task shares.
struct Shared {
    pool: BodyPool,
    target: Target,
    /// Every request's head up to the `Content-Length` value.
    head_prefix: Vec<u8>,
    batch: u64,
    start: Instant,
    interval_ns: f64,
    total: u64,
    warmup: u64,
    send_deadline: Instant,
    timeout: Duration,
    next: AtomicU64,
    permits: Semaphore,
    abort: AtomicBool,
    stats: Mutex<Stats>,
}

impl Shared {
    fn scheduled(&self, i: u64) -> Instant {
        self.start + Duration::from_nanos((i as f64 * self.interval_ns) as u64)
    }

    fn stats(&self) -> MutexGuard<'_, Stats> {
        // A poisoned lock only means another task panicked mid-update; the
        // counts are still the best there are.
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs the load described by `args`: encodes the bodies, connects,
/// sends on the fixed schedule, prints a progress line to stderr about once
/// a second (unless `--quiet`) and the table to stdout, writes `--json` and
/// `--svg`, and returns the report.
///
/// It runs its own Tokio runtime, so it must not be called from inside
/// one (that is an error, not a panic). Errors: bad arguments, a target
/// that cannot be reached when the run starts, output files that cannot be
/// written. Failed requests during the run are counted, not errors.
pub fn run_load(args: &LoadArgs) -> anyhow::Result<LoadReport> {
    check_args(args)?;
    if tokio::runtime::Handle::try_current().is_ok() {
        bail!("run_load runs its own Tokio runtime: call it outside of one");
    }
    let target = Target::parse(&args.target, args.unix.as_deref())?;
    let prefix = match &args.id_prefix {
        Some(p) => p.clone(),
        None => default_prefix(),
    };
    check_id_prefix(&prefix)?;
    let warmup = (args.rate * args.warmup).round() as u64;
    let measured = (args.rate * args.duration).round().max(1.0) as u64;
    let total = warmup + measured;
    let events = u128::from(total) * u128::from(args.batch);
    if events >= 10u128.pow(ID_DIGITS as u32) {
        bail!(
            "--rate × (--duration + --warmup) × --batch = {events} events: ids have room for 10^{ID_DIGITS}"
        );
    }
    if !args.quiet {
        eprintln!(
            "veltrix load: encoding up to {} {} bodies of {} event(s) ({} MiB at most)",
            total.min((MAX_POOL_EVENTS / u64::from(args.batch)).max(1)),
            args.format.name(),
            args.batch,
            MAX_POOL_BYTES >> 20
        );
    }
    let mut source = EventSource::new(args.seed, args.players, &prefix);
    let pool = BodyPool::build(&mut source, args.format, args.batch, total, MAX_POOL_BYTES)?;
    let content_type = args.format.content_type(args.batch);
    // One thread for every connection: the generator's work per request is
    // small, and a single thread spares the wake-ups and hand-overs
    // between worker threads (it measured cheaper than a multi-threaded
    // runtime, and leaves the other core to the service).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the Tokio runtime")?;
    let plan = Plan {
        pool,
        target,
        content_type,
        total,
        warmup,
    };
    let report = runtime.block_on(drive(args, plan, prefix));
    runtime.shutdown_timeout(Duration::from_secs(1));
    let report = report?;
    print!("{}", report.table());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).context("serialising the report")?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("writing the report to {}", path.display()))?;
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, crate::svg::percentile_plot(&report))
            .with_context(|| format!("writing the plot to {}", path.display()))?;
    }
    Ok(report)
}

fn check_args(args: &LoadArgs) -> anyhow::Result<()> {
    let positive = |name: &str, v: f64| {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(anyhow::anyhow!("{name} must be a positive number, not {v}"))
        }
    };
    positive("--rate", args.rate)?;
    positive("--duration", args.duration)?;
    positive("--timeout", args.timeout)?;
    positive("--target-p99-ms", args.target_p99_ms)?;
    if !(args.warmup.is_finite() && args.warmup >= 0.0) {
        bail!("--warmup must be zero or more seconds, not {}", args.warmup);
    }
    if !(0.01..=10_000_000.0).contains(&args.rate) {
        bail!("--rate must be 0.01 to 10^7 requests/s, not {}", args.rate);
    }
    if args.duration > 604_800.0 || args.warmup > 604_800.0 {
        bail!("--duration and --warmup must each be a week or less");
    }
    if args.timeout > 3600.0 {
        bail!("--timeout {} is past an hour", args.timeout);
    }
    if args.connections == 0 || args.connections > 65_536 {
        bail!("--connections must be 1 to 65536, not {}", args.connections);
    }
    if args.batch == 0 || args.batch > 1_000_000 {
        bail!("--batch must be 1 to 1000000, not {}", args.batch);
    }
    if args.players == 0 {
        bail!("--players must be at least 1");
    }
    Ok(())
}

/// `ld` and eight hex digits from the clock and the process id: runs do not
/// repeat each other's ids inside the service's dedupe window.
fn default_prefix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut rng = event_model::corpus::SplitMix64::new(nanos ^ u64::from(std::process::id()) << 32);
    format!("ld{:08x}", rng.next_u64() >> 32)
}

struct Plan {
    pool: BodyPool,
    target: Target,
    content_type: &'static str,
    total: u64,
    warmup: u64,
}

async fn drive(args: &LoadArgs, plan: Plan, prefix: String) -> anyhow::Result<LoadReport> {
    let timeout = Duration::from_secs_f64(args.timeout);
    let mut probe = RssProbe::new(&plan.target, timeout.min(Duration::from_secs(2)));
    let rss_start = probe.sample().await;

    // Every connection is opened before the clock starts: a target that is
    // not there is an error, not a run full of connect failures.
    let mut opening = Vec::new();
    for _ in 0..args.connections {
        let target = plan.target.clone();
        opening.push(tokio::spawn(async move { target.connect_fast().await }));
    }
    let mut connections = Vec::new();
    for task in opening {
        let conn = task.await.context("opening a connection")?;
        connections.push(conn.with_context(|| {
            format!(
                "cannot open {} connections to the service",
                args.connections
            )
        })?);
    }

    let interval_ns = 1e9 / args.rate;
    let schedule = Duration::from_nanos((plan.total as f64 * interval_ns) as u64);
    let start = Instant::now() + Duration::from_millis(5);
    let shared = Arc::new(Shared {
        head_prefix: plan
            .target
            .post_head_prefix(&plan.target.path("/v1/events"), plan.content_type),
        pool: plan.pool,
        target: plan.target,
        batch: u64::from(args.batch),
        start,
        interval_ns,
        total: plan.total,
        warmup: plan.warmup,
        send_deadline: start + schedule + timeout,
        timeout,
        next: AtomicU64::new(0),
        permits: Semaphore::new(0),
        abort: AtomicBool::new(false),
        stats: Mutex::new(Stats::new()?),
    });

    let dispatcher = {
        let shared = Arc::clone(&shared);
        let connections = connections.len();
        std::thread::Builder::new()
            .name("load-schedule".into())
            .spawn(move || release_on_schedule(&shared, connections))
            .context("starting the schedule thread")?
    };
    let mut tasks = Vec::new();
    for conn in connections {
        let shared = Arc::clone(&shared);
        tasks.push(tokio::spawn(send_loop(shared, conn)));
    }

    let sampler_done = Arc::new(tokio::sync::Notify::new());
    let sampler = {
        let shared = Arc::clone(&shared);
        let done = Arc::clone(&sampler_done);
        let quiet = args.quiet;
        let warmup_s = args.warmup;
        tokio::spawn(async move { sample_seconds(&shared, probe, done, quiet, warmup_s).await })
    };

    let mut failure = None;
    for task in tasks {
        if let Err(e) = task.await {
            failure.get_or_insert(e);
        }
    }
    shared.abort.store(true, Ordering::Relaxed);
    sampler_done.notify_one();
    let (seconds, mut probe) = sampler.await.context("the once-a-second sampler failed")?;
    let rss_end = probe.sample().await;
    // The schedule thread ends with the schedule or at the abort flag.
    let _ = tokio::task::spawn_blocking(move || dispatcher.join()).await;
    if let Some(e) = failure {
        bail!("a connection task failed: {e}");
    }

    let stats = shared.stats();
    let q = |h: &Histogram<u64>, quantile: f64| h.value_at_quantile(quantile) as f64 / 1e3;
    let all = &stats.all;
    let latency = Latency {
        count: all.len(),
        p50_us: q(all, 0.5),
        p90_us: q(all, 0.9),
        p99_us: q(all, 0.99),
        p999_us: q(all, 0.999),
        max_us: all.max() as f64 / 1e3,
        mean_us: all.mean() / 1e3,
    };
    let percentiles = if all.is_empty() {
        Vec::new()
    } else {
        all.iter_quantiles(5)
            .map(|v| PercentilePoint {
                percentile: v.quantile_iterated_to() * 100.0,
                latency_us: v.value_iterated_to() as f64 / 1e3,
            })
            .collect()
    };
    let measured_start = shared.scheduled(shared.warmup);
    // Never shorter than the measured schedule: a service that stops
    // answering halfway has not kept up the rate.
    let schedule_end = shared.scheduled(shared.total);
    let elapsed = stats
        .last_response
        .map_or(schedule_end, |t| t.max(schedule_end))
        .saturating_duration_since(measured_start);
    let total = &stats.total;
    let rss_max = std::iter::once(rss_start)
        .chain(seconds.iter().map(|s| s.rss_bytes))
        .chain(std::iter::once(rss_end))
        .flatten()
        .max();
    Ok(LoadReport {
        target: args.target.clone(),
        unix: args.unix.as_ref().map(|p| p.display().to_string()),
        format: args.format,
        content_type: args.format.content_type(args.batch).to_owned(),
        batch: args.batch,
        connections: args.connections,
        players: args.players,
        id_prefix: prefix,
        requested_rate: args.rate,
        achieved_rate: if elapsed.is_zero() {
            0.0
        } else {
            total.responses as f64 / elapsed.as_secs_f64()
        },
        duration_s: args.duration,
        warmup_s: args.warmup,
        elapsed_s: elapsed.as_secs_f64(),
        requests: shared.total - shared.warmup,
        sent: total.sent,
        unsent: total.unsent,
        responses: total.responses,
        ok: total.ok,
        http_errors: total.http_errors.clone(),
        transport_errors: total.transport.values().sum(),
        transport_errors_by_kind: total
            .transport
            .iter()
            .map(|(k, n)| ((*k).to_owned(), *n))
            .collect(),
        reconnects: total.reconnects,
        events_sent: total.events_sent,
        outcomes: total.outcomes,
        unreadable_bodies: total.unreadable_bodies,
        p99_target_met: latency.count > 0 && latency.p99_us <= args.target_p99_ms * 1e3,
        latency,
        target_p99_ms: args.target_p99_ms,
        rss: Rss {
            start_bytes: rss_start,
            max_bytes: rss_max,
            end_bytes: rss_end,
        },
        pool: PoolInfo {
            bodies: shared.pool.len() as u64,
            bytes: shared.pool.bytes() as u64,
        },
        seconds,
        percentiles,
    })
}

/// The schedule: a plain thread (finer sleeps than Tokio's millisecond
/// timer) that releases one permit per request at its due time, then one
/// per connection so that every connection task sees the end.
fn release_on_schedule(shared: &Shared, connections: usize) {
    let mut released = 0u64;
    while released < shared.total {
        if shared.abort.load(Ordering::Relaxed) {
            return;
        }
        let now = shared.start.elapsed().as_nanos() as f64;
        let due = if Instant::now() < shared.start {
            0
        } else {
            ((now / shared.interval_ns) as u64 + 1).min(shared.total)
        };
        if due > released {
            shared.permits.add_permits((due - released) as usize);
            released = due;
        }
        if released < shared.total {
            let next = shared.scheduled(released);
            let wait = next.saturating_duration_since(Instant::now());
            // Wake at least every 10 ms to see the abort flag.
            std::thread::sleep(wait.min(Duration::from_millis(10)));
        }
    }
    shared.permits.add_permits(connections);
}

/// One connection: takes the next due request whenever it is free, sends
/// it, and records its latency from its scheduled time.
async fn send_loop(shared: Arc<Shared>, conn: FastConnection) {
    let mut conn = Some(conn);
    // Set when the connection broke, so that opening the next one counts
    // as a reconnect.
    let mut broken = false;
    loop {
        let Ok(permit) = shared.permits.acquire().await else {
            return;
        };
        permit.forget();
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        if i >= shared.total {
            return;
        }
        let measured = i >= shared.warmup;
        let scheduled = shared.scheduled(i);
        let now = Instant::now();
        if now > shared.send_deadline {
            let mut stats = shared.stats();
            stats.count(measured, |c| c.unsent += 1);
            stats.latency(measured, now.saturating_duration_since(scheduled));
            continue;
        }
        let alive = match conn.take() {
            Some(mut c) => {
                if c.alive() {
                    Ok(c)
                } else {
                    Err(true)
                }
            }
            None => Err(false),
        };
        let mut c = match alive {
            Ok(c) => c,
            Err(closed) => {
                match shared.target.connect_fast().await {
                    Ok(c) => {
                        if closed || broken {
                            broken = false;
                            shared.stats().count(measured, |c| c.reconnects += 1);
                        }
                        c
                    }
                    Err(e) => {
                        broken = true;
                        shared.stats().count(measured, |c| {
                            *c.transport.entry(e.kind()).or_default() += 1;
                        });
                        // Do not hammer a listener that is not there.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                }
            }
        };
        c.request.clear();
        shared
            .pool
            .write_request(i, &shared.head_prefix, &mut c.request);
        shared.stats().count(measured, |c| {
            c.sent += 1;
            c.events_sent += shared.batch;
        });
        let result = c.exchange(shared.timeout).await;
        let done = Instant::now();
        let latency = done.saturating_duration_since(scheduled);
        match result {
            Ok(status) => {
                let outcomes = Outcomes::from_body(c.body());
                let mut stats = shared.stats();
                stats.latency(measured, latency);
                if measured {
                    stats.last_response = Some(done);
                }
                stats.count(measured, |c| {
                    c.responses += 1;
                    if (200..300).contains(&status) {
                        c.ok += 1;
                    } else {
                        *c.http_errors.entry(status).or_default() += 1;
                    }
                    match &outcomes {
                        Some(o) => c.outcomes.add(o),
                        None => c.unreadable_bodies += 1,
                    }
                });
                conn = Some(c);
            }
            Err(e) => {
                let mut stats = shared.stats();
                if matches!(e, TransportError::Timeout(_)) {
                    stats.latency(measured, latency);
                }
                stats.count(measured, |c| {
                    *c.transport.entry(e.kind()).or_default() += 1;
                });
                // The connection is dropped (its I/O task aborted) and
                // reopened for the next request.
                broken = true;
            }
        }
    }
}

/// Once a second: the service's RSS, the second's counts and percentiles,
/// and the progress line. Returns the samples and the probe when told the
/// run is over.
async fn sample_seconds(
    shared: &Shared,
    mut probe: RssProbe,
    done: Arc<tokio::sync::Notify>,
    quiet: bool,
    warmup_s: f64,
) -> (Vec<Second>, RssProbe) {
    let mut seconds = Vec::new();
    let start = tokio::time::Instant::from_std(shared.start);
    let mut tick = 1u64;
    loop {
        let at = start + Duration::from_secs(tick);
        tokio::select! {
            () = tokio::time::sleep_until(at) => {}
            () = done.notified() => return (seconds, probe),
        }
        let rss = probe.sample().await;
        let (counts, histogram) = {
            let mut stats = shared.stats();
            let counts = std::mem::take(&mut stats.this_second);
            let histogram = stats.second.clone();
            stats.second.reset();
            (counts, histogram)
        };
        let q = |quantile: f64| {
            (!histogram.is_empty()).then(|| histogram.value_at_quantile(quantile) as f64 / 1e3)
        };
        let second = Second {
            t_s: tick as f64,
            warmup: (tick as f64 - 1.0) < warmup_s,
            sent: counts.sent,
            responses: counts.responses,
            ok: counts.ok,
            errors: counts.errors(),
            p50_us: q(0.5),
            p99_us: q(0.99),
            max_us: (!histogram.is_empty()).then(|| histogram.max() as f64 / 1e3),
            rss_bytes: rss,
        };
        if !quiet {
            eprintln!("{}", progress_line(&second));
        }
        seconds.push(second);
        tick += 1;
    }
}

fn progress_line(s: &Second) -> String {
    let p99 = s
        .p99_us
        .map_or("n/a".to_owned(), |us| format!("{:.3} ms", us / 1e3));
    let rss = s
        .rss_bytes
        .map_or("n/a".to_owned(), |b| format!("{:.1} MB", b as f64 / 1e6));
    format!(
        "[{:>4}s{}] sent {}/s, ok {}, errors {}, p99 {p99}, server RSS {rss}",
        s.t_s,
        if s.warmup { " warmup" } else { "" },
        s.sent,
        s.ok,
        s.errors
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_arguments_are_errors_that_name_the_flag() {
        let base = LoadArgs::new("http://127.0.0.1:1", 10.0, 1.0);
        for (change, flag) in [
            (
                Box::new(|a: &mut LoadArgs| a.rate = 0.0) as Box<dyn Fn(&mut LoadArgs)>,
                "--rate",
            ),
            (
                Box::new(|a: &mut LoadArgs| a.duration = f64::NAN),
                "--duration",
            ),
            (Box::new(|a: &mut LoadArgs| a.rate = 1e-9), "--rate"),
            (Box::new(|a: &mut LoadArgs| a.duration = 1e9), "--duration"),
            (Box::new(|a: &mut LoadArgs| a.warmup = -1.0), "--warmup"),
            (
                Box::new(|a: &mut LoadArgs| a.connections = 0),
                "--connections",
            ),
            (Box::new(|a: &mut LoadArgs| a.batch = 0), "--batch"),
            (Box::new(|a: &mut LoadArgs| a.players = 0), "--players"),
        ] {
            let mut args = base.clone();
            change(&mut args);
            let e = run_load(&args).unwrap_err().to_string();
            assert!(e.contains(flag), "{flag}: {e}");
        }
    }

    #[test]
    fn default_prefixes_are_valid_ids() {
        let p = default_prefix();
        assert!(p.starts_with("ld") && p.len() == 10, "{p}");
        check_id_prefix(&p).unwrap();
    }
}
