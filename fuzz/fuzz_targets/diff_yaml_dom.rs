//! Differential: the streaming YAML decoder and the DOM baseline agree on
//! every document both accept (small inputs only: the baseline is slow).
//!
//! Intended divergences, where only one side may succeed (not asserted):
//! duplicate mapping keys (the streaming decoder refuses them, the tree
//! keeps the last), and scalar typing (`Null`/`NULL` are strings to
//! yaml-rust2's tree but null in the YAML 1.2 core schema).
//!
//! Scalar typing also shows when both succeed: the DOM baseline keeps
//! yaml-rust2's resolved value, not the scalar's text, so a string field
//! given `FALSE`, `True` or `0x1F` reads "false", "true" or "31" there, while
//! SPEC section 3 (and the streaming decoder) takes the text. When the two
//! disagree, they must agree once every string is put in that canonical
//! form (core-schema booleans in lower case, core-schema integers in
//! decimal).
//!
//! One known difference is tolerated, not ignored: a block scalar that
//! ends an input without a final line break has no final "\n" (YAML 1.2
//! section 8.1.1.2, `b-chomped-last` may be the end of input); yaml-rust2
//! adds one. When the two disagree on such an input, they must agree once
//! a line break ends it.
#![no_main]

use bench_harness::baselines::DomDecoder;
use bumpalo::Bump;
use event_decode::Decoder;
use event_decode::yaml::YamlDecoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > 4096 {
        return;
    }
    let arena = Bump::new();
    let streaming = YamlDecoder::new().decode(data, &arena);
    let dom = DomDecoder::new().decode(data, &arena);
    if let (Ok(ea), Ok(eb)) = (&streaming, &dom) {
        let (a, b) = (ea.to_owned(), eb.to_owned());
        if a != b && !data.ends_with(b"\n") && !data.ends_with(b"\r") {
            let mut broken = data.to_vec();
            broken.push(b'\n');
            let a = YamlDecoder::new()
                .decode(&broken, &arena)
                .map(|e| e.to_owned());
            let b = DomDecoder::new()
                .decode(&broken, &arena)
                .map(|e| e.to_owned());
            assert_eq!(
                a.ok(),
                b.ok(),
                "the decoders disagree with a final line break"
            );
            return;
        }
        if a != b {
            let (mut ja, mut jb) = (Vec::new(), Vec::new());
            event_decode::json::encode(ea, &mut ja);
            event_decode::json::encode(eb, &mut jb);
            assert_eq!(
                canonical_strings(&ja),
                canonical_strings(&jb),
                "the decoders disagree: {a:?} against {b:?}"
            );
        }
    }
});

/// Canonical JSON text (as `json::encode` writes it) with every string that
/// is a YAML 1.2 core-schema boolean or integer rewritten the way the DOM
/// baseline renders the resolved value.
fn canonical_strings(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    let mut i = 0;
    while i < json.len() {
        if json[i] != b'"' {
            out.push(json[i]);
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut j = start;
        while j < json.len() && json[j] != b'"' {
            j += if json[j] == b'\\' { 2 } else { 1 };
        }
        let text = &json[start..j.min(json.len())];
        out.push(b'"');
        out.extend_from_slice(&canonical(text));
        out.push(b'"');
        i = j + 1;
    }
    out
}

fn canonical(text: &[u8]) -> Vec<u8> {
    match text {
        b"true" | b"True" | b"TRUE" => return b"true".to_vec(),
        b"false" | b"False" | b"FALSE" => return b"false".to_vec(),
        _ => {}
    }
    let Ok(s) = std::str::from_utf8(text) else {
        return text.to_vec();
    };
    let int = if let Some(hex) = s.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = s.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()
    } else if s
        .bytes()
        .enumerate()
        .all(|(k, c)| c.is_ascii_digit() || (k == 0 && (c == b'+' || c == b'-')))
    {
        s.parse::<i64>().ok()
    } else {
        None
    };
    match int {
        Some(n) => n.to_string().into_bytes(),
        None => text.to_vec(),
    }
}
