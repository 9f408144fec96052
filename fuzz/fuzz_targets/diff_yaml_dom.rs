//! Differential: the streaming YAML decoder and the DOM baseline agree on
//! every document both accept (small inputs only: the baseline is slow).
//!
//! Intended divergences, where only one side may succeed (not asserted):
//! duplicate mapping keys (the streaming decoder refuses them, the tree
//! keeps the last), and scalar typing (`Null`/`NULL` are strings to
//! yaml-rust2's tree but null in the YAML 1.2 core schema).
#![no_main]

use bumpalo::Bump;
use event_decode::Decoder;
use event_decode::yaml::YamlDecoder;
use event_decode::yaml::dom::DomDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 4096 {
        return;
    }
    let arena = Bump::new();
    let streaming = YamlDecoder::new().decode(data, &arena);
    let dom = DomDecoder::new().decode(data, &arena);
    if let (Ok(a), Ok(b)) = (&streaming, &dom) {
        assert_eq!(a.to_owned(), b.to_owned(), "the decoders disagree");
    }
});
