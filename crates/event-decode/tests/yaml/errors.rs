//! The table of error messages: input → exact message with the event
//! number, line, column and field path, plus category and limit.

use bench_harness::baselines::DomDecoder;
use bumpalo::Bump;
use event_decode::yaml::{self, YamlDecoder};
use event_decode::{Category, DecodeError, Decoder, Limit};
use event_decode::{DecodeConfig, UnknownFields};
use event_model::corpus::REFERENCE_EVENT_YAML;

/// The reference event with one substitution (which must apply).
fn reference_with(from: &str, to: &str) -> String {
    assert!(
        REFERENCE_EVENT_YAML.contains(from),
        "{from:?} not in the fixture"
    );
    REFERENCE_EVENT_YAML.replacen(from, to, 1)
}

/// A stream of a good event then `bad` (so the failing event is number 2 and
/// its lines are shifted), decoded frame by frame; the first error, located.
fn stream_error(bad: &[u8], decoder: &mut dyn Decoder) -> DecodeError {
    let mut stream =
        b"---\nid: e1\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: eu\n---\n".to_vec();
    stream.extend_from_slice(bad);
    for frame in yaml::documents(&stream) {
        let arena = Bump::new();
        if let Err(e) = decoder.decode(frame.bytes, &arena) {
            return frame.locate(e);
        }
    }
    panic!("no error for {:?}", String::from_utf8_lossy(bad));
}

struct Case {
    name: &'static str,
    input: Vec<u8>,
    decoder: YamlDecoder,
    message: &'static str,
    category: Category,
    limit: Option<Limit>,
}

fn case(
    name: &'static str,
    input: impl Into<Vec<u8>>,
    message: &'static str,
    category: Category,
) -> Case {
    Case {
        name,
        input: input.into(),
        decoder: YamlDecoder::new(),
        message,
        category,
        limit: None,
    }
}

fn limit_case(
    name: &'static str,
    input: impl Into<Vec<u8>>,
    decoder: YamlDecoder,
    message: &'static str,
    limit: Limit,
) -> Case {
    Case {
        name,
        input: input.into(),
        decoder,
        message,
        category: Category::Limit,
        limit: Some(limit),
    }
}

fn cases() -> Vec<Case> {
    let billion_laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n\
                          b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                          c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n\
                          d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
                          e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n\
                          f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n\
                          g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n\
                          h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n\
                          i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    vec![
        case(
            "syntax",
            reference_with("zone: cliffside", "zone: cliff: side"),
            "event 2, line 22, column 14: payload: mapping values are not allowed in this context",
            Category::Syntax,
        ),
        case(
            "wrong type",
            reference_with("x: 1855.25", "x: abc"),
            "event 2, line 24, column 8: payload.position.x: expected a 32-bit float, found \"abc\"",
            Category::Data,
        ),
        case(
            "out of range",
            reference_with("points: 300", "points: -1"),
            "event 2, line 32, column 11: payload.points: expected an unsigned 32-bit integer, found \"-1\"",
            Category::Data,
        ),
        case(
            "out of range u32",
            reference_with("points: 300", "points: 4294967296"),
            "event 2, line 32, column 11: payload.points: expected an unsigned 32-bit integer, found \"4294967296\"",
            Category::Data,
        ),
        case(
            "missing field",
            reference_with("  zone: cliffside\n", ""),
            "event 2, line 10, column 1: payload.zone: missing required field",
            Category::Data,
        ),
        case(
            "missing envelope field",
            reference_with("region: us-east-1\n", ""),
            "event 2, line 10, column 1: region: missing required field",
            Category::Data,
        ),
        case(
            "duplicate key",
            reference_with("  zone: cliffside\n", "  zone: cliffside\n  zone: caves\n"),
            "event 2, line 23, column 3: payload.zone: duplicate key \"zone\"",
            Category::Data,
        ),
        case(
            "unknown kind",
            reference_with("kind: clue_found", "kind: clue_lost"),
            "event 2, line 13, column 7: kind: unknown kind \"clue_lost\" (expected one of: player_joined, player_left, player_moved, clue_found, treasure_claimed, match_requested, match_started, match_ended, heartbeat)",
            Category::Data,
        ),
        case(
            "bad timestamp",
            reference_with("ts: 1715954400406", "ts: 2024-13-01T00:00:00Z"),
            "event 2, line 12, column 5: ts: invalid RFC 3339 timestamp \"2024-13-01T00:00:00Z\": month must be in the range 1..=12",
            Category::Data,
        ),
        case(
            "validation",
            reference_with("region: us-east-1", "region: \"\""),
            "event 2, line 10, column 1: region: must not be empty",
            Category::Data,
        ),
        case(
            "strict unknown",
            reference_with("  zone: cliffside\n", "  zone: cliffside\n  color: red\n"),
            "event 2, line 23, column 3: payload: unknown field \"color\" (strict mode)",
            Category::Data,
        ),
        limit_case(
            "max_event_bytes",
            REFERENCE_EVENT_YAML,
            YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(500)),
            "event 2, line 8, column 1: a document of 516 bytes exceeds limit max_event_bytes (500)",
            Limit::EventBytes,
        ),
        limit_case(
            "max_depth",
            reference_with(
                "  zone: cliffside\n",
                "  zone: cliffside\n  extra: {a: [[[1]]]}\n",
            ),
            YamlDecoder::with_config(&DecodeConfig::new().max_depth(5)),
            "event 2, line 23, column 16: payload: nesting of 6 levels exceeds limit max_depth (5)",
            Limit::Depth,
        ),
        limit_case(
            "max_string_bytes",
            REFERENCE_EVENT_YAML,
            YamlDecoder::with_config(&DecodeConfig::new().max_string_bytes(50)),
            "event 2, line 34, column 9: payload.note: a string of 57 bytes exceeds limit max_string_bytes (50)",
            Limit::StringBytes,
        ),
        limit_case(
            "max_items",
            reference_with(
                "    - bonus\n",
                "    - bonus\n    - a\n    - b\n    - c\n    - d\n    - e\n    - f\n",
            ),
            YamlDecoder::with_config(&DecodeConfig::new().max_items(9)),
            "event 2, line 37, column 7: payload.tags: a list of more items exceeds limit max_items (9)",
            Limit::Items,
        ),
        limit_case(
            "skipped content counts",
            reference_with(
                "  zone: cliffside\n",
                "  zone: cliffside\n  extra: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n",
            ),
            YamlDecoder::with_config(&DecodeConfig::new().max_items(9)),
            "event 2, line 23, column 38: payload: a collection of more items exceeds limit max_items (9)",
            Limit::Items,
        ),
        limit_case(
            "max_alias_events",
            reference_with(
                "  zone: cliffside\n",
                "  zone: cliffside\n  extra: &x [1, 2, 3]\n  more: [*x, *x]\n",
            ),
            YamlDecoder::with_config(&DecodeConfig::new().max_alias_events(5)),
            "event 2, line 24, column 14: payload: alias expansion of more than 5 events exceeds limit max_alias_events (5)",
            Limit::AliasEvents,
        ),
        limit_case(
            "alias bomb",
            billion_laughs,
            YamlDecoder::new(),
            "event 2, line 12, column 16: alias expansion of more than 4096 events exceeds limit max_alias_events (4096)",
            Limit::AliasEvents,
        ),
        limit_case(
            "deep flow nesting",
            format!("id: e1\nextra: {}", "[".repeat(100_000)),
            YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(1 << 20)),
            "event 2, line 10, column 39: nesting of 33 levels exceeds limit max_depth (32)",
            Limit::Depth,
        ),
        limit_case(
            "deep block nesting",
            format!("id: e1\nextra:\n  {}x\n", "- ".repeat(100_000)),
            YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(1 << 20)),
            "event 2, line 11, column 65: nesting of 33 levels exceeds limit max_depth (32)",
            Limit::Depth,
        ),
        case(
            "empty document",
            "",
            "event 2, line 9, column 1: empty document (expected an event mapping)",
            Category::Data,
        ),
        case(
            "truncated",
            reference_with(
                "  note: \"found under the fourth plank of the old pier at low tide.\"\n",
                "  note: \"found under the fourth",
            ),
            "event 2, line 34, column 9: payload.note: unexpected end of input inside a quoted scalar",
            Category::Eof,
        ),
        case(
            "invalid UTF-8",
            invalid_utf8(),
            "event 2, line 22, column 11: invalid UTF-8 (byte 0xff)",
            Category::Syntax,
        ),
        case(
            "truncated flow",
            "id: e1\npayload: {position: {x: 1, ",
            "event 2, line 11, column 1: payload.position: unexpected end of input: did not find the expected node content, found the end of the input",
            Category::Eof,
        ),
    ]
}

