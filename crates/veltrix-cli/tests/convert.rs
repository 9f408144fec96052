//! `veltrix convert`: round trips between every pair of formats, files and
//! standard input, and bad events with and without `--keep-going`.

use std::io::Write;

use predicates::prelude::*;

use crate::common::{assert_same, generated, stdout_of, text, veltrix};

/// Asserts that two JSON-lines streams hold the same events, whatever the
/// order of keys inside objects.
fn same_events(got: &[u8], want: &[u8], what: &str) {
    let parse = |bytes: &[u8]| -> Vec<serde_json::Value> {
        text(bytes)
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    };
    let (got, want) = (parse(got), parse(want));
    assert_eq!(got.len(), want.len(), "{what}: event count");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "{what}: event {}", i + 1);
    }
}

fn convert(from: &str, to: &str, input: &[u8]) -> Vec<u8> {
    stdout_of(&["convert", "--from", from, "--to", to], input)
}

#[test]
fn yaml_to_json_to_yaml_and_to_proto_and_back_leaves_events_unchanged() {
    let yaml = generated(300, 5, "yaml");
    let json = generated(300, 5, "json");
    let proto = generated(300, 5, "proto");

    let as_json = convert("yaml", "json", &yaml);
    assert_same(&as_json, &json, "YAML -> JSON lines");
    assert_same(
        &convert("json", "yaml", &as_json),
        &yaml,
        "JSON lines -> YAML",
    );

    let as_proto = convert("yaml", "proto", &yaml);
    assert_same(&as_proto, &proto, "YAML -> protobuf");
    // Protobuf maps have no order, so attrs come back sorted by key: compare
    // events as JSON values (objects compare regardless of key order).
    same_events(
        &convert("proto", "json", &as_proto),
        &json,
        "protobuf -> JSON",
    );
    let back = convert("proto", "yaml", &as_proto);
    same_events(&convert("yaml", "json", &back), &json, "protobuf -> YAML");
    assert_same(&convert("json", "proto", &json), &proto, "JSON -> protobuf");

    // Same format in and out is the canonical form again.
    assert_same(&convert("json", "json", &json), &json, "JSON -> JSON");
}

#[test]
fn a_hand_written_yaml_event_survives_every_format() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../event-model/testdata/reference-event.yaml"
    );
    let json = stdout_of(&["convert", "--from", "yaml", "--to", "json", path], b"");
    assert_eq!(json.iter().filter(|&&b| b == b'\n').count(), 1);
    let yaml = convert("json", "yaml", &json);
    assert_same(&convert("yaml", "json", &yaml), &json, "output");
    let proto = convert("json", "proto", &json);
    same_events(&convert("proto", "json", &proto), &json, "protobuf -> JSON");
}

#[test]
fn reads_a_file_or_standard_input() {
    let yaml = generated(20, 2, "yaml");
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(&yaml).expect("write");
    let path = file.path().to_str().expect("utf-8 temp path");
    let from_file = stdout_of(&["convert", "--from", "yaml", "--to", "json", path], b"");
    let from_dash = stdout_of(&["convert", "--from", "yaml", "--to", "json", "-"], &yaml);
    let from_stdin = convert("yaml", "json", &yaml);
    assert_same(&from_file, &from_stdin, "output");
    assert_same(&from_dash, &from_stdin, "output");
    assert_same(&from_file, &generated(20, 2, "json"), "output");
}

#[test]
fn empty_input_is_an_empty_stream() {
    for from in ["yaml", "json", "proto"] {
        assert!(convert(from, "json", b"").is_empty(), "{from}");
    }
}

// Three events; the second has a string where a float belongs.
pub const GOOD_1: &str = r#"{"id":"e1","seq":1,"ts":1715954400000,"kind":"player_left","player_id":"plr_1","region":"eu-west","payload":{"reason":"quit"}}"#;
pub const BAD_2: &str = r#"{"id":"e2","seq":2,"ts":1715954400001,"kind":"player_moved","player_id":"plr_2","region":"eu-west","payload":{"position":{"x":"abc","y":1,"z":2},"heading":0,"speed":1}}"#;
pub const GOOD_3: &str = r#"{"id":"e3","seq":3,"ts":1715954400002,"kind":"heartbeat","player_id":"plr_3","region":"us-east-1"}"#;

/// The JSON lines stream with a bad second event.
pub fn json_with_bad_middle() -> String {
    format!("{GOOD_1}\n{BAD_2}\n{GOOD_3}\n")
}

pub const JSON_BAD_LINE: &str = "error: event 2, line 2, column 131: payload.position.x: invalid type: string \"abc\", expected f32";

