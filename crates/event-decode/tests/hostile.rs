//! Hostile input: each case must end in a typed error (category and limit
//! asserted), without a panic, in bounded time and bounded memory.
//!
//! Every case runs in a child process: the test binary re-executes itself
//! with `VELTRIX_HOSTILE=<case>` and only the [`child`] test, which builds the
//! input, resets the peak-RSS mark (`/proc/self/clear_refs`), runs the case,
//! and prints how far its peak resident set rose above the RSS it started
//! from. The parent fails the case on a panic, an abort (stack overflow,
//! allocation failure), a timeout, or a peak over the case's bound, which is
//! derived from the limits in force (a few times `max_event_bytes` plus a
//! fixed slack for the allocator and the test harness).

use std::io::{self, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::frames::FrameReader;
use event_decode::json::{JsonDecoder, JsonLines};
use event_decode::protobuf::{
    LengthDelimitedFrames, ProstDecoder, ZeroCopyDecoder, length_delimited,
};
use event_decode::yaml::{self, YamlDecoder, YamlFrames};
use event_decode::{Category, DecodeError, Decoder, Limit, Limits};

/// The environment variable that selects a case in the child.
const CASE_VAR: &str = "VELTRIX_HOSTILE";
/// A hang is a failure: no case may take longer (debug build, shared CPU).
const TIME_BOUND: Duration = Duration::from_secs(20);
/// Slack over the limit-derived bound: allocator arenas, the harness's
/// threads and output buffers.
const SLACK_KB: u64 = 8 * 1024;
/// A size limit raised so that the other limits are reached on big inputs.
const BIG: usize = 64 << 20;
const KB: u64 = 1024;
const DEFAULT_EVENT_KB: u64 = Limits::DEFAULT.max_event_bytes as u64 / KB;

/// One hostile case: its name, the peak-RSS rise it may cause (kB, before
/// the slack), and the code that runs it and asserts the typed error.
struct Case {
    name: &'static str,
    max_rise_kb: u64,
    run: fn(),
}

fn cases() -> Vec<Case> {
    vec![
        // A 4096-event alias budget: the expansion stops after it, so the
        // decoder holds one document and a bounded replay buffer.
        case(
            "yaml_billion_laughs",
            4 * DEFAULT_EVENT_KB,
            yaml_billion_laughs,
        ),
        // The input is 200 KB; the depth limit stops the parser at level 32.
        case("yaml_100k_nested_flow", 4 * 200, yaml_nested_flow),
        case("yaml_100k_nested_block", 4 * 200, yaml_nested_block),
        case("json_100k_nested_arrays", 4 * 200, json_nested_arrays),
        case("json_100k_nested_objects", 4 * 800, json_nested_objects),
        // Streamed through the frame readers: never held, and the reader's
        // buffer stays under max_event_bytes.
        case(
            "yaml_50mb_scalar_stream",
            4 * DEFAULT_EVENT_KB,
            yaml_50mb_scalar_stream,
        ),
        case(
            "json_50mb_string_stream",
            4 * DEFAULT_EVENT_KB,
            json_50mb_string_stream,
        ),
        case(
            "proto_50mb_string_stream",
            4 * DEFAULT_EVENT_KB,
            proto_50mb_string_stream,
        ),
        // Held in memory (50 MB, not counted): refused by size before parsing.
        case(
            "yaml_50mb_scalar_decode",
            DEFAULT_EVENT_KB,
            yaml_50mb_scalar_decode,
        ),
        // Size limit raised to 64 MB: the string limit must stop the copy;
        // the parser may hold the scalar once (yaml-rust2 owns its strings).
        case(
            "yaml_50mb_scalar_string_limit",
            2 * 50 * KB,
            yaml_50mb_scalar_string_limit,
        ),
        // serde_json unescapes a string into its scratch buffer before the
        // length can be checked: bounded by the (raised) size limit only.
        case(
            "json_50mb_string_limit",
            2 * 50 * KB,
            json_50mb_string_limit,
        ),
        case(
            "proto_50mb_string_limit",
            4 * DEFAULT_EVENT_KB,
            proto_50mb_string_limit,
        ),
        // The item limit stops the reading after 1,024 entries.
        case("yaml_1m_keys", 4 * DEFAULT_EVENT_KB, yaml_million_keys),
        case("json_1m_keys", 4 * DEFAULT_EVENT_KB, json_million_keys),
        case(
            "proto_1m_map_entries",
            4 * DEFAULT_EVENT_KB,
            proto_million_entries,
        ),
        case(
            "yaml_only_comments",
            4 * DEFAULT_EVENT_KB,
            yaml_only_comments,
        ),
        case(
            "invalid_utf8_everywhere",
            4 * DEFAULT_EVENT_KB,
            invalid_utf8,
        ),
        case("nul_bytes", 4 * DEFAULT_EVENT_KB, nul_bytes),
        // A 2^63 length must not be allocated, whatever the frame maximum.
        case(
            "proto_length_2_pow_63",
            4 * DEFAULT_EVENT_KB,
            proto_length_2_pow_63,
        ),
        case(
            "proto_10k_nested_groups",
            4 * DEFAULT_EVENT_KB,
            proto_nested_groups,
        ),
        case(
            "truncated_final_frame",
            4 * DEFAULT_EVENT_KB,
            truncated_final_frame,
        ),
        // 40 events of ~32 KB, each a 16 KiB scalar aliased 4,096 times
        // (64 MB of text per event once expanded): the alias byte budget
        // stops each after 64 KiB. The stream itself (1.3 MB) is built in
        // the child and counted.
        case(
            "yaml_alias_amplification_stream",
            2 * 1024 + 4 * DEFAULT_EVENT_KB,
            yaml_alias_amplification_stream,
        ),
        // 50 MB comment lines between documents: read through, never kept.
        case(
            "yaml_50mb_comment_lines",
            4 * DEFAULT_EVENT_KB,
            yaml_50mb_comment_lines,
        ),
    ]
}

fn case(name: &'static str, max_rise_kb: u64, run: fn()) -> Case {
    Case {
        name,
        max_rise_kb,
        run,
    }
}

// ---------------------------------------------------------------- helpers

fn expect_limit(result: Result<event_decode::Event<'_>, DecodeError>, limit: Limit) -> DecodeError {
    let e = result.expect_err("hostile input decoded");
    assert_eq!(e.category(), Category::Limit, "{e:?}");
    assert_eq!(e.limit(), Some(limit), "{e:?}");
    assert!(
        e.message().contains(limit.name()),
        "the message names the limit: {e}"
    );
    e
}

fn expect_category(
    result: Result<event_decode::Event<'_>, DecodeError>,
    category: Category,
) -> DecodeError {
    let e = result.expect_err("hostile input decoded");
    assert_eq!(e.category(), category, "{e:?}");
    assert_eq!(e.limit(), None, "{e:?}");
    e
}

/// A reader that produces `head`, then `len` copies of `fill`, then `tail`,
/// without holding more than one chunk: a stream of any size in no memory.
struct Generated {
    parts: [(Vec<u8>, usize); 3],
    part: usize,
    done: usize,
}

impl Generated {
    fn new(head: &[u8], fill: u8, len: usize, tail: &[u8]) -> BufReader<Generated> {
        BufReader::with_capacity(
            8 * 1024,
            Generated {
                parts: [
                    (head.to_vec(), 1),
                    (vec![fill; 4096], len / 4096),
                    (tail.to_vec(), 1),
                ],
                part: 0,
                done: 0,
            },
        )
    }
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.part < 3 {
            let (chunk, times) = &self.parts[self.part];
            if self.done < times * chunk.len() {
                let at = self.done % chunk.len();
                let n = (chunk.len() - at).min(out.len());
                out[..n].copy_from_slice(&chunk[at..at + n]);
                self.done += n;
                return Ok(n);
            }
            self.part += 1;
            self.done = 0;
        }
        Ok(0)
    }
}

