//! `veltrix publish`: a stream of events published to JetStream, each to its
//! partition's subject, with a bounded number of acknowledgements pending.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::HeaderMap;
use async_nats::jetstream::context::PublishAckFuture;
use async_nats::jetstream::{self, Context};
use bytes::Bytes;
use clap::{Args, ValueEnum};
use event_decode::{Bump, DecodeConfig, EventReader, Format, Item};
use event_pipeline::table_from_yaml_reader;
use event_router::RouteTable;
use serde::Serialize;

use crate::layout::{
    EVENTS_STREAM, connect, ensure_streams, partition_subject, single_type, stream_not_found,
};

/// An encoding of the input stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StreamFormat {
    /// YAML, one document per event.
    Yaml,
    /// JSON lines.
    Json,
    /// Length-delimited protobuf.
    Proto,
}

impl From<StreamFormat> for Format {
    fn from(f: StreamFormat) -> Format {
        match f {
            StreamFormat::Yaml => Format::Yaml,
            StreamFormat::Json => Format::Json,
            StreamFormat::Proto => Format::Protobuf,
        }
    }
}

/// The flags of `veltrix publish` (SPEC §7).
#[derive(Debug, Clone, Args)]
pub struct PublishArgs {
    /// The NATS server, e.g. `nats://127.0.0.1:4222`.
    #[arg(long, value_name = "URL")]
    pub nats: String,
    /// The routing table (its key and partition count place each event).
    #[arg(long, value_name = "ROUTES.yaml")]
    pub config: PathBuf,
    /// Format of the input.
    #[arg(long, value_enum)]
    pub format: StreamFormat,
    /// Make the stream `VELTRIX_EVENTS` if it is missing (without it, a
    /// missing stream is an error: exit status 2).
    #[arg(long)]
    pub create: bool,
    /// The most publications waiting for the server's acknowledgement.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_in_flight: usize,
    /// How long to keep retrying one event while the server is away, in
    /// seconds, before counting it as failed.
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub retry_for: f64,
    /// Input file; `-` or nothing reads standard input.
    #[arg(value_name = "FILE|-")]
    pub input: Option<PathBuf>,
}

/// What a run of `veltrix publish` did (printed as one JSON line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PublishSummary {
    /// Events the server stored.
    pub published: u64,
    /// Events the server acknowledged as repeats of an id it had already
    /// stored within its duplicate window (not stored again).
    pub duplicates: u64,
    /// Events still unacknowledged after retrying for `--retry-for`.
    pub failed: u64,
    /// Bad events of the input (reported on stderr, not published).
    pub rejected: u64,
    /// Seconds from the first read to the last acknowledgement.
    #[serde(serialize_with = "millis")]
    pub seconds: f64,
}

fn millis<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((v * 1000.0).round() / 1000.0)
}

impl PublishSummary {
    /// Whether every event was published or recognised as a duplicate.
    pub fn is_clean(&self) -> bool {
        self.failed == 0 && self.rejected == 0
    }
}

/// Bad usage or configuration of `veltrix publish`, the operator's to fix
/// (the command exits 2): a routing table that cannot be read or is not a
/// valid table, an input that cannot be opened, a stream that is missing
/// without `--create`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PublishUsage(pub String);

/// Reads the routing table of `--config`; its errors name the file.
pub fn load_table(path: &Path) -> Result<RouteTable, PublishUsage> {
    let name = path.display();
    let file = File::open(path).map_err(|e| PublishUsage(format!("cannot read {name}: {e}")))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(PublishUsage(format!(
            "cannot read {name}: it is a directory"
        )));
    }
    table_from_yaml_reader(file).map_err(|e| PublishUsage(format!("{name}: {e}")))
}

/// Opens the input: a file, or standard input for `-` or nothing.
fn open_input(path: Option<&Path>) -> Result<Box<dyn BufRead>, PublishUsage> {
    match path {
        None => Ok(Box::new(BufReader::new(std::io::stdin()))),
        Some(p) if p.as_os_str() == "-" => Ok(Box::new(BufReader::new(std::io::stdin()))),
        Some(p) => {
            let file = File::open(p)
                .map_err(|e| PublishUsage(format!("cannot open {}: {e}", p.display())))?;
            if file.metadata().is_ok_and(|m| m.is_dir()) {
                return Err(PublishUsage(format!(
                    "cannot open {}: it is a directory",
                    p.display()
                )));
            }
            Ok(Box::new(BufReader::with_capacity(256 << 10, file)))
        }
    }
}

/// Runs `veltrix publish`: publishes, prints the summary on stdout, and
/// answers whether the run was clean (exit status 0) or not (1). Errors
/// that are the operator's to fix are [`PublishUsage`] (exit status 2).
pub fn run_publish(args: &PublishArgs) -> anyhow::Result<bool> {
    let table = load_table(&args.config)?;
    let input = open_input(args.input.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let summary = runtime.block_on(publish(args, table, input))?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &summary)?;
    writeln!(out)?;
    out.flush()?;
    Ok(summary.is_clean())
}

/// One publication not yet acknowledged, kept whole so it can be sent again.
struct Pending {
    subject: String,
    headers: HeaderMap,
    payload: Bytes,
    ack: PublishAckFuture,
}