fn invalid_utf8() -> Vec<u8> {
    let mut input = reference_with("zone: cliffside", "zone: cliff").into_bytes();
    let at = input.windows(5).position(|w| w == b"cliff").unwrap() + 2;
    input[at] = 0xff;
    input
}

/// Every case through the streaming decoder (exact message), and through
/// the DOM baseline (same category and limit; it has no positions).
#[test]
fn error_messages() {
    let mut failures = Vec::new();
    for mut c in cases() {
        if c.name == "strict unknown" {
            c.decoder = YamlDecoder::with_config(&DecodeConfig::new().deny_unknown_fields());
        }
        let mut dom = DomDecoder::with_config(
            &DecodeConfig::new()
                .with_limits(c.decoder.config().limits)
                .unknown_fields(if c.name == "strict unknown" {
                    UnknownFields::Deny
                } else {
                    UnknownFields::Skip
                }),
        );
        let e = stream_error(&c.input, &mut c.decoder);
        if e.to_string() != c.message || e.category() != c.category || e.limit() != c.limit {
            failures.push(format!(
                "{}: {e} [{:?} {:?}]",
                c.name,
                e.category(),
                e.limit()
            ));
        }
        let d = stream_error(&c.input, &mut dom);
        if d.category() != c.category || d.limit() != c.limit {
            failures.push(format!(
                "{} (dom): {d} [{:?} {:?}]",
                c.name,
                d.category(),
                d.limit()
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// yaml-rust2 counts columns from 0; errors count from 1. Pinned on a
/// one-line document where the column is obvious.
#[test]
fn columns_are_one_based() {
    let arena = Bump::new();
    let doc = b"{id: e1, seq: x}";
    let e = YamlDecoder::new().decode(doc, &arena).unwrap_err();
    assert_eq!((e.line(), e.column()), (Some(1), Some(15)), "{e}");
    assert_eq!(doc[14], b'x');
    assert_eq!(
        e.to_string(),
        "line 1, column 15: seq: expected an unsigned 64-bit integer, found \"x\""
    );
    // Columns count characters, not bytes.
    let e = YamlDecoder::new()
        .decode("{id: é, seq: x}".as_bytes(), &arena)
        .unwrap_err();
    assert_eq!(e.column(), Some(14), "{e}");
}