const FIFTY_MB: usize = 50 << 20;

fn heartbeat_yaml(extra: &str) -> String {
    format!("id: e\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: r\n{extra}")
}

/// The protobuf heartbeat's required fields (id, player_id, region, payload).
const PROTO_HEAD: [u8; 12] = [
    0x0a, 0x01, b'e', 0x22, 0x01, b'p', 0x32, 0x01, b'r', 0x92, 0x01, 0x00,
];

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

// ------------------------------------------------------------------ cases

fn yaml_billion_laughs() {
    let mut doc = String::from("lol0: &l0 lol\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        doc.push_str(&format!("lol{i}: &l{i} [{refs}]\n"));
    }
    doc.push_str("attrs: {boom: *l9}\n");
    let doc = heartbeat_yaml(&doc);
    let arena = Bump::new();
    let e = expect_limit(
        YamlDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::AliasEvents,
    );
    assert!(e.line().is_some());
    // The DOM baseline is guarded the same way.
    expect_limit(
        yaml::dom::DomDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::AliasEvents,
    );
}

fn yaml_nested_flow() {
    let n = 100_000;
    let doc = format!("zzz: {}x{}\n", "[".repeat(n), "]".repeat(n));
    let arena = Bump::new();
    let mut d = YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG));
    let e = expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
    assert_eq!(e.line(), Some(1));
    let doc = format!("zzz: {}{}\n", "{a: ".repeat(n), "}".repeat(n));
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
    // Default limits: refused by size first.
    expect_limit(
        YamlDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::EventBytes,
    );
}

fn yaml_nested_block() {
    let n = 100_000;
    // Compact nested block sequences: `- - - ... x`.
    let doc = format!("zzz:\n  {}x\n", "- ".repeat(n));
    let arena = Bump::new();
    let mut d = YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG));
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
    // Nested block mappings, one level per line with growing indentation
    // (quadratic size, so fewer levels: still far past any depth limit).
    let mut doc = String::from("zzz:\n");
    for i in 0..2_000 {
        doc.push_str(&" ".repeat(i + 1));
        doc.push_str("k:\n");
    }
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
}

fn json_nested_arrays() {
    let n = 100_000;
    let doc = format!("{{\"zzz\":{}1{}}}", "{\"a\":[".repeat(n), "]}".repeat(n));
    let arena = Bump::new();
    let mut d = JsonDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG));
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
    // Unknown fields are skipped, but their depth still counts.
    let doc = format!("{{\"zzz\":{}1{}}}", "[".repeat(n), "]".repeat(n));
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
}

fn json_nested_objects() {
    let n = 100_000;
    let doc = format!("{{\"zzz\":{}1{}}}", "{\"a\":".repeat(n), "}".repeat(n));
    let arena = Bump::new();
    let mut d = JsonDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG));
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
}

fn yaml_50mb_scalar_stream() {
    let head = b"---\nid: e\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: r\nnote: ";
    let tail = heartbeat_yaml("");
    let tail = format!("\n---\n{tail}");
    let mut frames = YamlFrames::new(Generated::new(head, b'x', FIFTY_MB, tail.as_bytes()));
    let e = frames.next_frame().expect_err("a 50 MB document");
    assert_eq!(e.limit(), Some(Limit::EventBytes), "{e:?}");
    assert_eq!(e.event_number(), Some(1));
    // The stream goes on with the next document.
    let frame = frames
        .next_frame()
        .expect("next")
        .expect("a second document");
    assert_eq!(frame.number, 2);
    let arena = Bump::new();
    YamlDecoder::new()
        .decode(frame.bytes, &arena)
        .expect("the next document decodes");
    assert!(frames.next_frame().expect("end").is_none());
}

