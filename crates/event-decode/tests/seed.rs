//! The serde seed of the text decoders: JSON round trips, validation, and
//! the seed's rules.

use bumpalo::Bump;
use event_decode::internals::text::{DecodeOptions, EventSeed, Fault, OwnedEventSeed, Trail};
use event_model::strategies;
use event_model::{Kind, Limit, OwnedEvent};
use proptest::prelude::*;
use serde::de::DeserializeSeed;

fn decode_json(
    json: &str,
    options: DecodeOptions,
) -> Result<OwnedEvent, (String, String, Option<Fault>)> {
    let arena = Bump::new();
    let trail = Trail::new();
    let mut de = serde_json::Deserializer::from_str(json);
    let mut result = EventSeed::new(&arena, &trail, &options).deserialize(&mut de);
    if let (Err(_), Some(kind)) = (&result, trail.deferred()) {
        // The documented protocol: an early payload asks for a second pass.
        let mut de = serde_json::Deserializer::from_str(json);
        result = EventSeed::new(&arena, &trail, &options)
            .payload_kind(kind)
            .deserialize(&mut de);
    }
    match result {
        Ok(ev) => match ev.validate() {
            Ok(()) => Ok(ev.to_owned()),
            Err(e) => Err((e.path, e.message, Some(Fault::Data))),
        },
        Err(e) => Err((trail.path(), e.to_string(), trail.fault())),
    }
}

fn json_opts() -> DecodeOptions {
    DecodeOptions {
        text_from_any_scalar: true,
        ..DecodeOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_events_are_valid_and_round_trip_through_json(ev in strategies::event()) {
        ev.validate().unwrap();
        let json = serde_json::to_string(&ev).unwrap();
        let back = decode_json(&json, json_opts()).map_err(|e| TestCaseError::fail(format!("{e:?} in {json}")))?;
        prop_assert_eq!(&back, &ev);
        let owned = OwnedEventSeed.deserialize(&mut serde_json::Deserializer::from_str(&json)).unwrap();
        prop_assert_eq!(owned, ev);
    }
}

const BASE: &str = r#""id":"e1","seq":1,"ts":1715954400406,"player_id":"p1","region":"eu-west""#;

fn event_with(extra: &str) -> String {
    format!("{{{BASE},{extra}}}")
}

#[test]
fn payload_may_come_before_kind_and_ts_may_be_rfc3339() {
    let json = r#"{"payload":{"reason":"quit"},"kind":"player_left","id":"e","seq":2,
        "ts":"2024-05-17T14:00:00.406Z","player_id":"p","region":"r","attrs":{"build":4412}}"#;
    let ev = decode_json(json, json_opts()).unwrap();
    assert_eq!(ev.kind(), Kind::PlayerLeft);
    assert_eq!(ev.ts.millis(), 1_715_954_400_406);
    assert_eq!(ev.attrs, vec![("build".to_owned(), "4412".to_owned())]);
}

#[test]
fn an_early_payload_decodes_as_if_it_came_after_kind() {
    // `skill` is no field of player_left: skipped, whatever its type.
    let early = r#"{"payload":{"reason":"q","skill":"abc","position":{"x":1}},"kind":"player_left","id":"e","seq":2,"ts":5,"player_id":"p","region":"r"}"#;
    let late = r#"{"kind":"player_left","payload":{"reason":"q","skill":"abc","position":{"x":1}},"id":"e","seq":2,"ts":5,"player_id":"p","region":"r"}"#;
    let a = decode_json(early, json_opts()).unwrap();
    let b = decode_json(late, json_opts()).unwrap();
    assert_eq!(a, b);
    // The first pass alone asks for the second, with the kind it found.
    let arena = Bump::new();
    let trail = Trail::new();
    let opts = json_opts();
    let mut de = serde_json::Deserializer::from_str(early);
    assert!(
        EventSeed::new(&arena, &trail, &opts)
            .deserialize(&mut de)
            .is_err()
    );
    assert_eq!(trail.deferred(), Some(Kind::PlayerLeft));
    // Errors inside an early payload name their path, in both passes.
    let bad = r#"{"payload":{"reason":["q"]},"kind":"player_left","id":"e","seq":2,"ts":5,"player_id":"p","region":"r"}"#;
    let (path, msg, _) = decode_json(bad, json_opts()).unwrap_err();
    assert_eq!(path, "payload.reason", "{msg}");
    let dup = r#"{"payload":{"x":{"a":1,"a":2}},"kind":"player_left","id":"e","seq":2,"ts":5,"player_id":"p","region":"r"}"#;
    let (path, msg, _) = decode_json(dup, json_opts()).unwrap_err();
    assert_eq!(path, "payload.x.a", "{msg}");
    // Strict mode still refuses the other kind's field.
    let strict = DecodeOptions {
        strict: true,
        ..json_opts()
    };
    let (path, msg, _) = decode_json(early, strict).unwrap_err();
    assert!(msg.contains("unknown field \"skill\""), "{path}: {msg}");
}

