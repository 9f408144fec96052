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

/// Lines for streams read under a tight limit: markers, prefixes of `---`,
/// blank and comment lines short and long, content around the limit, all
/// three line breaks; any piece may end the stream without its break.
fn tight_piece() -> impl Strategy<Value = String> {
    let line = proptest::sample::select(
        &[
            "---",
            "--- a",
            "...",
            "... # c",
            "-",
            "--",
            "-x",
            "---x",
            "",
            "#",
            "# c",
            " # c",
            "%YAML 1.2",
            "a: 1",
            "b: [1, 2]",
            "  - x",
            "L",
            "---\t",
            "--- #",
            "\t# c",
            "  ",
        ][..],
    );
    let long = proptest::sample::select(
        &[
            "#",
            " #",
            "k: ",
            "--- ",
            "... #",
            "-",
            "%",
            "        ",
            "\t\t\t\t\t\t\t\t#",
        ][..],
    );
    let body = prop_oneof![
        4 => line.prop_map(str::to_owned),
        1 => (long, 1usize..40).prop_map(|(head, n)| format!("{head}{}", "x".repeat(n))),
    ];
    let brk = proptest::sample::select(&["\n", "\n", "\r\n", "\r"][..]);
    (body, brk).prop_map(|(b, brk)| b + brk)
}

/// Line breaks in `bytes` (LF, CRLF or a lone CR).
fn breaks(bytes: &[u8]) -> u64 {
    (0..bytes.len())
        .filter(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count() as u64
}

/// Whether `line` (its break included) is blank or a comment.
fn blank(line: &[u8]) -> bool {
    matches!(
        line.iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')),
        None | Some(b'#')
    )
}

/// `bytes` cut into lines, breaks included.
fn lines_of(mut bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = match bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(i) if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') => i + 2,
            Some(i) => i + 1,
            None => bytes.len(),
        };
        out.push(&bytes[..len]);
        bytes = &bytes[len..];
    }
    out
}

proptest! {
    /// Under a tight limit, the reader's items match the documents one for
    /// one: a document within the limit comes out whole; a larger one is a
    /// limit error at its number, or (when blank and comment lines are all
    /// that pass the limit) a frame of its other lines, never over the limit.
    #[test]
    fn reader_under_a_tight_limit_matches_the_documents(
        pieces in proptest::collection::vec(tight_piece(), 0..30),
        bom in any::<bool>(),
        cut in any::<bool>(),
        capacity in 1usize..40,
        max in 4usize..64,
    ) {
        let mut stream = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        stream.extend_from_slice(pieces.concat().as_bytes());
        if cut {
            while matches!(stream.last(), Some(b'\n' | b'\r')) {
                stream.pop();
            }
        }
        let limits = Limits { max_event_bytes: max, ..Limits::DEFAULT };
        let got = read_all(&stream, capacity, limits);
        let docs: Vec<Frame<'_>> = yaml::documents(&stream).collect();
        prop_assert_eq!(got.len(), docs.len(), "{:?}", got);
        for (item, doc) in got.iter().zip(&docs) {
            let what = format!("document {} {:?}: {:?}", doc.number, String::from_utf8_lossy(doc.bytes), item);
            if doc.bytes.len() <= max {
                prop_assert_eq!(item, &Ok(owned(*doc)), "{}", what);
                continue;
            }
            match item {
                Err(message) => prop_assert!(
                    message.starts_with(&format!("event {}, line ", doc.number))
                        && message.contains("exceeds limit max_event_bytes"),
                    "{}", what
                ),
                Ok((bytes, number, offset, line)) => {
                    prop_assert!(bytes.len() <= max, "{}", what);
                    prop_assert_eq!(*number, doc.number, "{}", what);
                    // Whole lines of the document: blank and comment lines
                    // dropped before and after the rest (and the `...`
                    // that ends it, after comments).
                    let at = (*offset - doc.offset) as usize;
                    prop_assert!(*offset >= doc.offset && at + bytes.len() <= doc.bytes.len(), "{}", what);
                    prop_assert_eq!(&doc.bytes[at..at + bytes.len()], bytes.as_slice(), "{}", what);
                    prop_assert_eq!(*line, doc.line + breaks(&doc.bytes[..at]), "{}", what);
                    let before = lines_of(&doc.bytes[..at]);
                    let mut after = lines_of(&doc.bytes[at + bytes.len()..]);
                    if after.last().is_some_and(|l| l.starts_with(b"...")) {
                        after.pop();
                    }
                    prop_assert!(before.iter().chain(&after).all(|l| blank(l)), "{}", what);
                    prop_assert_eq!(before.concat().len(), at, "{}", what);
                }
            }
        }
    }
}
