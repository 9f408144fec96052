//! Malformed and invalid inputs: each gets its exact typed error from the
//! zero-copy decoder (category, limit, byte offset, field path, message), and
//! the prost decoder fails in the same category (or the one documented).

use bench_harness::baselines::ProstDecoder;
use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::protobuf::ZeroCopyDecoder;
use event_decode::{Category, Decoder, Limit, Limits, Position};

use super::wire::{self, Field, Value};

/// `id: "e"`, `player_id: "p"`, `region: "r"`: a valid envelope, 9 bytes.
const HEAD: [u8; 9] = [0x0a, 0x01, b'e', 0x22, 0x01, b'p', 0x32, 0x01, b'r'];
/// `heartbeat {}` (field 18, two-byte key).
const HEARTBEAT: [u8; 3] = [0x92, 0x01, 0x00];

fn with_head(tail: &[u8]) -> Vec<u8> {
    let mut v = HEAD.to_vec();
    v.extend_from_slice(tail);
    v
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    limits: Limits,
    category: Category,
    limit: Option<Limit>,
    offset: u64,
    path: &'static str,
    message: &'static str,
    /// prost's category when it cannot tell the same thing.
    prost_category: Option<Category>,
}

fn case(
    name: &'static str,
    bytes: Vec<u8>,
    category: Category,
    offset: u64,
    path: &'static str,
    message: &'static str,
) -> Case {
    Case {
        name,
        bytes,
        limits: Limits::DEFAULT,
        category,
        limit: None,
        offset,
        path,
        message,
        prost_category: None,
    }
}

impl Case {
    fn limit(mut self, limit: Limit) -> Self {
        self.limit = Some(limit);
        self
    }
    fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    fn prost(mut self, category: Category) -> Self {
        self.prost_category = Some(category);
        self
    }
}

/// A treasure whose third inventory item has `qty` as a 32-bit field.
fn bad_third_qty() -> Vec<u8> {
    let item = |qty: Value| Field {
        tag: 4,
        value: Value::Msg(vec![
            Field {
                tag: 1,
                value: Value::Bytes(b"ruby".to_vec()),
            },
            Field { tag: 2, value: qty },
        ]),
    };
    let treasure = vec![
        Field {
            tag: 1,
            value: Value::Bytes(b"tr-1".to_vec()),
        },
        item(Value::Varint(1)),
        item(Value::Varint(2)),
        item(Value::I32(3)),
    ];
    with_head(&wire::to_bytes(&[Field {
        tag: 14,
        value: Value::Msg(treasure),
    }]))
}

fn nested_groups(n: usize) -> Vec<u8> {
    let mut v = HEAD.to_vec();
    v.extend(std::iter::repeat_n(0x4b, n)); // start-group, field 9
    v.extend(std::iter::repeat_n(0x4c, n)); // end-group, field 9
    v.extend_from_slice(&HEARTBEAT);
    v
}

