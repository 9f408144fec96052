//! The batch arena: reused across batches, replaced after a spike past the
//! cap so that the memory comes back.

use std::cell::Cell;
use std::rc::Rc;

use event_decode::DecodeConfig;
use event_decode::yaml::YamlDecoder;
use event_model::corpus::corpus;
use event_model::{Event, Limits, OwnedEvent, OwnedPayload, Payload};
use event_pipeline::{OnReject, Pipeline, table_from_yaml_str};
use event_router::{Router, infallible};

use crate::alloc::measure;
use crate::support::{Fmt, encode};

const CAP: usize = 1 << 20;
const HUGE_NOTE: usize = 3 << 20;

fn router(cap: usize, longest: &Rc<Cell<usize>>) -> Pipeline {
    let table = table_from_yaml_str(
        "key: match_id\npartitions: 8\nroutes:\n  - name: all\n    to: [notes]\n",
    )
    .unwrap();
    let l = Rc::clone(longest);
    let router = Router::builder(table)
        .handler(
            "notes",
            infallible(move |e: &Event<'_>, _| {
                if let Payload::ClueFound(c) = e.payload {
                    l.set(l.get().max(c.note.map_or(0, str::len)));
                }
            }),
        )
        .build()
        .unwrap();
    Pipeline::new(router).arena_cap(cap)
}

fn huge_event() -> OwnedEvent {
    let mut e = corpus(1, 1).remove(0);
    // The YAML decoder builds every string in the arena.
    let note = "tab\there\n".repeat(HUGE_NOTE / 10);
    e.payload = OwnedPayload::ClueFound {
        clue_id: "clue-harbor-17".into(),
        zone: "harbor".into(),
        position: Default::default(),
        tags: vec![],
        points: 10,
        hint_used: false,
        note: Some(note),
    };
    e
}

fn decoder() -> YamlDecoder {
    YamlDecoder::with_config(&DecodeConfig::new().with_limits(Limits {
        max_event_bytes: 16 << 20,
        max_string_bytes: 8 << 20,
        ..Limits::DEFAULT
    }))
}

#[test]
fn a_huge_event_grows_the_arena_and_past_the_cap_it_is_replaced() {
    let normal: Vec<Vec<u8>> = corpus(9, 200)
        .iter()
        .map(|e| encode(Fmt::Yaml, e))
        .collect();
    let mut spiky = normal.clone();
    spiky.insert(100, encode(Fmt::Yaml, &huge_event()));
    let normal: Vec<&[u8]> = normal.iter().map(Vec::as_slice).collect();
    let spiky: Vec<&[u8]> = spiky.iter().map(Vec::as_slice).collect();

    let longest = Rc::new(Cell::new(0));
    let mut capped = router(CAP, &longest);
    let mut uncapped = router(usize::MAX, &longest);
    let mut dec = decoder();
    for r in [&mut capped, &mut uncapped] {
        r.route_batch(&mut dec, &normal).unwrap();
        r.route_batch(&mut dec, &normal).unwrap();
        let stats = r.arena_stats();
        assert!(
            stats.allocated_bytes > 0 && stats.allocated_bytes < CAP,
            "{stats:?}"
        );
        assert_eq!(stats.replacements, 0);
    }
    let steady = capped.arena_stats().allocated_bytes;

    // Capped: the arena grows for the batch, then is dropped and replaced.
    let (report, info) = measure(|| capped.route_batch(&mut dec, &spiky).unwrap());
    assert_eq!(report.routed, 201);
    assert_eq!(
        longest.get(),
        HUGE_NOTE / 10 * 9,
        "the handler saw the whole note"
    );
    assert!(
        info.bytes_max >= HUGE_NOTE as u64,
        "the arena grew: {info:?}"
    );
    // All but the decoder's own small reusable buffers came back.
    assert!(
        info.bytes_current < (64 << 10),
        "memory came back: {info:?}"
    );
    // Replaced right after the huge event: the rest of the batch ran in a
    // fresh arena of the usual size.
    let stats = capped.arena_stats();
    assert_eq!(stats.replacements, 1);
    assert!(stats.allocated_bytes < CAP, "{stats:?}");

    // Uncapped: reset keeps the biggest chunk, so the spike's memory stays.
    uncapped.route_batch(&mut dec, &spiky).unwrap();
    let stats = uncapped.arena_stats();
    assert!(stats.allocated_bytes >= HUGE_NOTE, "{stats:?}");
    assert_eq!(stats.replacements, 0);

    // The replaced arena serves the next batches at the usual size.
    capped.route_batch(&mut dec, &normal).unwrap();
    capped.route_batch(&mut dec, &normal).unwrap();
    let stats = capped.arena_stats();
    assert!(
        stats.allocated_bytes <= steady.max(64 << 10) * 2,
        "{stats:?} vs steady {steady}"
    );
    assert_eq!(stats.replacements, 1);
}

/// Events that each fit under the cap but together would not: the arena is
/// checked after every event, so one batch never holds much more than the
/// cap plus one event (it used to hold the whole batch).
#[test]
fn one_batch_never_grows_the_arena_past_the_cap_plus_one_event() {
    const EACH: usize = 600 << 10;
    let mut e = huge_event();
    if let OwnedPayload::ClueFound { note, .. } = &mut e.payload {
        *note = Some("tab\there\n".repeat(EACH / 10));
    }
    let frame = encode(Fmt::Yaml, &e);
    let batch: Vec<&[u8]> = std::iter::repeat_n(frame.as_slice(), 40).collect();
    let longest = Rc::new(Cell::new(0));
    let mut r = router(CAP, &longest);
    let mut dec = decoder();
    let (report, info) = measure(|| r.route_batch(&mut dec, &batch).unwrap());
    assert_eq!(report.routed, 40);
    // 40 events of 600 KiB would be 24 MiB in one arena.
    assert!(
        info.bytes_max < (CAP + 3 * EACH + (1 << 20)) as u64,
        "peak {} bytes for a cap of {CAP}: {info:?}",
        info.bytes_max
    );
    assert!(r.arena_stats().replacements >= 10, "{:?}", r.arena_stats());
}

/// The arena's allocation limit turns an event that needs more into a typed,
/// rejected event, never an abort; the router goes on with the next one.
#[test]
fn an_event_past_the_arena_limit_is_rejected_not_an_abort() {
    let table = table_from_yaml_str(
        "key: match_id\npartitions: 8\nroutes:\n  - name: all\n    to: [notes]\n",
    )
    .unwrap();
    let router = Router::builder(table)
        .handler("notes", infallible(|_, _| {}))
        .build()
        .unwrap();
    let mut r = Pipeline::new(router)
        .arena_limit(256 << 10)
        .on_reject(OnReject::Continue);
    let big = encode(Fmt::Yaml, &huge_event());
    let small = encode(Fmt::Yaml, &corpus(2, 1)[0]);
    let report = r
        .route_batch(&mut decoder(), &[big.as_slice(), small.as_slice()])
        .unwrap();
    assert_eq!((report.rejected, report.routed), (1, 1));
    assert_eq!(report.rejections, [0]);
    assert!(r.arena_stats().allocated_bytes <= 256 << 10);
}
