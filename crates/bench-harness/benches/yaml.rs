//! Streaming YAML decoding (criterion): the decoder against yaml-rust2's own
//! event loop and against the document-tree baseline, in the same run.
//!
//! - `yaml/reference/*`: the 512-byte reference event (`REFERENCE_EVENT_YAML`):
//!   `raw_next_token` (yaml-rust2's `Parser::next_token()` until the stream
//!   ends, each event only touched: the floor any decoder on this parser
//!   pays), `streaming` (`YamlDecoder` with `fast_path(false)`, on
//!   yaml-rust2's events, into an arena reset per event: events, UTF-8
//!   check, typed fields, arena copies, validation), `streaming_fast` (the
//!   default `YamlDecoder`: the same through the fast scanner, scalars
//!   borrowed from the input) and `dom` (`DomDecoder`: the `Yaml` tree, then
//!   the same conversion).
//! - `yaml/corpus/*`: the same four over 1,000 generated events.
//!
//! Target: `streaming` within 1.25× of `raw_next_token`, and faster than `dom`.
//!
//! `cargo bench -p bench-harness --bench yaml -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use bench_harness::baselines::DomDecoder;
use bumpalo::Bump;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use event_decode::Decoder;
use event_decode::internals::yaml::Engine;
use event_decode::yaml::{self, YamlDecoder};
use event_model::corpus::{REFERENCE_EVENT_YAML, corpus};
use yaml_rust2::parser::{Event, Parser};

/// yaml-rust2's event loop over one document: what the streaming decoder
/// does minus everything it does with the events.
fn raw_next_token(text: &str) -> usize {
    let mut parser = Parser::new_from_str(text);
    let mut n = 0;
    while let Ok((event, mark)) = parser.next_token() {
        if event == Event::StreamEnd {
            break;
        }
        black_box((&event, mark));
        n += 1;
    }
    n
}

fn bench_reference(c: &mut Criterion) {
    let text = REFERENCE_EVENT_YAML;
    let bytes = text.as_bytes();
    let mut group = c.benchmark_group("yaml/reference");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("raw_next_token", |b| {
        b.iter(|| raw_next_token(black_box(text)))
    });
    let mut arena = Bump::new();
    let mut streaming = YamlDecoder::new()
        .engine(Engine::YamlRust2)
        .fast_path(false);
    group.bench_function("streaming", |b| {
        b.iter(|| {
            arena.reset();
            let event = streaming
                .decode(black_box(bytes), &arena)
                .expect("reference decodes");
            black_box(event.seq)
        })
    });
    let mut fast = YamlDecoder::new().engine(Engine::YamlRust2);
    group.bench_function("streaming_fast", |b| {
        b.iter(|| {
            arena.reset();
            let event = fast
                .decode(black_box(bytes), &arena)
                .expect("reference decodes");
            black_box(event.seq)
        })
    });
    let mut dom = DomDecoder::new();
    group.bench_function("dom", |b| {
        b.iter(|| {
            arena.reset();
            let event = dom
                .decode(black_box(bytes), &arena)
                .expect("reference decodes");
            black_box(event.seq)
        })
    });
    group.finish();
}

fn bench_corpus(c: &mut Criterion) {
    let arena = Bump::new();
    let docs: Vec<String> = corpus(42, 1000)
        .iter()
        .map(|e| {
            let mut s = String::new();
            yaml::encode(&e.as_view(&arena), &mut s);
            s
        })
        .collect();
    let total: usize = docs.iter().map(String::len).sum();
    let mut group = c.benchmark_group("yaml/corpus");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("raw_next_token", |b| {
        b.iter(|| docs.iter().map(|d| raw_next_token(d)).sum::<usize>())
    });
    let mut arena = Bump::new();
    let mut streaming = YamlDecoder::new()
        .engine(Engine::YamlRust2)
        .fast_path(false);
    group.bench_function("streaming", |b| {
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                arena.reset();
                n += streaming
                    .decode(d.as_bytes(), &arena)
                    .expect("corpus decodes")
                    .seq;
            }
            n
        })
    });
    let mut fast = YamlDecoder::new().engine(Engine::YamlRust2);
    group.bench_function("streaming_fast", |b| {
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                arena.reset();
                n += fast
                    .decode(d.as_bytes(), &arena)
                    .expect("corpus decodes")
                    .seq;
            }
            n
        })
    });
    let mut dom = DomDecoder::new();
    group.bench_function("dom", |b| {
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                arena.reset();
                n += dom
                    .decode(d.as_bytes(), &arena)
                    .expect("corpus decodes")
                    .seq;
            }
            n
        })
    });
    group.finish();
}

criterion_group!(benches, bench_reference, bench_corpus);
criterion_main!(benches);
