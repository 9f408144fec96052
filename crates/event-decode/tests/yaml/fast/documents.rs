//! Fixed documents: the hand-written ones inside and outside the subset,
//! the reference event and the corpus, errors and limits, and allocation
//! once warm.

use super::*;

#[test]
fn hand_written_documents_inside_the_subset_match_the_scanner() {
    for doc in INSIDE {
        assert!(check(doc), "declined {doc:?}");
        assert!(scanner_nodes(doc).is_some(), "the scanner refuses {doc:?}");
    }
}

#[test]
fn hand_written_documents_outside_the_subset_are_declined() {
    for doc in OUTSIDE {
        assert!(!check(doc), "accepted {doc:?}");
    }
}

#[test]
fn reference_and_corpus_take_the_fast_path_and_decode_the_same() {
    assert!(check(REFERENCE_EVENT_YAML));
    for doc in corpus_docs(11, 400) {
        assert!(check(&doc), "declined {doc}");
        // The same with CR LF line breaks.
        let crlf = doc.replace('\n', "\r\n");
        assert!(check(&crlf), "declined {crlf:?}");
    }
}

#[test]
fn errors_and_limits_are_the_yaml_rust2_paths() {
    let reference = REFERENCE_EVENT_YAML.as_bytes();
    let cases: Vec<(YamlDecoder, Vec<u8>)> = vec![
        (
            YamlDecoder::new().engine(Engine::YamlRust2),
            b"id: e1\nseq: abc\n".to_vec(),
        ),
        (
            YamlDecoder::new().engine(Engine::YamlRust2),
            b"id: e1\nid: e2\n".to_vec(),
        ),
        (
            YamlDecoder::new().engine(Engine::YamlRust2),
            b"kind: nope\n".to_vec(),
        ),
        (
            YamlDecoder::with_config(&DecodeConfig::new().deny_unknown_fields())
                .engine(Engine::YamlRust2),
            [reference, b"extra: 1\n"].concat(),
        ),
        (
            YamlDecoder::with_config(&DecodeConfig::new().max_depth(2)).engine(Engine::YamlRust2),
            reference.to_vec(),
        ),
        (
            YamlDecoder::with_config(&DecodeConfig::new().max_items(3)).engine(Engine::YamlRust2),
            reference.to_vec(),
        ),
        (
            YamlDecoder::with_config(&DecodeConfig::new().max_string_bytes(8))
                .engine(Engine::YamlRust2),
            reference.to_vec(),
        ),
        (
            YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(100))
                .engine(Engine::YamlRust2),
            reference.to_vec(),
        ),
    ];
    for (decoder, input) in cases {
        let text = std::str::from_utf8(&input).unwrap();
        let mut tokens = FastTokens::default();
        let on = decode(&mut decoder.clone(), &input).unwrap_err();
        let off = decode(&mut decoder.fast_path(false), &input).unwrap_err();
        assert_eq!(on, off, "{text}");
        assert_eq!(on.to_string(), off.to_string());
        // Most of these pass the scanner: the error came from the fallback.
        let _ = fast_nodes(text, &mut tokens);
    }
}

#[test]
fn the_fast_path_allocates_nothing_once_warm_and_borrows_every_scalar() {
    let mut docs = corpus_docs(5, 300);
    // Flow forms (JSON, one line and wrapped) and CR LF breaks too, where
    // the fast path takes them; strings with escapes are built, in the
    // decoder's reused scratch buffer and the arena: no allocation either.
    let mut tokens = FastTokens::default();
    for e in corpus(8, 100) {
        for doc in flow_forms(&e) {
            if FastNodes::new(&doc, &Limits::DEFAULT, &mut tokens).is_some() {
                docs.push(doc);
            }
        }
    }
    docs.extend(corpus_docs(9, 50).iter().map(|d| d.replace('\n', "\r\n")));
    let escaped = docs.iter().filter(|d| d.contains('\\')).count();
    assert!(escaped > 0, "no document with escapes");
    // Every scalar but the escaped ones is lent from the input.
    for doc in docs.iter().filter(|d| !d.contains('\\')) {
        let range = doc.as_bytes().as_ptr_range();
        let mut source = FastNodes::new(doc, &Limits::DEFAULT, &mut tokens).expect("accepted");
        for _ in 0..source.len() {
            if let (Node::Scalar { text, .. }, _) = source.next_event().unwrap() {
                let Cow::Borrowed(s) = text else {
                    panic!("owned scalar {text:?}");
                };
                let inside = s.as_bytes().as_ptr_range();
                assert!(range.start <= inside.start && inside.end <= range.end);
            }
        }
    }
    let mut decoder = YamlDecoder::new().engine(Engine::YamlRust2);
    let mut arena = Bump::with_capacity(64 * 1024);
    for doc in &docs {
        arena.reset();
        decoder.decode(doc.as_bytes(), &arena).unwrap();
    }
    for doc in &docs {
        arena.reset();
        let (ok, info) = measure(|| decoder.decode(doc.as_bytes(), &arena).is_ok());
        assert!(ok);
        assert_eq!(info.count_total, 0, "allocations decoding:\n{doc}");
    }
    // The yaml-rust2 path, for contrast, allocates per scalar.
    let mut slow = YamlDecoder::new()
        .engine(Engine::YamlRust2)
        .fast_path(false);
    arena.reset();
    slow.decode(docs[0].as_bytes(), &arena).unwrap();
    arena.reset();
    let (_, info) = measure(|| slow.decode(docs[0].as_bytes(), &arena).is_ok());
    assert!(info.count_total > 10);
}

