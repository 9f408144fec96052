//! The router end to end: arbitrary frames of every format (raw bytes, or
//! generated events, optionally with one byte changed) through a fixed table
//! under each `unmatched` policy. Every frame is accounted for exactly once
//! (events = routed + dead_letter + dropped + rejected), the outcome of each
//! frame agrees across policies and with a direct decode, handlers receive
//! exactly the deliveries the counters and explanations report, and the
//! partition is in range.
#![no_main]

use std::cell::Cell;
use std::rc::Rc;

use arbitrary::Arbitrary;
use bumpalo::Bump;
use event_decode::json;
use event_decode::protobuf;
use event_decode::yaml;
use event_decode::{DecodeConfig, Decoder, Format};
use event_pipeline::{OnReject, Pipeline, table_from_yaml_str};
use event_router::{HandlerError, Outcome, Router, handler_fn};
use libfuzzer_sys::fuzz_target;

const TABLE: &str = "\
key: match_id
partitions: 7
routes:
  - name: scoring
    when: {kind: [clue_found, treasure_claimed]}
    to: [scoring, audit]
  - name: eu_gold
    when: {region: [eu-west, eu-central], attrs: {tier: gold}}
    to: [audit]
    exclusive: true
  - name: in_match
    when: {has_match: true, kind: [player_moved, match_started, match_ended]}
    to: [matches]
  - name: leavers
    when: {kind: [player_left], has_match: false}
    to: [audit, matches]
";
const HANDLERS: [&str; 3] = ["scoring", "audit", "matches"];

#[derive(Debug, Arbitrary)]
enum Bytes {
    Raw(Vec<u8>),
    /// A corpus event, encoded, with optionally one byte replaced.
    Generated {
        seed: u16,
        change: Option<(u16, u8)>,
    },
}

#[derive(Debug, Arbitrary)]
struct Batch {
    format: u8,
    frames: Vec<Bytes>,
}

fn format_of(n: u8) -> Format {
    [Format::Yaml, Format::Json, Format::Protobuf][usize::from(n % 3)]
}

fn encode(format: Format, seed: u16) -> Vec<u8> {
    let owned = &event_model::corpus::corpus(u64::from(seed), 1)[0];
    let arena = Bump::new();
    let event = owned.as_view(&arena);
    match format {
        Format::Yaml => {
            let mut s = String::new();
            yaml::encode(&event, &mut s);
            s.into_bytes()
        }
        Format::Json => {
            let mut v = Vec::new();
            json::encode(&event, &mut v);
            v
        }
        Format::Protobuf => {
            let mut v = Vec::new();
            protobuf::encode(&event, &mut v);
            v
        }
    }
}

fn decoder(format: Format) -> Box<dyn Decoder> {
    format.decoder(&DecodeConfig::new())
}

/// A router for `unmatched`, with counting handlers (`matches` fails on
/// every event whose `seq` is a multiple of 5: delivery goes on).
fn router(unmatched: &str, on_reject: OnReject) -> (Pipeline, Vec<Rc<Cell<u64>>>) {
    let table = table_from_yaml_str(&format!("{TABLE}unmatched: {unmatched}\n")).expect("table");
    let mut builder = Router::builder(table);
    let mut seen = Vec::new();
    for name in HANDLERS {
        let count = Rc::new(Cell::new(0u64));
        let c = count.clone();
        let fails = name == "matches";
        builder = builder.handler(
            name,
            handler_fn(move |event, ctx| {
                assert!(ctx.partition() < 7);
                c.set(c.get() + 1);
                if fails && event.seq % 5 == 0 {
                    return Err(HandlerError::new("seq is a multiple of 5"));
                }
                Ok(())
            }),
        );
        seen.push(count);
    }
    let router = builder.build().expect("router");
    (
        Pipeline::new(router)
            .on_reject(on_reject)
            .arena_cap(1 << 16),
        seen,
    )
}

