//! The service's resident memory, read from `GET /metrics`.

use std::time::Duration;

use bytes::Bytes;
use http::Method;

use crate::target::{Connection, Target};

/// The metric that carries the process's resident memory in bytes.
pub const RSS_METRIC: &str = "process_resident_memory_bytes";

/// The value of `process_resident_memory_bytes` in a Prometheus or
/// OpenMetrics text exposition, in bytes; `None` when the metric is absent
/// or its value is not a finite non-negative number.
pub fn resident_memory_bytes(exposition: &str) -> Option<u64> {
    exposition.lines().find_map(|line| {
        let rest = line.strip_prefix(RSS_METRIC)?;
        // `name value`, `name{labels} value`, optionally a timestamp after.
        let rest = match rest.as_bytes().first()? {
            b' ' | b'\t' => rest,
            b'{' => &rest[rest.find('}')? + 1..],
            _ => return None,
        };
        let value: f64 = rest.split_whitespace().next()?.parse().ok()?;
        (value.is_finite() && value >= 0.0).then_some(value as u64)
    })
}

/// Scrapes `GET /metrics` on a connection of its own, kept between scrapes.
pub(crate) struct RssProbe {
    target: Target,
    path: String,
    conn: Option<Connection>,
    timeout: Duration,
}

impl RssProbe {
    pub(crate) fn new(target: &Target, timeout: Duration) -> Self {
        RssProbe {
            target: target.clone(),
            path: target.path("/metrics"),
            conn: None,
            timeout,
        }
    }

    /// The service's resident memory now; `None` when it cannot be read
    /// (no metric, an error status, the service unreachable).
    pub(crate) async fn sample(&mut self) -> Option<u64> {
        let mut conn = match self.conn.take() {
            Some(mut c) => {
                if c.ready().await {
                    c
                } else {
                    self.target.connect().await.ok()?
                }
            }
            None => self.target.connect().await.ok()?,
        };
        let reply = conn
            .exchange(Method::GET, &self.path, None, Bytes::new(), self.timeout)
            .await
            .ok()?;
        self.conn = Some(conn);
        if !reply.status.is_success() {
            return None;
        }
        resident_memory_bytes(std::str::from_utf8(&reply.body).ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_resident_memory_line() {
        let text = "# HELP process_resident_memory_bytes Resident memory size in bytes.\n\
                    # TYPE process_resident_memory_bytes gauge\n\
                    process_resident_memory_bytes_total 1\n\
                    process_resident_memory_bytes 2.4576e7\n\
                    # EOF\n";
        assert_eq!(resident_memory_bytes(text), Some(24_576_000));
        assert_eq!(
            resident_memory_bytes("process_resident_memory_bytes{pid=\"1\"} 4096 1700000000\n"),
            Some(4096)
        );
        assert_eq!(resident_memory_bytes("veltrix_events_total 3\n"), None);
        assert_eq!(
            resident_memory_bytes("process_resident_memory_bytes NaN\n"),
            None
        );
        assert_eq!(
            resident_memory_bytes("process_resident_memory_bytes{x=\"\n"),
            None
        );
    }
}