fn json_50mb_string_stream() {
    let head =
        br#"{"id":"e","seq":1,"ts":5,"kind":"heartbeat","player_id":"p","region":"r","note":""#;
    let tail = b"\"}\n{\"id\":\"f\",\"seq\":2,\"ts\":5,\"kind\":\"heartbeat\",\"player_id\":\"p\",\"region\":\"r\"}\n";
    let mut lines = JsonLines::new(Generated::new(head, b'x', FIFTY_MB, tail));
    let e = lines.next_frame().expect_err("a 50 MB line");
    assert_eq!(e.limit(), Some(Limit::EventBytes), "{e:?}");
    let frame = lines.next_frame().expect("next").expect("a second line");
    let arena = Bump::new();
    let event = JsonDecoder::new()
        .decode(frame.bytes, &arena)
        .expect("decodes");
    assert_eq!(event.id, "f");
}

fn proto_50mb_string_stream() {
    // One frame: the heartbeat plus an unknown 50 MB string field (99).
    let mut body_head = PROTO_HEAD.to_vec();
    body_head.extend_from_slice(&[0x9a, 0x06]);
    varint(FIFTY_MB as u64, &mut body_head);
    let mut head = Vec::new();
    varint((body_head.len() + FIFTY_MB) as u64, &mut head);
    head.extend_from_slice(&body_head);
    let mut tail = Vec::new();
    varint(PROTO_HEAD.len() as u64, &mut tail);
    tail.extend_from_slice(&PROTO_HEAD);
    let mut frames = LengthDelimitedFrames::new(Generated::new(&head, b'x', FIFTY_MB, &tail));
    let e = frames.next_frame().expect_err("a 50 MB frame");
    assert_eq!(e.limit(), Some(Limit::EventBytes), "{e:?}");
    let frame = frames
        .next_frame()
        .expect("next")
        .expect("the frame after it");
    let arena = Bump::new();
    ZeroCopyDecoder::new()
        .decode(frame.bytes, &arena)
        .expect("decodes");
}

fn yaml_50mb_scalar_decode() {
    let doc = heartbeat_yaml(&format!("note: {}\n", "x".repeat(FIFTY_MB)));
    reset_peak();
    let arena = Bump::new();
    let e = expect_limit(
        YamlDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::EventBytes,
    );
    assert_eq!(e.line(), Some(1));
    expect_limit(
        JsonDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::EventBytes,
    );
    expect_limit(
        ZeroCopyDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::EventBytes,
    );
    expect_limit(
        ProstDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::EventBytes,
    );
}

fn yaml_50mb_scalar_string_limit() {
    let doc = heartbeat_yaml(&format!("attrs: {{a: {}}}\n", "x".repeat(FIFTY_MB)));
    reset_peak();
    let arena = Bump::new();
    let e = expect_limit(
        YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG))
            .decode(doc.as_bytes(), &arena),
        Limit::StringBytes,
    );
    assert_eq!(e.path(), "attrs.a");
}

fn json_50mb_string_limit() {
    let doc = format!(
        r#"{{"id":"e","seq":1,"ts":5,"kind":"heartbeat","player_id":"p","region":"r","attrs":{{"a":"{}"}}}}"#,
        "x".repeat(FIFTY_MB)
    );
    reset_peak();
    let arena = Bump::new();
    let e = expect_limit(
        JsonDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG))
            .decode(doc.as_bytes(), &arena),
        Limit::StringBytes,
    );
    assert_eq!(e.path(), "attrs.a");
    // An escape forces the copying path: still refused without the copy.
    let doc = doc.replacen("xx", "\\n", 1);
    reset_peak();
    expect_limit(
        JsonDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG))
            .decode(doc.as_bytes(), &arena),
        Limit::StringBytes,
    );
}

fn proto_50mb_string_limit() {
    let mut msg = PROTO_HEAD.to_vec();
    // A known string field (`id`). An unknown length-delimited field is
    // opaque bytes, skipped without a copy: not a string.
    msg.push(0x0a);
    varint(FIFTY_MB as u64, &mut msg);
    msg.resize(msg.len() + FIFTY_MB, b'x');
    reset_peak();
    let arena = Bump::new();
    expect_limit(
        ZeroCopyDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG))
            .decode(&msg, &arena),
        Limit::StringBytes,
    );
}

fn million_yaml_keys(top_level: bool) -> String {
    let mut doc = heartbeat_yaml(if top_level { "" } else { "attrs:\n" });
    for i in 0..1_000_000 {
        if top_level {
            doc.push_str(&format!("k{i}: v\n"));
        } else {
            doc.push_str(&format!("  k{i}: v\n"));
        }
    }
    doc
}

fn yaml_million_keys() {
    let arena = Bump::new();
    let mut d = YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG));
    let doc = million_yaml_keys(false);
    reset_peak();
    let e = expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Items);
    assert_eq!(e.path(), "attrs");
    // Unknown top-level keys are skipped, and still counted.
    let doc = million_yaml_keys(true);
    reset_peak();
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Items);
}

fn json_million_keys() {
    let mut doc = String::from(
        r#"{"id":"e","seq":1,"ts":5,"kind":"heartbeat","player_id":"p","region":"r","attrs":{"#,
    );
    for i in 0..1_000_000 {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&format!("\"k{i}\":\"v\""));
    }
    doc.push_str("}}");
    reset_peak();
    let arena = Bump::new();
    let e = expect_limit(
        JsonDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG))
            .decode(doc.as_bytes(), &arena),
        Limit::Items,
    );
    assert_eq!(e.path(), "attrs");
}

