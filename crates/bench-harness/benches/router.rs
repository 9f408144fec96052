//! Router throughput (criterion).
//!
//! - `router/route_decoded`: already-decoded events of the generated corpus
//!   through the six-route example table (`event-router/examples/routes.yaml`):
//!   the routing step alone, in events per second on one core.
//! - `router/decode_route/{yaml,protobuf}`: batches of the 512-byte reference
//!   event, decoded into the batch arena and routed; `router/decode_only/*`
//!   is the same decoding without the router, the baseline that shows what
//!   routing adds.
//!
//! `cargo bench -p bench-harness --bench router -- --warm-up-time 1 --measurement-time 3`

use std::cell::Cell;
use std::hint::black_box;
use std::rc::Rc;

use bumpalo::Bump;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use event_decode::Decoder;
use event_decode::protobuf::ZeroCopyDecoder;
use event_decode::yaml::YamlDecoder;
use event_model::corpus::{REFERENCE_EVENT_YAML, corpus};
use event_pipeline::{Pipeline, table_from_yaml_str};
use event_router::{Router, infallible};

const TABLE: &str = include_str!("../../event-router/examples/routes.yaml");
const CORPUS_EVENTS: usize = 4096;
const BATCH: usize = 256;

/// The example table with a handler per name that counts what it receives.
fn router() -> (Pipeline, Rc<Cell<u64>>) {
    let table = table_from_yaml_str(TABLE).expect("example table");
    assert_eq!(table.routes().len(), 6);
    let seen = Rc::new(Cell::new(0u64));
    let mut builder = Router::builder(table.clone());
    for name in table.handler_names() {
        let s = Rc::clone(&seen);
        builder = builder.handler(
            name.to_string(),
            infallible(move |e, ctx| s.set(s.get() + e.seq % 2 + u64::from(ctx.partition()))),
        );
    }
    let router = builder.build().expect("every handler registered");
    (Pipeline::new(router), seen)
}

fn route_decoded(c: &mut Criterion) {
    let events = corpus(42, CORPUS_EVENTS);
    let arena = Bump::new();
    let views: Vec<_> = events.iter().map(|e| e.as_view(&arena)).collect();
    let (mut router, seen) = router();
    // Check once that the events reach handlers (a filtered run skips the bench).
    router.route_events(&views).expect("no rejection");
    assert!(seen.get() > 0 && router.counters().routed() > CORPUS_EVENTS as u64 / 2);
    let mut group = c.benchmark_group("router");
    group.throughput(Throughput::Elements(views.len() as u64));
    group.bench_function("route_decoded", |b| {
        b.iter(|| {
            router
                .route_events(black_box(&views))
                .expect("no rejection")
        })
    });
    group.finish();
}

fn reference_frames() -> (Vec<u8>, Vec<u8>) {
    let yaml = REFERENCE_EVENT_YAML.as_bytes().to_vec();
    let arena = Bump::new();
    let event = YamlDecoder::new()
        .decode(&yaml, &arena)
        .expect("reference event");
    let mut proto = Vec::new();
    event_decode::protobuf::encode(&event, &mut proto);
    (yaml, proto)
}

fn decode_only<D: Decoder>(decoder: &mut D, arena: &mut Bump, frames: &[&[u8]]) -> u64 {
    let mut n = 0;
    for f in frames {
        n += decoder.decode(f, arena).map_or(0, |e| e.seq);
    }
    arena.reset();
    n
}

fn decode_route(c: &mut Criterion) {
    let (yaml, proto) = reference_frames();
    let yaml_frames: Vec<&[u8]> = vec![yaml.as_slice(); BATCH];
    let proto_frames: Vec<&[u8]> = vec![proto.as_slice(); BATCH];
    let (mut router, _) = router();
    // The reference event decodes and is routed in both formats.
    let yaml_report = router.route_batch(&mut YamlDecoder::new(), &yaml_frames);
    let proto_report = router.route_batch(&mut ZeroCopyDecoder::new(), &proto_frames);
    for report in [yaml_report, proto_report] {
        assert_eq!(report.expect("no rejection").routed, BATCH);
    }
    let mut group = c.benchmark_group("router");
    group.throughput(Throughput::Elements(BATCH as u64));

    let mut arena = Bump::new();
    let mut yaml_decoder = YamlDecoder::new();
    let mut proto_decoder = ZeroCopyDecoder::new();
    group.bench_function("decode_only/yaml", |b| {
        b.iter(|| decode_only(&mut yaml_decoder, &mut arena, black_box(&yaml_frames)))
    });
    group.bench_function("decode_route/yaml", |b| {
        b.iter(|| {
            router
                .route_batch(&mut yaml_decoder, black_box(&yaml_frames))
                .expect("no rejection")
        })
    });
    group.bench_function("decode_only/protobuf", |b| {
        b.iter(|| decode_only(&mut proto_decoder, &mut arena, black_box(&proto_frames)))
    });
    group.bench_function("decode_route/protobuf", |b| {
        b.iter(|| {
            router
                .route_batch(&mut proto_decoder, black_box(&proto_frames))
                .expect("no rejection")
        })
    });
    group.finish();
}

criterion_group!(benches, route_decoded, decode_route);
criterion_main!(benches);
