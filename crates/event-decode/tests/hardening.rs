//! Regression tests of the hardening issue (11), decoder and model items:
//! each failed on the code before its fix. Inputs with memory bounds live
//! in the hostile suite; these check values, categories and positions.

use std::io::{BufReader, Cursor};

use bench_harness::baselines::{DomDecoder, ProstDecoder};
use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::frames::FrameReader;
use event_decode::json::JsonDecoder;
use event_decode::protobuf::{ZeroCopyDecoder, encode as proto_encode};
use event_decode::yaml::{self, YamlDecoder, YamlFrames};
use event_decode::{Category, DecodeError, Decoder, Limit, Limits};
use event_model::{Kind, Payload};

mod escaping;
mod values;

const ENVELOPE: &str = "id: e1\nseq: 1\nts: 5\nplayer_id: p\nregion: eu\n";

/// Every YAML path: the fast scanner first (the default), yaml-rust2 only,
/// and the DOM baseline.
fn yaml_decoders() -> Vec<(&'static str, Box<dyn Decoder>)> {
    vec![
        ("fast", Box::new(YamlDecoder::new())),
        ("parser", Box::new(YamlDecoder::new().fast_path(false))),
        ("dom", Box::new(DomDecoder::new())),
    ]
}

/// The result of every YAML path on `doc`, events as their owned `Debug`.
fn decode_all_paths(doc: &str) -> Vec<(&'static str, Result<String, DecodeError>)> {
    let mut out = Vec::new();
    for (name, mut d) in yaml_decoders() {
        let arena = Bump::new();
        out.push((
            name,
            d.decode(doc.as_bytes(), &arena)
                .map(|e| format!("{:?}", e.to_owned())),
        ));
    }
    out
}

fn one_line(e: &DecodeError) {
    let shown = e.to_string();
    assert!(
        !shown.chars().any(|c| c.is_control() || c == '\u{2028}'),
        "{shown:?}"
    );
}

// ------------------------------------------------------- 1. alias bytes

/// `party: [&a <16 KiB>, *a, *a, ...]`, 4,096 aliases: about 32 KB of text
/// that expanded to 64 MB per event.
fn amplified_party(aliases: usize) -> String {
    let mut doc = format!(
        "{ENVELOPE}kind: player_joined\npayload:\n  skill: 1\n  platform: pc\n  party: [&a {}",
        "x".repeat(16 * 1024)
    );
    for _ in 0..aliases {
        doc.push_str(", *a");
    }
    doc.push_str("]\n");
    doc
}

#[test]
fn alias_replays_count_their_bytes() {
    let doc = amplified_party(4096);
    assert!(doc.len() < 48 * 1024);
    for (name, mut d) in yaml_decoders() {
        let arena = Bump::new();
        let e = d.decode(doc.as_bytes(), &arena).expect_err(name);
        assert_eq!(e.category(), Category::Limit, "{name}: {e}");
        assert!(e.message().contains("max_alias_bytes"), "{name}: {e}");
        // At an alias (line 10, after the anchor), not the document start.
        assert_eq!(e.line(), Some(10), "{name}: {e}");
        assert!(
            arena.allocated_bytes() < 1 << 20,
            "{name}: {}",
            arena.allocated_bytes()
        );
    }
    // Within the budget (three replays of 16 KiB), the event decodes.
    let arena = Bump::new();
    let small = amplified_party(3);
    let event = YamlDecoder::new()
        .decode(small.as_bytes(), &arena)
        .expect("within max_alias_bytes");
    let Payload::PlayerJoined(p) = event.payload else {
        panic!("{event:?}")
    };
    assert_eq!(p.party.len(), 4);
}

#[test]
fn from_str_has_the_alias_byte_budget_too() {
    let text = format!(
        "a: &a {}\nb: [{}]\n",
        "y".repeat(1000),
        vec!["*a"; 100].join(", ")
    );
    let e = yaml::from_str::<serde::de::IgnoredAny>(&text).expect_err("100 KB of aliases");
    assert_eq!(e.category(), Category::Limit, "{e}");
    assert!(e.message().contains("max_alias_bytes"), "{e}");
}

