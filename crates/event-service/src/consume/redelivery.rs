//! Messages delivered again after a crash, put back in stream order (see
//! [`Redelivery`]).

use std::collections::BTreeMap;

use async_nats::jetstream::Message;

/// The messages a consumer delivered before and never had acknowledged,
/// collected as the server delivers them again (in an order of its own),
/// with the newer messages that arrive meanwhile held back: once all have
/// come, they are routed in stream order, the held ones after them.
pub(super) struct Redelivery {
    /// How many were unacknowledged.
    pub(super) want: usize,
    /// The stream sequence of the last message delivered before: anything
    /// later is newer.
    pub(super) last: u64,
    /// The ones delivered again so far, by stream sequence (a second copy
    /// replaces the first, so the one acknowledged is the latest delivery).
    pub(super) got: BTreeMap<u64, Message>,
    /// Newer messages, by stream sequence.
    pub(super) held: BTreeMap<u64, Message>,
    /// When to stop waiting for the rest.
    pub(super) deadline: tokio::time::Instant,
}

impl Redelivery {
    pub(super) fn add(&mut self, m: Message) {
        let Ok(s) = m.info().map(|i| i.stream_sequence) else {
            // No metadata: not a JetStream delivery; routed after the rest.
            let key = self
                .held
                .last_key_value()
                .map_or(u64::MAX / 2, |(k, _)| k + 1);
            self.held.insert(key, m);
            return;
        };
        if s <= self.last {
            self.got.insert(s, m);
        } else {
            self.held.insert(s, m);
        }
    }

    pub(super) fn complete(&self) -> bool {
        self.got.len() >= self.want
    }

    pub(super) fn into_messages(self) -> Vec<Message> {
        self.got
            .into_values()
            .chain(self.held.into_values())
            .collect()
    }
}

/// Sleeps until `deadline`, or for ever without one.
pub(super) async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
