//! The router behind a `vx_router`, in safe Rust: a routing table with a
//! counting no-op handler per handler name, fed by a pipeline, and one
//! reusable decoder per format. The router's counters are the totals
//! (SPEC sections 4 and 5).

use std::mem::MaybeUninit;

use event_decode::json::JsonDecoder;
use event_decode::protobuf::ZeroCopyDecoder;
use event_decode::yaml::YamlDecoder;
use event_decode::{Bump, DecodeError, Decoder, Format};
use event_pipeline::{OnReject, Pipeline, table_from_yaml_str};
use event_router::{Explanation, Outcome, Router, infallible};

use crate::{VX_DEAD_LETTER, VX_DROPPED, VX_REJECTED, VX_ROUTED, vx_result};

/// The id of the event that makes the embedded handler panic, in test
/// builds and with the `panic-probe` feature only (elsewhere it is an
/// ordinary id).
pub const PANIC_PROBE_ID: &str = "vx-panic-probe";

/// Handler ids are the bits of `vx_result.handlers`.
const MAX_HANDLERS: usize = 64;

/// A router with its pipeline and decoders.
pub(crate) struct Embedded {
    pipeline: Pipeline,
    yaml: YamlDecoder,
    json: JsonDecoder,
    protobuf: ZeroCopyDecoder,
    handler_names: Vec<String>,
}

impl Embedded {
    /// Compiles `table` (YAML) and builds the router; the error is the
    /// message for `VX_ERR_CONFIG`.
    pub(crate) fn new(table: &[u8]) -> Result<Embedded, String> {
        let text = std::str::from_utf8(table).map_err(|e| {
            format!(
                "routing table: not UTF-8: invalid byte at offset {}",
                e.valid_up_to()
            )
        })?;
        let table = table_from_yaml_str(text).map_err(|e| e.to_string())?;
        let handler_names: Vec<String> = table
            .handler_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        if handler_names.len() > MAX_HANDLERS {
            return Err(format!(
                "routing table: {} distinct handlers, but the C ABI numbers at most {MAX_HANDLERS} (the bits of vx_result.handlers)",
                handler_names.len()
            ));
        }
        let mut builder = Router::builder(table);
        for name in &handler_names {
            builder = builder.handler(name.clone(), counting_handler());
        }
        let router = builder.build().map_err(|e| e.to_string())?;
        Ok(Embedded {
            // `Continue`: a rejected event is one VX_REJECTED result, and
            // the rest of the batch is routed.
            pipeline: Pipeline::new(router).on_reject(OnReject::Continue),
            yaml: YamlDecoder::new(),
            json: JsonDecoder::new(),
            protobuf: ZeroCopyDecoder::new(),
            handler_names,
        })
    }

    /// The handler names, by id.
    pub(crate) fn handler_names(&self) -> &[String] {
        &self.handler_names
    }

    /// Routes `frames` (one event each, in `format`), writing
    /// `results[i]` for every frame. `results` is as long as `frames`.
    /// Returns the message of the first rejected event, if any.
    pub(crate) fn route(
        &mut self,
        format: Format,
        frames: &[&[u8]],
        results: &mut [MaybeUninit<vx_result>],
    ) -> Option<String> {
        let Embedded {
            pipeline,
            yaml,
            json,
            protobuf,
            ..
        } = self;
        let decoder: &mut dyn Decoder = match format {
            Format::Yaml => yaml,
            Format::Json => json,
            Format::Protobuf => protobuf,
        };
        let mut first_rejection: Option<String> = None;
        let mut done = 0;
        // The router numbers events from its first; this batch starts here.
        let first = pipeline.counters().events();
        // With `OnReject::Continue` the pipeline never stops a batch early,
        // so the result is always `Ok`; `done` accounts for every frame anyway.
        let _ = pipeline.route_batch_explained(decoder, frames, |e| {
            let index = (e.index - first) as usize;
            let result = result_of(e);
            if let Some(slot) = results.get_mut(index) {
                slot.write(result);
                done = done.max(index + 1);
            }
            if result.outcome == VX_REJECTED && first_rejection.is_none() {
                first_rejection = Some(rejection_message(index, e));
            }
        });
        // Never reached while the pipeline keeps its contract; kept so that
        // every result is written whatever happens.
        for slot in results.iter_mut().skip(done) {
            slot.write(vx_result {
                outcome: VX_REJECTED,
                ..vx_result::default()
            });
            if first_rejection.is_none() {
                first_rejection = Some("the router stopped before this event".to_owned());
            }
        }
        first_rejection
    }

    /// The summary of SPEC section 5, as `veltrix route` prints it (without
    /// the trailing newline): the router's counters, serialized.
    pub(crate) fn stats_json(&self) -> Vec<u8> {
        serde_json::to_vec(self.pipeline.counters()).unwrap_or_default()
    }
}

/// The C result of one explained event. A decode or validation failure is
/// `VX_REJECTED` (SPEC section 4), whatever outcome the router gave it.
fn result_of(e: &Explanation<'_>) -> vx_result {
    let rejected = vx_result {
        outcome: VX_REJECTED,
        ..vx_result::default()
    };
    let Some(event) = e.event else {
        return rejected;
    };
    if e.error.is_some() {
        return rejected;
    }
    let outcome = match e.outcome {
        Outcome::Routed => VX_ROUTED,
        Outcome::DeadLetter => VX_DEAD_LETTER,
        Outcome::Dropped => VX_DROPPED,
        Outcome::Rejected => return rejected,
    };
    let mut handlers = 0u64;
    for &h in e.handler_ids() {
        // Below 64: `Embedded::new` refuses tables with more handlers.
        handlers |= 1u64.checked_shl(u32::from(h)).unwrap_or(0);
    }
    vx_result {
        outcome,
        // In 1..=9: there are nine kinds.
        kind: event.kind().index() as u32 + 1,
        partition: e.partition.unwrap_or(0),
        handlers,
    }
}

/// What `vx_last_error` says about a rejected event: its 1-based number in
/// the batch, then where and what.
fn rejection_message(index: usize, e: &Explanation<'_>) -> String {
    let number = index as u64 + 1;
    match (e.error, e.event) {
        (Some(error), _) => match error.downcast_ref::<DecodeError>() {
            Some(error) => error.clone().with_event(number).to_string(),
            None => format!("event {number}: {error}"),
        },
        (None, Some(event)) => format!(
            "event {number} (id {:?}, kind {}): no route matched and the routing table says `unmatched: error`",
            event.id,
            event.kind().name()
        ),
        (None, None) => format!("event {number}: rejected"),
    }
}

/// The handler registered under every name of the table: the router counts
/// its deliveries, and it does nothing else.
fn counting_handler() -> impl event_router::Handler {
    infallible(|event, _ctx| {
        #[cfg(any(test, feature = "panic-probe"))]
        if event.id == PANIC_PROBE_ID {
            panic!("panic probe: event id {PANIC_PROBE_ID:?}");
        }
        let _ = event;
    })
}

/// Converts one event; the error is the message for a `VX_REJECTED` result.
pub(crate) fn convert(from: Format, to: Format, input: &[u8]) -> Result<Vec<u8>, String> {
    let arena = Bump::new();
    let event = event_decode::from_slice(from, input, &arena).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    match to {
        Format::Yaml => {
            let mut text = String::new();
            event_decode::yaml::encode(&event, &mut text);
            out = text.into_bytes();
        }
        Format::Json => event_decode::json::encode(&event, &mut out),
        Format::Protobuf => event_decode::protobuf::encode(&event, &mut out),
    }
    Ok(out)
}
