//! Inputs that once crashed or misled a decoder, found by the fuzz targets
//! and the cases above; each test fails on the code before its fix.

use super::*;

/// fuzz `protobuf_stream`: a length of 2^63 + 2^56 with no frame maximum
/// made the reader reserve that many bytes up front (capacity overflow).
#[test]
fn huge_length_prefix_without_a_maximum_is_a_truncated_frame() {
    let crash = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0x01, 0x00,
    ];
    let mut frames = LengthDelimitedFrames::with_config(
        &crash[..],
        &DecodeConfig::new().max_event_bytes(usize::MAX),
    );
    let e = frames
        .next_frame()
        .expect_err("the stream is 11 bytes long");
    assert_eq!(
        (e.category(), e.byte_offset()),
        (Category::Eof, Some(10)),
        "{e:?}"
    );
    assert!(frames.next_frame().expect("the end").is_none());
}

/// yaml-rust2 reads NUL as the end of input: the `kind` after it was
/// silently dropped and the document decoded as a heartbeat.
#[test]
fn yaml_nul_is_refused_not_a_silent_end() {
    let doc = format!("{}\0kind: player_left\n", heartbeat_yaml(""));
    let arena = Bump::new();
    for decoder in [
        &mut YamlDecoder::new() as &mut dyn Decoder,
        &mut DomDecoder::new(),
    ] {
        let e = expect_category(decoder.decode(doc.as_bytes(), &arena), Category::Syntax);
        assert_eq!((e.line(), e.column()), (Some(7), Some(1)), "{e}");
        assert!(
            e.message().contains("NUL") || e.message().contains("U+0000"),
            "{e}"
        );
    }
    let e = yaml::from_str::<std::collections::BTreeMap<String, String>>("a: b\0\nc: d\n")
        .expect_err("NUL in a routing table");
    assert_eq!((e.line(), e.column()), (Some(1), Some(5)), "{e}");
}

/// Comment lines before a document counted against max_event_bytes: a
/// long comment header (or a stream of only comments) was reported as
/// an oversized document 1.
#[test]
fn long_comment_runs_are_not_an_oversized_document() {
    let mut stream = "# header\n".repeat(10_000);
    stream.push_str("---\n");
    stream.push_str(&heartbeat_yaml(""));
    stream.push_str("...\n");
    stream.push_str(&"# trailer\n".repeat(10_000));
    let mut frames = YamlFrames::new(chunked(stream.as_bytes()));
    let frame = frames
        .next_frame()
        .expect("no limit error")
        .expect("one document");
    // The frame starts after the comments it dropped, where it says.
    let at = usize::try_from(frame.offset).expect("offset");
    assert_eq!(frame.number, 1);
    assert!(frame.line > 1, "some leading comments were dropped");
    assert_eq!(&stream.as_bytes()[at..at + frame.bytes.len()], frame.bytes);
    assert_eq!(frame.line, stream[..at].matches('\n').count() as u64 + 1);
    assert!(frame.bytes.len() <= Limits::DEFAULT.max_event_bytes);
    let arena = Bump::new();
    YamlDecoder::new()
        .decode(frame.bytes, &arena)
        .expect("decodes");
    assert!(frames.next_frame().expect("no limit error").is_none());
}

fn chunked(bytes: &[u8]) -> BufReader<&[u8]> {
    BufReader::with_capacity(4096, bytes)
}

/// `attrs` entries were all kept before the distinct-key count was
/// checked: 1M entries under a raised size limit took ~130 MB.
#[test]
fn attrs_entries_count_against_max_items_as_they_arrive() {
    let entry = [0x3a, 0x06, 0x0a, 0x01, b'k', 0x12, 0x01, b'v'];
    let mut msg = PROTO_HEAD.to_vec();
    for _ in 0..4 {
        msg.extend_from_slice(&entry);
    }
    let arena = Bump::new();
    let mut decoder = ZeroCopyDecoder::with_config(&DecodeConfig::new().max_items(4));
    let event = decoder.decode(&msg, &arena).expect("four entries");
    assert_eq!(event.attrs.len(), 1, "duplicates resolve last-wins");
    msg.extend_from_slice(&entry);
    let e = expect_limit(decoder.decode(&msg, &arena), Limit::Items);
    assert_eq!((e.path(), e.byte_offset()), ("attrs", Some(44)), "{e:?}");
}

/// What a frame reader gave, or what it should give.
#[derive(Debug, PartialEq, Eq)]
enum Framed {
    /// Bytes, number, offset, line.
    Frame(Vec<u8>, u64, u64, u64),
    /// A max_event_bytes error: document number, line.
    TooBig(u64, u64),
}

/// Everything `YamlFrames` gives for `input` read in `capacity`-byte
/// chunks under a `max`-byte limit, failing on a frame over the limit or
/// an error other than a max_event_bytes one.
fn yaml_frames_under(input: &[u8], capacity: usize, max: usize) -> Vec<Framed> {
    let config = DecodeConfig::new().with_limits(Limits {
        max_event_bytes: max,
        ..Limits::DEFAULT
    });
    let mut frames = YamlFrames::with_config(BufReader::with_capacity(capacity, input), &config);
    let mut out = Vec::new();
    loop {
        match frames.next_frame() {
            Ok(None) => return out,
            Ok(Some(f)) => {
                assert!(
                    f.bytes.len() <= max,
                    "capacity {capacity}: frame {} is {} bytes, over the limit of {max}",
                    f.number,
                    f.bytes.len()
                );
                out.push(Framed::Frame(f.bytes.to_vec(), f.number, f.offset, f.line));
            }
            Err(e) => {
                assert_eq!(e.category(), Category::Limit, "capacity {capacity}: {e:?}");
                assert_eq!(e.limit(), Some(Limit::EventBytes), "{e:?}");
                let number = e.event_number().expect("the error names its document");
                out.push(Framed::TooBig(number, e.line().expect("and its line")));
            }
        }
        assert!(out.len() <= input.len() + 1, "more items than bytes");
    }
}

