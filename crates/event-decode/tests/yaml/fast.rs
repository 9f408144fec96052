//! The fast scanner against the project's scanner and yaml-rust2: whenever
//! `FastNodes` accepts a document its events equal `ScannerNodes'` (text
//! and style), and `ParserNodes'` whenever yaml-rust2 reads the document
//! (it refuses some flow plain scalars that YAML 1.2 allows, such as
//! `[a -, b]`); the decoder gives the same events and errors with the fast
//! path on and off, with either engine, on generated, corpus, hand-written
//! and mutated documents. Also: the fast
//! path allocates nothing per event once warm, its scalars point into the
//! input.

use std::borrow::Cow;

use bumpalo::Bump;
use event_decode::internals::yaml::{
    AliasBuffers, Engine, FastNodes, FastTokens, Mark, Node, NodeSource, ParserNodes,
    ScannerBuffers, ScannerNodes,
};
use event_decode::yaml::{self, YamlDecoder};
use event_decode::{DecodeConfig, UnknownFields};
use event_decode::{DecodeError, Decoder, Limits};
use event_model::corpus::{REFERENCE_EVENT_YAML, corpus};
use event_model::{OwnedEvent, strategies};
use proptest::prelude::*;

use crate::alloc::measure;

/// yaml-rust2's nodes for the whole document, or `None` if it fails
/// anywhere (including after the root node).
fn parser_nodes(text: &str) -> Option<Vec<Node<'static>>> {
    let mut buffers = AliasBuffers::default();
    let mut source = ParserNodes::new(text, &Limits::DEFAULT, &mut buffers);
    let mut nodes = Vec::new();
    let mut depth = 0usize;
    loop {
        let (node, _) = source.next_event().ok()?;
        match node {
            Node::SequenceStart | Node::MappingStart => depth += 1,
            Node::SequenceEnd | Node::MappingEnd => depth -= 1,
            Node::Scalar { .. } => {}
        }
        nodes.push(node);
        if depth == 0 {
            break;
        }
    }
    source.finish().ok()?;
    Some(nodes)
}

/// The project scanner's nodes (scalars owned), or `None` if it fails
/// anywhere (including after the root node).
fn scanner_nodes(text: &str) -> Option<Vec<Node<'static>>> {
    let arena = Bump::new();
    let mut buffers = ScannerBuffers::default();
    let mut source = ScannerNodes::new(text, &Limits::DEFAULT, &arena, &mut buffers);
    let mut nodes = Vec::new();
    let mut depth = 0usize;
    loop {
        let (node, _) = source.next_event().ok()?;
        match node {
            Node::SequenceStart | Node::MappingStart => depth += 1,
            Node::SequenceEnd | Node::MappingEnd => depth -= 1,
            Node::Scalar { .. } => {}
        }
        nodes.push(match node {
            Node::Scalar { text, style, tag } => Node::Scalar {
                text: Cow::Owned(text.into_owned()),
                style,
                tag,
            },
            Node::SequenceStart => Node::SequenceStart,
            Node::SequenceEnd => Node::SequenceEnd,
            Node::MappingStart => Node::MappingStart,
            Node::MappingEnd => Node::MappingEnd,
        });
        if depth == 0 {
            break;
        }
    }
    source.finish().ok()?;
    Some(nodes)
}

/// The fast scanner's nodes and marks, when it accepts the document.
fn fast_nodes<'s>(text: &'s str, tokens: &mut FastTokens) -> Option<Vec<(Node<'s>, Mark)>> {
    let mut source = FastNodes::new(text, &Limits::DEFAULT, tokens)?;
    let n = source.len();
    let nodes: Vec<_> = (0..n).map(|_| source.next_event().unwrap()).collect();
    assert!(source.next_event().is_err(), "events past the end");
    source.finish().unwrap();
    Some(nodes)
}