#[test]
fn a_refusing_arena_is_a_typed_error_in_every_decoder() {
    let yaml_doc = format!(
        "{ENVELOPE}kind: player_joined\nattrs: {{a: \"1\"}}\npayload:\n  skill: 1\n  platform: pc\n  party: [a, b, c]\n"
    );
    let json_doc = br#"{"id":"e1","seq":1,"ts":5,"kind":"player_joined","player_id":"p","region":"eu","attrs":{"a":"1"},"payload":{"skill":1,"platform":"p\u0063","party":["a","b","c"]}}"#;
    let arena = Bump::new();
    let event = YamlDecoder::new()
        .decode(yaml_doc.as_bytes(), &arena)
        .expect("the event is valid");
    let mut proto_doc = Vec::new();
    proto_encode(&event, &mut proto_doc);
    let mut cases: Vec<(&str, Box<dyn Decoder>, &[u8])> = Vec::new();
    for (name, d) in yaml_decoders() {
        cases.push((name, d, yaml_doc.as_bytes()));
    }
    cases.push(("json", Box::new(JsonDecoder::new()), json_doc));
    cases.push(("zero-copy", Box::new(ZeroCopyDecoder::new()), &proto_doc));
    cases.push(("prost", Box::new(ProstDecoder::new()), &proto_doc));
    for (name, mut decoder, input) in cases {
        for limit in [0, 8, 64] {
            let arena = Bump::new();
            arena.set_allocation_limit(Some(limit));
            let e = decoder
                .decode(input, &arena)
                .expect_err("no room for the lists");
            assert_eq!(
                format!("{:?}", e.category()),
                "OutOfMemory",
                "{name} ({limit}): {e}"
            );
            assert!(
                e.message().contains("allocation limit"),
                "{name} ({limit}): {e}"
            );
            assert!(e.position().is_some(), "{name} ({limit}): {e:?}");
        }
        // With room, the same decoder still works.
        let arena = Bump::new();
        decoder.decode(input, &arena).expect(name);
    }
}

// -------------------------------------------------- 3. duplicate checks

#[test]
fn many_unknown_keys_still_find_duplicates() {
    let keys: Vec<String> = (0..1000).map(|i| format!("k{i}: {i}")).collect();
    let ok = format!(
        "{ENVELOPE}kind: heartbeat\nextra: {{{}}}\n",
        keys.join(", ")
    );
    let bad = format!(
        "{ENVELOPE}kind: heartbeat\nextra: {{{}, k500: again}}\n",
        keys.join(", ")
    );
    for (name, mut d) in yaml_decoders() {
        let arena = Bump::new();
        d.decode(ok.as_bytes(), &arena).expect(name);
        let e = d.decode(bad.as_bytes(), &arena).expect_err(name);
        assert_eq!(e.category(), Category::Data, "{name}: {e}");
        if name != "dom" {
            assert!(e.message().contains("k500"), "{name}: {e}");
        }
    }
    let top = format!("{ENVELOPE}kind: heartbeat\n{}\n", keys.join("\n"));
    let arena = Bump::new();
    YamlDecoder::new()
        .decode(top.as_bytes(), &arena)
        .expect("unique");
    let top = format!("{top}k999: 1\n");
    let e = YamlDecoder::new()
        .decode(top.as_bytes(), &arena)
        .expect_err("k999 twice");
    assert_eq!(e.line(), Some(1007), "{e}");
}

// ------------------------------------------------- 4. frame boundaries

fn frames_of(stream: &[u8], capacity: usize) -> Vec<Result<Vec<u8>, DecodeError>> {
    let mut frames = YamlFrames::new(BufReader::with_capacity(capacity, Cursor::new(stream)));
    let mut out = Vec::new();
    loop {
        match frames.next_frame() {
            Ok(Some(f)) => out.push(Ok(f.bytes.to_vec())),
            Ok(None) => return out,
            Err(e) => out.push(Err(e)),
        }
        assert!(out.len() < 100);
    }
}

#[test]
fn a_document_at_the_size_limit_does_not_sink_the_next() {
    let max = Limits::DEFAULT.max_event_bytes;
    let second = format!("---\n{ENVELOPE}kind: heartbeat\n");
    // A document of exactly `size` bytes, padded with comment lines
    // before its last line.
    let sized = |size: usize| {
        let last = "kind: heartbeat\n";
        let mut doc = format!("---\n{ENVELOPE}");
        while doc.len() + last.len() < size {
            let room = (size - doc.len() - last.len()).min(1000);
            if room >= 2 {
                doc.push_str(&format!("#{}\n", "n".repeat(room - 2)));
            } else {
                doc.push('\n');
            }
        }
        doc.push_str(last);
        doc
    };
    for size in max - 3..=max {
        let first = sized(size);
        assert_eq!(first.len(), size);
        let stream = format!("{first}{second}");
        for capacity in [3, 4096, 1 << 16] {
            let frames = frames_of(stream.as_bytes(), capacity);
            assert_eq!(frames.len(), 2, "{size}/{capacity}");
            let arena = Bump::new();
            for f in &frames {
                let Ok(bytes) = f else {
                    panic!("{size}/{capacity}: a document within the limit refused")
                };
                assert!(
                    YamlDecoder::new().decode(bytes, &arena).is_ok(),
                    "{size}/{capacity}"
                );
            }
        }
    }
    // One byte more is still refused, and only that document.
    let first = sized(max + 1);
    let frames = frames_of(format!("{first}{second}").as_bytes(), 4096);
    assert_eq!(frames.len(), 2);
    let Err(e) = &frames[0] else {
        panic!("one byte over the limit accepted")
    };
    assert_eq!(e.limit(), Some(Limit::EventBytes));
    assert!(frames[1].is_ok());
}