fn proto_million_entries() {
    let mut msg = PROTO_HEAD.to_vec();
    for i in 0..1_000_000u32 {
        let key = format!("k{i}");
        msg.push(0x3a);
        msg.push((key.len() + 5) as u8);
        msg.push(0x0a);
        msg.push(key.len() as u8);
        msg.extend_from_slice(key.as_bytes());
        msg.extend_from_slice(&[0x12, 0x01, b'v']);
    }
    reset_peak();
    let arena = Bump::new();
    // Only the zero-copy decoder: prost builds the whole map before the
    // item limit is checked (the baseline's documented behaviour).
    expect_limit(
        ZeroCopyDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG))
            .decode(&msg, &arena),
        Limit::Items,
    );
}

fn yaml_only_comments() {
    let doc = "# nothing here\n   # still nothing\n#\n".repeat(1000);
    let arena = Bump::new();
    // No document at all: the input ends before an event starts.
    let e = expect_category(
        YamlDecoder::new().decode(doc.as_bytes(), &arena),
        Category::Eof,
    );
    assert!(e.message().contains("no YAML document"), "{e}");
    assert_eq!(e.line(), Some(3001), "{e}");
    expect_category(
        yaml::dom::DomDecoder::new().decode(doc.as_bytes(), &arena),
        Category::Eof,
    );
    // In a stream, comment-only stretches are not documents at all, however
    // many lines they span.
    assert_eq!(yaml::documents(doc.as_bytes()).count(), 0);
    let with_lines = "# c\n".repeat(300_000);
    let mut frames = YamlFrames::new(with_lines.as_bytes());
    assert!(frames.next_frame().expect("comments are fine").is_none());
    // One comment line longer than max_event_bytes is not kept to be looked
    // at, and it is no document: skipped in bounded memory.
    let mut frames = YamlFrames::new(Generated::new(b"", b'#', 1 << 20, b"\n"));
    assert!(
        frames
            .next_frame()
            .expect("a comment is no event")
            .is_none()
    );
}

fn invalid_utf8() {
    let base = heartbeat_yaml("");
    let yaml_cases: [(&str, Vec<u8>, u64, u64); 6] = [
        ("key", format!("{base}k\u{e9}y: v\n").into_bytes(), 7, 2),
        ("value", format!("{base}note: v\u{e9}\n").into_bytes(), 7, 8),
        ("comment", format!("{base}# c\u{e9}\n").into_bytes(), 7, 4),
        (
            "double quoted",
            format!("{base}note: \"q\u{e9}\"\n").into_bytes(),
            7,
            9,
        ),
        (
            "single quoted",
            format!("{base}note: 'q\u{e9}'\n").into_bytes(),
            7,
            9,
        ),
        (
            "block scalar",
            format!("{base}note: |\n  line\n  l\u{e9}\n").into_bytes(),
            9,
            4,
        ),
    ];
    let arena = Bump::new();
    for (what, good, line, column) in yaml_cases {
        // Cut the two-byte é after its first byte: 0xc3 then a non-continuation.
        let at = good.windows(2).position(|w| w == [0xc3, 0xa9]).expect("é");
        let mut bad = good.clone();
        bad[at + 1] = b'(';
        for decoder in [
            &mut YamlDecoder::new() as &mut dyn Decoder,
            &mut yaml::dom::DomDecoder::new(),
        ] {
            let e = expect_category(decoder.decode(&bad, &arena), Category::Syntax);
            assert_eq!(
                (e.line(), e.column()),
                (Some(line), Some(column)),
                "{what}: {e}"
            );
            assert!(e.message().contains("UTF-8"), "{what}: {e}");
        }
        // The stream splitter passes the bytes through; the decoder refuses them.
        let frame = yaml::documents(&bad).next().expect("one document");
        expect_category(
            YamlDecoder::new().decode(frame.bytes, &arena),
            Category::Syntax,
        );
    }
    // JSON: in a key, in a value, in an escaped string.
    let json = br#"{"id":"e","seq":1,"ts":5,"kind":"heartbeat","player_id":"p","region":"r","attrs":{"k":"v"}}"#;
    for at in [b"\"k\"".as_slice(), b"\"v\"", b"\"e\""] {
        let i = json.windows(3).position(|w| w == at).expect("found") + 1;
        let mut bad = json.to_vec();
        bad[i] = 0xff;
        let e = expect_category(JsonDecoder::new().decode(&bad, &arena), Category::Syntax);
        assert_eq!(e.line(), Some(1), "{e}");
        let mut bad = json.to_vec();
        bad.splice(i..i + 1, *b"\\n\xc3");
        expect_category(JsonDecoder::new().decode(&bad, &arena), Category::Syntax);
    }
    // Protobuf: a string field (id), a map key and a payload string.
    let mut in_id = PROTO_HEAD.to_vec();
    in_id.extend_from_slice(&[0x0a, 0x02, 0xc3, 0x28]);
    let mut in_key = PROTO_HEAD.to_vec();
    in_key.extend_from_slice(&[0x3a, 0x07, 0x0a, 0x02, 0xed, 0xa0, 0x12, 0x01, b'v']);
    let mut in_payload = PROTO_HEAD[..9].to_vec();
    in_payload.extend_from_slice(&[0x5a, 0x03, 0x0a, 0x01, 0xff]);
    for (msg, offset) in [(in_id, 14), (in_key, 16), (in_payload, 13)] {
        let e = expect_category(
            ZeroCopyDecoder::new().decode(&msg, &arena),
            Category::Syntax,
        );
        assert_eq!(e.byte_offset(), Some(offset), "{e}");
        expect_category(ProstDecoder::new().decode(&msg, &arena), Category::Syntax);
    }
}

