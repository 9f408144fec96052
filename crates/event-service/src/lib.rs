//! # event-service: `veltrix serve`
//!
//! The router and the game handlers (matchmaking queue, scoreboard) as one
//! HTTP/1.1 service over a Unix socket or TCP (SPEC §6), so that game servers
//! send events over a socket instead of calling a decoder through cgo.
//!
//! ## How the threads are arranged, and why
//!
//! - **One router** owns the [`event_pipeline::Pipeline`] (router, arena,
//!   handlers), the dedupe window and the dead-letter file. The router's
//!   properties hold because nothing else touches them: its arena and
//!   handlers are single-threaded (no locks on the hot path, zero heap
//!   allocations per event in the router core), and one thread running
//!   jobs one at a time in the order they were accepted gives the ordering
//!   SPEC §6 promises: within a partition each handler sees events in the
//!   order the service accepted them (a connection's requests in order, a
//!   body's events in order), across all connections. On the 2-core
//!   development machine one router took about 200,000 YAML events a
//!   second, or 500,000 protobuf events a second, in batches of 100
//!   (`veltrix load --batch 100`, see the README); YAML decoding is what
//!   bounds it. A larger machine would run one router per shard of
//!   partitions, each with its own queue.
//! - **With one HTTP thread (the default) the router lives on it**: the
//!   HTTP side is a current-thread tokio runtime on the thread that built
//!   the router, and a request's events are routed right there, between
//!   reading its body and writing its response. Handing each request to a
//!   router thread and its results back cost two cross-thread wakeups
//!   (a futex for the router, the runtime's eventfd for the reply) and two
//!   context switches per request: for a single small event that was more
//!   CPU than decoding and routing it (measured: about 24 µs of service
//!   CPU per single-event YAML request with the hand-off, see the commit
//!   that introduced this mode for the figures). Order is trivially kept:
//!   one thread runs every job, each to completion. The dead-letter file's
//!   once-a-second sync is driven by a timer task on that thread, and its
//!   `fsync` runs on a thread of its own (`veltrix-fsync`), so serving
//!   never waits on the disk (it took up to 43 ms here).
//! - **With `--http-threads N` above 1, or with `--consume`, the router has
//!   its own thread** (`veltrix-router`) and the HTTP threads (`veltrix-http`,
//!   a multi-threaded tokio runtime) send it one job per request over one
//!   FIFO queue: several threads then parse HTTP and frame bodies in
//!   parallel, and the one queue keeps the order across connections.
//! - In both arrangements a body is framed whole before any of it is
//!   routed (a body that cannot be split is a 400 that routes nothing), and
//!   the response is sent after the router ran the handlers, so an event
//!   answered `routed` has been handled.
//! - **The router's queue is bounded in events** (`--queue`): a request
//!   that does not fit gets 503 with `Retry-After` and routes nothing, so
//!   memory stays bounded under overload instead of latency growing without
//!   limit. With the router on the HTTP thread nothing waits in a queue (a
//!   body is routed as soon as it is framed, one at a time), so the bound
//!   is never reached; under overload requests wait unread in their
//!   sockets, bounded by `--max-connections` and the kernel's buffers.
//! - **Metrics cost the router nothing per event**: its counters are copied
//!   into `prometheus-client`'s registry when `/metrics` is scraped.
//!
//! Hostile clients are bounded by `--max-connections` (a connection past it
//! is closed at once), a 16 KiB request head, a header read timeout, and
//! `--max-body` (refused from its `Content-Length` or as soon as the bytes
//! pass it, never read whole).
//!
//! Past one machine (SPEC §7): with `--consume URL --partitions A-B` the
//! router's thread is also fed from NATS JetStream, one durable pull
//! consumer per owned partition, through the same bounded queue; messages
//! are acknowledged only after the handlers ran, and dead letters go to the
//! stream `VELTRIX_DEAD` instead of the file. With `--publish-to URL` the
//! HTTP side validates bodies and publishes them instead of routing them
//! (a stateless ingest tier). In consume mode `POST /v1/events` does the
//! same, to the `--consume` server: any instance takes traffic, answers
//! `published` (or `duplicate` when the server already has the id), and only
//! the partition's owner routes the event, in stream order; an instance's
//! `/v1/stats` counts what it routed from its partitions, never what it
//! published. Without `--create`, a missing stream or consumer stops the
//! start with exit status 2 and a message naming it (a server that is away
//! is waited for, with backoff).
//!
//! Order is observable: `/v1/stats` (and the final summary) carry
//! `partition_order`, per partition a 64-bit FNV-1a chain (16 hex digits)
//! over the ids of the events routed to handlers, in the order the handlers
//! saw them, each id followed by one `0xff` byte, starting from FNV's offset
//! basis `cbf29ce484222325`. Instances that routed the same ids in a
//! partition in the same order show the same value, so a client can
//! recompute it from what it published and check the order.
//!
//! Dead letters (unmatched events under `unmatched: dead_letter`, and every
//! rejected event) go to `--dead-letters FILE` as JSON lines, fsynced at
//! least once a second and on drain, rotated to `FILE.1`; `veltrix replay`
//! sends them again.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod args;
mod body;
mod consume;
mod dead_letters;
mod dedupe;
mod engine;
mod game;
mod http;
mod ingest;
mod metrics;
mod server;

pub use args::{ServeArgs, parse_bytes};
pub use server::{ServeError, Summary, serve};

/// Sends `tracing` logs to stderr (stdout carries only the final summary).
/// `RUST_LOG` filters them (default `info`).
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}
