//! Length-delimited streams: from a reader and from a slice.

use std::io::BufReader;

use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::frames::FrameReader;
use event_decode::protobuf::{
    LengthDelimitedFrames, ZeroCopyDecoder, encode, encode_length_delimited, length_delimited,
};
use event_decode::{Category, Decoder, Limit, Position};
use event_model::{OwnedEvent, corpus};
use prost::Message;

use crate::alloc;

fn stream(events: &[OwnedEvent]) -> (Vec<u8>, Vec<u64>) {
    let arena = Bump::new();
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for e in events {
        let mut one = Vec::new();
        encode(&e.as_view(&arena), &mut one);
        let before = out.len();
        encode_length_delimited(&e.as_view(&arena), &mut out);
        offsets.push((out.len() - one.len()) as u64);
        assert_eq!(&out[before..], {
            let mut want = Vec::new();
            prost::encoding::encode_varint(one.len() as u64, &mut want);
            want.extend_from_slice(&one);
            want
        });
    }
    (out, offsets)
}

type Frames = Result<(Vec<u8>, u64, u64), event_decode::DecodeError>;

/// The slice reader's frames as owned tuples.
fn collect(frames: event_decode::protobuf::LengthDelimitedSlice<'_>) -> Vec<Frames> {
    frames
        .map(|r| r.map(|f| (f.bytes.to_vec(), f.number, f.offset)))
        .collect()
}

/// Reads every frame of `bytes` through a `BufReader` of `capacity`.
fn read_all(bytes: &[u8], capacity: usize, max: usize) -> Vec<Frames> {
    let mut frames = LengthDelimitedFrames::with_config(
        BufReader::with_capacity(capacity, bytes),
        &DecodeConfig::new().max_event_bytes(max),
    );
    let mut out = Vec::new();
    loop {
        match frames.next_frame() {
            Ok(Some(f)) => out.push(Ok((f.bytes.to_vec(), f.number, f.offset))),
            Ok(None) => return out,
            Err(e) => out.push(Err(e)),
        }
    }
}

#[test]
fn a_stream_round_trips_through_both_readers() {
    let events = corpus::corpus(11, 300);
    let (bytes, offsets) = stream(&events);
    for capacity in [1, 7, 64, 8192] {
        let got = read_all(&bytes, capacity, 64 * 1024);
        assert_eq!(got.len(), events.len());
        for (i, frame) in got.into_iter().enumerate() {
            let (frame, number, offset) = frame.unwrap();
            assert_eq!((number, offset), (i as u64 + 1, offsets[i]));
            let arena = Bump::new();
            let ev = ZeroCopyDecoder::new().decode(&frame, &arena).unwrap();
            assert_eq!(ev.to_owned(), events[i].clone().with_sorted_attrs());
        }
    }
    let slice: Vec<_> = length_delimited(&bytes).collect::<Result<_, _>>().unwrap();
    assert_eq!(slice.len(), events.len());
    for (i, f) in slice.iter().enumerate() {
        assert_eq!((f.number, f.offset, f.line), (i as u64 + 1, offsets[i], 1));
        // Zero copy: the frame is a sub-slice of the stream.
        let start = f.offset as usize;
        assert!(std::ptr::eq(f.bytes.as_ptr(), bytes[start..].as_ptr()));
        // prost reads the same frames.
        let mut rest = &bytes[start - prost::length_delimiter_len(f.bytes.len())..];
        let msg = event_model::proto::Event::decode_length_delimited(&mut rest).unwrap();
        assert_eq!(msg.encoded_len(), f.bytes.len());
    }
}

#[test]
fn a_truncated_final_frame_is_an_eof_error() {
    let events = corpus::corpus(12, 3);
    let (bytes, offsets) = stream(&events);
    let cut = &bytes[..bytes.len() - 5];
    for got in [read_all(cut, 16, 1 << 16), collect(length_delimited(cut))] {
        assert_eq!(got.len(), 3);
        assert!(got[0].is_ok() && got[1].is_ok());
        let e = got[2].as_ref().unwrap_err();
        assert_eq!(e.category(), Category::Eof);
        assert_eq!(e.event_number(), Some(3));
        assert_eq!(e.position(), Some(Position::Byte { offset: offsets[2] }));
        let len = bytes.len() - offsets[2] as usize;
        assert_eq!(
            e.message(),
            format!(
                "stream ends inside a frame: {} of its {len} bytes are there",
                len - 5
            )
        );
    }
}