fn cases() -> Vec<Case> {
    use Category::{Data, Eof, Syntax};
    let small = |f: fn(&mut Limits)| {
        let mut l = Limits::DEFAULT;
        f(&mut l);
        l
    };
    vec![
        case(
            "truncated varint",
            with_head(&[0x10, 0x80, 0x80]),
            Eof,
            10,
            "seq",
            "input ends inside a varint",
        )
        // prost reports every bad varint alike.
        .prost(Syntax),
        case(
            "11-byte varint",
            with_head(&[
                0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ]),
            Syntax,
            10,
            "seq",
            "varint is longer than 10 bytes",
        ),
        case(
            "10-byte varint past 64 bits",
            with_head(&[
                0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
            ]),
            Syntax,
            10,
            "seq",
            "varint overflows 64 bits",
        ),
        case(
            "length past end",
            with_head(&[0x2a, 0x05, b'a', b'b']),
            Eof,
            10,
            "match_id",
            "length 5 runs past the end of the input (2 bytes left)",
        ),
        case(
            "length past enclosing message",
            with_head(&[0x6a, 0x03, 0x0a, 0x05, b'a', 0x92, 0x01, 0x00, 0x10, 0x01]),
            Syntax,
            12,
            "payload.clue_id",
            "length 5 runs past the end of its enclosing message (1 bytes left)",
        ),
        case(
            "bad UTF-8",
            vec![0x0a, 0x03, b'o', 0xc3, 0x28],
            Syntax,
            3,
            "id",
            "string is not valid UTF-8",
        ),
        case(
            "tag 0",
            with_head(&[0x00, 0x00]),
            Syntax,
            9,
            "",
            "invalid field number 0",
        ),
        case(
            "wire type 7",
            with_head(&[0x0f]),
            Syntax,
            9,
            "",
            "invalid wire type 7",
        ),
        case(
            "wire type 6",
            with_head(&[0x0e, 0x00]),
            Syntax,
            9,
            "",
            "invalid wire type 6",
        ),
        case(
            "key past u32",
            with_head(&[0x80, 0x80, 0x80, 0x80, 0x10]),
            Syntax,
            9,
            "",
            "field key 4294967296 is out of range",
        ),
        case(
            "unmatched end-group",
            with_head(&[0x4c]),
            Syntax,
            9,
            "",
            "end-group (field 9) without a matching start-group",
        ),
        case(
            "end-group of another field",
            with_head(&[0x4b, 0x54]),
            Syntax,
            10,
            "",
            "end-group of field 10 closes the group of field 9",
        ),
        case(
            "group without end",
            with_head(&[0x4b, 0x08, 0x01]),
            Eof,
            12,
            "",
            "input ends inside the group of field 9 (no end-group)",
        )
        .prost(Syntax),
        case(
            "10,000 nested groups",
            nested_groups(10_000),
            Category::Limit,
            40,
            "",
            "groups nest deeper than max_depth (32)",
        )
        .limit(Limit::Depth),
        case(
            "wrong wire type",
            with_head(&[0x11, 1, 2, 3, 4, 5, 6, 7, 8]),
            Syntax,
            9,
            "seq",
            "wire type 1 (64-bit) where 0 (varint) was expected",
        ),
        case(
            "wrong wire type deep",
            bad_third_qty(),
            Syntax,
            45,
            "payload.inventory[2].qty",
            "wire type 5 (32-bit) where 0 (varint) was expected",
        ),
        case(
            "truncated float",
            with_head(&[0x62, 0x05, 0x0a, 0x03, 0x0d, 0x00, 0x00]),
            Eof,
            14,
            "payload.position.x",
            "input ends inside a 32-bit field",
        ),
        case(
            "string over max_string_bytes",
            vec![0x0a, 0x05, b'h', b'e', b'l', b'l', b'o'],
            Category::Limit,
            0,
            "id",
            "string of 5 bytes is longer than max_string_bytes (4)",
        )
        .limit(Limit::StringBytes)
        .limits(small(|l| l.max_string_bytes = 4)),
        case(
            "items over max_items",
            with_head(&[0x6a, 0x06, 0x22, 0x00, 0x22, 0x00, 0x22, 0x00]),
            Category::Limit,
            15,
            "payload.tags",
            "more than max_items (2) items",
        )
        .limit(Limit::Items)
        .limits(small(|l| l.max_items = 2)),
        case(
            "messages over max_depth",
            with_head(&[0x62, 0x02, 0x0a, 0x00]),
            Category::Limit,
            11,
            "payload.position",
            "messages nest deeper than max_depth (2)",
        )
        .limit(Limit::Depth)
        // prost only has its own recursion limit (100) and accepts it.
        .limits(small(|l| l.max_depth = 2)),
        case(
            "event over max_event_bytes",
            with_head(&HEARTBEAT),
            Category::Limit,
            0,
            "",
            "event is 12 bytes; max_event_bytes is 8",
        )
        .limit(Limit::EventBytes)
        .limits(small(|l| l.max_event_bytes = 8)),
        case(
            "empty input",
            vec![],
            Data,
            0,
            "id",
            "missing required field",
        ),
        case(
            "no player_id",
            vec![0x0a, 0x01, b'e', 0x32, 0x01, b'r', 0x92, 0x01, 0x00],
            Data,
            0,
            "player_id",
            "missing required field",
        ),
        case(
            "empty region",
            with_head(&[0x32, 0x00, 0x92, 0x01, 0x00]),
            Data,
            0,
            "region",
            "missing required field",
        ),
        case(
            "no payload",
            HEAD.to_vec(),
            Data,
            0,
            "payload",
            "missing required field",
        ),
        case(
            "id too long",
            {
                let mut v = vec![0x0a, 65];
                v.extend(std::iter::repeat_n(b'x', 65));
                v.extend_from_slice(&HEAD[3..]);
                v.extend_from_slice(&HEARTBEAT);
                v
            },
            Data,
            0,
            "id",
            "is 65 bytes long; at most 64 are allowed",
        ),
        case(
            "non-finite coordinate",
            with_head(&[0x62, 0x07, 0x0a, 0x05, 0x0d, 0x00, 0x00, 0xc0, 0x7f]),
            Data,
            0,
            "payload.position.x",
            "must be finite, found NaN",
        ),
    ]
}

