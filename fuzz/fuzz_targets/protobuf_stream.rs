//! A length-delimited protobuf stream: the in-memory splitter and the reader
//! (at every chunk size, and with a small maximum frame) agree up to and
//! including their first error; frames sit where they say; every frame
//! decodes or fails with an error located in the stream.
#![no_main]

use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::protobuf::{LengthDelimitedFrames, ZeroCopyDecoder, length_delimited};
use event_decode::{Category, Decoder, Limit};
use libfuzzer_sys::fuzz_target;
use veltrix_fuzz::{Item, Where, check_error, check_frame_in, check_round_trips, chunked, drain};

/// Items up to and including the first error that ends the stream (limit
/// errors on an oversize frame that fits are skipped over by both readers).
fn until_fatal(items: impl IntoIterator<Item = Item>) -> Vec<Item> {
    let mut out = Vec::new();
    for item in items {
        let fatal = matches!(&item, Item::Error(e) if e.category() != Category::Limit);
        out.push(item);
        if fatal {
            break;
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let capacity = data.first().map_or(1, |&b| usize::from(b % 32) + 1);
    for max in [usize::MAX, 64, 0] {
        let slice = until_fatal(
            event_decode::protobuf::LengthDelimitedSlice::with_config(
                data,
                &DecodeConfig::new().max_event_bytes(max),
            )
            .map(Item::of),
        );
        let mut reader = LengthDelimitedFrames::with_config(
            chunked(data, capacity),
            &DecodeConfig::new().max_event_bytes(max),
        );
        let read = until_fatal(drain(&mut reader, 10_000, true));
        // The slice stops at an oversize frame it cannot skip; the reader
        // reports the same error, then the end of the stream inside it.
        assert!(
            read.len() >= slice.len(),
            "the reader stopped early: {read:?} vs {slice:?}"
        );
        assert_eq!(
            slice[..],
            read[..slice.len()],
            "length_delimited and LengthDelimitedFrames disagree (max {max})"
        );
        if let [.., Item::Error(last)] = &read[slice.len()..] {
            assert!(
                read.len() == slice.len() + 1 && last.is_eof(),
                "{read:?} vs {slice:?}"
            );
            assert!(
                matches!(slice.last(), Some(Item::Error(e)) if e.limit() == Some(Limit::EventBytes))
            );
        } else {
            assert_eq!(read.len(), slice.len(), "{read:?} vs {slice:?}");
        }
        let len = data.len() as u64;
        for item in &slice {
            match item {
                Item::Frame(bytes, _, offset, _) => {
                    assert!(bytes.len() <= max);
                    check_frame_in(data, bytes, *offset, None);
                }
                Item::Error(e) => {
                    check_error(e, Where::Bytes(len));
                    if e.category() == Category::Limit {
                        assert_eq!(e.limit(), Some(Limit::EventBytes));
                    }
                }
            }
        }
    }

    let mut decoder = ZeroCopyDecoder::new();
    for frame in length_delimited(data).flatten() {
        let arena = Bump::new();
        match decoder.decode(frame.bytes, &arena) {
            Ok(event) => check_round_trips(&event),
            Err(e) => {
                let e = frame.locate(e);
                assert_eq!(e.event_number(), Some(frame.number));
                check_error(&e, Where::Bytes(data.len() as u64));
                let at = e.byte_offset().unwrap_or(0);
                assert!(at >= frame.offset, "error before its frame: {e:?}");
            }
        }
    }
});