#[test]
fn a_truncated_length_is_an_eof_error() {
    // A complete empty frame, then the first byte of a two-byte length.
    let bytes = [0x00, 0x96];
    for got in [
        read_all(&bytes, 1, 1 << 16),
        collect(length_delimited(&bytes)),
    ] {
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].as_ref().unwrap(), &(vec![], 1, 1));
        let e = got[1].as_ref().unwrap_err();
        assert_eq!(
            (e.category(), e.byte_offset(), e.event_number(), e.message()),
            (
                Category::Eof,
                Some(1),
                Some(2),
                "stream ends inside a frame length"
            )
        );
    }
    let bad = [0xff; 11];
    let e = length_delimited(&bad).next().unwrap().unwrap_err();
    assert_eq!(
        (e.category(), e.message()),
        (Category::Syntax, "frame length is not a valid varint")
    );
}

#[test]
fn an_oversize_frame_is_a_limit_error_and_is_skipped() {
    // Frames of 3, 20 and 2 bytes; the maximum is 10.
    let mut bytes = vec![3, 1, 2, 3, 20];
    bytes.extend_from_slice(&[7; 20]);
    bytes.extend_from_slice(&[2, 8, 9]);
    let check = |got: Vec<Frames>| {
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].as_ref().unwrap(), &(vec![1, 2, 3], 1, 1));
        let e = got[1].as_ref().unwrap_err();
        assert_eq!(
            (e.category(), e.limit(), e.event_number(), e.byte_offset()),
            (Category::Limit, Some(Limit::EventBytes), Some(2), Some(4))
        );
        assert_eq!(
            e.message(),
            "frame of 20 bytes exceeds limit max_event_bytes (10); skipped"
        );
        assert_eq!(got[2].as_ref().unwrap(), &(vec![8, 9], 3, 26));
    };
    check(read_all(&bytes, 3, 10));
    check(collect(
        event_decode::protobuf::LengthDelimitedSlice::with_config(
            &bytes,
            &DecodeConfig::new().max_event_bytes(10),
        ),
    ));
}

/// A huge declared length fails before anything is allocated for it.
#[test]
fn an_oversize_length_allocates_nothing() {
    let mut bytes = Vec::new();
    prost::encoding::encode_varint(u64::MAX / 2, &mut bytes);
    let mut frames = LengthDelimitedFrames::new(&bytes[..]);
    let (e, info) = alloc::measure(|| {
        frames
            .next_frame()
            .map(|f| f.map(|f| f.bytes.len()))
            .unwrap_err()
    });
    assert_eq!(e.limit(), Some(Limit::EventBytes));
    // The error itself (box and message) is all that is allocated.
    assert!(info.bytes_max < 1024, "{info:?}");
    let e = frames.next_frame().unwrap_err();
    assert_eq!(e.category(), Category::Eof);
    assert!(frames.next_frame().unwrap().is_none());
}

/// A frame error located in the stream: the decoder's offset moves by the
/// frame's offset and gains the event number.
#[test]
fn frame_errors_are_located_in_the_stream() {
    let mut bytes = Vec::new();
    let ev = &corpus::corpus(14, 1)[0];
    let arena = Bump::new();
    encode_length_delimited(&ev.as_view(&arena), &mut bytes);
    bytes.extend_from_slice(&[3, 0x0a, 0x01, 0xff]);
    let frames: Vec<_> = length_delimited(&bytes).collect::<Result<_, _>>().unwrap();
    let bad = frames[1];
    let e = ZeroCopyDecoder::new()
        .decode(bad.bytes, &arena)
        .unwrap_err();
    let e = bad.locate(e);
    assert_eq!(e.event_number(), Some(2));
    assert_eq!(e.byte_offset(), Some(bytes.len() as u64 - 1));
    assert_eq!(e.path(), "id");
}

/// The reader reuses its buffer: once it has held the largest frame, reading
/// allocates nothing.
#[test]
fn the_frame_buffer_is_reused() {
    let (events, _) = stream(&corpus::corpus(15, 200));
    let mut bytes = Vec::new();
    prost::encoding::encode_varint(4096, &mut bytes);
    bytes.extend_from_slice(&[0; 4096]);
    bytes.extend_from_slice(&events);
    let mut frames = LengthDelimitedFrames::new(BufReader::new(&bytes[..]));
    assert_eq!(frames.next_frame().unwrap().unwrap().bytes.len(), 4096);
    let (count, info) = alloc::measure(|| {
        let mut n = 0;
        while let Some(f) = frames.next_frame().unwrap() {
            n += usize::from(!f.bytes.is_empty());
        }
        n
    });
    assert_eq!(count, 200);
    assert_eq!(info.count_total, 0, "{info:?}");
}
