//! The run's concurrent parts: the thread that releases requests on
//! schedule, one task per connection that sends them, and the sampler that
//! reports each second.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::metrics::RssProbe;
use crate::outcome::Outcomes;
use crate::target::TransportError;
use crate::wire::FastConnection;

use super::report::Second;
use super::state::Shared;

/// The schedule: a plain thread (finer sleeps than Tokio's millisecond
/// timer) that releases one permit per request at its due time, then one
/// per connection so that every connection task sees the end.
pub(super) fn release_on_schedule(shared: &Shared, connections: usize) {
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
pub(super) async fn send_loop(shared: Arc<Shared>, conn: FastConnection) {
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
pub(super) async fn sample_seconds(
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
