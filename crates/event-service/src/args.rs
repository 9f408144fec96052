//! `veltrix serve`'s flags.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// The flags of `veltrix serve` (SPEC §6).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The routing table (YAML, SPEC §4).
    #[arg(long, value_name = "ROUTES.yaml")]
    pub config: PathBuf,
    /// A TCP address to listen on (e.g. `127.0.0.1:7600`). With neither
    /// `--listen` nor `--unix`, the service listens on `127.0.0.1:7600`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Vec<String>,
    /// A Unix stream socket to listen on; a stale socket file is replaced,
    /// and the file is removed on exit.
    #[arg(long, value_name = "PATH")]
    pub unix: Vec<PathBuf>,
    /// The largest request body, in bytes (suffixes KiB and MiB allowed).
    #[arg(long, value_name = "BYTES", default_value = "8MiB", value_parser = parse_bytes)]
    pub max_body: u64,
    /// The router's queue, in events: past it a request gets 503 with
    /// `Retry-After` and routes nothing.
    #[arg(long, value_name = "EVENTS", default_value_t = 65_536)]
    pub queue: usize,
    /// Seconds to finish the requests already received after SIGTERM or
    /// SIGINT.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub drain_timeout: f64,
    /// The most connections held at once; past it new connections are
    /// closed at once.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_connections: usize,
    /// How many routed event ids are remembered to answer a retry with
    /// `duplicate` (0 turns deduplication off).
    #[arg(long, value_name = "IDS", default_value_t = 100_000)]
    pub dedupe_window: usize,
    /// Appends every dead-lettered and rejected event to this file, one JSON
    /// line each (fsynced at least once a second and on drain).
    #[arg(long, value_name = "FILE")]
    pub dead_letters: Option<PathBuf>,
    /// Past this size the dead-letter file is rotated to `FILE.1` (suffixes
    /// KiB and MiB allowed).
    #[arg(long, value_name = "BYTES", default_value = "64MiB", value_parser = parse_bytes)]
    pub dead_letters_max: u64,
    /// Seconds a client has to send a request's headers; a slower client is
    /// dropped.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub header_timeout: f64,
    /// Threads serving HTTP (the router has its own thread besides).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub http_threads: usize,
    /// Route the partitions of `--partitions` from NATS JetStream at this
    /// URL (SPEC §7): one durable pull consumer `veltrix-p<k>` per
    /// partition, each message acknowledged once its handlers ran.
    /// `POST /v1/events` then publishes to the same server (answers
    /// `published`), so that only a partition's owner routes its events.
    #[arg(long, value_name = "URL", requires = "partitions")]
    pub consume: Option<String>,
    /// The partitions this instance owns with `--consume`, `A-B` inclusive
    /// (instances own disjoint ranges).
    #[arg(long, value_name = "A-B", requires = "consume")]
    pub partitions: Option<event_jetstream::PartitionRange>,
    /// Turn the HTTP front door into a stateless ingest tier (SPEC §7):
    /// every event of a body is validated and published to NATS JetStream
    /// at this URL, answered `published`, and routed nowhere here.
    #[arg(long, value_name = "URL", conflicts_with = "consume")]
    pub publish_to: Option<String>,
    /// With `--consume` or `--publish-to`: make the streams (and the
    /// consumers) if missing (idempotent). Without it, `--consume` exits 2
    /// at start when a stream or one of its consumers is missing.
    #[arg(long)]
    pub create: bool,
    /// With `--consume`: the most messages of one partition delivered and
    /// not yet acknowledged (the events a SIGKILL can make this instance
    /// handle twice, per partition).
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_ack_pending: u32,
    /// With `--consume --create`: seconds the server waits for a message's
    /// ack before delivering it again (to this instance, or to the one
    /// restarted after a crash).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub ack_wait: f64,
}

impl ServeArgs {
    /// The defaults of every flag, for `config`.
    pub fn new(config: impl Into<PathBuf>) -> ServeArgs {
        ServeArgs {
            config: config.into(),
            listen: Vec::new(),
            unix: Vec::new(),
            max_body: 8 << 20,
            queue: 65_536,
            drain_timeout: 10.0,
            max_connections: 1024,
            dedupe_window: 100_000,
            dead_letters: None,
            dead_letters_max: 64 << 20,
            header_timeout: 10.0,
            http_threads: 1,
            consume: None,
            partitions: None,
            publish_to: None,
            create: false,
            max_ack_pending: 256,
            ack_wait: 30.0,
        }
    }

    pub(crate) fn drain_timeout(&self) -> Duration {
        seconds(self.drain_timeout)
    }

    pub(crate) fn ack_wait(&self) -> Duration {
        seconds(self.ack_wait).max(Duration::from_millis(100))
    }

    pub(crate) fn header_timeout(&self) -> Duration {
        seconds(self.header_timeout)
    }
}

fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::from_secs(u32::MAX.into()))
}

/// Parses a byte count: a number with an optional `B`, `KiB`, `MiB` or `GiB`
/// suffix (`KB`/`MB`/`K`/`M` are accepted as the binary units).
///
/// ```
/// use event_service::parse_bytes;
/// assert_eq!(parse_bytes("8MiB"), Ok(8 << 20));
/// assert_eq!(parse_bytes("512"), Ok(512));
/// assert!(parse_bytes("lots").is_err());
/// ```
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a byte count (e.g. 4096, 512KiB, 8MiB)"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("{text:?}: unknown unit (use B, KiB, MiB or GiB)")),
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}
