//! `veltrix serve --consume`: partitions routed from NATS JetStream
//! (SPEC §7).
//!
//! One task per owned partition pulls from that partition's durable
//! consumer. The messages that have arrived (at most `--max-ack-pending`,
//! the server's bound on a consumer's unacknowledged messages) go to the
//! router's thread as one job through the same bounded queue as HTTP
//! bodies; the task waits for room rather than dropping anything, waits
//! for the router's reply (the handlers ran), publishes the job's dead
//! letters to `VELTRIX_DEAD`, and only then acknowledges the messages, in
//! order. The next pull is routed only after that, so each partition's
//! events reach the handlers in stream order. A message delivered again
//! (after a crash or a lost ack) is recognised by its id in the dedupe
//! window and acknowledged without being routed twice.
//!
//! Order across a crash or a lost delivery: messages delivered earlier and
//! never acknowledged (to a killed predecessor, or lost with a connection)
//! come again only once their ack wait has passed, and the server would
//! deliver newer messages of the partition first. So a partition whose
//! consumer has such messages waits out the ack wait (`--ack-wait`, and a
//! tenth more) before pulling, and the server then delivers them first, in
//! an order of its own: they are collected (newer ones held back) and
//! routed sorted by stream sequence once all have come. A gap in the
//! delivery sequence while pulling (deliveries that never arrived) stops
//! the pull there and starts over the same way.
//!
//! A server that is away is retried with backoff (logged), never a panic.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, Context, Message, consumer::PullConsumer};
use bytes::BytesMut;
use event_decode::{Category, DecodeError, Format};
use event_jetstream::{
    DEAD_STREAM, DEAD_SUBJECT, EVENTS_STREAM, PartitionRange, consumer_config, consumer_name,
    content_type_format, ensure_streams, single_type,
};
use futures_util::StreamExt;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::engine::{Job, RouteJob, Slot};
use crate::http::App;

mod redelivery;

use redelivery::{Redelivery, sleep_until};

/// What `--consume` asked for.
#[derive(Debug, Clone)]
pub(crate) struct ConsumeSetup {
    pub url: String,
    pub partitions: PartitionRange,
    pub create: bool,
    pub max_ack_pending: u32,
    pub ack_wait: Duration,
}

/// The longest pause between two attempts while the server is away.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Connects and starts one task per partition; they stop (after finishing
/// the job in hand) when `stop` turns true.
pub(crate) async fn start(
    setup: ConsumeSetup,
    app: Arc<App>,
    stop: watch::Receiver<bool>,
) -> Result<Vec<JoinHandle<()>>, String> {
    let client = event_jetstream::connect(&setup.url, "veltrix-serve")
        .await
        .map_err(|e| format!("--consume {}: {e}", setup.url))?;
    let js = jetstream::ContextBuilder::new()
        .timeout(Duration::from_secs(5))
        .ack_timeout(Duration::from_secs(5))
        .build(client);
    let mut backoff = Backoff::new();
    if setup.create {
        // The streams, then every consumer, made before the instance says
        // it is ready.
        loop {
            let made = match ensure_streams(&js, true).await {
                Ok(()) => make_consumers(&js, &setup).await,
                Err(e) => Err(e),
            };
            match made {
                Ok(()) => break,
                Err(e) => tracing::warn!(
                    "--create: making the streams and consumers failed ({e}); retrying"
                ),
            }
            if !backoff.wait(&mut stop.clone()).await {
                return Ok(Vec::new());
            }
        }
    } else {
        // Without --create, what is missing is the operator's to fix: say
        // so at once (exit 2) instead of retrying for ever. A server that
        // is away is still waited for.
        loop {
            match missing(&js, setup.partitions).await {
                Ok(missing) if missing.is_empty() => break,
                Ok(missing) => {
                    return Err(format!(
                        "--consume {}: {}; start one instance with --create to make them",
                        setup.url,
                        missing.join(", ")
                    ));
                }
                Err(e) => {
                    tracing::warn!(
                        "--consume {}: checking the streams and consumers failed ({e}); retrying",
                        setup.url
                    );
                    if !backoff.wait(&mut stop.clone()).await {
                        return Ok(Vec::new());
                    }
                }
            }
        }
    }
    let mut tasks = Vec::new();
    for k in setup.partitions.iter() {
        let part = Partition {
            k,
            js: js.clone(),
            app: app.clone(),
            create: setup.create,
            max_ack_pending: setup.max_ack_pending.max(1),
            ack_wait: setup.ack_wait,
        };
        tasks.push(tokio::spawn(part.run(stop.clone())));
    }
    Ok(tasks)
}

