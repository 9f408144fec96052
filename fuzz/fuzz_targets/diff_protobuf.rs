//! Differential: the zero-copy decoder and prost accept exactly the same
//! messages and produce the same events (attributes compared sorted: maps
//! are unordered on the wire).
//!
//! Intended divergence (documented on `ProstDecoder`): prost bounds nesting
//! by its own recursion limit (100) and checks string and item limits on
//! the decoded message only, while the zero-copy decoder counts groups
//! against `max_depth` and skipped fields against every limit. So the zero-copy
//! decoder may refuse alone, but only with a limit error.
#![no_main]

use bench_harness::baselines::ProstDecoder;
use bumpalo::Bump;
use event_decode::Decoder;
use event_decode::protobuf::ZeroCopyDecoder;
use libfuzzer_sys::fuzz_target;
use veltrix_fuzz::owned;

fuzz_target!(|data: &[u8]| {
    let arena = Bump::new();
    let zero_copy = ZeroCopyDecoder::new().decode(data, &arena);
    let prost = ProstDecoder::new().decode(data, &arena);
    match (&zero_copy, &prost) {
        (Ok(a), Ok(b)) => assert_eq!(owned(a), owned(b), "the decoders disagree"),
        (Err(_), Err(_)) => {}
        (Err(e), Ok(_)) if e.limit().is_some() => {}
        _ => panic!(
            "one decoder accepts, the other refuses:\nzero-copy {zero_copy:?}\nprost {prost:?}"
        ),
    }
});
