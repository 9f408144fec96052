//! Decoding single documents: the reference fixture, and every YAML feature
//! of SPEC section 3 through the streaming decoder and the DOM baseline.

use bench_harness::baselines::DomDecoder;
use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::yaml::YamlDecoder;
use event_decode::{Category, Decoder};
use event_model::corpus::REFERENCE_EVENT_YAML;
use event_model::{ClueFound, Payload, Timestamp, Vec3};

#[test]
fn reference_fixture_decodes_to_its_values() {
    let arena = Bump::new();
    let ev = YamlDecoder::new()
        .decode(REFERENCE_EVENT_YAML.as_bytes(), &arena)
        .unwrap();
    assert_eq!(ev.id, "831c4e3b-114e-4738-8f0c-de7c849b35b8");
    assert_eq!(ev.seq, 1004);
    assert_eq!(ev.ts, Timestamp(1_715_954_400_406));
    assert_eq!(ev.player_id, "plr_6826891");
    assert_eq!(ev.match_id, Some("m-20240528-5796"));
    assert_eq!(ev.region, "us-east-1");
    assert_eq!(ev.attr("client"), Some("ios-5.2.1"));
    assert_eq!(ev.attr("build"), Some("4412"));
    assert_eq!(ev.attrs.len(), 2);
    assert_eq!(
        ev.payload,
        Payload::ClueFound(ClueFound {
            clue_id: "clue-harbor-17",
            zone: "cliffside",
            position: Vec3 {
                x: 1855.25,
                y: 1280.25,
                z: 29.625
            },
            tags: &["coastal", "riddle", "night", "bonus"],
            points: 300,
            hint_used: false,
            note: Some("found under the fourth plank of the old pier at low tide."),
        })
    );
    let dom = DomDecoder::new()
        .decode(REFERENCE_EVENT_YAML.as_bytes(), &arena)
        .unwrap();
    assert_eq!(dom, ev);
    // The shared copy of the fixture is the same file.
    let shared = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/reference-event.yaml"
    ));
    if let Ok(shared) = shared {
        assert_eq!(shared, REFERENCE_EVENT_YAML);
    }
}

const CANONICAL: &str = "id: e1\nseq: 7\nts: 1715954400406\nkind: clue_found\nplayer_id: plr_1\n\
    match_id: m-1\nregion: eu-west\nattrs: {build: \"4412\", client: ios}\n\
    payload: {clue_id: c-1, zone: caves, position: {x: 1.5, y: -2, z: 0}, tags: [a, b], \
    points: 300, hint_used: true, note: \"two\\nlines\"}\n";