/// Every mark is a real position of `text`: 1-based line and column, and
/// the character index of that line and column.
fn assert_marks_valid(text: &str, marks: impl Iterator<Item = Mark>) {
    let mut line_starts = vec![0u64];
    let mut index = 0u64;
    for c in text.chars() {
        index += 1;
        if c == '\n' {
            line_starts.push(index);
        }
    }
    for m in marks {
        assert!(m.line >= 1 && m.column >= 1, "{m:?} in {text:?}");
        let line = line_starts
            .get(m.line as usize - 1)
            .copied()
            // The end mark may be the start of the line after the last.
            .unwrap_or(index + 1);
        assert_eq!(line + m.column - 1, m.index, "{m:?} in {text:?}");
        assert!(m.index <= index + 1, "{m:?} in {text:?}");
    }
}

fn decode(decoder: &mut YamlDecoder, text: &[u8]) -> Result<OwnedEvent, DecodeError> {
    let arena = Bump::new();
    decoder.decode(text, &arena).map(|e| e.to_owned())
}

/// The fast path, when it accepts `text`, gives the scanner's nodes
/// exactly, and yaml-rust2's when yaml-rust2 reads it; the decoder gives
/// the same result with the fast path on and off, with either engine.
/// Returns whether the fast scanner accepted.
fn check(text: &str) -> bool {
    let mut tokens = FastTokens::default();
    let fast = fast_nodes(text, &mut tokens);
    let accepted = fast.is_some();
    if let Some(fast) = fast {
        let (nodes, marks): (Vec<_>, Vec<_>) = fast.into_iter().unzip();
        assert_eq!(
            Some(&nodes),
            scanner_nodes(text).as_ref(),
            "fast scanner differs from the scanner on {text:?}"
        );
        if let Some(theirs) = parser_nodes(text) {
            assert_eq!(
                nodes, theirs,
                "fast scanner differs from yaml-rust2 on {text:?}"
            );
        }
        assert_marks_valid(text, marks.into_iter());
    }
    for strict in [false, true] {
        let config = DecodeConfig::new().unknown_fields(if strict {
            UnknownFields::Deny
        } else {
            UnknownFields::Skip
        });
        let on = decode(&mut YamlDecoder::with_config(&config), text.as_bytes());
        let off = decode(
            &mut YamlDecoder::with_config(&config).fast_path(false),
            text.as_bytes(),
        );
        assert_eq!(on, off, "decoders (scanner engine) differ on {text:?}");
    }
    if !accepted || parser_nodes(text).is_some() {
        check_yaml_rust2_engine(text);
    }
    accepted
}

/// The yaml-rust2 engine gives the same result with the fast path on and
/// off.
fn check_yaml_rust2_engine(text: &str) {
    for strict in [false, true] {
        let on = decode(
            &mut YamlDecoder::with_config(&DecodeConfig::new().unknown_fields(if strict {
                UnknownFields::Deny
            } else {
                UnknownFields::Skip
            }))
            .engine(Engine::YamlRust2),
            text.as_bytes(),
        );
        let off = decode(
            &mut YamlDecoder::with_config(&DecodeConfig::new().unknown_fields(if strict {
                UnknownFields::Deny
            } else {
                UnknownFields::Skip
            }))
            .engine(Engine::YamlRust2)
            .fast_path(false),
            text.as_bytes(),
        );
        assert_eq!(on, off, "decoders differ on {text:?}");
    }
}

fn encoded(e: &OwnedEvent) -> String {
    let arena = Bump::new();
    let mut s = String::new();
    yaml::encode(&e.as_view(&arena), &mut s);
    s
}

fn corpus_docs(seed: u64, n: usize) -> Vec<String> {
    corpus(seed, n).iter().map(encoded).collect()
}

