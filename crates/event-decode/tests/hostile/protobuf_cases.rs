//! Hostile protobuf: huge strings and lengths, a million entries, groups.

use super::*;

pub(super) fn proto_50mb_string_stream() {
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

pub(super) fn proto_50mb_string_limit() {
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

pub(super) fn proto_million_entries() {
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

pub(super) fn proto_length_2_pow_63() {
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

pub(super) fn proto_nested_groups() {
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