fn nul_bytes() {
    let arena = Bump::new();
    let base = heartbeat_yaml("");
    // YAML forbids NUL anywhere (it is not a printable character).
    for doc in [
        format!("{base}note: a\0b\n"),
        format!("{base}\"no\0te\": x\n"),
        format!("{base}# \0\n"),
        format!("\0{base}"),
    ] {
        let e = YamlDecoder::new()
            .decode(doc.as_bytes(), &arena)
            .expect_err("NUL in YAML");
        assert_eq!(e.category(), Category::Syntax, "{e:?}");
        assert!(e.line().is_some());
    }
    // JSON: a raw control character in a string, and between tokens.
    for doc in ["{\"id\":\"e\0\",\"seq\":1}", "{\"id\":\"e\",\0\"seq\":1}"] {
        expect_category(
            JsonDecoder::new().decode(doc.as_bytes(), &arena),
            Category::Syntax,
        );
    }
    // Protobuf: a NUL tag (field 0) is malformed; NUL inside a string is text.
    let mut msg = PROTO_HEAD.to_vec();
    msg.push(0);
    expect_category(
        ZeroCopyDecoder::new().decode(&msg, &arena),
        Category::Syntax,
    );
    expect_category(ProstDecoder::new().decode(&msg, &arena), Category::Syntax);
    let msg = [
        0x0a, 0x01, 0, 0x22, 0x01, b'p', 0x32, 0x01, b'r', 0x92, 0x01, 0x00,
    ];
    let event = ZeroCopyDecoder::new()
        .decode(&msg, &arena)
        .expect("NUL is valid UTF-8");
    assert_eq!(event.id, "\0");
}

fn proto_length_2_pow_63() {
    let mut stream = Vec::new();
    varint(1 << 63, &mut stream);
    stream.push(0x0a);
    // Default maximum: a limit error, nothing allocated for it.
    let e = length_delimited(&stream)
        .next()
        .expect("an item")
        .expect_err("2^63");
    assert_eq!(e.limit(), Some(Limit::EventBytes), "{e:?}");
    let mut frames = LengthDelimitedFrames::new(&stream[..]);
    let e = frames.next_frame().expect_err("2^63");
    assert_eq!(e.limit(), Some(Limit::EventBytes), "{e:?}");
    // No maximum at all: the stream ends long before 2^63 bytes. (The reader
    // used to reserve the whole length first: a capacity-overflow panic.)
    let mut frames = LengthDelimitedFrames::with_config(
        &stream[..],
        &DecodeConfig::new().max_event_bytes(usize::MAX),
    );
    let e = frames.next_frame().expect_err("truncated");
    assert_eq!(e.category(), Category::Eof, "{e:?}");
    assert!(frames.next_frame().expect("then the end").is_none());
    let e = event_decode::protobuf::LengthDelimitedSlice::with_config(
        &stream,
        &DecodeConfig::new().max_event_bytes(usize::MAX),
    )
    .next()
    .expect("item")
    .expect_err("x");
    assert_eq!(e.category(), Category::Eof, "{e:?}");
    // A large but allocatable maximum: no up-front reservation of 1 GiB.
    let mut stream = Vec::new();
    varint(1 << 30, &mut stream);
    stream.extend_from_slice(&[0x0a; 16]);
    let mut frames = LengthDelimitedFrames::with_config(
        &stream[..],
        &DecodeConfig::new().max_event_bytes(1 << 30),
    );
    assert!(frames.next_frame().expect_err("truncated").is_eof());
    // Inside a message: a string field claiming 2^63 bytes.
    let mut msg = PROTO_HEAD.to_vec();
    msg.push(0x0a);
    varint(1 << 63, &mut msg);
    let arena = Bump::new();
    let e = ZeroCopyDecoder::new()
        .decode(&msg, &arena)
        .expect_err("2^63 string");
    assert!(
        matches!(e.category(), Category::Eof | Category::Syntax),
        "{e:?}"
    );
    ProstDecoder::new()
        .decode(&msg, &arena)
        .expect_err("2^63 string");
}

fn proto_nested_groups() {
    let n = 10_000;
    let mut msg = PROTO_HEAD.to_vec();
    for _ in 0..n {
        msg.extend_from_slice(&[0x9b, 0x06]); // field 99, start group
    }
    for _ in 0..n {
        msg.extend_from_slice(&[0x9c, 0x06]); // field 99, end group
    }
    let arena = Bump::new();
    let e = expect_limit(ZeroCopyDecoder::new().decode(&msg, &arena), Limit::Depth);
    assert!(e.byte_offset().is_some());
    // prost stops at its own recursion limit (100): still a depth error,
    // in prost's words ("recursion limit reached").
    let e = ProstDecoder::new()
        .decode(&msg, &arena)
        .expect_err("deep groups");
    assert_eq!(e.limit(), Some(Limit::Depth), "{e:?}");
    // Unbalanced: 10,000 starts and no end.
    let msg = &msg[..PROTO_HEAD.len() + 2 * n];
    ZeroCopyDecoder::new()
        .decode(msg, &arena)
        .expect_err("unbalanced groups");
}

