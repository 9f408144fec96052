//! Hardening item 10: YAML values (empty block scalars, core tags,
//! non-printable characters, versions, unknown keys) on every YAML path.

use super::*;

#[test]
fn an_empty_block_scalar_at_the_end_is_empty() {
    let stream = format!(
        "---\n{ENVELOPE}kind: player_left\npayload:\n  reason: |\n---\n{ENVELOPE}kind: heartbeat\n"
    );
    let frames: Vec<_> = yaml::documents(stream.as_bytes()).collect();
    for (name, mut d) in yaml_decoders() {
        let arena = Bump::new();
        let e = d.decode(frames[0].bytes, &arena).expect(name);
        let Payload::PlayerLeft(p) = e.payload else {
            panic!()
        };
        assert_eq!(p.reason, "", "{name}");
    }
    // `|+` keeps the break, and text keeps its final newline.
    let keep = format!("{ENVELOPE}kind: player_left\npayload:\n  reason: |+\n\n");
    let text = format!("{ENVELOPE}kind: player_left\npayload:\n  reason: |\n    a\n");
    for (doc, want) in [(keep, "\n"), (text, "a\n")] {
        let arena = Bump::new();
        let e = YamlDecoder::new()
            .decode(doc.as_bytes(), &arena)
            .expect("ok");
        let Payload::PlayerLeft(p) = e.payload else {
            panic!()
        };
        assert_eq!(p.reason, want);
    }
}

#[test]
fn verbatim_core_tags_are_core_tags() {
    let doc =
        format!("{ENVELOPE}kind: heartbeat\n").replace("seq: 1", "seq: !<tag:yaml.org,2002:int> 5");
    for (name, r) in decode_all_paths(&doc) {
        assert!(r.as_ref().expect(name).contains("seq: 5"), "{name}: {r:?}");
    }
    let bad = doc.replace("int> 5", "int> five");
    let arena = Bump::new();
    let e = YamlDecoder::new()
        .decode(bad.as_bytes(), &arena)
        .expect_err("not an int");
    assert!(e.message().contains("!!int"), "{e}");
}

#[test]
fn raw_non_printable_characters_are_errors_with_their_position() {
    for c in [
        '\u{7}', '\u{7f}', '\u{80}', '\u{9f}', '\u{fffe}', '\u{ffff}', '\u{1b}',
    ] {
        for doc in [
            format!("{ENVELOPE}kind: player_left\npayload: {{reason: a{c}b}}\n"),
            format!("{ENVELOPE}kind: player_left\npayload: {{reason: ab}}\n# a{c}\n"),
        ] {
            for (name, r) in decode_all_paths(&doc) {
                let e = r.expect_err(name);
                assert_eq!(e.category(), Category::Syntax, "{name} {c:?}: {e}");
                assert!(
                    matches!(
                        (e.line(), e.column()),
                        (Some(7), Some(20)) | (Some(8), Some(4))
                    ),
                    "{name} {c:?}: {e}"
                );
                one_line(&e);
            }
        }
    }
    // Tab, NEL and the same characters written as escapes are fine; so is
    // any JSON character inside quotes (JSON is YAML).
    for reason in [
        "\"a\\x07\\x7f\\u0080\"",
        "a\u{85}b",
        "\"a\u{7f}\u{80}b\"",
        "'a\u{9f}'",
    ] {
        let doc = format!("{ENVELOPE}kind: player_left\npayload: {{reason: {reason}}}\n");
        for (name, r) in decode_all_paths(&doc) {
            r.unwrap_or_else(|e| panic!("{name} {reason:?}: {e}"));
        }
    }
}

#[test]
fn yaml_versions_other_than_1_are_refused() {
    for (version, ok) in [("1.2", true), ("1.1", true), ("2.0", false), ("1", false)] {
        let doc = format!("%YAML {version}\n---\n{ENVELOPE}kind: heartbeat\n");
        for (name, r) in decode_all_paths(&doc) {
            match r {
                Ok(_) => assert!(ok, "{name}: %YAML {version} accepted"),
                Err(e) => {
                    assert!(!ok, "{name}: %YAML {version}: {e}");
                    assert_eq!(e.category(), Category::Syntax, "{e}");
                    assert_eq!((e.line(), e.column()), (Some(1), Some(7)), "{e}");
                    assert!(e.message().contains(version), "{e}");
                }
            }
        }
    }
}

#[test]
fn unknown_keys_compare_as_yaml_nodes() {
    for extra in [
        "extra: {'0': a, 0: b}",
        "extra: {\"true\": a, true: b}",
        "extra: {'~': a, ~: b}",
        "'0': a\n0: b",
    ] {
        let doc = format!("{ENVELOPE}kind: heartbeat\n{extra}\n");
        for (name, r) in decode_all_paths(&doc) {
            r.unwrap_or_else(|e| panic!("{name} {extra:?}: {e}"));
        }
    }
    for extra in [
        "extra: {0: a, 0: b}",
        "extra: {'0': a, \"0\": b}",
        "extra: {0x10: a, 16: b}",
        "0: a\n0: b",
    ] {
        let doc = format!("{ENVELOPE}kind: heartbeat\n{extra}\n");
        let arena = Bump::new();
        for mut d in [YamlDecoder::new(), YamlDecoder::new().fast_path(false)] {
            let e = d.decode(doc.as_bytes(), &arena).expect_err(extra);
            assert!(e.message().contains("duplicate"), "{extra}: {e}");
        }
    }
    // attrs keys compare by their text: `0` and '0' are the same key.
    let doc = format!("{ENVELOPE}kind: heartbeat\nattrs: {{'0': a, 0: b}}\n");
    let arena = Bump::new();
    let e = YamlDecoder::new()
        .decode(doc.as_bytes(), &arena)
        .expect_err("attrs");
    assert!(e.message().contains("duplicate"), "{e}");
}
