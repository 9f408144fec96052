//! The router behind a `vx_router`, in safe Rust: a routing table with a
//! counting no-op handler per handler name, one reusable decoder per format,
//! and the totals of the results returned (SPEC sections 4 and 5).

use std::mem::MaybeUninit;

use event_decode::json::JsonDecoder;
use event_decode::protobuf::ZeroCopyDecoder;
use event_decode::yaml::YamlDecoder;
use event_decode::{Bump, Decoder, Format};
use event_router::{Explanation, OnReject, Outcome, RouteTable, Router, infallible};

use crate::{VX_DEAD_LETTER, VX_DROPPED, VX_REJECTED, VX_ROUTED, vx_result};

/// The id of the event that makes the embedded handler panic, in test
/// builds and with the `panic-probe` feature only (elsewhere it is an
/// ordinary id).
pub const PANIC_PROBE_ID: &str = "vx-panic-probe";

/// Handler ids are the bits of `vx_result.handlers`.
const MAX_HANDLERS: usize = 64;

/// Totals of the results returned, in the shape of `veltrix route`'s summary.
///
/// Kept here rather than read from the router's own counters so that the
/// summary always agrees with the results: an event that fails to decode
/// or validate is `rejected` (SPEC section 4), whatever the router core
/// calls it.
#[derive(Debug)]
struct Tally {
    events: u64,
    routed: u64,
    dead_letter: u64,
    dropped: u64,
    rejected: u64,
    routes: Vec<u64>,
    handlers: Vec<u64>,
    partitions: Vec<u64>,
}

/// A router with its decoders and totals.
pub(crate) struct Embedded {
    router: Router,
    yaml: YamlDecoder,
    json: JsonDecoder,
    protobuf: ZeroCopyDecoder,
    route_names: Vec<String>,
    handler_names: Vec<String>,
    tally: Tally,
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
        let table = RouteTable::from_yaml_str(text).map_err(|e| e.to_string())?;
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
        let route_names: Vec<String> = table.route_names().map(str::to_owned).collect();
        let partitions = table.partitions() as usize;
        // `Continue`: an event rejected under `unmatched: error` is one
        // VX_REJECTED result, and the rest of the batch is routed.
        let mut builder = Router::builder(table).on_reject(OnReject::Continue);
        for name in &handler_names {
            builder = builder.handler(name.clone(), counting_handler());
        }
        let router = builder.build().map_err(|e| e.to_string())?;
        Ok(Embedded {
            router,
            yaml: YamlDecoder::new(),
            json: JsonDecoder::new(),
            protobuf: ZeroCopyDecoder::new(),
            tally: Tally {
                events: 0,
                routed: 0,
                dead_letter: 0,
                dropped: 0,
                rejected: 0,
                routes: vec![0; route_names.len()],
                handlers: vec![0; handler_names.len()],
                partitions: vec![0; partitions],
            },
            route_names,
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
            router,
            yaml,
            json,
            protobuf,
            tally,
            ..
        } = self;
        let decoder: &mut dyn Decoder = match format {
            Format::Yaml => yaml,
            Format::Json => json,
            Format::Protobuf => protobuf,
        };
        let mut first_rejection: Option<String> = None;
        let mut done = 0;
        // With `OnReject::Continue` the router never stops a batch early, so
        // the result is always `Ok`; `done` accounts for every frame anyway.
        let _ = router.route_batch_explained(decoder, frames, |e| {
            let result = result_of(e);
            if let Some(slot) = results.get_mut(e.index) {
                slot.write(result);
                done = done.max(e.index + 1);
            }
            tally.add(e, &result);
            if result.outcome == VX_REJECTED && first_rejection.is_none() {
                first_rejection = Some(rejection_message(e));
            }
        });
        // Never reached while the router keeps its contract; kept so that
        // every result is written whatever happens.
        for slot in results.iter_mut().skip(done) {
            slot.write(vx_result {
                outcome: VX_REJECTED,
                ..vx_result::default()
            });
            tally.events += 1;
            tally.rejected += 1;
            if first_rejection.is_none() {
                first_rejection = Some("the router stopped before this event".to_owned());
            }
        }
        first_rejection
    }

    /// The summary of SPEC section 5, as `veltrix route` prints it (without
    /// the trailing newline).
    pub(crate) fn stats_json(&self) -> Vec<u8> {
        let t = &self.tally;
        // Written by hand so that keys come in the documented order and
        // routes and handlers in table order, as the CLI writes them.
        let mut s = format!(
            "{{\"events\":{},\"routed\":{},\"dead_letter\":{},\"dropped\":{},\"rejected\":{},\"routes\":",
            t.events, t.routed, t.dead_letter, t.dropped, t.rejected
        )
        .into_bytes();
        json_counts(&mut s, &self.route_names, &t.routes);
        s.extend_from_slice(b",\"handlers\":");
        json_counts(&mut s, &self.handler_names, &t.handlers);
        s.extend_from_slice(b",\"partitions\":[");
        for (i, n) in t.partitions.iter().enumerate() {
            if i > 0 {
                s.push(b',');
            }
            s.extend_from_slice(n.to_string().as_bytes());
        }
        s.extend_from_slice(b"]}");
        s
    }
}

impl Tally {
    fn add(&mut self, e: &Explanation<'_>, result: &vx_result) {
        self.events += 1;
        match result.outcome {
            VX_ROUTED => {
                self.routed += 1;
                if let Some(n) = self.partitions.get_mut(result.partition as usize) {
                    *n += 1;
                }
            }
            VX_DEAD_LETTER => self.dead_letter += 1,
            VX_DROPPED => self.dropped += 1,
            _ => self.rejected += 1,
        }
        for &r in e.route_ids() {
            if let Some(n) = self.routes.get_mut(usize::from(r)) {
                *n += 1;
            }
        }
        for &h in e.handler_ids() {
            if let Some(n) = self.handlers.get_mut(usize::from(h)) {
                *n += 1;
            }
        }
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
fn rejection_message(e: &Explanation<'_>) -> String {
    let number = e.index as u64 + 1;
    match (e.error, e.event) {
        (Some(error), _) => error.clone().with_event(number).to_string(),
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

/// Appends a JSON object of names to counts, in the given order.
fn json_counts(out: &mut Vec<u8>, names: &[String], counts: &[u64]) {
    out.push(b'{');
    for (i, (name, count)) in names.iter().zip(counts).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Escaping a &str into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, name);
        out.push(b':');
        out.extend_from_slice(count.to_string().as_bytes());
    }
    out.push(b'}');
}