/// Spellings of the canonical event: (name, document, also through the DOM).
fn spellings() -> Vec<(&'static str, String, bool)> {
    let c = CANONICAL;
    let block: String = "# an event\n---\nid: e1 # the id\nseq: 7\nts: 1715954400406\nkind: clue_found\n\
            player_id: plr_1\nmatch_id: m-1\nregion: eu-west\nattrs:\n  build: 4412\n  client: 'ios'\n\
            payload:\n  clue_id: \"c-1\"\n  zone: caves\n  position:\n    x: 1.5\n    y: -2.0\n    z: 0\n\
            tags:\n    - a\n    - b\n  points: 300\n  hint_used: true\n  note: |-\n    two\n    lines\n...\n".replace("tags:", "  tags:");
    assert!(block.contains("  note: |-\n    two\n    lines"));
    vec![
        ("canonical", c.to_owned(), true),
        ("block style with comments", block.clone(), true),
        ("RFC 3339 ts", c.replace("ts: 1715954400406", "ts: 2024-05-17T14:00:00.406Z"), true),
        ("RFC 3339 ts with offset", c.replace("ts: 1715954400406", "ts: \"2024-05-17T16:00:00.406+02:00\""), true),
        ("payload before kind, attrs last", "payload: {clue_id: c-1, zone: caves, position: {x: 1.5, y: -2, z: 0}, tags: [a, b], \
            points: 300, hint_used: true, note: \"two\\nlines\"}\nid: e1\nseq: 7\nts: 1715954400406\nkind: clue_found\n\
            player_id: plr_1\nmatch_id: m-1\nregion: eu-west\nattrs: {build: \"4412\", client: ios}\n".to_owned(), true),
        ("unknown fields skipped", c.replace("region: eu-west", "region: eu-west\nfuture: {nested: [1, {deep: x}], more: ~}")
            .replace("zone: caves", "zone: caves, hint: [x]"), true),
        ("core tags", c.replace("build: \"4412\"", "build: !!str 4412").replace("points: 300", "points: !!int 300")
            .replace("x: 1.5", "x: !!float 1.5").replace("hint_used: true", "hint_used: !!bool true"), true),
        ("tags on quoted scalars", c.replace("points: 300", "points: !!int \"300\""), false),
        ("number spellings", c.replace("points: 300", "points: 0x12C").replace("y: -2", "y: -2e0").replace("seq: 7", "seq: +7"), false),
        ("folded note", block.replace("  note: |-\n    two\n    lines", "  note: >-\n    two\n\n    lines"), true),
        ("single quotes", c.replace("note: \"two\\nlines\"", "note: 'two\n\n    lines'").replace("zone: caves", "zone: 'caves'"), true),
        ("anchors and aliases", c.replace("tags: [a, b]", "tags: &t [a, b]").replace("region: eu-west", "region: &r eu-west")
            .replace("lines\"}", "lines\", unknown: [*t, *r]}"), true),
        ("aliased mapping", c.replace("position: {x: 1.5, y: -2, z: 0}", "position: *p").replace("id: e1", "id: e1\nspare: &p {x: 1.5, y: -2, z: 0}"), true),
        ("directive and BOM", format!("\u{feff}%YAML 1.2\n---\n{c}"), true),
        ("CRLF line endings", c.replace('\n', "\r\n"), true),
    ]
}

#[test]
fn every_spelling_decodes_to_the_same_event() {
    let arena = Bump::new();
    let want = YamlDecoder::new()
        .decode(CANONICAL.as_bytes(), &arena)
        .unwrap();
    assert_eq!(want.attr("build"), Some("4412"));
    let Payload::ClueFound(p) = want.payload else {
        panic!("{want:?}")
    };
    assert_eq!(p.note, Some("two\nlines"));
    assert_eq!(p.position.y, -2.0);
    // One decoder for every case: its reused buffers must not leak state.
    let mut streaming = YamlDecoder::new();
    let mut dom = DomDecoder::new();
    for (name, doc, through_dom) in spellings() {
        let got = streaming
            .decode(doc.as_bytes(), &arena)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{doc}"));
        assert_eq!(got, want, "{name}");
        if through_dom {
            let got = dom
                .decode(doc.as_bytes(), &arena)
                .unwrap_or_else(|e| panic!("dom {name}: {e}\n{doc}"));
            assert_eq!(got, want, "dom {name}");
        }
    }
}

