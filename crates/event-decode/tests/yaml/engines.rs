//! The two engines behind `YamlDecoder::engine`: the scanner (default)
//! against yaml-rust2 as the reference, the cases where yaml-rust2 is wrong
//! against the YAML 1.2 specification, and the scanner's allocations.

use bumpalo::Bump;
use event_decode::internals::yaml::{Engine, from_str_with_engine};
use event_decode::yaml::{self, YamlDecoder};
use event_decode::{DecodeError, Decoder};
use event_model::corpus::{REFERENCE_EVENT_YAML, corpus};
use event_model::{OwnedEvent, strategies};
use proptest::prelude::*;

use crate::alloc::measure;

/// The engine alone, without the line scanner in front of it.
fn decode(engine: Engine, text: &[u8]) -> Result<OwnedEvent, DecodeError> {
    let arena = Bump::new();
    YamlDecoder::new()
        .engine(engine)
        .fast_path(false)
        .decode(text, &arena)
        .map(|e| e.to_owned())
}

fn value(engine: Engine, text: &str) -> Result<serde_json::Value, DecodeError> {
    from_str_with_engine(text, &yaml::FROM_STR_LIMITS, engine)
}

/// Documents yaml-rust2 reads against the YAML 1.2 specification, the
/// section that decides, and what the specification says they are
/// (`None`: an error). The scanner follows the specification; the test
/// fails if yaml-rust2 stops differing, so the list stays true.
const KNOWN_DIFFERENCES: &[(&str, &str, Option<&str>)] = &[
    (
        "modes: [a -, b]\n",
        "7.3.3 (ns-plain-char: '-' inside a plain scalar)",
        Some(r#"{"modes":["a -","b"]}"#),
    ),
    (
        "zone:\tcliffside\n",
        "6.2 (s-separate-in-line: a tab is separation white space)",
        Some(r#"{"zone":"cliffside"}"#),
    ),
    (
        "k: |\n  a\n  b",
        "8.1.1.2 (clip keeps the final line break; at the end of input there is none)",
        Some(r#"{"k":"a\nb"}"#),
    ),
];

/// Cases where yaml-rust2's own reading is against the specification but
/// the decoder's yaml-rust2 engine corrects it (tags resolved, characters
/// and directives checked before or after the parser): both engines must
/// agree with the specification.
const CORRECTED_ON_BOTH: &[(&str, &str, Option<&str>)] = &[
    (
        "n: !<tag:yaml.org,2002:int> 5\n",
        "6.8.2.2 / 6.9.1 (a verbatim tag is the tag it spells: !!int)",
        Some(r#"{"n":5}"#),
    ),
    (
        "k: a\u{7f}b\n",
        "5.1 (c-printable: DEL only in quoted scalars, as nb-json)",
        None,
    ),
    (
        "k: a\u{9c}b\n",
        "5.1 (c-printable: C1 controls other than NEL only in quoted scalars)",
        None,
    ),
    (
        "%YAML 2.0\n---\nk: v\n",
        "6.8.1 (a %YAML major version other than 1 must be rejected)",
        None,
    ),
];

#[test]
fn corrected_cases_follow_the_specification_on_both_engines() {
    for (doc, section, want) in CORRECTED_ON_BOTH {
        let want: Option<serde_json::Value> = want.map(|w| serde_json::from_str(w).unwrap());
        for engine in [Engine::Scanner, Engine::YamlRust2] {
            let got = value(engine, doc);
            match &want {
                Some(w) => assert_eq!(got.as_ref().ok(), Some(w), "{engine:?} {doc:?} ({section})"),
                None => assert!(got.is_err(), "{engine:?} {doc:?} ({section}): accepted"),
            }
        }
    }
}

#[test]
fn known_differences_follow_the_specification() {
    for (doc, section, want) in KNOWN_DIFFERENCES {
        let ours = value(Engine::Scanner, doc);
        let theirs = value(Engine::YamlRust2, doc);
        let want: Option<serde_json::Value> = want.map(|w| serde_json::from_str(w).unwrap());
        match &want {
            Some(w) => assert_eq!(ours.as_ref().ok(), Some(w), "{doc:?} ({section})"),
            None => assert!(ours.is_err(), "{doc:?} ({section}): accepted"),
        }
        assert_ne!(
            theirs.ok(),
            want,
            "{doc:?}: yaml-rust2 now agrees with the specification ({section}): remove it from the list"
        );
    }
}

/// `?` right before a flow indicator. YAML 1.2 section 7.3.3 lets `?` start
/// a plain scalar only before an `ns-plain-safe` character, which excludes
/// flow indicators inside a flow collection, so yaml-rust2's plain scalar
/// "?" is against the specification. The scanner reads an empty explicit
/// key (section 7.4.2), as libyaml and the emitters built on it (PyYAML,
/// Go yaml.v3) do. Found by the `yaml_scanner_differential` fuzz target.
#[test]
fn a_question_mark_before_a_flow_indicator_is_an_empty_key() {
    let doc = "k: [?, b]\n";
    let theirs = value(Engine::YamlRust2, doc).expect("yaml-rust2 reads it");
    assert_eq!(
        theirs,
        serde_json::json!({"k": ["?", "b"]}),
        "yaml-rust2 changed: revisit this case"
    );
    // The scanner's empty key (a null) is no JSON object key, so the
    // conversion refuses it; the node stream is checked in
    // `tests/yaml/scanner.rs`.
    let ours = value(Engine::Scanner, doc).unwrap_err();
    assert_eq!(ours.path(), "k[0].", "{ours}");
}

#[test]
fn from_str_and_the_decoder_read_the_same_with_either_engine() {
    let docs = [
        "a: 1\nb: [x, 'y', \"z\"]\nc: {d: ~, e: true}\n",
        "? k\n: v\n",
        "a: &x {b: 1}\nc: *x\n",
        "s: |\n  one\n  two\nt: >-\n  three\n  four\n",
    ];
    for doc in docs {
        assert_eq!(
            value(Engine::Scanner, doc).unwrap(),
            value(Engine::YamlRust2, doc).unwrap(),
            "{doc:?}"
        );
    }
    let one = decode(Engine::Scanner, REFERENCE_EVENT_YAML.as_bytes()).unwrap();
    let two = decode(Engine::YamlRust2, REFERENCE_EVENT_YAML.as_bytes()).unwrap();
    assert_eq!(one, two);
}

/// Once warm, the scanner decoder makes no heap allocation for a whole
/// document: verbatim scalars are borrowed, built ones go to the arena.
#[test]
fn the_scanner_allocates_nothing_once_warm() {
    let arena = Bump::new();
    let mut docs = vec![
        REFERENCE_EVENT_YAML.to_owned(),
        REFERENCE_EVENT_YAML.replace('\n', "\r\n"),
    ];
    for e in corpus(21, 200) {
        let mut s = String::new();
        yaml::encode(&e.as_view(&arena), &mut s);
        docs.push(s);
    }
    // The scanner itself (the line scanner in front of it allocates nothing
    // either, see tests/yaml/alloc.rs).
    let mut decoder = YamlDecoder::new().fast_path(false);
    let mut arena = Bump::with_capacity(256 * 1024);
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
}

/// Replaces, inserts or deletes one byte of `doc` at `at`.
fn mutate(doc: &str, at: usize, what: u8) -> String {
    const INSERTS: &[&str] = &[
        " ", "\t", "\n", "-", ":", "? ", "#", "'", "\"", "[", "]", "{", "}", ",", "&a ", "*a",
        "!!str ", "|", ">", "\\", "...\n", "---\n", "%", "\r\n",
    ];
    let mut at = at % (doc.len() + 1);
    while !doc.is_char_boundary(at) {
        at -= 1;
    }
    let mut out = doc[..at].to_owned();
    if (what as usize) < INSERTS.len() {
        out.push_str(INSERTS[what as usize]);
        out.push_str(&doc[at..]);
    } else {
        let rest = &doc[at..];
        let skip = rest.chars().next().map_or(0, char::len_utf8);
        out.push_str(&rest[skip..]);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Generated events: both engines decode the same event.
    #[test]
    fn generated_events_decode_the_same_with_both_engines(event in strategies::event()) {
        let arena = Bump::new();
        let mut doc = String::new();
        yaml::encode(&event.as_view(&arena), &mut doc);
        let ours = decode(Engine::Scanner, doc.as_bytes());
        let theirs = decode(Engine::YamlRust2, doc.as_bytes());
        prop_assert_eq!(ours, theirs);
    }

    /// Mutated documents: whenever both engines accept, they agree; the
    /// scanner never panics.
    #[test]
    fn mutated_documents_agree_whenever_both_accept(
        event in strategies::event(),
        edits in prop::collection::vec((any::<usize>(), 0u8..32), 1..4),
    ) {
        let arena = Bump::new();
        let mut doc = String::new();
        yaml::encode(&event.as_view(&arena), &mut doc);
        for (at, what) in edits {
            doc = mutate(&doc, at, what);
        }
        let ours = decode(Engine::Scanner, doc.as_bytes());
        let theirs = decode(Engine::YamlRust2, doc.as_bytes());
        if let (Ok(a), Ok(b)) = (&ours, &theirs) {
            prop_assert_eq!(a, b, "{:?}", doc);
        }
    }
}
