//! The streams, subjects and consumers of SPEC §7, and a resilient client.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, pull};
use async_nats::jetstream::stream::{Config as StreamConfig, StorageType};
use async_nats::{Client, ConnectOptions, Event};
use event_decode::Format;

/// The stream every event is published to.
pub const EVENTS_STREAM: &str = "VELTRIX_EVENTS";
/// The subjects of [`EVENTS_STREAM`]: one per partition.
pub const EVENTS_SUBJECTS: &str = "veltrix.events.p.*";
/// The stream of dead letters written by consuming instances.
pub const DEAD_STREAM: &str = "VELTRIX_DEAD";
/// The subject of [`DEAD_STREAM`].
pub const DEAD_SUBJECT: &str = "veltrix.dead";

/// How long the server remembers a `Nats-Msg-Id` to drop a repeat.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// The subject of partition `k`: `veltrix.events.p.<k>`.
///
/// ```
/// assert_eq!(event_jetstream::partition_subject(7), "veltrix.events.p.7");
/// ```
pub fn partition_subject(k: u32) -> String {
    format!("veltrix.events.p.{k}")
}

/// The durable consumer of partition `k`: `veltrix-p<k>`.
///
/// ```
/// assert_eq!(event_jetstream::consumer_name(7), "veltrix-p7");
/// ```
pub fn consumer_name(k: u32) -> String {
    format!("veltrix-p{k}")
}

/// The configuration of [`EVENTS_STREAM`]: its subjects, file storage and a
/// two-minute duplicate window.
pub fn events_stream_config() -> StreamConfig {
    StreamConfig {
        name: EVENTS_STREAM.to_owned(),
        subjects: vec![EVENTS_SUBJECTS.to_owned()],
        storage: StorageType::File,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

/// The configuration of [`DEAD_STREAM`]: [`DEAD_SUBJECT`], file storage.
pub fn dead_stream_config() -> StreamConfig {
    StreamConfig {
        name: DEAD_STREAM.to_owned(),
        subjects: vec![DEAD_SUBJECT.to_owned()],
        storage: StorageType::File,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

/// The durable pull consumer of partition `k`: filtered to its subject,
/// explicit acks, at most `max_ack_pending` messages delivered and not yet
/// acknowledged, a message not acknowledged within `ack_wait` delivered
/// again, every message from the start of the stream.
pub fn consumer_config(k: u32, max_ack_pending: u32, ack_wait: Duration) -> pull::Config {
    pull::Config {
        durable_name: Some(consumer_name(k)),
        filter_subject: partition_subject(k),
        ack_policy: AckPolicy::Explicit,
        deliver_policy: DeliverPolicy::All,
        ack_wait,
        max_ack_pending: i64::from(max_ack_pending.max(1)),
        ..Default::default()
    }
}

/// Makes [`EVENTS_STREAM`] (and [`DEAD_STREAM`] when `dead`) unless it
/// exists: safe to call from every instance at every start.
pub async fn ensure_streams(
    js: &async_nats::jetstream::Context,
    dead: bool,
) -> Result<(), async_nats::Error> {
    js.get_or_create_stream(events_stream_config()).await?;
    if dead {
        js.get_or_create_stream(dead_stream_config()).await?;
    }
    Ok(())
}

/// Whether `error` is the server saying that the stream does not exist (as
/// opposed to a server that could not answer).
pub fn stream_not_found(error: &async_nats::jetstream::context::GetStreamError) -> bool {
    use async_nats::jetstream::context::GetStreamErrorKind;
    matches!(
        error.kind(),
        GetStreamErrorKind::JetStream(e)
            if e.error_code() == async_nats::jetstream::ErrorCode::STREAM_NOT_FOUND
    )
}

/// Connects to the NATS server at `url`. The first connection and every
/// reconnection are retried for ever with backoff (50 ms doubling to 5 s);
/// losing and regaining the server is logged. Returns at once: requests
/// made while the server is away wait or time out, they never panic.
pub async fn connect(url: &str, name: &str) -> Result<Client, async_nats::ConnectError> {
    let url_for_log = url.to_owned();
    ConnectOptions::new()
        .name(name)
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(2))
        .reconnect_delay_callback(|attempts| {
            let shift = attempts.min(7) as u32;
            Duration::from_millis(50u64 << shift).min(Duration::from_secs(5))
        })
        .event_callback(move |event| {
            let url = url_for_log.clone();
            async move {
                match event {
                    Event::Connected => tracing::info!("NATS {url}: connected"),
                    Event::Closed => tracing::info!("NATS {url}: connection closed"),
                    Event::Disconnected => {
                        tracing::warn!("NATS {url}: disconnected; retrying with backoff")
                    }
                    other => tracing::warn!("NATS {url}: {other}"),
                }
            }
        })
        .connect(url)
        .await
}

/// The content type that carries one event of `format` (SPEC §6).
pub fn single_type(format: Format) -> &'static str {
    match format {
        Format::Yaml => "application/yaml",
        Format::Json => "application/json",
        Format::Protobuf => "application/x-protobuf",
    }
}

/// The format of a single-event content type (parameters and case ignored);
/// `None` for anything else.
///
/// ```
/// use event_decode::Format;
/// use event_jetstream::content_type_format;
/// assert_eq!(content_type_format("application/json; charset=utf-8"), Some(Format::Json));
/// assert_eq!(content_type_format("text/plain"), None);
/// ```
pub fn content_type_format(content_type: &str) -> Option<Format> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    // Compared case-insensitively in place: this runs on every request, and
    // a lower-cased copy would be its one allocation.
    const TYPES: [(&str, Format); 7] = [
        ("application/yaml", Format::Yaml),
        ("application/x-yaml", Format::Yaml),
        ("text/yaml", Format::Yaml),
        ("text/x-yaml", Format::Yaml),
        ("application/json", Format::Json),
        ("application/x-protobuf", Format::Protobuf),
        ("application/protobuf", Format::Protobuf),
    ];
    TYPES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(media))
        .map(|&(_, format)| format)
}

/// An inclusive range of partitions, `A-B` or a single `A` on the command
/// line.
///
/// ```
/// use event_jetstream::PartitionRange;
/// let r: PartitionRange = "0-7".parse().unwrap();
/// assert_eq!((r.first, r.last), (0, 7));
/// assert_eq!("3".parse::<PartitionRange>().unwrap().last, 3);
/// assert!("7-0".parse::<PartitionRange>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionRange {
    /// The first partition.
    pub first: u32,
    /// The last partition (inclusive).
    pub last: u32,
}

impl PartitionRange {
    /// The partitions, in order.
    pub fn iter(self) -> std::ops::RangeInclusive<u32> {
        self.first..=self.last
    }
}

impl FromStr for PartitionRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a partition range (e.g. 0-7 or 3)");
        let (a, b) = match s.trim().split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (s.trim(), s.trim()),
        };
        let first: u32 = a.parse().map_err(|_| bad())?;
        let last: u32 = b.parse().map_err(|_| bad())?;
        if first > last {
            return Err(format!(
                "{s:?}: the first partition is past the last ({first} > {last})"
            ));
        }
        Ok(PartitionRange { first, last })
    }
}

impl fmt::Display for PartitionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}
