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
pub fn time<F>(inputs: &[Vec<u8>], plan: &Plan, decode: F) -> Result<Timing, String>
where
    F: FnMut(&[u8]) -> Result<(), String>,
{
    let mut timings = time_interleaved(vec![(inputs, decode)], plan)?;
    Ok(timings.remove(0))
}

/// Times several rows with `plan`, their samples taken in turn (one batch
/// of the first row, one of the second, ..., then again): a slow spell of
/// a shared machine then falls on every row alike, so ratios between them
/// hold where rows timed one after the other would each catch a different
/// spell. Each row's decoder warms up just before the first round.
pub fn time_interleaved<F>(rows: Vec<(&[Vec<u8>], F)>, plan: &Plan) -> Result<Vec<Timing>, String>
where
    F: FnMut(&[u8]) -> Result<(), String>,
{
    if plan.samples == 0 || plan.batch == 0 || rows.iter().any(|(inputs, _)| inputs.is_empty()) {
        return Err("nothing to time".into());
    }
    let mut timers: Vec<Timer<'_, F>> = rows
        .into_iter()
        .map(|(inputs, decode)| Timer {
            inputs,
            decode,
            next: 0,
            per_event: Vec::with_capacity(plan.samples),
            total_ns: 0,
            total_bytes: 0,
        })
        .collect();
    for timer in &mut timers {
        let start = Instant::now();
        loop {
            timer.batch(plan.batch)?;
            if start.elapsed() >= plan.warmup {
                break;
            }
        }
    }
    for _ in 0..plan.samples {
        for timer in &mut timers {
            timer.sample(plan.batch)?;
        }
    }
    Ok(timers.into_iter().map(Timer::finish).collect())
}

/// One row's inputs, decoder and samples so far.
struct Timer<'i, F> {
    inputs: &'i [Vec<u8>],
    decode: F,
    next: usize,
    per_event: Vec<f64>,
    total_ns: u128,
    total_bytes: u64,
}

impl<F> Timer<'_, F>
where
    F: FnMut(&[u8]) -> Result<(), String>,
{
    /// Decodes the next `n` inputs.
    fn batch(&mut self, n: usize) -> Result<(), String> {
        for _ in 0..n {
            (self.decode)(black_box(&self.inputs[self.next]))?;
            self.next = (self.next + 1) % self.inputs.len();
        }
        Ok(())
    }

    /// One timed batch of `n` decodes.
    fn sample(&mut self, n: usize) -> Result<(), String> {
        let first = self.next;
        let t = Instant::now();
        self.batch(n)?;
        let ns = t.elapsed().as_nanos();
        self.total_ns += ns;
        self.per_event.push(ns as f64 / n as f64);
        // Counted outside the timed region.
        for k in 0..n {
            self.total_bytes += self.inputs[(first + k) % self.inputs.len()].len() as u64;
        }
        Ok(())
    }

    fn finish(mut self) -> Timing {
        self.per_event.sort_by(f64::total_cmp);
        Timing {
            ns_median: percentile(&self.per_event, 50.0),
            ns_p99: percentile(&self.per_event, 99.0),
            mb_per_s: if self.total_ns == 0 {
                0.0
            } else {
                self.total_bytes as f64 * 1e3 / self.total_ns as f64
            },
        }
    }
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

    /// Rows are sampled in turn, one batch each, after each warmed up; an
    /// error of any row stops the timing with that error.
    #[test]
    fn interleaved_rows_take_their_samples_in_turn() {
        use std::cell::RefCell;
        use std::rc::Rc;
        let log = Rc::new(RefCell::new(Vec::new()));
        let row = |id: usize, fail_at: Option<usize>| {
            let log = Rc::clone(&log);
            let mut calls = 0;
            move |input: &[u8]| {
                calls += 1;
                if Some(calls) == fail_at {
                    return Err(format!("row {id} failed"));
                }
                log.borrow_mut().push((id, input[0]));
                Ok(())
            }
        };
        let inputs = [vec![1u8], vec![2], vec![3]];
        let plan = Plan {
            samples: 4,
            batch: 2,
            warmup: Duration::ZERO,
        };
        let rows = vec![(&inputs[..], row(0, None)), (&inputs[..], row(1, None))];
        let timings = time_interleaved(rows, &plan).unwrap();
        assert_eq!(timings.len(), 2);
        assert!(timings.iter().all(|t| t.ns_median.is_finite()));
        let log = log.borrow().clone();
        // Warm-up: one batch of each row, one row after the other.
        assert_eq!(&log[..4], [(0, 1), (0, 2), (1, 1), (1, 2)]);
        // Then 4 rounds of one batch per row, inputs cycled per row.
        let rounds: Vec<_> = log[4..].chunks(2).map(|b| (b[0].0, b[1].0)).collect();
        assert_eq!(
            rounds,
            [
                (0, 0),
                (1, 1),
                (0, 0),
                (1, 1),
                (0, 0),
                (1, 1),
                (0, 0),
                (1, 1)
            ]
        );
        let row0: Vec<u8> = log[4..].iter().filter(|c| c.0 == 0).map(|c| c.1).collect();
        assert_eq!(row0, [3, 1, 2, 3, 1, 2, 3, 1]);

        let err = time_interleaved(
            vec![(&inputs[..], row(0, None)), (&inputs[..], row(1, Some(5)))],
            &plan,
        )
        .unwrap_err();
        assert_eq!(err, "row 1 failed");
        assert!(time_interleaved(vec![(&[][..], row(0, None))], &plan).is_err());
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
    }
}
