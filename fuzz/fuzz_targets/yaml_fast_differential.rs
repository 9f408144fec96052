//! Differential: whenever the fast YAML scanner accepts a document, its
//! events (text and style) are exactly the project scanner's, and
//! yaml-rust2's whenever yaml-rust2 reads the document (it refuses some
//! flow plain scalars that YAML 1.2 allows, such as `[a -, b]`); the
//! decoder gives the same event or error with the fast path on and off, on
//! the scanner engine always and on the yaml-rust2 engine where yaml-rust2
//! reads what the fast path accepted.
#![no_main]

use bumpalo::Bump;
use std::borrow::Cow;

use event_decode::internals::yaml::{
    AliasBuffers, Engine, FastNodes, FastTokens, Node, NodeSource, ParserNodes, ScannerBuffers,
    ScannerNodes,
};
use event_decode::yaml::YamlDecoder;
use event_decode::{Decoder, Limits};
use libfuzzer_sys::fuzz_target;

/// yaml-rust2's nodes for the whole document, or `None` if it fails.
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

/// The project scanner's nodes (scalars owned), or `None` if it fails.
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

fuzz_target!(|data: &[u8]| {
    if data.len() > 8192 {
        return;
    }
    // Whether yaml-rust2 may disagree: it refuses some documents that the
    // fast path (following YAML 1.2, like the scanner) accepts.
    let mut yaml_rust2_refuses = false;
    if let Ok(text) = std::str::from_utf8(data) {
        // NUL is refused before either scanner runs.
        if !text.contains('\0') {
            let mut tokens = FastTokens::default();
            if let Some(mut fast) = FastNodes::new(text, &Limits::DEFAULT, &mut tokens) {
                let nodes: Vec<Node<'_>> = (0..fast.len())
                    .map(|_| fast.next_event().expect("accepted events replay").0)
                    .collect();
                assert_eq!(
                    Some(&nodes),
                    scanner_nodes(text).as_ref(),
                    "fast scanner differs from the scanner"
                );
                match parser_nodes(text) {
                    Some(theirs) => {
                        assert_eq!(nodes, theirs, "fast scanner differs from yaml-rust2")
                    }
                    None => yaml_rust2_refuses = true,
                }
            }
        }
    }
    let arena = Bump::new();
    for engine in [Engine::Scanner, Engine::YamlRust2] {
        if engine == Engine::YamlRust2 && yaml_rust2_refuses {
            continue;
        }
        let on = YamlDecoder::new()
            .engine(engine)
            .decode(data, &arena)
            .map(|e| e.to_owned());
        let off = YamlDecoder::new()
            .engine(engine)
            .fast_path(false)
            .decode(data, &arena)
            .map(|e| e.to_owned());
        assert_eq!(on, off, "fast path on and off disagree ({engine:?})");
    }
});
