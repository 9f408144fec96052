//! The fast scanner against the project's scanner and yaml-rust2: whenever
//! `FastNodes` accepts a document its events equal `ScannerNodes'` (text
//! and style), and `ParserNodes'` whenever yaml-rust2 reads the document
//! (it refuses some flow plain scalars that YAML 1.2 allows, such as
//! `[a -, b]`); the decoder gives the same events and errors with the fast
//! path on and off, with either engine, on generated, corpus, hand-written
//! and mutated documents. Also: the fast
//! path allocates nothing per event once warm, its scalars point into the
//! input.
//!
//! This module holds the comparison helpers and the hand-written documents;
//! the tests are in [`documents`], [`mutations`] and [`flow`].

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

#[path = "fast/documents.rs"]
mod documents;
#[path = "fast/flow.rs"]
mod flow;
#[path = "fast/mutations.rs"]
mod mutations;

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
    // Double-quoted escapes, every kind, in block and flow context.
    "a: \"esc\\n\"\nb: \"\\t\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\0\\\"\\\\\\/\\ \"\n",
    "\"k\\u0041\": \"v\\\"\" # c\nlist:\n  - \"\\e\\a\\b\\v\\f\\r\"\n",
    "a: [\"x\\n\", \"y\\\"]\"]\n",
    "{\"a\\tb\": \"\\u00e9t\\u00e9\", c: [\"\\\\\"]}\n",
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
    "a: \"esc\\\n  folded\"\n",
    "a: \"bad \\q escape\"\n",
    "a: \"short \\x4\"\n",
    "a: \"surrogate \\uD800\"\n",
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
