//! One YAML document through the streaming decoder: a valid event that
//! round-trips through every format, or a typed, located error. Also through
//! tight limits, so every limit's error path is reached with small inputs.
#![no_main]

use event_decode::DecodeConfig;
use event_decode::yaml::YamlDecoder;
use libfuzzer_sys::fuzz_target;
use veltrix_fuzz::{Where, check_decode};

fuzz_target!(|data: &[u8]| {
    check_decode(&mut YamlDecoder::new(), data, Where::Text);
    let mut tight = YamlDecoder::with_config(
        &DecodeConfig::new()
            .max_depth(4)
            .max_items(8)
            .max_string_bytes(32)
            .max_alias_events(16)
            .max_event_bytes(1024),
    );
    check_decode(&mut tight, data, Where::Text);
});
