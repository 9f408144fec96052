//! Protobuf decoding (criterion): the zero-copy decoder against prost, in the
//! same run.
//!
//! - `protobuf/reference/*`: the 512-byte reference event
//!   (`REFERENCE_EVENT_YAML`) in protobuf form, decoded over and over:
//!   `zero_copy` (`ZeroCopyDecoder` into an arena reset per event),
//!   `prost_decode` (`prost::Message::decode` alone, the baseline),
//!   `prost_decode_view` (prost, then the validated view) and
//!   `prost_decoder` (`ProstDecoder`: prost, view, strings copied to the arena).
//! - `protobuf/corpus/*`: the same over 1,000 generated events.
//! - `protobuf/utf8/*`: the UTF-8 check of the reference event's strings with
//!   `simdutf8::basic` and `std::str::from_utf8` (the zero-copy decoder needs
//!   neither for ASCII strings, and uses std for the others).
//!
//! `cargo bench -p bench-harness --bench protobuf -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use bench_harness::baselines::ProstDecoder;
use bumpalo::Bump;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use event_decode::Decoder;
use event_decode::protobuf::{ZeroCopyDecoder, encode};
use event_model::corpus::{REFERENCE_EVENT_YAML, corpus};
use event_model::{OwnedEvent, OwnedPayload, Timestamp, Vec3, proto};
use prost::Message;

/// The reference event of `REFERENCE_EVENT_YAML`, written out.
fn reference_event() -> OwnedEvent {
    OwnedEvent {
        id: "831c4e3b-114e-4738-8f0c-de7c849b35b8".into(),
        seq: 1004,
        ts: Timestamp(1_715_954_400_406),
        player_id: "plr_6826891".into(),
        match_id: Some("m-20240528-5796".into()),
        region: "us-east-1".into(),
        attrs: vec![
            ("client".into(), "ios-5.2.1".into()),
            ("build".into(), "4412".into()),
        ],
        payload: OwnedPayload::ClueFound {
            clue_id: "clue-harbor-17".into(),
            zone: "cliffside".into(),
            position: Vec3 {
                x: 1855.25,
                y: 1280.25,
                z: 29.625,
            },
            tags: vec![
                "coastal".into(),
                "riddle".into(),
                "night".into(),
                "bonus".into(),
            ],
            points: 300,
            hint_used: false,
            note: Some("found under the fourth plank of the old pier at low tide.".into()),
        },
    }
}

fn encoded(event: &OwnedEvent) -> Vec<u8> {
    let arena = Bump::new();
    let mut out = Vec::new();
    encode(&event.as_view(&arena), &mut out);
    out
}

/// The reference event's protobuf bytes, checked against the YAML fixture.
fn reference_bytes() -> Vec<u8> {
    let event = reference_event();
    let arena = Bump::new();
    let from_yaml = event_decode::yaml::YamlDecoder::new()
        .decode(REFERENCE_EVENT_YAML.as_bytes(), &arena)
        .expect("the reference fixture decodes");
    assert_eq!(
        from_yaml.to_owned().with_sorted_attrs(),
        event.clone().with_sorted_attrs(),
        "the written-out reference event matches the fixture"
    );
    encoded(&event)
}

fn reference(c: &mut Criterion) {
    let bytes = reference_bytes();
    let mut g = c.benchmark_group("protobuf/reference");
    g.throughput(Throughput::Bytes(bytes.len() as u64));

    let mut arena = Bump::new();
    let mut zero_copy = ZeroCopyDecoder::new();
    g.bench_function("zero_copy", |b| {
        b.iter(|| {
            arena.reset();
            let e = zero_copy.decode(black_box(&bytes), &arena).expect("valid");
            black_box(e.seq);
        })
    });
    g.bench_function("prost_decode", |b| {
        b.iter(|| {
            let msg = proto::Event::decode(black_box(&bytes[..])).expect("valid");
            black_box(msg.seq);
        })
    });
    g.bench_function("prost_decode_view", |b| {
        b.iter(|| {
            arena.reset();
            let msg = proto::Event::decode(black_box(&bytes[..])).expect("valid");
            let view = msg.view(&arena).expect("valid");
            black_box(view.seq);
        })
    });
    let mut prost = ProstDecoder::new();
    g.bench_function("prost_decoder", |b| {
        b.iter(|| {
            arena.reset();
            let e = prost.decode(black_box(&bytes), &arena).expect("valid");
            black_box(e.seq);
        })
    });
    g.finish();
}

fn corpus_events(c: &mut Criterion) {
    let inputs: Vec<Vec<u8>> = corpus(7, 1000).iter().map(encoded).collect();
    let total: usize = inputs.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("protobuf/corpus");
    g.throughput(Throughput::Bytes(total as u64));
    let mut arena = Bump::new();
    let mut zero_copy = ZeroCopyDecoder::new();
    g.bench_function("zero_copy", |b| {
        b.iter(|| {
            for bytes in &inputs {
                arena.reset();
                let e = zero_copy.decode(black_box(bytes), &arena).expect("valid");
                black_box(e.seq);
            }
        })
    });
    g.bench_function("prost_decode", |b| {
        b.iter(|| {
            for bytes in &inputs {
                let msg = proto::Event::decode(black_box(&bytes[..])).expect("valid");
                black_box(msg.seq);
            }
        })
    });
    g.finish();
}

fn utf8(c: &mut Criterion) {
    let event = reference_event();
    let arena = Bump::new();
    let view = event.as_view(&arena);
    let mut strings: Vec<&[u8]> = vec![
        view.id.as_bytes(),
        view.player_id.as_bytes(),
        view.region.as_bytes(),
    ];
    strings.extend(view.match_id.map(str::as_bytes));
    for a in view.attrs {
        strings.push(a.key.as_bytes());
        strings.push(a.value.as_bytes());
    }
    if let event_model::Payload::ClueFound(p) = view.payload {
        strings.extend([p.clue_id.as_bytes(), p.zone.as_bytes()]);
        strings.extend(p.tags.iter().map(|t| t.as_bytes()));
        strings.extend(p.note.map(str::as_bytes));
    }
    let mut g = c.benchmark_group("protobuf/utf8");
    g.throughput(Throughput::Bytes(
        strings.iter().map(|s| s.len() as u64).sum(),
    ));
    g.bench_function("simdutf8", |b| {
        b.iter(|| {
            for s in &strings {
                black_box(simdutf8::basic::from_utf8(black_box(s)).is_ok());
            }
        })
    });
    g.bench_function("std", |b| {
        b.iter(|| {
            for s in &strings {
                black_box(std::str::from_utf8(black_box(s)).is_ok());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, reference, corpus_events, utf8);
criterion_main!(benches);
