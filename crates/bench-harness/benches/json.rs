//! JSON decoding (criterion): Veltrix's `JsonDecoder` against `serde_json`
//! into `OwnedEvent`, in the same run, on the inputs of `compare`.
//!
//! - `json/reference/*`: the reference event in canonical JSON, decoded over and over.
//! - `json/corpus/*`: 1,000 generated events, one pass per iteration.
//!
//! Throughput is set in bytes and in events, so criterion prints MB/s and events/s.
//!
//! `cargo bench -p bench-harness --bench json -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use bench_harness::inputs::{CORPUS_EVENTS, CORPUS_SEED, InputSet, Inputs};
use bumpalo::Bump;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use event_decode::Decoder;
use event_decode::internals::text::SerdeOwnedEvent;
use event_decode::json::JsonDecoder;

fn json(c: &mut Criterion) {
    let inputs = Inputs::build(CORPUS_EVENTS, CORPUS_SEED).expect("inputs");
    for set in InputSet::ALL {
        let events = &inputs.set(set).json;
        let bytes: usize = events.iter().map(Vec::len).sum();
        for (unit, throughput) in [
            ("bytes", Throughput::Bytes(bytes as u64)),
            ("events", Throughput::Elements(events.len() as u64)),
        ] {
            let mut group = c.benchmark_group(format!("json/{}/{unit}", set.name()));
            group.throughput(throughput);
            group.bench_function("veltrix", |b| {
                let mut decoder = JsonDecoder::new();
                let mut arena = Bump::new();
                b.iter(|| {
                    for e in events {
                        arena.reset();
                        black_box(decoder.decode(e, &arena).expect("valid event"));
                    }
                });
            });
            group.bench_function("serde_json_owned", |b| {
                b.iter(|| {
                    for e in events {
                        black_box(
                            serde_json::from_slice::<SerdeOwnedEvent>(e).expect("valid event"),
                        );
                    }
                });
            });
            group.finish();
        }
    }
}

criterion_group!(benches, json);
criterion_main!(benches);
