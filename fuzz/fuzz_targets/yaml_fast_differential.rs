//! Differential: whenever the fast YAML scanner accepts a document, its
//! events (text and style) are exactly yaml-rust2's, and the decoder gives
//! the same event or error with the fast path on and off.
#![no_main]

use bumpalo::Bump;
use event_decode::internals::yaml::{
    AliasBuffers, Engine, FastNodes, FastTokens, Node, NodeSource, ParserNodes,
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

fuzz_target!(|data: &[u8]| {
    if data.len() > 8192 {
        return;
    }
    if let Ok(text) = std::str::from_utf8(data) {
        // NUL is refused before either scanner runs.
        if !text.contains('\0') {
            let mut tokens = FastTokens::default();
            if let Some(mut fast) = FastNodes::new(text, &Limits::DEFAULT, &mut tokens) {
                let nodes: Vec<Node<'_>> = (0..fast.len())
                    .map(|_| fast.next_event().expect("accepted events replay").0)
                    .collect();
                assert_eq!(Some(nodes), parser_nodes(text), "fast scanner differs");
            }
        }
    }
    let arena = Bump::new();
    let on = YamlDecoder::new()
        .engine(Engine::YamlRust2)
        .decode(data, &arena)
        .map(|e| e.to_owned());
    let off = YamlDecoder::new()
        .engine(Engine::YamlRust2)
        .fast_path(false)
        .decode(data, &arena)
        .map(|e| e.to_owned());
    assert_eq!(on, off, "fast path on and off disagree");
});