// ---------------------------------------------- 5. long comment lines

#[test]
fn long_comment_lines_outside_documents_are_no_events() {
    let doc = format!("{ENVELOPE}kind: heartbeat\n");
    let comment = format!("#{}\n", "c".repeat(100_000));
    let indented = format!("   #{}\n", "c".repeat(100_000));
    let streams = [
        // Before the first document.
        format!("{comment}---\n{doc}---\n{doc}"),
        format!("{indented}{comment}{doc}"),
        // After `...`.
        format!("---\n{doc}...\n{comment}{indented}---\n{doc}"),
        // Between two documents, at column 0 before the next `---`.
        format!("---\n{doc}{comment}\n---\n{doc}"),
        // At the end, and followed by blank lines and `...`.
        format!("---\n{doc}{comment}"),
        format!("---\n{doc}{comment}\n# short\n...\n---\n{doc}"),
    ];
    for (i, stream) in streams.iter().enumerate() {
        for capacity in [7, 8192] {
            let frames = frames_of(stream.as_bytes(), capacity);
            assert!(!frames.is_empty(), "stream {i}");
            for f in &frames {
                let bytes = f.as_ref().unwrap_or_else(|e| panic!("stream {i}: {e}"));
                // Frames are slices of the stream.
                assert!(
                    stream
                        .as_bytes()
                        .windows(bytes.len())
                        .any(|w| w == bytes.as_slice()),
                    "stream {i}"
                );
                let arena = Bump::new();
                YamlDecoder::new()
                    .decode(bytes, &arena)
                    .unwrap_or_else(|e| panic!("stream {i}: {e}"));
                assert!(bytes.len() < 1024, "stream {i}: the comment was kept");
            }
        }
    }
    // Content after a long column-0 comment in the same document: the
    // comment may be inside a scalar, so the document is over the limit.
    let stream = format!("---\n{doc}{comment}more: 1\n---\n{doc}");
    let frames = frames_of(stream.as_bytes(), 4096);
    assert_eq!(frames.len(), 2);
    assert_eq!(
        frames[0].as_ref().expect_err("oversized").limit(),
        Some(Limit::EventBytes)
    );
    assert!(frames[1].is_ok());
    // Line numbers after a dropped comment are still the stream's.
    let stream = format!("---\n{doc}...\n{comment}---\n{ENVELOPE}kind: nope\n");
    let mut frames = YamlFrames::new(Cursor::new(stream.as_bytes()));
    frames.next_frame().expect("1").expect("frame 1");
    let frame = frames.next_frame().expect("2").expect("frame 2");
    let arena = Bump::new();
    let e = frame.locate(
        YamlDecoder::new()
            .decode(frame.bytes, &arena)
            .expect_err("bad kind"),
    );
    assert_eq!((e.line(), e.column()), (Some(16), Some(7)), "{e}");
}

// ---------------------------------------------------- 8. key order

#[test]
fn an_early_payload_is_read_as_its_kind() {
    let early = format!(
        "payload:\n  reason: q\n  skill: abc\n  position: {{x: 1}}\n{ENVELOPE}kind: player_left\n"
    );
    let late = format!(
        "{ENVELOPE}kind: player_left\npayload:\n  reason: q\n  skill: abc\n  position: {{x: 1}}\n"
    );
    for (name, mut d) in yaml_decoders() {
        let arena = Bump::new();
        let a = d.decode(early.as_bytes(), &arena).expect(name);
        let b = d.decode(late.as_bytes(), &arena).expect(name);
        assert_eq!(a, b, "{name}");
        assert_eq!(a.kind(), Kind::PlayerLeft);
    }
    let json = br#"{"payload":{"reason":"q","skill":"abc","position":{"x":1}},"kind":"player_left","id":"e1","seq":1,"ts":5,"player_id":"p","region":"eu"}"#;
    let arena = Bump::new();
    let e = JsonDecoder::new().decode(json, &arena).expect("json");
    assert_eq!(e.kind(), Kind::PlayerLeft);
}

