//! Exact allocation counts, per thread, from `allocation-counter` (which
//! installs a counting global allocator in this test binary), so tests that
//! run in parallel on other threads do not disturb a measurement.

use std::cell::Cell;
use std::rc::Rc;

pub use allocation_counter::AllocationInfo;
use event_decode::protobuf::ZeroCopyDecoder;
use event_model::bumpalo::Bump;
use event_model::corpus::corpus;
use event_pipeline::{Pipeline, table_from_yaml_str};
use event_router::{Router, infallible};

use crate::support::{EXAMPLE_TABLE, Fmt, encode, frames};

/// Runs `f` and reports what it allocated on this thread.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, AllocationInfo) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(f()));
    (out.expect("closure ran"), info)
}

/// The example table with a counting handler per name and a counting sink.
fn counting_router() -> (Pipeline, Rc<Cell<u64>>, Rc<Cell<u64>>) {
    let table = table_from_yaml_str(EXAMPLE_TABLE).unwrap();
    let delivered = Rc::new(Cell::new(0u64));
    let dead = Rc::new(Cell::new(0u64));
    let mut builder = Router::builder(table.clone());
    for name in table.handler_names() {
        let d = Rc::clone(&delivered);
        builder = builder.handler(
            name.to_string(),
            infallible(move |event, ctx| {
                // Touch the event and context so nothing is optimized away.
                d.set(
                    d.get() + 1 + u64::from(event.id.is_empty()) + u64::from(ctx.partition() > 16),
                );
            }),
        );
    }
    let dl = Rc::clone(&dead);
    let router = builder
        .dead_letter_fn(move |_| dl.set(dl.get() + 1))
        .build()
        .unwrap();
    (Pipeline::new(router), delivered, dead)
}

#[test]
fn zero_heap_allocations_per_event_through_protobuf_zero_copy_and_router() {
    const N: usize = 2000;
    let buffers: Vec<Vec<u8>> = corpus(42, N)
        .iter()
        .map(|e| encode(Fmt::Proto, e))
        .collect();
    let batch = frames(&buffers);
    let (mut router, delivered, dead) = counting_router();
    let mut decoder = ZeroCopyDecoder::new();
    // Warm-up: the arena grows to the batch's size and is then only reset.
    for _ in 0..3 {
        router.route_batch(&mut decoder, &batch).unwrap();
    }
    let before = (delivered.get(), dead.get(), router.counters().events());
    let (report, info) = measure(|| router.route_batch(&mut decoder, &batch).unwrap());
    assert_eq!(report.events, N);
    assert!(
        report.routed > N / 2 && report.dead_letter > 0,
        "{report:?}"
    );
    assert!(delivered.get() > before.0 && dead.get() > before.1);
    assert_eq!(router.counters().events(), before.2 + N as u64);
    assert_eq!(info.count_total, 0, "allocations for {N} events: {info:?}");
    assert_eq!(info.bytes_total, 0);
    assert_eq!(router.arena_stats().replacements, 0);
}

#[test]
fn zero_heap_allocations_routing_decoded_events() {
    let events = corpus(5, 1000);
    let arena = Bump::new();
    let views: Vec<_> = events.iter().map(|e| e.as_view(&arena)).collect();
    let (mut router, delivered, _) = counting_router();
    router.route_events(&views).unwrap();
    let before = delivered.get();
    let (report, info) = measure(|| router.route_events(&views).unwrap());
    assert_eq!(report.events, 1000);
    assert!(delivered.get() > before);
    assert_eq!(info.count_total, 0, "{info:?}");
}

#[test]
fn counts_a_box() {
    let (_, info) = measure(|| std::hint::black_box(Box::new([0u8; 100])));
    assert_eq!(info.count_total, 1);
    assert_eq!(info.bytes_total, 100);
}
