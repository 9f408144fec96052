//! One JSON object through the JSON decoder (default and tight limits), and
//! the same bytes as a JSON-lines stream: the in-memory splitter and the
//! reader agree, and every frame decodes or fails with a located error.
#![no_main]

use event_decode::DecodeConfig;
use event_decode::json::{self, JsonDecoder, JsonLines};
use libfuzzer_sys::fuzz_target;
use veltrix_fuzz::{Item, Where, check_decode, check_frame_in, chunked, drain};

fuzz_target!(|data: &[u8]| {
    check_decode(&mut JsonDecoder::new(), data, Where::Text);
    let mut tight = JsonDecoder::with_config(
        &DecodeConfig::new()
            .max_depth(4)
            .max_items(8)
            .max_string_bytes(32)
            .max_event_bytes(1024),
    );
    check_decode(&mut tight, data, Where::Text);

    // Lines: the slice splitter and the reader (small chunks) agree.
    let capacity = data.first().map_or(1, |&b| usize::from(b % 32) + 1);
    let slice: Vec<Item> = json::lines(data).map(|f| Item::of(Ok(f))).collect();
    let read = drain(&mut JsonLines::new(chunked(data, capacity)), 10_000, true);
    assert_eq!(slice, read, "json::lines and JsonLines disagree");
    let mut number = 0;
    for item in &slice {
        let Item::Frame(bytes, n, offset, line) = item else {
            unreachable!("the slice splitter has no errors")
        };
        number += 1;
        assert_eq!(*n, number, "frames are numbered 1, 2, ...");
        check_frame_in(data, bytes, *offset, Some(*line));
    }
});