#[test]
fn errors_inside_an_early_payload_say_where() {
    let doc = format!(
        "payload:\n  position: {{x: 1, y: abc, z: 2}}\n  heading: 1\n  speed: 1\n{ENVELOPE}kind: player_moved\n"
    );
    for (name, mut d) in yaml_decoders() {
        if name == "dom" {
            continue; // the tree keeps no positions
        }
        let arena = Bump::new();
        let e = d.decode(doc.as_bytes(), &arena).expect_err(name);
        assert_eq!(e.path(), "payload.position.y", "{name}: {e}");
        assert_eq!((e.line(), e.column()), (Some(2), Some(23)), "{name}: {e}");
    }
    let json = b"{\"payload\":{\"position\":{\"x\":1,\"y\":\"abc\",\"z\":2},\"heading\":1,\"speed\":1},\n\"kind\":\"player_moved\",\"id\":\"e1\",\"seq\":1,\"ts\":5,\"player_id\":\"p\",\"region\":\"eu\"}";
    let arena = Bump::new();
    let e = JsonDecoder::new().decode(json, &arena).expect_err("json");
    assert_eq!(e.path(), "payload.position.y", "{e}");
    assert_eq!(e.line(), Some(1), "{e}");
}

// 10. YAML values: in `values.rs`; 11. escaping: in `escaping.rs`.

// ------------------------------------------------------ 13. small ones

#[test]
fn a_leap_second_is_named_as_such() {
    let doc = format!("{ENVELOPE}kind: heartbeat\n").replace("ts: 5", "ts: 2016-12-31T23:59:60Z");
    for (name, r) in decode_all_paths(&doc) {
        let e = r.expect_err(name);
        assert!(e.message().contains("leap second"), "{name}: {e}");
        assert!(!e.message().contains("sub-millisecond"), "{name}: {e}");
    }
}

#[test]
fn cr_only_line_endings_frame_and_decode() {
    let docs = [
        format!("---\n{ENVELOPE}kind: heartbeat\n"),
        format!("---\n{ENVELOPE}kind: player_left\npayload:\n  reason: q\n"),
        format!("---\n{ENVELOPE}kind: nope\n"),
    ];
    let stream = docs.concat().replace('\n', "\r");
    for capacity in [1, 5, 4096] {
        let mut frames = YamlFrames::new(BufReader::with_capacity(
            capacity,
            Cursor::new(stream.as_bytes()),
        ));
        let mut got = Vec::new();
        while let Some(frame) = frames.next_frame().expect("no framing error") {
            let arena = Bump::new();
            got.push((
                frame.line,
                YamlDecoder::new()
                    .decode(frame.bytes, &arena)
                    .map(|e| e.kind())
                    .map_err(|e| frame.locate(e)),
            ));
        }
        assert_eq!(got.len(), 3, "capacity {capacity}");
        assert_eq!(got[0], (1, Ok(Kind::Heartbeat)));
        assert_eq!(got[1], (8, Ok(Kind::PlayerLeft)));
        assert_eq!(got[2].0, 17);
        let e = got[2].1.as_ref().expect_err("bad kind");
        assert_eq!((e.line(), e.column()), (Some(23), Some(7)), "{e}");
    }
    let slices: Vec<_> = yaml::documents(stream.as_bytes()).map(|f| f.line).collect();
    assert_eq!(slices, [1, 8, 17]);
    // CRLF is one line break, not two.
    let crlf = docs.concat().replace('\n', "\r\n");
    let lines: Vec<_> = yaml::documents(crlf.as_bytes()).map(|f| f.line).collect();
    assert_eq!(lines, [1, 8, 17]);
}

#[test]
fn from_str_errors_speak_of_a_document_not_an_event() {
    let e = yaml::from_str::<serde::de::IgnoredAny>("a: 1\n---\nb: 2\n").expect_err("two docs");
    assert!(!e.message().contains("per event"), "{e}");
    assert!(e.message().contains("single YAML document"), "{e}");
    // Events still say why.
    let arena = Bump::new();
    let doc = format!("{ENVELOPE}kind: heartbeat\n---\na: 1\n");
    let e = YamlDecoder::new()
        .decode(doc.as_bytes(), &arena)
        .expect_err("two docs");
    assert!(e.message().contains("one document per event"), "{e}");
}
