//! Hostile bytes in every format: invalid UTF-8, NUL bytes, a truncated final frame.

use super::*;

pub(super) fn invalid_utf8() {
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
            &mut DomDecoder::new(),
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

pub(super) fn nul_bytes() {
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

pub(super) fn truncated_final_frame() {
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
