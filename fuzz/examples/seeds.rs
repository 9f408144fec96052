//! Writes the seed corpora under `fuzz/corpus/<target>/` from the corpus
//! generator, the reference event and the shapes of the decoders' error
//! tables. Deterministic: rerunning it rewrites the same files.
//!
//! `cargo +nightly run --manifest-path fuzz/Cargo.toml --example seeds`

use std::fs;
use std::path::{Path, PathBuf};

use bumpalo::Bump;
use event_decode::{json, protobuf, yaml};
use event_model::corpus::{REFERENCE_EVENT_YAML, corpus};

/// Events per format drawn from the generator (covers every kind).
const GENERATED: usize = 18;

fn yaml_of(e: &event_model::Event<'_>) -> Vec<u8> {
    let mut s = String::new();
    yaml::encode(e, &mut s);
    s.into_bytes()
}

fn json_of(e: &event_model::Event<'_>) -> Vec<u8> {
    let mut v = Vec::new();
    json::encode(e, &mut v);
    v
}

fn proto_of(e: &event_model::Event<'_>) -> Vec<u8> {
    let mut v = Vec::new();
    protobuf::encode(e, &mut v);
    v
}

/// Hand-written YAML that reaches the decoder's error paths and its less
/// common syntax (the error table's shapes).
fn yaml_specials() -> Vec<Vec<u8>> {
    let r = REFERENCE_EVENT_YAML;
    [
        r.replacen("kind: ", "kind: nope_", 1),
        r.replacen("seq: ", "seq: -", 1),
        format!("{r}id: dup\n"),
        "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n".to_owned(),
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
            .to_owned(),
        "# only a comment\n# and another\n".to_owned(),
        "id: \"e\\u0001\\x41\"\nseq: 0x10\nts: 2024-05-17T14:00:00Z\nkind: heartbeat\n\
         player_id: 'p''1'\nregion: !!str 42\nattrs: {n: ~, b: true}\n"
            .to_owned(),
        "id: e\nseq: 1\nts: 5\nkind: player_left\nplayer_id: p\nregion: r\n\
         payload:\n  reason: |\n    line one\n    line two\n"
            .to_owned(),
        "{id: e, seq: 1, ts: 5, kind: match_ended, player_id: p, region: r,\n\
         payload: {winner: w, scores: [{player_id: a, score: -3}]}}\n"
            .to_owned(),
        "%YAML 1.2\n---\nid: e\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: r\n...\n"
            .to_owned(),
        "? id\n: e\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: r\npayload: {}\n"
            .to_owned(),
    ]
    .into_iter()
    .map(String::into_bytes)
    .chain([
        b"id: e\xff\nseq: 1\n".to_vec(),
        b"\xef\xbb\xbfid: e\x00\n".to_vec(),
    ])
    .collect()
}

/// A heartbeat's required fields, then `tail` (the protobuf error table's
/// shape).
fn proto_with(tail: &[u8]) -> Vec<u8> {
    let mut v = vec![0x0a, 0x01, b'e', 0x22, 0x01, b'p', 0x32, 0x01, b'r'];
    v.extend_from_slice(tail);
    v
}

fn proto_specials() -> Vec<Vec<u8>> {
    let mut groups = Vec::new();
    for _ in 0..40 {
        groups.push(0x9b); // field 99, start group
        groups.push(0x06);
    }
    for _ in 0..40 {
        groups.push(0x9c); // field 99, end group
        groups.push(0x06);
    }
    vec![
        proto_with(&[0x92, 0x01, 0x00]),                         // heartbeat
        proto_with(&[0x92, 0x01, 0x00, 0x5a, 0x00]),             // oneof: last member
        proto_with(&[0x92, 0x01, 0x00, 0xf8, 0x06, 0x01]),       // unknown varint
        proto_with(&[0x92, 0x01, 0x00, 0xfd, 0x06, 1, 2, 3, 4]), // unknown fixed32
        proto_with(&[
            0x92, 0x01, 0x00, 0x3a, 0x06, 0x0a, 0x01, b'k', 0x12, 0x01, b'v',
        ]),
        proto_with(&[0x92, 0x01, 0x00, 0x0a, 0x02, 0xc3, 0x28]), // invalid UTF-8 id
        proto_with(&[0x92, 0x01, 0x00, 0x0a, 0x7f]),             // truncated
        proto_with(&[
            0x92, 0x01, 0x00, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x01,
        ]),
        proto_with(&[0x92, 0x01, 0x00, 0x0f]), // wire type 7
        {
            let mut v = proto_with(&[0x92, 0x01, 0x00]);
            v.extend_from_slice(&groups);
            v
        },
        proto_with(&[
            0x62, 0x0c, 0x0a, 0x0a, 0x0d, 0, 0, 0x80, 0x7f, 0x15, 0, 0, 0xc0, 0x7f,
        ]),
    ]
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    fs::write(dir.join(name), bytes).expect("write seed");
}