/// Makes the consumers of `setup.partitions` unless they exist.
async fn make_consumers(js: &Context, setup: &ConsumeSetup) -> Result<(), async_nats::Error> {
    let stream = js.get_stream(EVENTS_STREAM).await?;
    for k in setup.partitions.iter() {
        let config = consumer_config(k, setup.max_ack_pending.max(1), setup.ack_wait);
        let _: PullConsumer = stream
            .get_or_create_consumer(&consumer_name(k), config)
            .await?;
    }
    Ok(())
}

/// What this instance needs and the server lacks: the streams
/// `VELTRIX_EVENTS` and `VELTRIX_DEAD` and the consumers of `partitions`,
/// each described in words; `Err` when the server could not say (away,
/// JetStream off, a timeout).
async fn missing(js: &Context, partitions: PartitionRange) -> Result<Vec<String>, String> {
    use async_nats::jetstream::context::ConsumerInfoErrorKind;
    use event_jetstream::stream_not_found as stream_missing;
    let mut missing = Vec::new();
    match js.get_stream(DEAD_STREAM).await {
        Ok(_) => {}
        Err(e) if stream_missing(&e) => {
            missing.push(format!("the stream {DEAD_STREAM} does not exist"));
        }
        Err(e) => return Err(e.to_string()),
    }
    let stream = match js.get_stream(EVENTS_STREAM).await {
        Ok(s) => s,
        Err(e) if stream_missing(&e) => {
            missing.push(format!(
                "the stream {EVENTS_STREAM} (and so the consumers veltrix-p{}..veltrix-p{}) does not exist",
                partitions.first, partitions.last
            ));
            return Ok(missing);
        }
        Err(e) => return Err(e.to_string()),
    };
    let mut consumers = Vec::new();
    for k in partitions.iter() {
        match stream.consumer_info(consumer_name(k)).await {
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ConsumerInfoErrorKind::NotFound) => {
                consumers.push(consumer_name(k));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    if !consumers.is_empty() {
        missing.push(format!(
            "the consumer{} {} of stream {EVENTS_STREAM} {}",
            if consumers.len() == 1 { "" } else { "s" },
            consumers.join(", "),
            if consumers.len() == 1 {
                "does not exist"
            } else {
                "do not exist"
            }
        ));
    }
    Ok(missing)
}

/// Capped exponential backoff that a stop request interrupts.
struct Backoff(Duration);

impl Backoff {
    fn new() -> Backoff {
        Backoff(Duration::from_millis(100))
    }

    /// Sleeps; `false` when asked to stop meanwhile.
    async fn wait(&mut self, stop: &mut watch::Receiver<bool>) -> bool {
        let d = self.0;
        self.0 = (self.0 * 2).min(MAX_BACKOFF);
        tokio::select! {
            _ = tokio::time::sleep(d) => !*stop.borrow(),
            _ = stop.changed() => false,
        }
    }
}

/// One partition's consumer task.
struct Partition {
    k: u32,
    js: Context,
    app: Arc<App>,
    create: bool,
    max_ack_pending: u32,
    ack_wait: Duration,
}

impl Partition {
    async fn consumer(&self) -> Result<PullConsumer, async_nats::Error> {
        let name = consumer_name(self.k);
        let stream = self.js.get_stream(EVENTS_STREAM).await?;
        if self.create {
            Ok(stream
                .get_or_create_consumer(
                    &name,
                    consumer_config(self.k, self.max_ack_pending, self.ack_wait),
                )
                .await?)
        } else {
            Ok(stream.get_consumer(&name).await?)
        }
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut backoff = Backoff::new();
        let name = consumer_name(self.k);
        while !*stop.borrow() {
            let mut consumer = match self.consumer().await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(
                        "consumer {name}: {e}{}; retrying",
                        if self.create {
                            ""
                        } else {
                            " (start with --create to make it)"
                        }
                    );
                    if !backoff.wait(&mut stop).await {
                        return;
                    }
                    continue;
                }
            };
            // The consumer's delivery sequence of the next message, and the
            // messages the server will deliver again before anything newer
            // may be routed.
            let (mut next_delivery, mut redelivery) =
                match self.settle(&mut consumer, &mut stop).await {
                    Ok(Some(settled)) => settled,
                    Ok(None) => return,
                    Err(e) => {
                        tracing::warn!("consumer {name}: {e}; retrying");
                        if !backoff.wait(&mut stop).await {
                            return;
                        }
                        continue;
                    }
                };
            let messages = consumer
                .stream()
                .max_messages_per_batch(self.max_ack_pending as usize)
                .heartbeat(Duration::from_secs(5))
                .expires(Duration::from_secs(30))
                .messages()
                .await;
            let messages = match messages {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!("consumer {name}: pulling failed ({e}); retrying");
                    if !backoff.wait(&mut stop).await {
                        return;
                    }
                    continue;
                }
            };
            tracing::info!("consumer {name}: pulling");
            let mut chunks = messages.ready_chunks(self.max_ack_pending as usize);
            loop {
                let deadline = redelivery.as_ref().map(|r| r.deadline);
                let next = tokio::select! {
                    next = chunks.next() => next,
                    _ = stop.changed() => return,
                    _ = sleep_until(deadline) => {
                        if let Some(r) = redelivery.take() {
                            tracing::warn!(
                                "consumer {name}: {} of {} messages delivered earlier came \
                                 again; routing what came, in stream order",
                                r.got.len(),
                                r.want
                            );
                            if !self.handle(r.into_messages()).await {
                                return;
                            }
                        }
                        continue;
                    }
                };
                let Some(batch) = next else {
                    tracing::warn!("consumer {name}: the message stream ended; pulling again");
                    break;
                };
                let mut good = Vec::with_capacity(batch.len());
                let mut failed = None;
                let mut gap = None;
                for m in batch {
                    match m {
                        Ok(m) if redelivery.is_some() => {
                            let d = m.info().map_or(next_delivery, |i| i.consumer_sequence);
                            next_delivery = next_delivery.max(d + 1);
                            if let Some(r) = &mut redelivery {
                                r.add(m);
                            }
                        }
                        Ok(m) if gap.is_none() => {
                            let d = m.info().map_or(next_delivery, |i| i.consumer_sequence);
                            if d > next_delivery {
                                // Deliveries that never arrived (lost with a
                                // connection): routing this one now would
                                // put it ahead of them.
                                gap = Some((next_delivery, d - 1));
                            } else {
                                next_delivery = next_delivery.max(d + 1);
                                good.push(m);
                            }
                        }
                        // After a gap, left unacknowledged: delivered again,
                        // in order, after the missing ones.
                        Ok(_) => {}
                        Err(e) => failed = Some(e),
                    }
                }
                if redelivery.as_ref().is_some_and(Redelivery::complete) {
                    good = redelivery
                        .take()
                        .map(Redelivery::into_messages)
                        .unwrap_or_default();
                }
                if !good.is_empty() {
                    backoff = Backoff::new();
                    if !self.handle(good).await {
                        return;
                    }
                }
                if let Some((from, to)) = gap {
                    tracing::warn!(
                        "consumer {name}: deliveries {from}..={to} never arrived; pulling again \
                         once the server delivers them again, to keep the partition's order"
                    );
                    break;
                }
                if let Some(e) = failed {
                    tracing::warn!("consumer {name}: {e}; pulling again");
                    if !backoff.wait(&mut stop).await {
                        return;
                    }
                    break;
                }
            }
        }
    }

    /// Keeps the partition's order across a crash or lost deliveries:
    /// messages delivered before and never acknowledged (to a killed
    /// predecessor, or lost on the way) are delivered again only when their
    /// ack wait has passed, and meanwhile the server would deliver newer
    /// messages of the partition, out of order. So when the consumer has
    /// such messages, wait out its ack wait (and a margin) before pulling,
    /// and answer a [`Redelivery`] that collects them: the server delivers
    /// them again in an order of its own (nats-server 2.9 rotates them), so
    /// they are sorted by stream sequence before they are routed. Answers
    /// the consumer's delivery sequence of the next message, `None` when
    /// asked to stop meanwhile.
    async fn settle(
        &self,
        consumer: &mut PullConsumer,
        stop: &mut watch::Receiver<bool>,
    ) -> Result<Option<(u64, Option<Redelivery>)>, async_nats::Error> {
        let mut info = consumer.info().await?.clone();
        if info.num_ack_pending > 0 {
            // This instance's own last acks may still be on their way to
            // the consumer: look again a moment later before waiting.
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                _ = stop.changed() => return Ok(None),
            }
            info = consumer.info().await?.clone();
        }
        let ack_wait = info.config.ack_wait;
        let redelivery = (info.num_ack_pending > 0).then(|| Redelivery {
            want: info.num_ack_pending,
            last: info.delivered.stream_sequence,
            got: BTreeMap::new(),
            held: BTreeMap::new(),
            // Every one of them is due again within one ack wait of now;
            // past twice that, what came is routed (a warning says so).
            deadline: tokio::time::Instant::now() + ack_wait * 3,
        });
        if let Some(r) = &redelivery {
            let wait = ack_wait + (ack_wait / 10).max(Duration::from_millis(250));
            tracing::info!(
                "consumer {}: {} messages delivered earlier are unacknowledged; waiting {wait:?} \
                 (the ack wait) for the server to deliver them again before newer ones",
                info.name,
                r.want
            );
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return Ok(None),
            }
        }
        let info = consumer.info().await?;
        Ok(Some((info.delivered.consumer_sequence + 1, redelivery)))
    }

    /// Routes `messages` (in order) and acknowledges them once the handlers
    /// ran; `false` when the router's thread is gone.
    async fn handle(&self, messages: Vec<Message>) -> bool {
        // Consecutive messages of one format make one job.
        let mut from = 0;
        while from < messages.len() {
            let format = format_of(&messages[from]).unwrap_or(Format::Yaml);
            let mut to = from + 1;
            while to < messages.len() && format_of(&messages[to]).is_none_or(|f| f == format) {
                to += 1;
            }
            let Some(dead) = self.route(format, &messages[from..to]).await else {
                return false;
            };
            for record in dead {
                self.dead_letter(record).await;
            }
            for m in &messages[from..to] {
                if let Err(e) = m.ack().await {
                    // Delivered again later and recognised by its id.
                    tracing::warn!("partition {}: ack failed: {e}", self.k);
                }
            }
            from = to;
        }
        true
    }

    /// One job for the router's thread; the dead-letter records it produced.
    async fn route(&self, format: Format, messages: &[Message]) -> Option<Vec<Vec<u8>>> {
        let mut bytes = BytesMut::new();
        let mut slots = Vec::with_capacity(messages.len());
        for m in messages {
            let number = m.info().map_or(0, |i| i.stream_sequence);
            match format_of(m) {
                Some(_) => {
                    let start = bytes.len();
                    bytes.extend_from_slice(&m.payload);
                    match (u32::try_from(start), u32::try_from(bytes.len())) {
                        (Ok(start), Ok(end)) => slots.push(Slot::Frame {
                            start,
                            end,
                            number,
                            offset: 0,
                            line: 1,
                        }),
                        _ => slots.push(Slot::Bad(DecodeError::new(
                            Category::Data,
                            format!("message {number}: the batch is too large"),
                        ))),
                    }
                }
                None => {
                    let ct = m
                        .headers
                        .as_ref()
                        .and_then(|h| h.get("Content-Type"))
                        .map_or("(none)", |v| v.as_str());
                    slots.push(Slot::Bad(DecodeError::new(
                        Category::Data,
                        format!(
                            "message {number} on {}: Content-Type {:?} is not a single-event type",
                            m.subject.escape_debug(),
                            ct.escape_debug().to_string()
                        ),
                    )));
                }
            }
        }
        let n = slots.len();
        // Wait for room in the router's queue rather than drop anything.
        let mut pause = Duration::from_micros(200);
        while !self.app.admission.reserve(n) {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(20));
        }
        let (reply, rx) = oneshot::channel();
        let job = RouteJob {
            format,
            single_type: single_type(format),
            bytes: bytes.freeze(),
            slots,
            reply,
        };
        if self.app.jobs.send(Job::Route(job)).is_err() {
            self.app.admission.release(n);
            return None;
        }
        rx.await.ok().map(|r| r.dead_letters)
    }

    /// Publishes one dead-letter record to `VELTRIX_DEAD`, retrying while
    /// the server is away.
    async fn dead_letter(&self, record: Vec<u8>) {
        let payload = bytes::Bytes::from(record);
        let mut backoff = Backoff::new();
        let (_never, mut no_stop) = watch::channel(false);
        loop {
            let sent = match self.js.publish(DEAD_SUBJECT, payload.clone()).await {
                Ok(ack) => ack.await.map(|_| ()).map_err(async_nats::Error::from),
                Err(e) => Err(e.into()),
            };
            match sent {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(
                        "publishing a dead letter to {DEAD_SUBJECT} failed ({e}); retrying"
                    );
                    backoff.wait(&mut no_stop).await;
                }
            }
        }
    }
}

/// The format a message's `Content-Type` header names.
fn format_of(m: &Message) -> Option<Format> {
    m.headers
        .as_ref()
        .and_then(|h| h.get("Content-Type"))
        .and_then(|v| content_type_format(v.as_str()))
}
