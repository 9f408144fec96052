//! Tests of the JSON decoder, encoder and JSON-lines framing.

use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::frames::FrameReader;
use event_decode::json::{self, JsonDecoder, JsonLines};
use event_decode::{Category, Decoder, Limit};
use event_model::{OwnedEvent, corpus, strategies};
use proptest::prelude::*;

use crate::alloc;

fn decode_owned(bytes: &[u8]) -> Result<OwnedEvent, event_decode::DecodeError> {
    let arena = Bump::new();
    JsonDecoder::new()
        .decode(bytes, &arena)
        .map(|e| e.to_owned())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_events_round_trip(ev in strategies::event()) {
        let arena = Bump::new();
        let mut out = Vec::new();
        json::encode(&ev.as_view(&arena), &mut out);
        prop_assert_eq!(out.last(), Some(&b'\n'));
        let back = decode_owned(&out).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, ev);
    }
}

const HEAD: &str = r#"{"id":"e1","seq":1,"ts":1,"player_id":"p","region":"eu","#;

/// Columns are serde_json's: the character after the offending token.
#[test]
fn errors_say_line_column_and_path() {
    let cases: &[(String, Category, &str)] = &[
        (
            format!(
                "{HEAD}\n\"kind\":\"player_moved\",\"payload\":{{\"position\":{{\"x\":\"abc\",\"y\":1,\"z\":2}},\"heading\":1,\"speed\":1}}}}"
            ),
            Category::Data,
            "line 2, column 54: payload.position.x: invalid type: string \"abc\", expected f32",
        ),
        (
            format!("{HEAD}\"kind\":\"player_left\",\"payload\":{{\"reason\":\"q\"}}"),
            Category::Eof,
            "line 1, column 101: EOF while parsing an object",
        ),
        (
            format!("{HEAD}\"kind\":\"player_left\" \"payload\":{{}}}}"),
            Category::Syntax,
            "line 1, column 78: expected `,` or `}`",
        ),
        (
            format!(
                "{HEAD}\"kind\":\"match_requested\",\"payload\":{{\"skill\":5000000000,\"max_latency_ms\":1}}}}"
            ),
            Category::Data,
            "line 1, column 110: payload.skill: invalid value: integer `5000000000`, expected u32",
        ),
        (
            format!("{HEAD}\"kind\":\"cheese\"}}"),
            Category::Data,
            "line 1, column 72: kind: unknown kind \"cheese\" (expected one of: player_joined, player_left, player_moved, clue_found, treasure_claimed, match_requested, match_started, match_ended, heartbeat)",
        ),
        (
            r#"{"id":"","seq":1,"ts":1,"player_id":"p","region":"eu","kind":"heartbeat"}"#
                .to_owned(),
            Category::Data,
            "line 1, column 1: id: must not be empty",
        ),
        (
            format!("{HEAD}\"kind\":\"heartbeat\"}} trailing"),
            Category::Syntax,
            "line 1, column 77: trailing characters",
        ),
    ];
    for (input, category, expected) in cases {
        let e = decode_owned(input.as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), *expected, "{input}");
        assert_eq!(e.category(), *category, "{input}");
    }
}

#[test]
fn oversize_event_is_a_limit_error() {
    let big = format!(
        "{HEAD}\"kind\":\"heartbeat\",\"pad\":\"{}\"}}",
        "x".repeat(100)
    );
    let arena = Bump::new();
    let e = JsonDecoder::with_config(&DecodeConfig::new().max_event_bytes(64))
        .decode(big.as_bytes(), &arena)
        .unwrap_err();
    assert_eq!(e.limit(), Some(Limit::EventBytes));
    assert!(e.to_string().contains("max_event_bytes (64)"), "{e}");
}

#[test]
fn json_lines_frames_the_stream_and_positions_errors() {
    let events = corpus::corpus(3, 5);
    let arena = Bump::new();
    let mut stream = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        json::encode(&ev.as_view(&arena), &mut stream);
        if i == 1 {
            stream.extend_from_slice(b"\r\n   \n");
        }
    }
    // A bad third event, then a good one after it.
    stream.extend_from_slice(b"{\"id\":\"x\",\"seq\":\"nope\"}\n");
    json::encode(&events[0].as_view(&arena), &mut stream);
    stream.pop(); // The last line has no newline.

    let mut reader = JsonLines::new(stream.as_slice());
    let mut decoder = JsonDecoder::new();
    let mut got = Vec::new();
    let mut errors = Vec::new();
    while let Some(frame) = reader.next_frame().unwrap() {
        let arena = Bump::new();
        match decoder.decode(frame.bytes, &arena) {
            Ok(ev) => got.push(ev.to_owned()),
            Err(e) => errors.push(frame.locate(e).to_string()),
        }
    }
    assert_eq!(got.len(), 6);
    assert_eq!(&got[..5], &events[..]);
    assert_eq!(
        errors,
        vec![
            "event 6, line 8, column 22: seq: invalid type: string \"nope\", expected u64"
                .to_owned()
        ]
    );
    let slice_frames: Vec<_> = json::lines(&stream).map(|f| (f.number, f.line)).collect();
    assert_eq!(
        slice_frames,
        vec![(1, 1), (2, 2), (3, 5), (4, 6), (5, 7), (6, 8), (7, 9)]
    );
}

#[test]
fn json_lines_skips_an_oversize_line_with_bounded_memory() {
    let mut stream = format!("{}\n", "x".repeat(10_000)).into_bytes();
    stream.extend_from_slice(b"{}\n");
    let limits = event_model::Limits {
        max_event_bytes: 100,
        ..Default::default()
    };
    let mut reader = JsonLines::with_config(
        std::io::BufReader::with_capacity(16, stream.as_slice()),
        &DecodeConfig::new().with_limits(limits),
    );
    let e = reader.next_frame().unwrap_err();
    assert_eq!(e.limit(), Some(Limit::EventBytes));
    assert_eq!(e.event_number(), Some(1));
    let next = reader.next_frame().unwrap().unwrap();
    assert_eq!((next.bytes, next.number, next.line), (&b"{}"[..], 2, 2));
    assert!(reader.next_frame().unwrap().is_none());
}

#[test]
fn decoding_the_corpus_borrows_and_barely_allocates() {
    let events = corpus::corpus(11, 300);
    let scratch = Bump::new();
    let lines: Vec<Vec<u8>> = events
        .iter()
        .map(|e| {
            let mut out = Vec::new();
            json::encode(&e.as_view(&scratch), &mut out);
            out
        })
        .collect();
    let mut decoder = JsonDecoder::new();
    let mut arena = Bump::with_capacity(64 * 1024);
    // Warm up the arena, then count.
    for line in &lines {
        decoder.decode(line, &arena).unwrap();
        arena.reset();
    }
    // Strings without escapes are borrowed from the input: no heap at all.
    let plain: Vec<&Vec<u8>> = lines.iter().filter(|l| !l.contains(&b'\\')).collect();
    assert!(plain.len() > 250);
    let ((), info) = alloc::measure(|| {
        for line in &plain {
            decoder.decode(line, &arena).unwrap();
            arena.reset();
        }
    });
    assert_eq!(info.count_total, 0, "{info:?} over {} events", plain.len());
}
