//! Multi-document streams: the slice splitter and the buffered reader agree,
//! positions are stream positions, oversized documents are skipped, anchors
//! stay in their document.

use std::io::{BufReader, Cursor};

use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::frames::{Frame, FrameReader};
use event_decode::yaml::{self, YamlDecoder, YamlFrames};
use event_decode::{Category, Decoder, Limit, Limits};
use proptest::prelude::*;

type Owned = (Vec<u8>, u64, u64, u64);

fn owned(f: Frame<'_>) -> Owned {
    (f.bytes.to_vec(), f.number, f.offset, f.line)
}

/// Every frame of `stream` read through a `BufReader` of `capacity` bytes.
fn read_all(stream: &[u8], capacity: usize, limits: Limits) -> Vec<Result<Owned, String>> {
    let mut frames = YamlFrames::with_config(
        BufReader::with_capacity(capacity, Cursor::new(stream)),
        &DecodeConfig::new().with_limits(limits),
    );
    let mut out = Vec::new();
    loop {
        match frames.next_frame() {
            Ok(Some(f)) => out.push(Ok(owned(f))),
            Ok(None) => return out,
            Err(e) => out.push(Err(e.to_string())),
        }
        assert!(out.len() < 10_000, "runaway reader");
    }
}

fn slices(stream: &[u8]) -> Vec<Result<Owned, String>> {
    yaml::documents(stream).map(|f| Ok(owned(f))).collect()
}

#[test]
fn splits_at_markers_with_directives_comments_and_bom() {
    let stream = b"\xEF\xBB\xBF# header comment\n\
        a: 1\n\
        ---\n\
        b: 2\n\
        ...\n\
        # between documents\n\
        %YAML 1.2\n\
        --- {c: 3}\n\
        --- \n\
        ----: not a marker\n\
        \"...\": nor this\n\
        ...\n";
    let docs: Vec<Owned> = yaml::documents(stream).map(owned).collect();
    let expected: Vec<(&[u8], u64, u64, u64)> = vec![
        (b"# header comment\na: 1\n", 1, 3, 1),
        (b"---\nb: 2\n...\n", 2, 25, 3),
        (b"# between documents\n%YAML 1.2\n--- {c: 3}\n", 3, 38, 6),
        (
            b"--- \n----: not a marker\n\"...\": nor this\n...\n",
            4,
            79,
            9,
        ),
    ];
    assert_eq!(docs.len(), expected.len());
    for (got, want) in docs.iter().zip(&expected) {
        assert_eq!(
            (got.0.as_slice(), got.1, got.2, got.3),
            *want,
            "{}",
            String::from_utf8_lossy(&got.0)
        );
        assert_eq!(
            &stream[got.2 as usize..got.2 as usize + got.0.len()],
            got.0.as_slice()
        );
    }
    for capacity in [1, 3, 8, 64] {
        assert_eq!(
            read_all(stream, capacity, Limits::DEFAULT),
            slices(stream),
            "capacity {capacity}"
        );
    }
    assert!(yaml::documents(b"# only a comment\n\n").next().is_none());
    assert_eq!(yaml::documents(b"---\n---\na: 1").count(), 2);
}

fn piece() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(
        &[
            "---\n",
            "--- \n",
            "...\n",
            "# comment\n",
            "\n",
            "%YAML 1.2\n",
            "a: 1\n",
            "b: [1, 2]\n",
            "  - x\n",
            "c: \"---\"\n",
            "d: |\n  ...\n",
            "---x\n",
            "... \r\n",
            "e: f",
            "--- g\n",
        ][..],
    )
}

proptest! {
    #[test]
    fn reader_and_slices_agree(pieces in proptest::collection::vec(piece(), 0..40), capacity in 1usize..40) {
        let stream = pieces.concat().into_bytes();
        prop_assert_eq!(read_all(&stream, capacity, Limits::DEFAULT), slices(&stream));
    }
}

#[test]
fn oversized_document_is_reported_and_skipped() {
    let big = format!("---\nid: big\nnote: {}\n", "x".repeat(5000));
    let stream = format!(
        "---\na: 1\n{big}---\nc: 3\n...\n---\nd: {}\n---\ne: 5\n",
        "y".repeat(3000)
    );
    let limits = Limits {
        max_event_bytes: 1000,
        ..Limits::DEFAULT
    };
    for capacity in [7, 4096] {
        let got = read_all(stream.as_bytes(), capacity, limits);
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(got[0], Ok((b"---\na: 1\n".to_vec(), 1, 0, 1)));
        assert_eq!(
            got[1],
            Err("event 2, line 3, column 1: a document of more than 1000 bytes exceeds limit max_event_bytes (1000)".to_owned())
        );
        let c_offset = (9 + big.len()) as u64;
        assert_eq!(got[2], Ok((b"---\nc: 3\n...\n".to_vec(), 3, c_offset, 6)));
        assert!(
            matches!(&got[3], Err(m) if m.starts_with("event 4, line 9, column 1: a document of more"))
        );
        let e_offset = stream.len() as u64 - 9;
        assert_eq!(got[4], Ok((b"---\ne: 5\n".to_vec(), 5, e_offset, 11)));
    }
    let mut frames = YamlFrames::with_config(
        Cursor::new(stream.as_bytes()),
        &DecodeConfig::new().with_limits(limits),
    );
    frames.next_frame().unwrap();
    let e = frames.next_frame().unwrap_err();
    assert_eq!(
        (e.category(), e.limit(), e.event_number()),
        (Category::Limit, Some(Limit::EventBytes), Some(2))
    );
}

#[test]
fn anchors_stay_in_their_document_and_errors_have_stream_positions() {
    let stream = "---\nid: e1\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: &p plr_1\nregion: eu\n\
                  ---\nid: e2\nseq: 2\nts: 5\nkind: heartbeat\nplayer_id: *p\nregion: eu\n\
                  ---\nid: e3\nseq: 3\nts: 5\nkind: heartbeat\nplayer_id: &q plr_3\nregion: *q\n";
    let mut frames = YamlFrames::new(Cursor::new(stream.as_bytes()));
    let mut decoder = YamlDecoder::new();
    let mut results = Vec::new();
    while let Some(frame) = frames.next_frame().unwrap() {
        let arena = Bump::new();
        results.push(
            decoder
                .decode(frame.bytes, &arena)
                .map(|e| e.region.to_owned())
                .map_err(|e| frame.locate(e)),
        );
    }
    assert_eq!(results[0].as_deref(), Ok("eu"));
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.category(), Category::Syntax);
    assert_eq!(
        e.to_string(),
        "event 2, line 13, column 12: player_id: alias to an undefined anchor \"p\""
    );
    assert_eq!(results[2].as_deref(), Ok("plr_3"));
}