/// The reference: the in-memory split of the whole input, documents over
/// `max` turned into limit errors at their number and first line.
fn yaml_documents_under(input: &[u8], max: usize) -> Vec<Framed> {
    yaml::documents(input)
        .map(|f| {
            if f.bytes.len() <= max {
                Framed::Frame(f.bytes.to_vec(), f.number, f.offset, f.line)
            } else {
                Framed::TooBig(f.number, f.line)
            }
        })
        .collect()
}

/// fuzz `yaml_stream` (27-byte chunks, max_event_bytes 48): the stream's
/// last line, `-` with no line break, was let in as a possible `---` (only
/// its own bytes counted) and, the input ending there, never checked again
/// as the content line it is: document 3 (48 bytes before it) came out as a
/// 49-byte frame.
#[test]
fn yaml_frames_last_line_like_a_start_counts_against_the_limit() {
    let input = concat!(
        "\x1a\n-\n#z clu\n\n\n\n\n\n\n-\n-cd44d-1\n\n\n\n\n\n\n\n\n",
        "'''''''''''\n\n\n\n\n-----\nL\n\n\n\n.\n\n\n\n\n\n\n\n\n-\n",
        "---\nid: 4afcd44d-1\n\n\n\n\n\n\n\n\n'''''''''''\n\n\n\n-\n",
        "---\niid: 4afcd444cf-4bffcd4cf-4bffcd444cf-4bfe\n\n-",
    )
    .as_bytes();
    // The fuzz target reads in chunks of (first byte % 32) + 1 bytes.
    assert_eq!(usize::from(input[0] % 32) + 1, 27);
    let expected = yaml_documents_under(input, 48);
    assert_eq!(
        expected,
        [
            Framed::TooBig(1, 1),
            Framed::Frame(input[75..119].to_vec(), 2, 75, 40),
            Framed::TooBig(3, 55),
        ]
    );
    assert_eq!(yaml_frames_under(input, 27, 48), expected);
    for capacity in 1..=64 {
        assert_eq!(
            yaml_frames_under(input, capacity, 48),
            expected,
            "capacity {capacity}"
        );
    }
}

/// The same at every size around the limit: a document whose last line is
/// a prefix of `---` (`-`, `--`) with no line break after it, with LF, CRLF
/// and CR line breaks, at every chunk size; `---` itself starts a document.
#[test]
fn yaml_frames_unterminated_dashes_at_the_end_at_every_size() {
    let max = 24;
    for brk in ["\n", "\r\n", "\r"] {
        for last in ["-", "--", "---", "-x", "---x", "a"] {
            for pad in 0..=max {
                let input = format!("---{brk}a: 1{brk}---{brk}x: {}{brk}{last}", "y".repeat(pad));
                let expected = yaml_documents_under(input.as_bytes(), max);
                for capacity in 1..=max + 8 {
                    assert_eq!(
                        yaml_frames_under(input.as_bytes(), capacity, max),
                        expected,
                        "{input:?} in {capacity}-byte chunks"
                    );
                }
            }
        }
    }
}

/// Found by comparing the reader with the in-memory split under a tight
/// limit (the fuzz target checks neither): a line too long to keep made a
/// limit error even where no document is, and numbered the documents after
/// it one too high. A stray `...` opens no document; directives belong to
/// the next document (over the limit with them) and are dropped if none
/// comes. A byte-order mark, dropped from the stream, counted against the
/// limit of the first document.
#[test]
fn yaml_frames_lines_too_long_outside_documents_are_no_document() {
    let max = 16;
    let long = "x".repeat(30);
    let cases = [
        format!("... # {long}\n---\na: 1\n"),
        format!("%{long}\n"),
        format!("%{long}\n# {long}\n"),
        format!("%{long}\n...\n---\na: 1\n"),
        format!("%Y\n# {long}\n...\n---\na: 1\n"),
        format!("%{long}\n---\na: 1\n---\nb: 2\n"),
        "\u{feff}---\nab: 1234567\n---\nb: 2\n".to_owned(),
        format!("\u{feff}%{long}\n---\na: 1\n"),
        format!("\u{feff}%{long}\n"),
    ];
    for input in &cases {
        let expected = yaml_documents_under(input.as_bytes(), max);
        for capacity in 1..=40 {
            assert_eq!(
                yaml_frames_under(input.as_bytes(), capacity, max),
                expected,
                "{input:?} in {capacity}-byte chunks"
            );
        }
    }
    // What the reference says, spelled out for three of them.
    assert_eq!(
        yaml_documents_under(cases[0].as_bytes(), max),
        [Framed::Frame(b"---\na: 1\n".to_vec(), 1, 37, 2)]
    );
    assert_eq!(yaml_documents_under(cases[1].as_bytes(), max), []);
    assert_eq!(
        yaml_documents_under(cases[6].as_bytes(), max),
        [
            Framed::Frame(b"---\nab: 1234567\n".to_vec(), 1, 3, 1),
            Framed::Frame(b"---\nb: 2\n".to_vec(), 2, 19, 3),
        ]
    );
}