fn truncated_final_frame() {
    let arena = Bump::new();
    // YAML: the last document is cut inside a flow mapping.
    let good = heartbeat_yaml("");
    let stream = format!("---\n{good}---\n{good}---\nid: e\nzzz: {{a: [1, 2");
    let frames: Vec<_> = yaml::documents(stream.as_bytes()).collect();
    assert_eq!(frames.len(), 3);
    let last = frames[2];
    let e = last.locate(
        YamlDecoder::new()
            .decode(last.bytes, &arena)
            .expect_err("truncated"),
    );
    assert!(
        matches!(e.category(), Category::Syntax | Category::Eof),
        "{e:?}"
    );
    assert_eq!(e.event_number(), Some(3));
    assert!(e.line().expect("line") >= 16, "{e}");
    // JSON lines: the last line ends mid-object.
    let line = r#"{"id":"e","seq":1,"ts":5,"kind":"heartbeat","player_id":"p","region":"r"}"#;
    let stream = format!("{line}\n{line}\n{}", &line[..40]);
    let mut lines = JsonLines::new(stream.as_bytes());
    let mut n = 0;
    let mut last = None;
    while let Some(frame) = lines.next_frame().expect("framing") {
        n += 1;
        last =
            Some(frame.locate_result(JsonDecoder::new().decode(frame.bytes, &arena).map(|_| ())));
    }
    assert_eq!(n, 3);
    let e = last.expect("a last frame").expect_err("truncated");
    assert_eq!(e.category(), Category::Eof, "{e:?}");
    assert_eq!((e.event_number(), e.line()), (Some(3), Some(3)));
    // Protobuf: the last frame is three bytes short, in both readers.
    let mut stream = Vec::new();
    for _ in 0..3 {
        varint(PROTO_HEAD.len() as u64, &mut stream);
        stream.extend_from_slice(&PROTO_HEAD);
    }
    stream.truncate(stream.len() - 3);
    let items: Vec<_> = length_delimited(&stream).collect();
    assert_eq!(items.len(), 3);
    let e = items[2].as_ref().expect_err("truncated");
    assert_eq!(
        (e.category(), e.event_number(), e.byte_offset()),
        (Category::Eof, Some(3), Some(27))
    );
    let mut frames = LengthDelimitedFrames::new(BufReader::with_capacity(5, &stream[..]));
    frames.next_frame().expect("1").expect("frame 1");
    frames.next_frame().expect("2").expect("frame 2");
    let e2 = frames.next_frame().expect_err("truncated");
    assert_eq!(&e2, e);
    assert!(frames.next_frame().expect("the end").is_none());
}

/// One event of the alias amplification: `party: [&a <16 KiB>, *a x 4096]`.
fn amplified_event(n: usize) -> String {
    let mut doc = format!(
        "---\nid: e{n}\nseq: {n}\nts: 5\nkind: player_joined\nplayer_id: p\nregion: r\npayload:\n  skill: 1\n  platform: pc\n  party: [&a {}",
        "x".repeat(16 * 1024)
    );
    for _ in 0..4096 {
        doc.push_str(", *a");
    }
    doc.push_str("]\n");
    doc
}

fn yaml_alias_amplification_stream() {
    let stream: String = (1..=40).map(amplified_event).collect();
    assert!(stream.len() < 40 * 33 * 1024, "{}", stream.len());
    let mut frames = YamlFrames::new(BufReader::new(stream.as_bytes()));
    let mut decoders = [
        Box::new(YamlDecoder::new()) as Box<dyn Decoder>,
        Box::new(yaml::dom::DomDecoder::new()),
    ];
    let mut n = 0;
    while let Some(frame) = frames.next_frame().expect("every document fits") {
        n += 1;
        for d in &mut decoders {
            let arena = Bump::new();
            let e = frame.locate(expect_limit(
                d.decode(frame.bytes, &arena),
                Limit::AliasBytes,
            ));
            assert_eq!(e.event_number(), Some(n));
            assert!(arena.allocated_bytes() < 1 << 20);
        }
    }
    assert_eq!(n, 40);
}

fn yaml_50mb_comment_lines() {
    let doc = heartbeat_yaml("");
    // After `...`, and at column 0 before the next `---`.
    for head in [format!("---\n{doc}...\n#"), format!("---\n{doc}#")] {
        let tail = format!("\n---\n{doc}");
        let mut frames = YamlFrames::new(Generated::new(
            head.as_bytes(),
            b'c',
            FIFTY_MB,
            tail.as_bytes(),
        ));
        let mut n = 0;
        while let Some(frame) = frames.next_frame().expect("comments are no events") {
            n += 1;
            let arena = Bump::new();
            YamlDecoder::new()
                .decode(frame.bytes, &arena)
                .expect("each document decodes");
            assert!(frame.bytes.len() < 1024);
        }
        assert_eq!(n, 2);
    }
}

/// Places a per-frame result in the stream, as `Frame::locate` does for errors.
trait LocateResult {
    fn locate_result(&self, r: Result<(), DecodeError>) -> Result<(), DecodeError>;
}

impl LocateResult for event_decode::frames::Frame<'_> {
    fn locate_result(&self, r: Result<(), DecodeError>) -> Result<(), DecodeError> {
        r.map_err(|e| self.locate(e))
    }
}

// ------------------------------------------------------ the child process

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Restarts the peak-RSS mark from the current RSS, so that input built by
/// the case itself is not charged to the decoder. Prints the new baseline.
fn reset_peak() {
    if std::fs::write("/proc/self/clear_refs", "5").is_ok() {
        if let Some(rss) = status_kb("VmRSS:") {
            println!("HOSTILE-BASELINE {rss}");
        }
    }
}

/// Runs the case named by `VELTRIX_HOSTILE` (in a child started by the
/// parent tests below); without it there is nothing to do.
#[test]
fn child() {
    let Ok(name) = std::env::var(CASE_VAR) else {
        return;
    };
    let case = cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no hostile case {name:?}"));
    reset_peak();
    (case.run)();
    let peak = status_kb("VmHWM:").expect("VmHWM in /proc/self/status");
    println!("HOSTILE-PEAK {peak}");
}

struct ChildReport {
    rise_kb: u64,
    elapsed: Duration,
}