/// Every way a typed field's value may be written in the subset decodes
/// the same with the fast path on and off: the fast path's own readings
/// of numbers (short decimals, digits), booleans, nulls and text, and the
/// values it must decline (out of range, of the wrong type).
#[test]
fn every_scalar_form_of_every_typed_field_decodes_as_the_engine_does() {
    let forms: &[(&str, &[&str])] = &[
        (
            "seq: 1004",
            &[
                "0",
                "+7",
                "-1",
                "0o17",
                "0x1F",
                "007",
                "1e3",
                "1.5",
                "18446744073709551615",
                "18446744073709551616",
                "999999999999999999",
                "'12'",
                "~",
                "true",
                "",
            ],
        ),
        (
            "ts: 1715954400406",
            &[
                "0",
                "007",
                "+7",
                "-0",
                "999999999999999999",
                "9223372036854775807",
                "-5",
                "0x10",
                "2024-05-17T14:00:00.406Z",
                "'2024-05-17T14:00:00Z'",
                "1.5",
                "9223372036854775808",
                "-9223372036854775809",
                "null",
                "abc",
            ],
        ),
        (
            "  x: 1855.25",
            &[
                "0",
                "-0",
                "+.5",
                "-.5",
                "5.",
                "1234567",
                "12345678",
                "0.1",
                "3.4028236e38",
                "1e-50",
                "0o17",
                "0x1F",
                ".inf",
                ".nan",
                "1_000",
                "'1.5'",
                "~",
                "1.2.3",
                "0.0000000001",
                "0.00000000001",
            ],
        ),
        (
            "  points: 300",
            &[
                "4294967295",
                "4294967296",
                "-1",
                "+0",
                "0x10",
                "3.0",
                "'3'",
                "null",
            ],
        ),
        (
            "  hint_used: false",
            &[
                "true", "True", "TRUE", "False", "tRue", "yes", "1", "'true'", "~",
            ],
        ),
        (
            "  zone: cliffside",
            &[
                "4412", "true", "1.5", "null", "~", "''", "\"\"", "'null'", "-x", "a b",
            ],
        ),
        (
            "  note: \"found under the fourth plank of the old pier at low tide.\"",
            &["~", "null", "NULL", "Null", "", "''", "12", "false", ".inf"],
        ),
        ("  build: \"4412\"", &["4412", "0x1F", "~", "'x'", "-1.5"]),
    ];
    let (mut ok, mut err) = (0, 0);
    for (line, values) in forms {
        assert!(REFERENCE_EVENT_YAML.contains(line), "{line}");
        let key = &line[..line.find(':').unwrap() + 1];
        for value in *values {
            let doc = REFERENCE_EVENT_YAML.replace(line, &format!("{key} {value}"));
            assert!(check(&doc), "declined {doc:?}");
            match decode(&mut YamlDecoder::new(), doc.as_bytes()) {
                Ok(_) => ok += 1,
                Err(_) => err += 1,
            }
        }
    }
    // Both sides of every reading were reached.
    assert!(ok > 40 && err > 20, "{ok} decoded, {err} refused");
}

/// A spike gives its memory back: after a large document on the fast path
/// (a long escaped string, built in the decoder's scratch buffer, and many
/// lines of tokens), the decoder keeps no more than its usual small
/// buffers, as the scanner does with its own. And a document of more events
/// than the line scanner holds goes to the engine.
#[test]
fn the_fast_path_keeps_no_memory_after_a_large_document() {
    let note = "tab\\there\\n".repeat(100_000);
    // 3,000 events: over 16 KiB of tokens, under the line scanner's bound.
    let attrs: String = (0..1_500).map(|i| format!("  k{i}: v{i}\n")).collect();
    let huge = REFERENCE_EVENT_YAML
        .replace(
            "  note: \"found under the fourth plank of the old pier at low tide.\"",
            &format!("  note: \"{note}\""),
        )
        .replace("attrs:\n", &format!("attrs:\n{attrs}"));
    assert!(huge.len() > 1_000_000);
    assert!(FastNodes::new(&huge, &Limits::DEFAULT, &mut FastTokens::default()).is_some());
    let config = DecodeConfig::new()
        .max_event_bytes(4 << 20)
        .max_string_bytes(4 << 20)
        .max_items(10_000);
    let mut decoder = YamlDecoder::with_config(&config);
    let mut tokens = FastTokens::default();
    assert!(FastNodes::new(&huge, &Limits::DEFAULT, &mut tokens).is_some());
    drop(tokens);
    // Warm on the usual event first.
    decoder
        .decode(REFERENCE_EVENT_YAML.as_bytes(), &Bump::new())
        .unwrap();
    let ((), info) = measure(|| {
        let arena = Bump::new();
        let attrs = decoder.decode(huge.as_bytes(), &arena).unwrap().attrs.len();
        assert_eq!(attrs, 1_502);
        drop(arena);
        let arena = Bump::new();
        decoder
            .decode(REFERENCE_EVENT_YAML.as_bytes(), &arena)
            .unwrap();
    });
    assert!(info.bytes_max > 1_000_000, "{info:?}");
    assert!(info.bytes_current < 64 << 10, "memory kept: {info:?}");
    let mut tokens = FastTokens::default();
    let many: String = (0..2_100).map(|i| format!("k{i}: v\n")).collect();
    assert!(FastNodes::new(&many, &Limits::DEFAULT, &mut tokens).is_none());
    let fewer: String = (0..2_000).map(|i| format!("k{i}: v\n")).collect();
    assert!(FastNodes::new(&fewer, &Limits::DEFAULT, &mut tokens).is_some());
}