#[test]
fn duplicate_unknown_keys_are_found_among_many() {
    for n in [3usize, 9, 100, 1000] {
        let mut fields: Vec<String> = (0..n).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let ok = event_with(&format!(
            r#""kind":"heartbeat","x":{{{}}},{}"#,
            fields.join(","),
            fields.join(",")
        ));
        assert!(decode_json(&ok, json_opts()).is_ok(), "{n} keys");
        fields.push(format!(r#""k{}":0"#, n / 2));
        let bad = event_with(&format!(
            r#""kind":"heartbeat","x":{{{}}}"#,
            fields.join(",")
        ));
        let want = format!("duplicate key \"k{}\" at line 1", n / 2);
        let (_, msg, fault) = decode_json(&bad, json_opts()).unwrap_err();
        assert!(msg.starts_with(&want), "{msg}");
        assert_eq!(fault, Some(Fault::Data));
        let bad = event_with(&format!(r#""kind":"heartbeat",{}"#, fields.join(",")));
        let (_, msg, _) = decode_json(&bad, json_opts()).unwrap_err();
        assert!(msg.starts_with(&want), "{msg}");
        // attrs: a scan of the first entries, hashed past them.
        let attrs: Vec<String> = (0..n).map(|i| format!(r#""a{i}":"v""#)).collect();
        let ok = event_with(&format!(
            r#""kind":"heartbeat","attrs":{{{}}}"#,
            attrs.join(",")
        ));
        assert_eq!(decode_json(&ok, json_opts()).unwrap().attrs.len(), n);
        for dup in [0, n / 2, n - 1] {
            let bad = event_with(&format!(
                r#""kind":"heartbeat","attrs":{{{},"a{dup}":"w"}}"#,
                attrs.join(",")
            ));
            let (path, msg, _) = decode_json(&bad, json_opts()).unwrap_err();
            assert_eq!(path, format!("attrs.a{dup}"), "{msg}");
            assert!(
                msg.starts_with(&format!("duplicate key \"a{dup}\"")),
                "{msg}"
            );
        }
    }
}

#[test]
fn a_full_arena_is_a_typed_error_not_a_panic() {
    let json = event_with(
        r#""kind":"clue_found","attrs":{"a":"1","b":"2"},"payload":{"clue_id":"c\u0041","zone":"z","position":{"x":1,"y":2,"z":3},"tags":["a","b","c"],"points":1,"hint_used":false}"#,
    );
    let opts = json_opts();
    for limit in [0usize, 16, 64, 256] {
        let arena = Bump::new();
        arena.set_allocation_limit(Some(limit));
        let trail = Trail::new();
        let mut de = serde_json::Deserializer::from_str(&json);
        let r = EventSeed::new(&arena, &trail, &opts).deserialize(&mut de);
        match r {
            Err(e) => {
                assert_eq!(trail.fault(), Some(Fault::OutOfMemory), "{e}");
                assert!(e.to_string().contains("allocation limit"), "{e}");
            }
            Ok(_) => assert!(limit > 0, "decoded with no memory at all"),
        }
    }
}

#[test]
fn violations_name_the_field() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"seq":1,"ts":1,"kind":"heartbeat","player_id":"p","region":"r"}"#,
            "id",
            "missing required field",
        ),
        (
            &event_with(r#""kind":"player_left""#),
            "payload",
            "missing required field",
        ),
        (
            &event_with(r#""kind":"player_left","payload":{}"#),
            "payload.reason",
            "missing required field",
        ),
        (
            &event_with(r#""kind":"nope""#),
            "kind",
            "unknown kind \"nope\"",
        ),
        (
            &event_with(r#""kind":"heartbeat","id":"x""#),
            "id",
            "duplicate key \"id\"",
        ),
        (
            &event_with(
                r#""kind":"player_moved","payload":{"position":{"x":1,"y":2},"heading":1,"speed":1}}"#,
            ),
            "payload.position.z",
            "missing required field",
        ),
        (
            &event_with(
                r#""kind":"treasure_claimed","payload":{"treasure_id":"t","value":1,"position":{"x":1,"y":2,"z":3},"inventory":[{"item":"a","qty":1},{"item":"b","qty":-1}]}"#,
            ),
            "payload.inventory[1].qty",
            "invalid value",
        ),
        (
            &event_with(r#""kind":"heartbeat","ts2":1,"ts2":2"#),
            "",
            "duplicate key \"ts2\"",
        ),
        (
            &event_with(r#""kind":"heartbeat","region":"r""#),
            "region",
            "duplicate key",
        ),
        (
            &event_with(r#""kind":"heartbeat","ts":"2024-02-30T00:00:00Z""#),
            "ts",
            "duplicate key",
        ),
    ];
    for (json, path, needle) in cases {
        let (p, msg, _) = decode_json(json, json_opts()).unwrap_err();
        assert_eq!(&p, path, "{json}: {msg}");
        assert!(msg.contains(needle), "{json}: {msg:?} lacks {needle:?}");
    }
    let bad_ts = r#"{"id":"e","seq":1,"ts":"2024-02-30T00:00:00Z","kind":"heartbeat","player_id":"p","region":"r"}"#;
    let (p, msg, _) = decode_json(bad_ts, json_opts()).unwrap_err();
    assert_eq!(p, "ts");
    assert!(msg.contains("invalid RFC 3339 timestamp"), "{msg}");
    let long_region = format!(
        r#"{{"id":"e","seq":1,"ts":1,"kind":"heartbeat","player_id":"p","region":"{}"}}"#,
        "r".repeat(33)
    );
    let (p, msg, _) = decode_json(&long_region, json_opts()).unwrap_err();
    assert_eq!(p, "region");
    assert!(msg.contains("33 bytes"), "{msg}");
}

#[test]
fn unknown_fields_are_skipped_unless_strict() {
    let json = event_with(
        r#""kind":"player_left","payload":{"reason":"quit","extra":[1,{"a":2}]},"future":{"x":1}"#,
    );
    assert!(decode_json(&json, json_opts()).is_ok());
    let strict = DecodeOptions {
        strict: true,
        ..json_opts()
    };
    let (p, msg, _) = decode_json(&json, strict).unwrap_err();
    assert_eq!(p, "payload");
    assert!(msg.contains("unknown field \"extra\""), "{msg}");
    // A field of another kind is unknown for this one.
    let json =
        event_with(r#""kind":"player_left","payload":{"reason":"quit","skill":"not a number"}"#);
    assert!(decode_json(&json, json_opts()).is_ok());
}

#[test]
fn limits_are_named_and_count_skipped_content() {
    let tight = DecodeOptions {
        limits: event_model::Limits {
            max_depth: 4,
            max_items: 12,
            max_string_bytes: 10,
            ..Default::default()
        },
        ..json_opts()
    };
    let deep = event_with(r#""kind":"heartbeat","skip":[[[[[1]]]]]"#);
    let (_, msg, fault) = decode_json(&deep, tight).unwrap_err();
    assert_eq!(fault, Some(Fault::Limit(Limit::Depth)), "{msg}");
    assert!(msg.contains("max_depth (4)"), "{msg}");
    let many = event_with(r#""kind":"heartbeat","skip":[1,2,3,4,5,6,7,8,9,10,11,12,13]"#);
    let (_, msg, fault) = decode_json(&many, tight).unwrap_err();
    assert_eq!(fault, Some(Fault::Limit(Limit::Items)), "{msg}");
    let long = event_with(r#""kind":"heartbeat","skip":"12345678901""#);
    let (_, msg, fault) = decode_json(&long, tight).unwrap_err();
    assert_eq!(fault, Some(Fault::Limit(Limit::StringBytes)), "{msg}");
}

#[test]
fn canonical_json_has_the_spec_order() {
    let arena = Bump::new();
    let ev = event_decode::from_slice_owned(event_decode::Format::Json, event_with(
        r#""attrs":{"b":"2"},"match_id":"m","payload":{"note":null,"hint_used":false,"points":3,"tags":[],"position":{"z":0.1,"y":2,"x":1.5},"zone":"z","clue_id":"c"},"kind":"clue_found""#,
    ).as_bytes())
    .unwrap();
    let json = serde_json::to_string(&ev.as_view(&arena)).unwrap();
    assert_eq!(
        json,
        r#"{"id":"e1","seq":1,"ts":1715954400406,"kind":"clue_found","player_id":"p1","match_id":"m","region":"eu-west","attrs":{"b":"2"},"payload":{"clue_id":"c","zone":"z","position":{"x":1.5,"y":2.0,"z":0.1},"tags":[],"points":3,"hint_used":false}}"#
    );
}

#[test]
fn strings_are_borrowed_when_the_format_lends_them() {
    let json = event_with(r#""kind":"heartbeat""#);
    let arena = Bump::new();
    let trail = Trail::new();
    let opts = json_opts();
    let mut de = serde_json::Deserializer::from_str(&json);
    let ev = EventSeed::new(&arena, &trail, &opts)
        .deserialize(&mut de)
        .unwrap();
    let range = json.as_bytes().as_ptr_range();
    assert!(range.contains(&ev.id.as_ptr()));
    assert!(range.contains(&ev.region.as_ptr()));
}