#[test]
fn scalars_follow_the_core_schema() {
    let arena = Bump::new();
    let base = "id: e1\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: eu\n";
    let decode = |extra: &str| {
        YamlDecoder::new().decode(format!("{base}{extra}").into_bytes().leak(), &arena)
    };
    // Any non-null scalar's text is a string; null is absent.
    let ev = decode("match_id: 0x1F\nattrs: {a: true, b: ~, c: 1.50, d: '', e: null}").unwrap_err();
    assert_eq!(
        ev.to_string(),
        "line 8, column 21: attrs.b: expected a string, found null"
    );
    let ev = decode("match_id: 0x1F\nattrs: {a: true, c: 1.50, d: ''}").unwrap();
    assert_eq!(ev.match_id, Some("0x1F"));
    assert_eq!(
        ev.attrs.iter().map(|a| a.value).collect::<Vec<_>>(),
        ["true", "1.50", ""]
    );
    for null in ["~", "null", "Null", "NULL", "", "!!null x"] {
        let r = decode(&format!("match_id: {null}\n"));
        if null == "!!null x" {
            assert!(r.is_err());
        } else {
            assert_eq!(r.unwrap().match_id, None, "{null}");
        }
    }
    assert_eq!(
        decode("match_id: \"null\"\n").unwrap().match_id,
        Some("null")
    );
    assert_eq!(decode("match_id: !!str ~\n").unwrap().match_id, Some("~"));
    // Numbers: type and range come from the text.
    let e = YamlDecoder::new()
        .decode(b"id: e1\nseq: 1.0\n", &arena)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2, column 6: seq: expected an unsigned 64-bit integer, found \"1.0\""
    );
    let e = YamlDecoder::new()
        .decode(b"id: e1\nseq: \"7\"\n", &arena)
        .unwrap_err();
    assert_eq!(e.category(), Category::Data, "a quoted number is a string");
    let ev = YamlDecoder::new().decode(b"{id: e1, seq: 18446744073709551615, ts: -5, kind: heartbeat, player_id: p, region: r}", &arena).unwrap();
    assert_eq!((ev.seq, ev.ts), (u64::MAX, Timestamp(-5)));
}

#[test]
fn strict_mode_refuses_unknown_fields() {
    let arena = Bump::new();
    let doc = b"id: e1\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: eu\ncolour: red\n";
    assert!(YamlDecoder::new().decode(doc, &arena).is_ok());
    let e = YamlDecoder::with_config(&DecodeConfig::new().deny_unknown_fields())
        .decode(doc, &arena)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 7, column 1: unknown field \"colour\" (strict mode)"
    );
    let d = YamlDecoder::with_config(
        &DecodeConfig::new()
            .max_depth(3)
            .max_items(5)
            .max_string_bytes(9)
            .max_alias_events(2)
            .max_event_bytes(99),
    );
    let l = d.config().limits;
    assert_eq!(
        (
            l.max_depth,
            l.max_items,
            l.max_string_bytes,
            l.max_alias_events,
            l.max_event_bytes
        ),
        (3, 5, 9, 2, 99)
    );
    assert_eq!(
        YamlDecoder::default().config().limits,
        event_decode::Limits::DEFAULT
    );
}

/// A `%YAML` version other than 1.x is refused, at its line, whatever
/// comes before it, on every path: the fast path takes no `%` line (it
/// hands the document to the engine, whose path checks the version first).
#[test]
fn a_yaml_version_other_than_1_is_refused_on_every_path() {
    use event_decode::yaml::Engine;
    let body = "id: e1\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: eu\n";
    let prefixes = [
        ("", 1),
        ("# a comment\n", 2),
        ("\n\n", 3),
        ("\u{feff}", 1),
        ("  # an indented comment\n", 2),
    ];
    for (prefix, line) in prefixes {
        for fast in [true, false] {
            for engine in [Engine::Scanner, Engine::YamlRust2] {
                let arena = Bump::new();
                let mut decoder = YamlDecoder::new().engine(engine).fast_path(fast);
                let doc = format!("{prefix}%YAML 2.0\n---\n{body}");
                let e = decoder.decode(doc.as_bytes(), &arena).unwrap_err();
                let at = format!("{prefix:?}, fast path {fast}, {engine:?}");
                assert_eq!(e.category(), Category::Syntax, "{at}");
                assert!(
                    e.message().contains("unsupported YAML version \"2.0\""),
                    "{at}: {e}"
                );
                assert_eq!(e.line(), Some(line), "{at}");
                // 1.x is read.
                let doc = format!("{prefix}%YAML 1.2\n---\n{body}");
                let ev = decoder.decode(doc.as_bytes(), &arena).unwrap();
                assert_eq!((ev.id, ev.seq), ("e1", 1), "{at}");
            }
        }
    }
}
