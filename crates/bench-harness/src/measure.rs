//! One timing method for every row: warm up, then many samples of a fixed
//! batch of decodes, each sample timed as a whole and divided by the batch.
//!
//! Timing a batch rather than one decode keeps the timer's own cost (tens of
//! nanoseconds) out of sub-microsecond rows; many samples give a median and a
//! p99 of the per-event time. The Go program implements the same plan.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::AllocProbe;

/// How a row is measured. Every row of a run uses the same plan.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Plan {
    /// Timed samples.
    pub samples: usize,
    /// Decodes per sample.
    pub batch: usize,
    /// Untimed decoding before the first sample.
    #[serde(serialize_with = "millis")]
    pub warmup: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

impl Plan {
    /// The full run.
    pub const FULL: Plan = Plan {
        samples: 301,
        batch: 64,
        warmup: Duration::from_millis(300),
    };
    /// `--quick`: a smoke run.
    pub const QUICK: Plan = Plan {
        samples: 61,
        batch: 16,
        warmup: Duration::from_millis(40),
    };
}

/// Per-event figures of one row on one input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Timing {
    /// Median of the per-event times of the samples, ns.
    pub ns_median: f64,
    /// 99th percentile (nearest rank) of the per-event times, ns.
    pub ns_p99: f64,
    /// Input bytes decoded per second over all samples, in MB (10^6 bytes).
    pub mb_per_s: f64,
}

/// Heap traffic per event, from the counting allocator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Heap {
    /// Allocation calls per event.
    pub allocs_per_event: f64,
    /// Bytes requested per event.
    pub bytes_per_event: f64,
}

/// Decodes every input once (checking that each decodes), then counts the
/// heap traffic of one more pass over them.
///
/// The first pass also absorbs one-time allocations (lazy statics, buffers
/// that a decoder keeps), so the counted pass shows the steady state.
pub fn check_and_count<F>(
    inputs: &[Vec<u8>],
    probe: &AllocProbe,
    mut decode: F,
) -> Result<Option<Heap>, String>
where
    F: FnMut(&[u8]) -> Result<(), String>,
{
    for (i, input) in inputs.iter().enumerate() {
        decode(input).map_err(|e| format!("input {}: {e}", i + 1))?;
    }
    let before = probe.read();
    for input in inputs {
        decode(input)?;
    }
    let after = probe.read();
    Ok(before.zip(after).map(|(b, a)| {
        let n = inputs.len().max(1) as f64;
        Heap {
            allocs_per_event: (a.allocations - b.allocations) as f64 / n,
            bytes_per_event: (a.bytes - b.bytes) as f64 / n,
        }
    }))
}

/// Times `decode` over `inputs` (cycled in order) with `plan`.
pub fn time<F>(inputs: &[Vec<u8>], plan: &Plan, mut decode: F) -> Result<Timing, String>
where
    F: FnMut(&[u8]) -> Result<(), String>,
{
    if inputs.is_empty() || plan.samples == 0 || plan.batch == 0 {
        return Err("nothing to time".into());
    }
    let mut next = 0usize;
    let start = Instant::now();
    loop {
        for _ in 0..plan.batch {
            decode(black_box(&inputs[next]))?;
            next = (next + 1) % inputs.len();
        }
        if start.elapsed() >= plan.warmup {
            break;
        }
    }
    let mut per_event = Vec::with_capacity(plan.samples);
    let mut total_ns = 0u128;
    let mut total_bytes = 0u64;
    for _ in 0..plan.samples {
        let first = next;
        let t = Instant::now();
        for _ in 0..plan.batch {
            decode(black_box(&inputs[next]))?;
            next = (next + 1) % inputs.len();
        }
        let ns = t.elapsed().as_nanos();
        total_ns += ns;
        per_event.push(ns as f64 / plan.batch as f64);
        // Counted outside the timed region.
        for k in 0..plan.batch {
            total_bytes += inputs[(first + k) % inputs.len()].len() as u64;
        }
    }
    per_event.sort_by(f64::total_cmp);
    Ok(Timing {
        ns_median: percentile(&per_event, 50.0),
        ns_p99: percentile(&per_event, 99.0),
        mb_per_s: if total_ns == 0 {
            0.0
        } else {
            total_bytes as f64 * 1e3 / total_ns as f64
        },
    })
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
    }
}