#[test]
fn malformed_inputs_get_their_exact_error() {
    let mut failures = Vec::new();
    for c in cases() {
        let arena = Bump::new();
        let got = ZeroCopyDecoder::with_config(&DecodeConfig::new().with_limits(c.limits))
            .decode(&c.bytes, &arena);
        let e = match got {
            Ok(ev) => {
                failures.push(format!("{}: zero-copy accepted it: {ev:?}", c.name));
                continue;
            }
            Err(e) => e,
        };
        let want = (
            c.category,
            c.limit,
            Some(Position::Byte { offset: c.offset }),
            c.path,
            c.message,
        );
        let have = (e.category(), e.limit(), e.position(), e.path(), e.message());
        if want != have {
            failures.push(format!("{}:\n  want {want:?}\n  have {have:?}", c.name));
        }
        let prost = ProstDecoder::with_config(&DecodeConfig::new().with_limits(c.limits))
            .decode(&c.bytes, &arena);
        let want_prost = c.prost_category.unwrap_or(c.category);
        match prost {
            Err(p)
                if p.category() == want_prost
                    && (c.prost_category.is_some() || p.limit() == c.limit) => {}
            Ok(_) if c.name == "messages over max_depth" => {}
            other => failures.push(format!(
                "{}: prost gave {other:?}, wanted {want_prost:?}",
                c.name
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The boundary of the depth limit: 31 nested groups inside the event reach
/// depth 32 exactly and are skipped.
#[test]
fn groups_up_to_max_depth_are_skipped() {
    let arena = Bump::new();
    let bytes = nested_groups(31);
    let ev = ZeroCopyDecoder::new().decode(&bytes, &arena).unwrap();
    assert_eq!(ev.id, "e");
    let e = ZeroCopyDecoder::new()
        .decode(&nested_groups(32), &arena)
        .unwrap_err();
    assert_eq!(e.limit(), Some(Limit::Depth));
    // A max_depth past the ceiling is held at the ceiling: no stack overflow.
    let e = ZeroCopyDecoder::with_config(
        &DecodeConfig::new()
            .max_depth(usize::MAX)
            .max_event_bytes(usize::MAX),
    )
    .decode(&nested_groups(100_000), &arena)
    .unwrap_err();
    assert_eq!(e.limit(), Some(Limit::Depth));
    assert_eq!(e.byte_offset(), Some(9 + 127));
}

#[test]
fn errors_display_offset_path_and_message() {
    let e = ZeroCopyDecoder::new()
        .decode(&bad_third_qty(), &Bump::new())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "byte 45: payload.inventory[2].qty: wire type 5 (32-bit) where 0 (varint) was expected"
    );
}

#[test]
fn setters_set_limits() {
    let d = ZeroCopyDecoder::with_config(
        &DecodeConfig::new()
            .max_event_bytes(1)
            .max_depth(2)
            .max_string_bytes(3)
            .max_items(4),
    );
    let l = d.config().limits;
    assert_eq!(
        (
            l.max_event_bytes,
            l.max_depth,
            l.max_string_bytes,
            l.max_items
        ),
        (1, 2, 3, 4)
    );
    assert_eq!(ZeroCopyDecoder::default().config().limits, Limits::DEFAULT);
    let p = ProstDecoder::with_config(&DecodeConfig::new().with_limits(l));
    assert_eq!(p.limits(), l);
}
