//! Hostile JSON: nesting, huge strings, a million keys.

use super::*;

pub(super) fn json_nested_arrays() {
    let n = 100_000;
    let doc = format!("{{\"zzz\":{}1{}}}", "{\"a\":[".repeat(n), "]}".repeat(n));
    let arena = Bump::new();
    let mut d = JsonDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG));
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
    // Unknown fields are skipped, but their depth still counts.
    let doc = format!("{{\"zzz\":{}1{}}}", "[".repeat(n), "]".repeat(n));
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
}

pub(super) fn json_nested_objects() {
    let n = 100_000;
    let doc = format!("{{\"zzz\":{}1{}}}", "{\"a\":".repeat(n), "}".repeat(n));
    let arena = Bump::new();
    let mut d = JsonDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG));
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
}

pub(super) fn json_50mb_string_stream() {
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

pub(super) fn json_50mb_string_limit() {
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

pub(super) fn json_million_keys() {
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
