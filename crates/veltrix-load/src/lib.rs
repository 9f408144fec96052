//! # veltrix-load: clients of `veltrix serve`
//!
//! Two clients of the service's HTTP/1.1 API (SPEC §6), for the `veltrix`
//! command to wire in:
//!
//! - [`run_load`] ([`LoadArgs`] → [`LoadReport`]): `veltrix load`, an
//!   open-loop load generator;
//! - [`run_replay`] ([`ReplayArgs`] → [`ReplaySummary`]): `veltrix replay`,
//!   which sends the events of a dead-letter file again.
//!
//! Both talk to the service over TCP or a Unix socket on Tokio, each in a
//! runtime of its own: call them from synchronous code. `veltrix replay`
//! and the `/metrics` scrapes use hyper 1 client connections
//! (`hyper::client::conn::http1`); the load itself goes through a small
//! HTTP/1.1 client of its own (one write per request, no allocation), so
//! that the generator takes as little CPU as it can from a service on the
//! same machine.
//!
//! ## Open loop, and why latency is measured from the schedule
//!
//! A closed-loop generator (send, wait for the answer, send the next)
//! measures the service only while it is fast: when the service stalls for
//! a second, the generator stalls with it and sends nothing, so the one slow
//! request is recorded once and the thousands of requests that real clients
//! would have sent during the stall, and that would all have waited, are
//! never sent or measured. That is *coordinated omission*: the percentiles
//! come out orders of magnitude better than what users see.
//!
//! `run_load` is open loop instead. Request `i` is due at
//! `start + i / rate`, whatever the responses do: a schedule thread releases
//! one permit per request at its due time (plain thread sleeps, finer than
//! Tokio's millisecond timer), and each of `--connections` keep-alive
//! connections takes the next released request whenever it is free. When
//! every connection is busy, due requests wait for one, exactly as a real
//! client's requests would queue; the latency of each request is measured
//! from its **scheduled** time to the last byte of its response, so that
//! waiting is counted (the coordinated-omission correction). Latencies go
//! into an HDR histogram (`hdrhistogram`, nanoseconds, three significant
//! digits); requests that time out or are still waiting a `--timeout` after
//! the schedule ended are recorded with the time they had waited, a lower
//! bound, rather than dropped.
//!
//! Bodies are encoded before the clock starts (see `bodies`: the
//! deterministic corpus recast as `--players` players in matches of 8, with
//! ids made unique per request by rewriting fixed-width digits), so that
//! generating events never limits the rate. Once a second a separate
//! connection scrapes the service's `GET /metrics` for
//! `process_resident_memory_bytes`, and a progress line goes to stderr.
//!
//! ```no_run
//! use veltrix_load::{LoadArgs, run_load};
//!
//! let mut args = LoadArgs::new("http://127.0.0.1:7600", 5_000.0, 30.0);
//! args.batch = 4;
//! let report = run_load(&args)?;
//! println!("p99 {} µs, {:?} errors", report.latency.p99_us, report.http_errors);
//! # Ok::<(), anyhow::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod args;
mod bodies;
mod load;
mod metrics;
mod outcome;
mod replay;
mod svg;
mod target;
mod wire;

pub use args::{DEFAULT_TARGET, LoadArgs, ReplayArgs, WireFormat};
pub use bodies::{ID_DIGITS, MATCH_SIZE, MAX_POOL_BYTES, MAX_POOL_EVENTS};
pub use load::{Latency, LoadReport, PercentilePoint, PoolInfo, Rss, Second, run_load};
pub use metrics::{RSS_METRIC, resident_memory_bytes};
pub use outcome::Outcomes;
pub use replay::{MAX_LINE_BYTES, MAX_LISTED_LINES, RETRIES_ON_503, ReplaySummary, run_replay};
pub use svg::percentile_plot;
pub use target::{Target, TargetError, TransportError};
pub use wire::{MAX_RESPONSE_BODY, MAX_RESPONSE_HEAD, ResponseError};