/// Publishes every event of `input` (see [`PublishArgs`]); bad events are
/// reported on stderr as `error: ...` lines and counted as rejected.
/// `table` places each event (see [`load_table`]); `args.config` is not
/// read again.
pub async fn publish(
    args: &PublishArgs,
    table: RouteTable,
    input: Box<dyn BufRead>,
) -> anyhow::Result<PublishSummary> {
    let format: Format = args.format.into();
    let content_type = single_type(format);
    let max_in_flight = args.max_in_flight.max(1);
    let retry_for =
        Duration::try_from_secs_f64(args.retry_for.max(0.0)).unwrap_or(Duration::from_secs(60));
    // The first connection is retried for ever: what fails here is the URL.
    let client = connect(&args.nats, "veltrix-publish")
        .await
        .map_err(|e| PublishUsage(format!("--nats {}: {e}", args.nats)))?;
    let js = jetstream::ContextBuilder::new()
        .timeout(Duration::from_secs(5))
        .ack_timeout(Duration::from_secs(5))
        .max_ack_inflight(max_in_flight)
        .build(client.clone());
    if args.create {
        retrying(retry_for, "creating the stream", || {
            ensure_streams(&js, false)
        })
        .await
        .map_err(|e| anyhow::anyhow!("--create: {e}"))?;
    } else {
        let found = retrying(retry_for, "looking for the stream", || async {
            match js.get_stream(EVENTS_STREAM).await {
                Ok(_) => Ok(true),
                Err(e) if stream_not_found(&e) => Ok(false),
                Err(e) => Err(e),
            }
        })
        .await
        .map_err(|e| anyhow::anyhow!("--nats {}: {e}", args.nats))?;
        if !found {
            return Err(PublishUsage(format!(
                "--nats {}: the stream {EVENTS_STREAM} does not exist; run with --create to make it",
                args.nats
            ))
            .into());
        }
    }
    let started = Instant::now();
    let mut summary = PublishSummary::default();
    let mut inflight: VecDeque<Pending> = VecDeque::with_capacity(max_in_flight);
    let mut reader = EventReader::new(format, input, &DecodeConfig::new());
    let mut arena = Bump::new();
    arena.set_allocation_limit(Some(64 << 20));
    loop {
        arena.reset();
        let (subject, headers, payload) = match reader.read_event_into(&arena) {
            None => break,
            Some(Item::Event { event, frame }) => {
                let mut headers = HeaderMap::new();
                headers.insert("Nats-Msg-Id", event.id);
                headers.insert("Content-Type", content_type);
                (
                    partition_subject(table.partition_of(&event)),
                    headers,
                    Bytes::copy_from_slice(frame.bytes),
                )
            }
            Some(Item::Bad { error, .. }) => {
                summary.rejected += 1;
                eprintln!("error: {error}");
                continue;
            }
            Some(Item::CutShort { error }) => {
                summary.rejected += 1;
                eprintln!("error: the stream stops here: {error}");
                break;
            }
        };
        let ack = send(&js, &subject, &headers, &payload, retry_for).await;
        match ack {
            Some(ack) => inflight.push_back(Pending {
                subject,
                headers,
                payload,
                ack,
            }),
            None => summary.failed += 1,
        }
        while inflight.len() >= max_in_flight {
            if let Some(p) = inflight.pop_front() {
                settle(&js, p, retry_for, &mut summary).await;
            }
        }
    }
    while let Some(p) = inflight.pop_front() {
        settle(&js, p, retry_for, &mut summary).await;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    let _ = client.flush().await;
    Ok(summary)
}

/// Sends one publication, retrying with backoff for `retry_for`.
async fn send(
    js: &Context,
    subject: &str,
    headers: &HeaderMap,
    payload: &Bytes,
    retry_for: Duration,
) -> Option<PublishAckFuture> {
    retrying(retry_for, "publishing", || {
        js.publish_with_headers(subject.to_owned(), headers.clone(), payload.clone())
    })
    .await
    .ok()
}

/// Awaits one acknowledgement; when it fails (a timeout while the server is
/// away), publishes the event again (the server drops a repeat of its id)
/// until it is acknowledged or `retry_for` has passed.
async fn settle(js: &Context, p: Pending, retry_for: Duration, summary: &mut PublishSummary) {
    let first = p.ack.await;
    let ack = match first {
        Ok(ack) => Ok(ack),
        Err(e) => {
            tracing::warn!("{}: no acknowledgement ({e}); publishing again", p.subject);
            retrying(retry_for, "publishing again", || async {
                js.publish_with_headers(p.subject.clone(), p.headers.clone(), p.payload.clone())
                    .await?
                    .await
                    .map_err(async_nats::Error::from)
            })
            .await
        }
    };
    match ack {
        Ok(ack) if ack.duplicate => summary.duplicates += 1,
        Ok(_) => summary.published += 1,
        Err(e) => {
            tracing::error!("{}: giving up: {e}", p.subject);
            summary.failed += 1;
        }
    }
}

/// Runs `op` until it succeeds or `budget` has passed, sleeping 50 ms
/// doubling to 2 s between attempts; logs the first failure.
pub(crate) async fn retrying<T, E, F, Fut>(budget: Duration, what: &str, mut op: F) -> Result<T, E>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let deadline = Instant::now() + budget;
    let mut delay = Duration::from_millis(50);
    let mut attempt = 0u32;
    loop {
        match op().await {
            Ok(v) => return Ok(v),
            Err(e) => {
                attempt += 1;
                if Instant::now() + delay > deadline {
                    return Err(e);
                }
                if attempt == 1 {
                    tracing::warn!("{what} failed ({e}); retrying with backoff");
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        }
    }
}