/// Runs `name` in a child and returns its peak-RSS rise, failing on a
/// panic, an abort, or a timeout.
fn run_child(name: &str) -> ChildReport {
    let exe = std::env::current_exe().expect("test binary");
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args([
            "hostile::child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CASE_VAR, name)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the test binary");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > TIME_BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name}: still running after {TIME_BOUND:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let stdout = out.join().expect("stdout");
    let stderr = err.join().expect("stderr");
    assert!(
        status.success(),
        "{name}: the child failed ({status}):\n{stdout}\n{stderr}"
    );
    let value = |tag: &str| {
        stdout
            .lines()
            .rev()
            .filter_map(|l| l.split_once(tag).map(|(_, v)| v))
            .find_map(|v| v.trim().parse::<u64>().ok())
    };
    let peak =
        value("HOSTILE-PEAK ").unwrap_or_else(|| panic!("{name}: no peak reported:\n{stdout}"));
    // The last baseline the case set (after building its input).
    let baseline = value("HOSTILE-BASELINE ").unwrap_or(0);
    ChildReport {
        rise_kb: peak.saturating_sub(baseline),
        elapsed,
    }
}

fn check(name: &str) {
    if !std::path::Path::new("/proc/self/status").exists() {
        println!("skipped {name}: no /proc to read peak RSS from");
        return;
    }
    let case = cases().into_iter().find(|c| c.name == name).expect("case");
    let report = run_child(name);
    let bound = case.max_rise_kb + SLACK_KB;
    println!(
        "{name}: peak RSS rise {} kB (bound {bound} kB), {:.2} s",
        report.rise_kb,
        report.elapsed.as_secs_f64()
    );
    assert!(
        report.rise_kb <= bound,
        "{name}: peak RSS rose {} kB, over the bound of {bound} kB",
        report.rise_kb
    );
}

macro_rules! hostile_tests {
    ($($test:ident => $name:literal,)*) => {
        /// One test per case, each checked in its own child process.
        mod case {
            $(
                #[test]
                fn $test() {
                    super::check($name);
                }
            )*
        }

        #[test]
        fn every_case_has_a_test() {
            let tested = [$($name),*];
            for case in cases() {
                assert!(tested.contains(&case.name), "{} has no test", case.name);
            }
            assert_eq!(tested.len(), cases().len());
        }
    };
}

hostile_tests! {
    billion_laughs => "yaml_billion_laughs",
    yaml_100k_nested_flow => "yaml_100k_nested_flow",
    yaml_100k_nested_block => "yaml_100k_nested_block",
    json_100k_nested_arrays => "json_100k_nested_arrays",
    json_100k_nested_objects => "json_100k_nested_objects",
    yaml_50mb_scalar_stream => "yaml_50mb_scalar_stream",
    json_50mb_string_stream => "json_50mb_string_stream",
    proto_50mb_string_stream => "proto_50mb_string_stream",
    yaml_50mb_scalar_decode => "yaml_50mb_scalar_decode",
    yaml_50mb_scalar_string_limit => "yaml_50mb_scalar_string_limit",
    json_50mb_string_limit => "json_50mb_string_limit",
    proto_50mb_string_limit => "proto_50mb_string_limit",
    yaml_1m_keys => "yaml_1m_keys",
    json_1m_keys => "json_1m_keys",
    proto_1m_map_entries => "proto_1m_map_entries",
    yaml_only_comments => "yaml_only_comments",
    invalid_utf8_everywhere => "invalid_utf8_everywhere",
    nul_bytes => "nul_bytes",
    proto_length_2_pow_63 => "proto_length_2_pow_63",
    proto_10k_nested_groups => "proto_10k_nested_groups",
    truncated_final_frame => "truncated_final_frame",
    yaml_alias_amplification_stream => "yaml_alias_amplification_stream",
    yaml_50mb_comment_lines => "yaml_50mb_comment_lines",
}

/// Duplicate-key checks cost the same per byte as the rest of decoding:
/// events whose unknown mappings hold 1,024 keys against ordinary events of
/// the same total size, decoded in the same run (a ratio of medians, not a
/// time threshold). The keys share a long prefix, the worst case for
/// comparing each key with every earlier one.
mod cost {
    use super::*;

    const RUNS: usize = 9;
    const BOUND: f64 = 6.0;

    /// Block style, as producers write (the fast scanner's subset, like
    /// the reference event).
    fn crafted_yaml() -> String {
        let keys: String = (0..1024)
            .map(|i| format!("  key_with_a_long_shared_prefix_{i:05}: {i}\n"))
            .collect();
        heartbeat_yaml(&format!("x:\n{keys}"))
    }

    fn crafted_json() -> String {
        let keys: Vec<String> = (0..1024)
            .map(|i| format!("\"key_with_a_long_shared_prefix_{i:05}\":{i}"))
            .collect();
        format!(
            r#"{{"id":"e","seq":1,"ts":5,"kind":"heartbeat","player_id":"p","region":"r","x":{{{}}}}}"#,
            keys.join(",")
        )
    }

    fn ordinary_yaml() -> String {
        event_model::corpus::REFERENCE_EVENT_YAML.to_owned()
    }

    fn ordinary_json() -> String {
        let arena = Bump::new();
        let yaml = ordinary_yaml();
        let event = YamlDecoder::new()
            .decode(yaml.as_bytes(), &arena)
            .expect("reference");
        let mut out = Vec::new();
        event_decode::json::encode(&event, &mut out);
        String::from_utf8(out).expect("utf-8")
    }

    /// Nanoseconds per input byte of decoding `docs` (a median of runs).
    fn per_byte(decoder: &mut dyn Decoder, docs: &[String]) -> f64 {
        let bytes: usize = docs.iter().map(String::len).sum();
        let mut times: Vec<f64> = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                for _ in 0..4 {
                    for doc in docs {
                        let arena = Bump::new();
                        std::hint::black_box(decoder.decode(doc.as_bytes(), &arena).is_ok());
                    }
                }
                started.elapsed().as_nanos() as f64 / (4 * bytes) as f64
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[RUNS / 2]
    }

    /// Crafted per-byte cost over ordinary per-byte cost, the ordinary
    /// events repeated to the crafted event's size.
    fn ratio(decoder: &mut dyn Decoder, crafted: String, ordinary: String) -> f64 {
        let arena = Bump::new();
        decoder
            .decode(crafted.as_bytes(), &arena)
            .expect("1,024 unknown keys are within the limits");
        let copies = crafted.len().div_ceil(ordinary.len());
        let ordinary = vec![ordinary; copies];
        let crafted = vec![crafted];
        // Warm both up once, then measure.
        per_byte(decoder, &crafted);
        per_byte(decoder, &ordinary);
        per_byte(decoder, &crafted) / per_byte(decoder, &ordinary)
    }

    #[test]
    fn crafted_keys_cost_about_what_ordinary_bytes_cost() {
        let yaml = ratio(&mut YamlDecoder::new(), crafted_yaml(), ordinary_yaml());
        let parser = ratio(
            &mut YamlDecoder::new().fast_path(false),
            crafted_yaml(),
            ordinary_yaml(),
        );
        let json = ratio(&mut JsonDecoder::new(), crafted_json(), ordinary_json());
        println!(
            "per-byte cost, 1,024 unknown keys / ordinary: yaml {yaml:.2}, yaml-rust2 path {parser:.2}, json {json:.2}"
        );
        assert!(yaml < BOUND, "yaml: {yaml:.2}");
        assert!(parser < BOUND, "yaml-rust2 path: {parser:.2}");
        assert!(json < BOUND, "json: {json:.2}");
    }
}

/// Inputs that once crashed or misled a decoder, found by the fuzz targets
/// and the cases above; each test fails on the code before its fix.
mod regressions {
    use super::*;

    /// fuzz `protobuf_stream`: a length of 2^63 + 2^56 with no frame maximum
    /// made the reader reserve that many bytes up front (capacity overflow).
    #[test]
    fn huge_length_prefix_without_a_maximum_is_a_truncated_frame() {
        let crash = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0x01, 0x00,
        ];
        let mut frames = LengthDelimitedFrames::with_config(
            &crash[..],
            &DecodeConfig::new().max_event_bytes(usize::MAX),
        );
        let e = frames
            .next_frame()
            .expect_err("the stream is 11 bytes long");
        assert_eq!(
            (e.category(), e.byte_offset()),
            (Category::Eof, Some(10)),
            "{e:?}"
        );
        assert!(frames.next_frame().expect("the end").is_none());
    }

    /// yaml-rust2 reads NUL as the end of input: the `kind` after it was
    /// silently dropped and the document decoded as a heartbeat.
    #[test]
    fn yaml_nul_is_refused_not_a_silent_end() {
        let doc = format!("{}\0kind: player_left\n", heartbeat_yaml(""));
        let arena = Bump::new();
        for decoder in [
            &mut YamlDecoder::new() as &mut dyn Decoder,
            &mut yaml::dom::DomDecoder::new(),
        ] {
            let e = expect_category(decoder.decode(doc.as_bytes(), &arena), Category::Syntax);
            assert_eq!((e.line(), e.column()), (Some(7), Some(1)), "{e}");
            assert!(
                e.message().contains("NUL") || e.message().contains("U+0000"),
                "{e}"
            );
        }
        let e = yaml::from_str::<std::collections::BTreeMap<String, String>>("a: b\0\nc: d\n")
            .expect_err("NUL in a routing table");
        assert_eq!((e.line(), e.column()), (Some(1), Some(5)), "{e}");
    }

    /// Comment lines before a document counted against max_event_bytes: a
    /// long comment header (or a stream of only comments) was reported as
    /// an oversized document 1.
    #[test]
    fn long_comment_runs_are_not_an_oversized_document() {
        let mut stream = "# header\n".repeat(10_000);
        stream.push_str("---\n");
        stream.push_str(&heartbeat_yaml(""));
        stream.push_str("...\n");
        stream.push_str(&"# trailer\n".repeat(10_000));
        let mut frames = YamlFrames::new(chunked(stream.as_bytes()));
        let frame = frames
            .next_frame()
            .expect("no limit error")
            .expect("one document");
        // The frame starts after the comments it dropped, where it says.
        let at = usize::try_from(frame.offset).expect("offset");
        assert_eq!(frame.number, 1);
        assert!(frame.line > 1, "some leading comments were dropped");
        assert_eq!(&stream.as_bytes()[at..at + frame.bytes.len()], frame.bytes);
        assert_eq!(frame.line, stream[..at].matches('\n').count() as u64 + 1);
        assert!(frame.bytes.len() <= Limits::DEFAULT.max_event_bytes);
        let arena = Bump::new();
        YamlDecoder::new()
            .decode(frame.bytes, &arena)
            .expect("decodes");
        assert!(frames.next_frame().expect("no limit error").is_none());
    }

    fn chunked(bytes: &[u8]) -> BufReader<&[u8]> {
        BufReader::with_capacity(4096, bytes)
    }

    /// `attrs` entries were all kept before the distinct-key count was
    /// checked: 1M entries under a raised size limit took ~130 MB.
    #[test]
    fn attrs_entries_count_against_max_items_as_they_arrive() {
        let entry = [0x3a, 0x06, 0x0a, 0x01, b'k', 0x12, 0x01, b'v'];
        let mut msg = PROTO_HEAD.to_vec();
        for _ in 0..4 {
            msg.extend_from_slice(&entry);
        }
        let arena = Bump::new();
        let mut decoder = ZeroCopyDecoder::with_config(&DecodeConfig::new().max_items(4));
        let event = decoder.decode(&msg, &arena).expect("four entries");
        assert_eq!(event.attrs.len(), 1, "duplicates resolve last-wins");
        msg.extend_from_slice(&entry);
        let e = expect_limit(decoder.decode(&msg, &arena), Limit::Items);
        assert_eq!((e.path(), e.byte_offset()), ("attrs", Some(44)), "{e:?}");
    }
}
