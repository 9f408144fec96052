//! `veltrix load`: the open-loop run, its report, and the printed table.
//!
//! This module checks the arguments and drives the run; [`report`] holds
//! the report and its table, [`state`] what the run's tasks share, and
//! [`tasks`] the schedule, connection and sampling tasks.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use hdrhistogram::Histogram;
use tokio::sync::Semaphore;

use crate::args::LoadArgs;
use crate::bodies::{
    BodyPool, EventSource, ID_DIGITS, MAX_POOL_BYTES, MAX_POOL_EVENTS, check_id_prefix,
};
use crate::metrics::RssProbe;
use crate::target::Target;

mod report;
mod state;
mod tasks;

pub use report::{Latency, LoadReport, PercentilePoint, PoolInfo, Rss, Second};
use state::{Shared, Stats};
use tasks::{release_on_schedule, sample_seconds, send_loop};

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
