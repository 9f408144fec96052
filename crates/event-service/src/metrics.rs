//! `/metrics`: Prometheus text (OpenMetrics, as `prometheus-client` writes
//! it).

use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::engine::Snapshot;

type Labels = Vec<(String, String)>;

/// The service's metrics. The router's counters live on its thread; they
/// are copied in at each scrape (counters only ever go up, so the copy adds
/// the difference), so routing an event touches no shared metric.
pub(crate) struct Metrics {
    registry: Registry,
    events: Family<Labels, Counter>,
    routes: Family<Labels, Counter>,
    handlers: Family<Labels, Counter>,
    partitions: Family<Labels, Counter>,
    duration: Histogram,
    rss: Gauge,
    /// One scrape at a time (the copy of the counters is a read-then-add).
    scrape: Mutex<()>,
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::default();
        let events = Family::<Labels, Counter>::default();
        let routes = Family::<Labels, Counter>::default();
        let handlers = Family::<Labels, Counter>::default();
        let partitions = Family::<Labels, Counter>::default();
        // 50 µs to about 1.6 s, doubling.
        let duration = Histogram::new(exponential_buckets(0.000_05, 2.0, 16));
        let rss = Gauge::default();
        registry.register(
            "veltrix_events",
            "Events by outcome (routed, dead_letter, dropped, rejected, duplicate)",
            events.clone(),
        );
        registry.register(
            "veltrix_route_events",
            "Events each route matched",
            routes.clone(),
        );
        registry.register(
            "veltrix_handler_events",
            "Events delivered to each handler",
            handlers.clone(),
        );
        registry.register(
            "veltrix_partition_events",
            "Routed events per partition",
            partitions.clone(),
        );
        registry.register(
            "veltrix_request_duration_seconds",
            "Time from a request's headers to its response",
            duration.clone(),
        );
        registry.register(
            "process_resident_memory_bytes",
            "Resident memory of the service process",
            rss.clone(),
        );
        Metrics {
            registry,
            events,
            routes,
            handlers,
            partitions,
            duration,
            rss,
            scrape: Mutex::new(()),
        }
    }

    /// Records one request's duration.
    pub(crate) fn observe(&self, elapsed: Duration) {
        self.duration.observe(elapsed.as_secs_f64());
    }

    /// The exposition, with the counters of `snapshot`.
    pub(crate) fn render(&self, snapshot: &Snapshot) -> String {
        let _one = self.scrape.lock().unwrap_or_else(|p| p.into_inner());
        let up_to = |family: &Family<Labels, Counter>, label: &str, value: String, now: u64| {
            let c = family.get_or_create(&vec![(label.to_owned(), value)]);
            let was = c.get();
            if now > was {
                c.inc_by(now - was);
            }
        };
        for (outcome, n) in [
            ("routed", snapshot.routed),
            ("dead_letter", snapshot.dead_letter),
            ("dropped", snapshot.dropped),
            ("rejected", snapshot.rejected),
            ("duplicate", snapshot.duplicate),
        ] {
            up_to(&self.events, "outcome", outcome.to_owned(), n);
        }
        for (name, n) in &snapshot.routes {
            up_to(&self.routes, "route", name.clone(), *n);
        }
        for (name, n) in &snapshot.handlers {
            up_to(&self.handlers, "handler", name.clone(), *n);
        }
        for (p, n) in snapshot.partitions.iter().enumerate() {
            up_to(&self.partitions, "partition", p.to_string(), *n);
        }
        if let Some(rss) = resident_bytes() {
            self.rss.set(i64::try_from(rss).unwrap_or(i64::MAX));
        }
        let mut text = String::with_capacity(8 << 10);
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

/// The process's resident memory, from `/proc/self/statm` (Linux).
pub(crate) fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
