//! A multi-document YAML stream: the in-memory splitter and the reader (at
//! every chunk size) give the same frames, frames are numbered in order and
//! sit where they say, each decodes or fails with an error located in the
//! stream; and under a tiny size limit the reader never hands out a frame
//! over the limit and reports each oversized document once, in order.
#![no_main]

use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::yaml::{self, YamlDecoder, YamlFrames};
use event_decode::{Category, Decoder, Limit, Limits};
use libfuzzer_sys::fuzz_target;
use veltrix_fuzz::{
    Item, Where, check_error, check_round_trips, check_yaml_frame_in, chunked, drain,
};

fuzz_target!(|data: &[u8]| {
    let capacity = data.first().map_or(1, |&b| usize::from(b % 32) + 1);
    let slice: Vec<Item> = yaml::documents(data).map(|f| Item::of(Ok(f))).collect();
    let read = drain(&mut YamlFrames::new(chunked(data, capacity)), 10_000, true);
    assert_eq!(slice, read, "yaml::documents and YamlFrames disagree");

    let mut decoder = YamlDecoder::new();
    for (i, frame) in yaml::documents(data).enumerate() {
        assert_eq!(
            frame.number,
            i as u64 + 1,
            "documents are numbered 1, 2, ..."
        );
        check_yaml_frame_in(data, frame.bytes, frame.offset, frame.line);
        let arena = Bump::new();
        match decoder.decode(frame.bytes, &arena) {
            Ok(event) => check_round_trips(&event),
            Err(e) => {
                let e = frame.locate(e);
                assert_eq!(e.event_number(), Some(frame.number));
                check_error(&e, Where::Text);
                let line = e.line().unwrap_or(0);
                assert!(line >= frame.line, "error above its document: {e:?}");
            }
        }
    }

    // A tiny size limit: frames stay under it, oversized documents are
    // limit errors, and numbering stays strictly increasing.
    let max = 48;
    let limits = Limits {
        max_event_bytes: max,
        ..Limits::DEFAULT
    };
    let mut last = 0;
    for item in drain(
        &mut YamlFrames::with_config(
            chunked(data, capacity),
            &DecodeConfig::new().with_limits(limits),
        ),
        10_000,
        true,
    ) {
        let number = match item {
            Item::Frame(bytes, number, offset, line) => {
                assert!(
                    bytes.len() <= max,
                    "a frame of {} bytes over the limit",
                    bytes.len()
                );
                check_yaml_frame_in(data, &bytes, offset, line);
                number
            }
            Item::Error(e) => {
                assert_eq!(e.category(), Category::Limit, "{e:?}");
                assert_eq!(e.limit(), Some(Limit::EventBytes), "{e:?}");
                check_error(&e, Where::Text);
                e.event_number()
                    .expect("a framing error names its document")
            }
        };
        assert!(
            number > last,
            "document numbers go backwards: {number} after {last}"
        );
        last = number;
    }
});
