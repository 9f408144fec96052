//! `veltrix serve --publish-to`: the HTTP front door as a stateless ingest
//! tier (SPEC §7). A body is framed and every event decoded (validated) on
//! the HTTP thread, then each valid event is published to its partition's
//! subject with `Nats-Msg-Id` = its id; the reply says `published` (or
//! `duplicate` when the server already had the id) instead of `routed`.
//! Nothing is routed here: the instances running `--consume` route. An
//! instance running `--consume` uses the same front door for its own
//! `POST /v1/events`, so that only a partition's owner routes its events.

use async_nats::HeaderMap;
use async_nats::jetstream::Context;
use bytes::Bytes;
use event_decode::{Bump, DecodeConfig};
use event_jetstream::partition_subject;
use event_router::RouteTable;
use http::StatusCode;
use serde::Serialize;

use crate::body::{BodyKind, Framed};

/// The publishing side of the front door.
pub(crate) struct Ingest {
    pub js: Context,
    /// The table: its key and partition count place each event.
    pub table: RouteTable,
}

/// One event's result.
#[derive(Debug, Serialize)]
struct One {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    partition: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The reply to a body.
#[derive(Debug, Serialize)]
pub(crate) struct Published {
    events: usize,
    published: usize,
    duplicate: usize,
    rejected: usize,
    results: Vec<One>,
}

impl Published {
    /// 422 when an event was rejected, 200 otherwise.
    pub(crate) fn status(&self) -> StatusCode {
        if self.rejected > 0 {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    }
}

/// An event to publish.
struct Valid {
    index: usize,
    subject: String,
    headers: HeaderMap,
    payload: Bytes,
}

impl Ingest {
    /// Validates and publishes a framed body; `Err` (a message) when the
    /// server did not acknowledge every valid event: the client retries the
    /// body, and the server drops the ids it already has.
    pub(crate) async fn publish(
        &self,
        kind: BodyKind,
        framed: Framed,
        config: &DecodeConfig,
    ) -> Result<Published, String> {
        let (mut results, valid) = self.validate(kind, &framed, config);
        let mut acks = Vec::with_capacity(valid.len());
        for v in &valid {
            let ack = self
                .js
                .publish_with_headers(v.subject.clone(), v.headers.clone(), v.payload.clone())
                .await
                .map_err(|e| format!("publishing to NATS failed: {e}"))?;
            acks.push(ack);
        }
        let (mut published, mut duplicate) = (0, 0);
        for (v, ack) in valid.iter().zip(acks) {
            let ack = ack
                .await
                .map_err(|e| format!("NATS did not acknowledge: {e}"))?;
            let r = &mut results[v.index];
            if ack.duplicate {
                duplicate += 1;
                r.outcome = "duplicate";
                r.partition = None;
            } else {
                published += 1;
            }
        }
        let rejected = results.len() - valid.len();
        Ok(Published {
            events: results.len(),
            published,
            duplicate,
            rejected,
            results,
        })
    }

    /// Decodes every frame: the results (valid ones marked `published`
    /// until the server says otherwise) and what to publish.
    fn validate(
        &self,
        kind: BodyKind,
        framed: &Framed,
        config: &DecodeConfig,
    ) -> (Vec<One>, Vec<Valid>) {
        let mut decoder = kind.format.decoder(config);
        let mut arena = Bump::new();
        arena.set_allocation_limit(Some(64 << 20));
        let mut results = Vec::with_capacity(framed.slots.len());
        let mut valid = Vec::with_capacity(framed.slots.len());
        for (index, slot) in framed.slots.iter().enumerate() {
            arena.reset();
            match slot.frame(&framed.bytes) {
                Ok(frame) => match decoder.decode(frame.bytes, &arena) {
                    Ok(event) => {
                        let partition = self.table.partition_of(&event);
                        let mut headers = HeaderMap::new();
                        headers.insert("Nats-Msg-Id", event.id);
                        headers.insert("Content-Type", kind.single_type());
                        results.push(One {
                            index,
                            id: Some(event.id.to_owned()),
                            outcome: "published",
                            partition: Some(partition),
                            error: None,
                        });
                        valid.push(Valid {
                            index,
                            subject: partition_subject(partition),
                            headers,
                            payload: framed.bytes.slice_ref(frame.bytes),
                        });
                    }
                    Err(e) => results.push(One {
                        index,
                        id: event_decode::peek_id(kind.format, frame.bytes, &arena)
                            .map(str::to_owned),
                        outcome: "rejected",
                        partition: None,
                        error: Some(frame.locate(e).to_string()),
                    }),
                },
                Err(e) => results.push(One {
                    index,
                    id: None,
                    outcome: "rejected",
                    partition: None,
                    error: Some(e.to_string()),
                }),
            }
        }
        (results, valid)
    }
}