fn dir(root: &Path, target: &str) -> PathBuf {
    let d = root.join(target);
    fs::create_dir_all(&d).expect("create corpus dir");
    d
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let owned = corpus(1, GENERATED);
    let arena = Bump::new();
    let events: Vec<_> = owned.iter().map(|e| e.as_view(&arena)).collect();

    for target in ["yaml_event", "diff_yaml_dom"] {
        let d = dir(&root, target);
        write(&d, "reference", REFERENCE_EVENT_YAML.as_bytes());
        for (i, e) in events.iter().enumerate() {
            write(&d, &format!("gen-{i:02}"), &yaml_of(e));
        }
        for (i, s) in yaml_specials().iter().enumerate() {
            write(&d, &format!("special-{i:02}"), s);
        }
    }

    let d = dir(&root, "yaml_stream");
    for n in [1, 2, 3, 5] {
        let mut stream = Vec::new();
        for e in events.iter().take(n) {
            stream.extend_from_slice(b"---\n");
            stream.extend_from_slice(&yaml_of(e));
        }
        write(&d, &format!("stream-{n}"), &stream);
    }
    let mut mixed = b"# a stream\n%YAML 1.2\n---\n".to_vec();
    for s in yaml_specials().iter().take(6) {
        mixed.extend_from_slice(s);
        mixed.extend_from_slice(b"\n...\n---\n");
    }
    write(&d, "mixed", &mixed);
    write(&d, "bom", b"\xef\xbb\xbf---\nid: e\n...\n...\n--- x\n");

    let d = dir(&root, "json_event");
    for (i, e) in events.iter().enumerate() {
        write(&d, &format!("gen-{i:02}"), &json_of(e));
    }
    let lines: Vec<u8> = events.iter().take(4).flat_map(|e| json_of(e)).collect();
    write(&d, "lines", &lines);
    write(&d, "escapes", br#"{"id":"e\u00e9\ud83d\ude00","seq":1,"ts":"2024-05-17T14:00:00Z","kind":"heartbeat","player_id":"p\n","region":"r","attrs":{"n":1.5e3,"b":false}}"#);
    write(&d, "payload-first", br#"{"payload":{"reason":"q"},"kind":"player_left","id":"e","seq":1,"ts":5,"player_id":"p","region":"r"}"#);
    write(&d, "duplicate", br#"{"id":"e","id":"f"}"#);
    write(&d, "deep", &[b'['; 64]);

    for target in ["protobuf_event", "diff_protobuf"] {
        let d = dir(&root, target);
        for (i, e) in events.iter().enumerate() {
            write(&d, &format!("gen-{i:02}"), &proto_of(e));
        }
        for (i, s) in proto_specials().iter().enumerate() {
            write(&d, &format!("special-{i:02}"), s);
        }
    }

    let d = dir(&root, "protobuf_stream");
    for n in [1, 3, 6] {
        let mut stream = Vec::new();
        for e in events.iter().take(n) {
            protobuf::encode_length_delimited(e, &mut stream);
        }
        write(&d, &format!("stream-{n}"), &stream);
    }
    let mut truncated = Vec::new();
    protobuf::encode_length_delimited(&events[0], &mut truncated);
    protobuf::encode_length_delimited(&events[1], &mut truncated);
    truncated.truncate(truncated.len() - 3);
    write(&d, "truncated", &truncated);
    write(
        &d,
        "huge-length",
        &[
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0x01, 0,
        ],
    );
    write(&d, "empty-frames", &[0, 0, 0, 1, 0x08]);

    let d = dir(&root, "route_table");
    write(&d, "spec", include_bytes!("../seeds/spec-table.yaml"));
    for (i, t) in [
        "key: player_id\npartitions: 1\nroutes: []\nunmatched: drop\n",
        "key: match_id\npartitions: 4096\nroutes:\n  - name: a\n    to: [x]\n    exclusive: true\n  - name: b\n    when: {has_match: false}\n    to: [x, y]\n",
        "key: match_id\npartitions: 0\nroutes: []\n",
        "key: match_id\npartitions: 2\nroutes:\n  - name: a\n    when: {kind: [nope]}\n    to: [x]\n",
        "key: match_id\npartitions: 2\nroutes:\n  - name: a\n    when: {attrs: {k: v, k: w}}\n    to: [x]\n",
        "key: match_id\npartitions: 2\nroutes:\n  - {name: a, to: [x, x]}\n  - {name: a, to: [y]}\n",
        "key: match_id\npartitions: 2\nbogus: 1\nroutes: []\n",
    ]
    .iter()
    .enumerate()
    {
        write(&d, &format!("table-{i:02}"), t.as_bytes());
    }

    // The router's input is structured (`arbitrary`): seeds are byte strings
    // that decode into a few batches of generated and raw frames.
    let d = dir(&root, "router");
    for i in 0u8..12 {
        let mut v = Vec::new();
        for j in 0u8..48 {
            v.push(i.wrapping_mul(31).wrapping_add(j.wrapping_mul(7)));
        }
        write(&d, &format!("bytes-{i:02}"), &v);
    }
    for (i, e) in events.iter().take(6).enumerate() {
        write(&d, &format!("yaml-{i:02}"), &yaml_of(e));
    }
}