/// The same stream in YAML.
pub fn yaml_with_bad_middle() -> String {
    let good_1 = text(&convert("json", "yaml", GOOD_1.as_bytes()));
    let good_3 = text(&convert("json", "yaml", GOOD_3.as_bytes()));
    let bad_2 = "---\nid: e2\nseq: 2\nts: 1715954400001\nkind: player_moved\nplayer_id: plr_2\n\
                 region: eu-west\npayload:\n  position:\n    x: abc\n    y: 1\n    z: 2\n  heading: 0\n  speed: 1\n";
    format!("{good_1}{bad_2}{good_3}")
}

pub const YAML_BAD_LINE: &str =
    "error: event 2, line 19, column 8: payload.position.x: expected a 32-bit float, found \"abc\"";

/// The same stream in protobuf: the middle message has no payload.
pub fn proto_with_bad_middle() -> Vec<u8> {
    let mut out = convert("json", "proto", GOOD_1.as_bytes());
    // id "e2", seq 2, player_id "plr_2", region "eu-west", no payload member.
    let bad: &[u8] = b"\x0a\x02e2\x10\x02\x22\x05plr_2\x32\x07eu-west";
    out.push(bad.len() as u8);
    out.extend_from_slice(bad);
    out.extend_from_slice(&convert("json", "proto", GOOD_3.as_bytes()));
    out
}

pub const PROTO_BAD_LINE: &str = "error: event 2, byte 39: payload: missing required field";

fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        ("json", json_with_bad_middle().into_bytes(), JSON_BAD_LINE),
        ("yaml", yaml_with_bad_middle().into_bytes(), YAML_BAD_LINE),
        ("proto", proto_with_bad_middle(), PROTO_BAD_LINE),
    ]
}

#[test]
fn a_bad_event_stops_the_run_with_its_position_and_path() {
    let first = convert("json", "json", GOOD_1.as_bytes());
    for (format, input, line) in cases() {
        let out = veltrix()
            .args(["convert", "--from", format, "--to", "json"])
            .write_stdin(input)
            .assert()
            .code(1)
            .stderr(format!("{line}\n"))
            .get_output()
            .clone();
        // The event before the bad one was written; nothing after it.
        assert_same(&out.stdout, &first, format);
    }
}

#[test]
fn keep_going_skips_and_reports_each_bad_event_then_exits_1() {
    let expected = convert("json", "json", format!("{GOOD_1}\n{GOOD_3}\n").as_bytes());
    for (format, input, line) in cases() {
        let out = veltrix()
            .args(["convert", "--keep-going", "--from", format, "--to", "json"])
            .write_stdin(input)
            .assert()
            .code(1)
            .stderr(format!("{line}\nerror: 1 bad event out of 3\n"))
            .get_output()
            .clone();
        assert_same(&out.stdout, &expected, format);
    }
}

#[test]
fn keep_going_reports_every_bad_event() {
    let input = format!("{BAD_2}\n{GOOD_1}\nnot json\n{BAD_2}\n");
    let out = veltrix()
        .args(["convert", "--keep-going", "--from", "json", "--to", "yaml"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("error: event 1, line 1, "))
        .get_output()
        .clone();
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(
        lines[1].starts_with("error: event 3, line 3, column "),
        "{stderr}"
    );
    assert!(
        lines[2].starts_with("error: event 4, line 4, column "),
        "{stderr}"
    );
    assert!(lines[2].contains("payload.position.x"), "{stderr}");
    assert_eq!(lines[3], "error: 3 bad events out of 4");
    assert_same(
        &out.stdout,
        &convert("json", "yaml", GOOD_1.as_bytes()),
        "output",
    );
}

/// SPEC §3: a plain scalar may hold ` -` before a flow indicator, and a tab
/// may separate `:` from its value (yaml-rust2 rejects both; the scanner,
/// the default engine, reads them as the YAML 1.2 specification says).
#[test]
fn yaml_that_yaml_rust2_rejects_converts_as_the_specification_says() {
    let requested = "id: e1\nseq: 1\nts: 5\nkind: match_requested\nplayer_id: p1\nregion: eu\n\
                     payload: {skill: 3, party: [p1], modes: [a -, b], max_latency_ms: 80}\n";
    let out = text(&convert("yaml", "json", requested.as_bytes()));
    let event: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
    assert_eq!(event["payload"]["modes"], serde_json::json!(["a -", "b"]));

    let found = "id: e2\nseq: 2\nts: 5\nkind: clue_found\nplayer_id: p1\nregion: eu\n\
                 payload:\n  clue_id: c1\n  zone:\tcliffside\n  position: {x: 1, y: 2, z: 3}\n  \
                 tags: []\n  points: 1\n  hint_used: false\n  note: n\n";
    let out = text(&convert("yaml", "json", found.as_bytes()));
    let event: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
    assert_eq!(event["payload"]["zone"], "cliffside");
}