/// Documents inside the subset (each must be accepted).
const INSIDE: &[&str] = &[
    "a: 1\n",
    "a: 1",
    "---\na: 1\n",
    "---\na: 1\n...\n",
    "# head\n\n---\n# c\na: 1 # trailing\n\n# tail\n...\n# after\n",
    "a:\nb: ~\nc: null\nd: \n",
    "a: 'x'\nb: \"x\"\nc: ''\nd: \"\"\n",
    "a: ' spaced '\nb: \"# not a comment\"\nc: 'a: b'\nd: \"it's\"\ne: 'say \"hi\"'\n",
    "a: -1\nb: 2.5e3\nc: 0x1F\nd: .inf\ne: -.inf\nf: .nan\ng: +12\n",
    "a: true\nb: False\nc: yes\nd: 2024-05-17T14:00:00Z\ne: 1_000\n",
    "a#b: c#d\ne: f #g\nh: i  # j\n",
    "a:b: c\nurl: http://x.y/z?q=1\n",
    "a: x, y\nb: ünïcödé 日本\nc: \"😀\"\nd: é:no\n",
    "list:\n  - a\n  - 'b'\n  - \"c\"\n  -\n  - ~\n",
    "list:\n- a\n- b\nnext: 1\n",
    "items:\n  - item: x\n    qty: 3\n  - item: 'y'\n    qty: 4\n",
    "items:\n- item: x\n  qty: 3\n- item: y\nend: 1\n",
    "- a\n- b: c\n  d: e\n-\n- f\n",
    "- a:\n  - x\n  - y\n  b: 1\n- c\n",
    "-\n  a: 1\n-\n  - x\n",
    "a:\n  b:\n    c:\n      d: 1\n    e: 2\nf: 3\n",
    "a: []\nb: {}\nc: [] # none\nd:\n  - []\n  - {}\n",
    "\"quoted key\": 1\n'single': 2\n\"4412\": \"4412\"\n",
    "a:    spaced value   \n",
    "a: b'c\"d\\e\n",
    "a: -x\nb: --\nc: ~x\nd: .5\n",
    "a: 1\n\n\n   \nb: 2\n",
    "a:\n# comment\n  b: 1\n",
    "a:    # comment\n  - 1\n",
    "a: 1\r\n",
    "---\r\na: 'x' # c\r\nb:\r\n  - \"y\"\r\n  - z: 1\r\n\r\n...\r\n",
    "a: é\r\nb: 日本 \r\nc: 1",
    "a: [1, 2]\n",
    "a: {b: 1}\n",
    "tags: [coastal, 'riddle', \"night\"]  # flow\nb: {x: [1, {y: z}], 'q': \"r\"}\n",
    "- [a, b]\n- {c: d, e: []}\n- [[], {}]\n",
    "a: [a -, b -c, -1, x:y, 'p']\n",
    "a: [a b,  c  d  , e]\n",
    "{a: 1, b: [x, y], c: {d: e}}\n",
    "{\"a\":1, 'b':[2], c: 'x'}",
    "---\n{attrs: {build: '4648', client: ios-5.2.1}, id: 'e1',\n  kind: clue_found, payload: {clue_id: c,\n  tags: [], zone: é}, seq: 1}\n...\n",
    "{a: 1,\r\n  b: [2,\r\n  3]} # end\r\n# after\r\n",
    "# head\n[a, b]\n",
    "{a: x#y, b: a:b}\n",
];

