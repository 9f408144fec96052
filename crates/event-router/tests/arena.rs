//! The batch arena: reused across batches, replaced after a spike past the
//! cap so that the memory comes back.

use std::cell::Cell;
use std::rc::Rc;

use event_decode::yaml::YamlDecoder;
use event_model::corpus::corpus;
use event_model::{Event, Limits, OwnedEvent, OwnedPayload, Payload};
use event_router::{RouteTable, Router, infallible};

use crate::alloc::measure;
use crate::support::{Fmt, encode};

const CAP: usize = 1 << 20;
const HUGE_NOTE: usize = 3 << 20;

fn router(cap: usize, longest: &Rc<Cell<usize>>) -> Router {
    let table = RouteTable::from_yaml_str(
        "key: match_id\npartitions: 8\nroutes:\n  - name: all\n    to: [notes]\n",
    )
    .unwrap();
    let l = Rc::clone(longest);
    Router::builder(table)
        .handler(
            "notes",
            infallible(move |e: &Event<'_>, _| {
                if let Payload::ClueFound(c) = e.payload {
                    l.set(l.get().max(c.note.map_or(0, str::len)));
                }
            }),
        )
        .arena_cap(cap)
        .build()
        .unwrap()
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
    YamlDecoder::new().with_limits(Limits {
        max_event_bytes: 16 << 20,
        max_string_bytes: 8 << 20,
        ..Limits::DEFAULT
    })
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
    let stats = capped.arena_stats();
    assert_eq!((stats.allocated_bytes, stats.replacements), (0, 1));

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