fuzz_target!(|batches: Vec<Batch>| {
    let policies = [
        ("dead_letter", OnReject::Continue, Outcome::DeadLetter),
        ("drop", OnReject::Continue, Outcome::Dropped),
        ("error", OnReject::Continue, Outcome::Rejected),
    ];
    let mut routers: Vec<_> = policies.iter().map(|(u, r, _)| router(u, *r)).collect();
    let (mut stopper, _) = router("error", OnReject::Stop);
    let mut delivered = [[0u64; 3]; 3];
    let mut handler_errors = [0usize; 3];
    let mut total = 0u64;

    for batch in batches.iter().take(8) {
        let format = format_of(batch.format);
        let owned: Vec<Vec<u8>> = batch
            .frames
            .iter()
            .take(64)
            .map(|b| match b {
                Bytes::Raw(v) => v.clone(),
                Bytes::Generated { seed, change } => {
                    let mut v = encode(format, *seed);
                    if let Some((at, byte)) = change {
                        let i = usize::from(*at) % v.len();
                        v[i] = *byte;
                    }
                    v
                }
            })
            .collect();
        let frames: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
        total += frames.len() as u64;

        // The reference: which frames decode, on their own.
        let mut dec = decoder(format);
        let arena = Bump::new();
        let decodes: Vec<bool> = frames
            .iter()
            .map(|f| dec.decode(f, &arena).is_ok())
            .collect();

        let mut outcomes: Vec<Vec<(Outcome, Option<u32>)>> = Vec::new();
        for (p, ((router, _), (_, _, unmatched))) in routers.iter_mut().zip(&policies).enumerate() {
            let mut seen = Vec::new();
            let mut dec = decoder(format);
            let first = router.counters().events();
            let report = router
                .route_batch_explained(&mut *dec, &frames, |x| {
                    assert_eq!(
                        x.index - first,
                        seen.len() as u64,
                        "explanations in frame order"
                    );
                    assert_eq!(x.error.is_some(), x.event.is_none());
                    assert_eq!(x.partition.is_some(), x.event.is_some());
                    assert_eq!(x.outcome == Outcome::Routed, x.handler_ids().len() > 0);
                    assert_eq!(x.handler_ids().len(), x.handler_names().len());
                    if x.error.is_some() {
                        assert_eq!(x.outcome, Outcome::Rejected);
                    }
                    if x.outcome != Outcome::Routed && x.event.is_some() {
                        assert_eq!(x.outcome, *unmatched);
                    }
                    for &h in x.handler_ids() {
                        delivered[p][usize::from(h)] += 1;
                    }
                    seen.push((x.outcome, x.partition));
                })
                .expect("no policy here stops a batch");
            assert_eq!(report.events, frames.len());
            assert_eq!(
                report.events,
                report.routed + report.dead_letter + report.dropped + report.rejected,
                "a frame not accounted for exactly once: {report:?}"
            );
            assert_eq!(report.rejections.len(), report.rejected);
            handler_errors[p] += report.handler_errors.len();
            for (i, (_, partition)) in seen.iter().enumerate() {
                assert_eq!(
                    partition.is_some(),
                    decodes[i],
                    "frame {i}: router and decoder disagree"
                );
                assert!(partition.is_none_or(|p| p < 7));
            }
            outcomes.push(seen);
        }
        // The policies differ only in what happens to unmatched events
        // (those have a partition; a bad frame is rejected under every one).
        let normalise = |o: &(Outcome, Option<u32>)| match *o {
            (Outcome::Dropped | Outcome::Rejected, Some(p)) => (Outcome::DeadLetter, Some(p)),
            other => other,
        };
        for other in &outcomes[1..] {
            let a: Vec<_> = outcomes[0].iter().map(normalise).collect();
            let b: Vec<_> = other.iter().map(normalise).collect();
            assert_eq!(a, b, "policies disagree on more than unmatched events");
        }

        // `error` + Stop: stops at the first rejection, counting up to it.
        let mut dec = decoder(format);
        match stopper.route_batch(&mut *dec, &frames) {
            Ok(report) => {
                assert!(!outcomes[2].iter().any(|o| o.0 == Outcome::Rejected));
                assert_eq!(report.events, frames.len());
            }
            Err(rejected) => {
                let first = outcomes[2].iter().position(|o| o.0 == Outcome::Rejected);
                assert_eq!(Some(rejected.index), first);
                assert_eq!(rejected.report.events, rejected.index + 1);
                assert_eq!(rejected.report.rejected, 1);
            }
        }
    }

    for (p, (router, counts)) in routers.iter().enumerate() {
        let c = router.counters();
        assert_eq!(c.events(), total);
        assert_eq!(
            c.events(),
            c.routed() + c.dead_letter() + c.dropped() + c.rejected()
        );
        assert!(c.decode_errors() <= c.rejected());
        assert_eq!(c.per_partition().iter().sum::<u64>(), c.routed());
        for (h, name) in HANDLERS.iter().enumerate() {
            let id = usize::from(router.router().table().handler_id(name).expect("handler"));
            assert_eq!(
                c.handler(name),
                Some(counts[h].get()),
                "handler {name} calls"
            );
            assert_eq!(
                delivered[p][id],
                counts[h].get(),
                "handler {name} explained"
            );
        }
        let errors: u64 = HANDLERS
            .iter()
            .map(|n| c.handler_errors(n).unwrap_or(0))
            .sum();
        assert_eq!(errors, handler_errors[p] as u64);
        assert!(
            router.arena_stats().allocated_bytes <= (1 << 16)
                || router.arena_stats().replacements > 0
        );
    }
});