/// Documents outside the subset (each must be declined); the decoder
/// still agrees with itself on every one.
const OUTSIDE: &[&str] = &[
    "",
    "\n# only a comment\n",
    "---\n",
    "scalar\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\nb: 2\n",
    "--- a: 1\n",
    "%YAML 1.2\n---\na: 1\n",
    "a:\t1\n",
    "a: 1\r",
    "a: 1\rb: 2\n",
    "a: 1\r\rb: 2\r\n",
    "a: x\ry\r\n",
    "a: [1, 2\n  , 3]\n",
    "a: [1, 2] x\n",
    "a: [1, 2]: x\n",
    "a: [1, 2,]\n",
    "a: [1,, 2]\n",
    "a: [,]\n",
    "a: {b: }\n",
    "a: {b}\n",
    "a: {b: 1,}\n",
    "a: {b : 1}\n",
    "a: {? b: 1}\n",
    "a: [b: 1]\n",
    "a: [b #c\n]\n",
    "a: [&x 1]\n",
    "a: ['it''s']\n",
    "a: [\"x\\n\"]\n",
    "a: ['multi\n  line']\n",
    "a: [{b: 1}\n",
    "{a: 1}\nb: 2\n",
    "{a: 1} x\n",
    "{a: 1\n---\n}\n",
    "{a: multi\n  line}\n",
    "{a: [b, c], d: {e: f}\n",
    "  {a: 1}\n",
    "[a -, b]\n- c\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: |\n  text\n",
    "a: >\n  text\n",
    "a: multi\n  line\n",
    "a: \"multi\n  line\"\n",
    "a: \"esc\\n\"\n",
    "a: 'it''s'\n",
    "? a\n: b\n",
    "a : b\n",
    "a: b: c\n",
    "a: b:\n",
    "a: - b\n",
    "- - a\n",
    " a: 1\n",
    "a: 1\n b: 2\n",
    "a:\n  b\n",
    "a: 1\n- b\n",
    "- a\nb: 1\n",
    "a: \"x\"y\n",
    "a: \"x\"#y\n",
    "a: @x\n",
    "a: `x`\n",
    "a: \u{feff}x\n",
    "a: x\u{85}y\n",
    "a: x\u{2028}y\n",
    "a: \u{1}\n",
    "a #b: c\n",
];

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
    // the fast path takes them (strings without escapes).
    let mut tokens = FastTokens::default();
    for e in corpus(8, 100) {
        for doc in flow_forms(&e) {
            if FastNodes::new(&doc, &Limits::DEFAULT, &mut tokens).is_some() {
                docs.push(doc);
            }
        }
    }
    docs.extend(corpus_docs(9, 50).iter().map(|d| d.replace('\n', "\r\n")));
    for doc in &docs {
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

/// One edit of a document.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(prop::sample::Index, &'static str),
    Delete(prop::sample::Index),
    DuplicateLine(prop::sample::Index),
    DeleteLine(prop::sample::Index),
    Indent(prop::sample::Index, i8),
}

const PIECES: &[&str] = &[
    " ", "  ", "-", "- ", ":", ": ", "#", " #", "'", "\"", "\\", "[", "]", "{", "}", "&", "*", "!",
    "|", ">", "?", "%", "@", "`", "\n", "\t", "\r", "~", "é", "a", "0", ".", ",", "---", "...",
    "''", "\n- ", "\n  ", "null", "1e3", "\u{feff}", "\u{85}", "日",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let index = any::<prop::sample::Index>();
    prop_oneof![
        3 => (index.clone(), prop::sample::select(PIECES)).prop_map(|(i, p)| Mutation::Insert(i, p)),
        2 => index.clone().prop_map(Mutation::Delete),
        1 => index.clone().prop_map(Mutation::DuplicateLine),
        1 => index.clone().prop_map(Mutation::DeleteLine),
        2 => (index, -4i8..=4).prop_map(|(i, d)| Mutation::Indent(i, d)),
    ]
}

fn apply(doc: &str, m: &Mutation) -> String {
    let boundaries: Vec<usize> = doc
        .char_indices()
        .map(|(i, _)| i)
        .chain([doc.len()])
        .collect();
    let mut lines: Vec<&str> = doc.split_inclusive('\n').collect();
    match m {
        Mutation::Insert(i, piece) => {
            let at = *i.get(&boundaries);
            format!("{}{piece}{}", &doc[..at], &doc[at..])
        }
        Mutation::Delete(i) if boundaries.len() > 1 => {
            let k = i.index(boundaries.len() - 1);
            format!("{}{}", &doc[..boundaries[k]], &doc[boundaries[k + 1]..])
        }
        Mutation::DuplicateLine(i) if !lines.is_empty() => {
            let k = i.index(lines.len());
            lines.insert(k, lines[k]);
            lines.concat()
        }
        Mutation::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i.index(lines.len()));
            lines.concat()
        }
        Mutation::Indent(i, d) if !lines.is_empty() => {
            let k = i.index(lines.len());
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            let line = &mut out[k];
            if *d > 0 {
                line.insert_str(0, &" ".repeat(*d as usize));
            } else {
                let n = line.bytes().take_while(|&b| b == b' ').count();
                line.replace_range(..n.min(d.unsigned_abs() as usize), "");
            }
            out.concat()
        }
        _ => doc.to_owned(),
    }
}

