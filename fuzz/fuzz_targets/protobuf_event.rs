//! One protobuf message through the zero-copy decoder (default and tight
//! limits): a valid event that round-trips through every format, or a typed
//! error at a byte offset inside the input.
#![no_main]

use event_decode::DecodeConfig;
use event_decode::protobuf::ZeroCopyDecoder;
use libfuzzer_sys::fuzz_target;
use veltrix_fuzz::{Where, check_decode};

fuzz_target!(|data: &[u8]| {
    let place = Where::Bytes(data.len() as u64);
    check_decode(&mut ZeroCopyDecoder::new(), data, place);
    let mut tight = ZeroCopyDecoder::with_config(
        &DecodeConfig::new()
            .max_depth(3)
            .max_items(8)
            .max_string_bytes(32)
            .max_event_bytes(1024),
    );
    check_decode(&mut tight, data, place);
});
