//! Heap allocations: the decoder against yaml-rust2's own event loop over
//! the same documents, and the peak live heap while decoding a long stream.

use std::io::Cursor;

use bumpalo::Bump;
use event_decode::Decoder;
use event_decode::frames::FrameReader;
use event_decode::yaml::{self, YamlDecoder, YamlFrames};
use event_model::corpus::{REFERENCE_EVENT_YAML, corpus};
use yaml_rust2::parser::{Event, Parser};

use crate::alloc::measure;

/// yaml-rust2's `next_token()` loop over one document.
fn raw_loop(text: &str) -> usize {
    let mut parser = Parser::new_from_str(text);
    let mut n = 0;
    while let Ok((event, _)) = parser.next_token() {
        if event == Event::StreamEnd {
            break;
        }
        n += 1;
    }
    n
}

/// Allocations the decoder makes per document beyond yaml-rust2's own
/// `next_token()` loop over the same text, once its buffers and arena are
/// warm: none (the parser's own `String`s and state are all there is; the
/// decoder's strings and lists go to the arena, its alias and mark buffers
/// are reused). Anchors would add the recorded events' copies.
const EXTRA_ALLOCATIONS_PER_EVENT: u64 = 0;

#[test]
fn per_event_allocations_match_the_raw_event_loop() {
    let arena = Bump::new();
    let mut docs: Vec<String> = vec![REFERENCE_EVENT_YAML.to_owned()];
    for e in corpus(5, 300) {
        let mut s = String::new();
        yaml::encode(&e.as_view(&arena), &mut s);
        docs.push(s);
    }
    let mut decoder = YamlDecoder::new();
    let mut arena = Bump::with_capacity(64 * 1024);
    decoder.decode(docs[0].as_bytes(), &arena).unwrap();
    for doc in &docs {
        let (events, raw) = measure(|| raw_loop(doc));
        assert!(events > 10);
        arena.reset();
        let (ok, ours) = measure(|| decoder.decode(doc.as_bytes(), &arena).is_ok());
        assert!(ok);
        assert!(
            ours.count_total <= raw.count_total + EXTRA_ALLOCATIONS_PER_EVENT,
            "decoder {} allocations, raw loop {}:\n{doc}",
            ours.count_total,
            raw.count_total
        );
    }
}

/// Decodes every document of `stream` through [`YamlFrames`] with one
/// decoder and one arena reset per event; the peak live heap and the count.
fn decode_stream(stream: &[u8]) -> (u64, u64) {
    let (count, info) = measure(|| {
        let mut frames = YamlFrames::new(Cursor::new(stream));
        let mut decoder = YamlDecoder::new();
        let mut arena = Bump::new();
        let mut count = 0u64;
        while let Some(frame) = frames.next_frame().unwrap() {
            arena.reset();
            decoder
                .decode(frame.bytes, &arena)
                .map_err(|e| frame.locate(e))
                .unwrap();
            count += 1;
        }
        count
    });
    (info.bytes_max, count)
}

#[test]
fn peak_heap_does_not_grow_with_the_stream() {
    let arena = Bump::new();
    let mut one = Vec::new();
    for e in corpus(9, 1000) {
        let mut s = String::new();
        yaml::encode(&e.as_view(&arena), &mut s);
        one.extend_from_slice(s.as_bytes());
    }
    let ten = one.repeat(10);
    let (peak_1k, n) = decode_stream(&one);
    assert_eq!(n, 1000);
    let (peak_10k, n) = decode_stream(&ten);
    assert_eq!(n, 10_000);
    // Same events, ten times as many: exactly the same peak.
    assert_eq!(peak_10k, peak_1k);
    // And 10,000 distinct events stay under a small bound (buffers, one
    // arena chunk, one parser), whatever the stream's 5 MB.
    let mut distinct = Vec::new();
    for e in corpus(10, 10_000) {
        let mut s = String::new();
        yaml::encode(&e.as_view(&arena), &mut s);
        distinct.extend_from_slice(s.as_bytes());
    }
    let (peak, n) = decode_stream(&distinct);
    assert_eq!(n, 10_000);
    assert!(peak < 64 * 1024, "peak live heap {peak} bytes");
    println!(
        "peak live heap: {peak_1k} bytes (1,000 events), {peak_10k} (10,000 repeated), {peak} (10,000 distinct, {} bytes of YAML)",
        distinct.len()
    );
}