fn base_documents() -> Vec<String> {
    let mut docs: Vec<String> = INSIDE.iter().map(|s| s.to_string()).collect();
    docs.push(REFERENCE_EVENT_YAML.to_owned());
    docs.extend(corpus_docs(3, 40));
    docs.extend(corpus_docs(4, 10).iter().map(|d| d.replace('\n', "\r\n")));
    // Flow styles (PyYAML's default flow style, ruamel's scalar lists).
    docs.push(
        "{attrs: {build: '4648', client: ios-5.2.1}, id: '583ed649-6968',\n  kind: clue_found, \
         payload: {clue_id: clue-harbor-62,\n  hint_used: false, points: 590, position: \
         {x: 3205.25, 'y': 1807.75, z: 63.0}, tags: [a -, b],\n  zone: forest}, seq: 1001}\n"
            .to_owned(),
    );
    docs.push(
        "# an event\nattrs:\n  build: '4648'  # first field\npayload:\n  tags: [coastal, riddle]\n  \
         position: {x: 1, 'y': 2}\n"
            .to_owned(),
    );
    docs
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_events_encoded_match_yaml_rust2(event in strategies::event()) {
        let doc = encoded(&event);
        check(&doc);
    }

    #[test]
    fn mutated_encoded_events_match_yaml_rust2(
        event in strategies::event(),
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut doc = encoded(&event);
        for m in &edits {
            doc = apply(&doc, m);
        }
        check(&doc);
    }
}

/// The event as JSON (a YAML flow mapping), and the same with a line
/// break and an indent after every `,` (a root flow over many lines).
fn flow_forms(e: &OwnedEvent) -> [String; 2] {
    let arena = Bump::new();
    let mut j = Vec::new();
    event_decode::json::encode(&e.as_view(&arena), &mut j);
    let one = String::from_utf8(j).expect("JSON is UTF-8");
    let wrapped = one.replace(",\"", ",\n  \"");
    [one, wrapped]
}

/// Flow documents: the bases above that hold a flow collection.
fn flow_documents() -> Vec<String> {
    let mut docs: Vec<String> = base_documents()
        .into_iter()
        .filter(|d| d.contains(['[', '{']) && !d.contains("[]\n") || d.starts_with('{'))
        .collect();
    for e in corpus(6, 10) {
        docs.extend(flow_forms(&e));
    }
    docs
}

#[test]
fn json_events_take_the_fast_path() {
    let mut accepted = 0;
    for e in corpus(12, 200) {
        for doc in flow_forms(&e) {
            if check(&doc) {
                accepted += 1;
            }
        }
    }
    // Strings with escapes decline; most events have none.
    assert!(accepted > 300, "{accepted} of 400 accepted");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_events_as_flow_match_the_scanner(event in strategies::event()) {
        for doc in flow_forms(&event) {
            check(&doc);
        }
    }

    #[test]
    fn mutated_flow_documents_match_the_scanner(
        base in any::<prop::sample::Index>(),
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        let docs = flow_documents();
        let mut doc = docs[base.index(docs.len())].clone();
        for m in &edits {
            doc = apply(&doc, m);
        }
        check(&doc);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn mutated_documents_match_yaml_rust2(
        base in any::<prop::sample::Index>(),
        edits in prop::collection::vec(mutation(), 1..5),
    ) {
        let docs = base_documents();
        let mut doc = docs[base.index(docs.len())].clone();
        for m in &edits {
            doc = apply(&doc, m);
        }
        check(&doc);
    }
}

/// The mutation properties exercise both outcomes: many mutated documents
/// stay inside the subset (and are compared node by node), many leave it.
#[test]
fn mutations_reach_both_sides_of_the_subset() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let docs = base_documents();
    let strategy = (
        any::<prop::sample::Index>(),
        prop::collection::vec(mutation(), 1..3),
    );
    let mut runner = TestRunner::deterministic();
    let (mut accepted, mut declined) = (0, 0);
    for _ in 0..1000 {
        let (base, edits) = strategy.new_tree(&mut runner).unwrap().current();
        let mut doc = docs[base.index(docs.len())].clone();
        for m in &edits {
            doc = apply(&doc, m);
        }
        if check(&doc) {
            accepted += 1;
        } else {
            declined += 1;
        }
    }
    assert!(
        accepted > 200 && declined > 200,
        "{accepted} accepted, {declined} declined"
    );
}
