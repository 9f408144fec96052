//! The downstream API: `from_slice` against each format's decoder, and
//! `EventReader` over every kind of stream ending (clean, resynchronised,
//! cut short) with positions and frame bytes.

use bumpalo::Bump;
use event_decode::{
    Category, DecodeConfig, DecodeError, Decoder, EventReader, Format, Item, Limit, from_slice,
    from_slice_with,
};
use event_model::{OwnedEvent, corpus};

/// What one read gave, owned.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq)]
enum Seen {
    Event {
        event: OwnedEvent,
        number: u64,
        offset: u64,
        line: u64,
        bytes: Vec<u8>,
    },
    Bad {
        error: DecodeError,
        bytes: Option<Vec<u8>>,
        resumes: bool,
    },
    CutShort(DecodeError),
}

fn read_all(format: Format, stream: &[u8], cfg: &DecodeConfig) -> Vec<Seen> {
    let mut reader = EventReader::new(format, stream, cfg);
    let mut arena = Bump::new();
    let mut seen = Vec::new();
    loop {
        arena.reset();
        let item = match reader.read_event_into(&arena) {
            None => break,
            Some(item) => item,
        };
        seen.push(match item {
            Item::Event { event, frame } => Seen::Event {
                event: event.to_owned(),
                number: frame.number,
                offset: frame.offset,
                line: frame.line,
                bytes: frame.bytes.to_vec(),
            },
            Item::Bad {
                error,
                frame,
                resumes,
            } => Seen::Bad {
                error,
                bytes: frame.map(|f| f.bytes.to_vec()),
                resumes,
            },
            Item::CutShort { error } => Seen::CutShort(error),
        });
        assert!(seen.len() < 100, "the reader does not end");
    }
    // The end is sticky.
    assert!(reader.read_event_into(&arena).is_none());
    seen
}

fn proto_frame(event: &OwnedEvent) -> Vec<u8> {
    let arena = Bump::new();
    let mut out = Vec::new();
    event_decode::protobuf::encode_length_delimited(&event.as_view(&arena), &mut out);
    out
}

fn events() -> Vec<OwnedEvent> {
    corpus::corpus(7, 3)
        .into_iter()
        .map(OwnedEvent::with_sorted_attrs)
        .collect()
}

#[test]
fn from_slice_decodes_one_event_of_each_format() {
    let arena = Bump::new();
    for event in events() {
        let view = event.as_view(&arena);
        let mut yaml = String::new();
        event_decode::yaml::encode(&view, &mut yaml);
        let mut json = Vec::new();
        event_decode::json::encode(&view, &mut json);
        let mut proto = Vec::new();
        event_decode::protobuf::encode(&view, &mut proto);
        for (format, bytes) in [
            (Format::Yaml, yaml.as_bytes()),
            (Format::Json, &json[..]),
            (Format::Protobuf, &proto[..]),
        ] {
            let got = from_slice(format, bytes, &arena).unwrap().to_owned();
            assert_eq!(got, event, "{format:?}");
            let by_decoder = format
                .decoder(&DecodeConfig::new())
                .decode(bytes, &arena)
                .unwrap()
                .to_owned();
            assert_eq!(got, by_decoder, "{format:?}");
            // The configuration is the decoder's.
            let e = from_slice_with(
                format,
                bytes,
                &arena,
                &DecodeConfig::new().max_event_bytes(8),
            )
            .unwrap_err();
            assert_eq!(e.limit(), Some(Limit::EventBytes), "{format:?}");
        }
    }
}

#[test]
fn unknown_fields_follow_the_policy() {
    let arena = Bump::new();
    let mut line = Vec::new();
    event_decode::json::encode(&events()[0].as_view(&arena), &mut line);
    let line = [b"{\"extra\":1,".as_slice(), &line[1..]].concat();
    assert!(from_slice(Format::Json, &line, &arena).is_ok());
    let e = from_slice_with(
        Format::Json,
        &line,
        &arena,
        &DecodeConfig::new().deny_unknown_fields(),
    )
    .unwrap_err();
    assert_eq!(e.category(), Category::Data);
    assert!(e.to_string().contains("extra"), "{e}");
}

#[test]
fn json_lines_resynchronise_with_positions_and_bytes() {
    let arena = Bump::new();
    let evs = events();
    let mut stream = Vec::new();
    event_decode::json::encode(&evs[0].as_view(&arena), &mut stream);
    let first_len = stream.len() as u64;
    stream.extend_from_slice(b"\n{\"id\": 1}\n");
    event_decode::json::encode(&evs[1].as_view(&arena), &mut stream);
    let seen = read_all(Format::Json, &stream, &DecodeConfig::new());
    assert_eq!(seen.len(), 3, "{seen:?}");
    let Seen::Event {
        event,
        number: 1,
        offset: 0,
        line: 1,
        ..
    } = &seen[0]
    else {
        panic!("{:?}", seen[0])
    };
    assert_eq!(event, &evs[0]);
    let Seen::Bad {
        error,
        bytes: Some(bytes),
        resumes: true,
    } = &seen[1]
    else {
        panic!("{:?}", seen[1])
    };
    assert_eq!(bytes, b"{\"id\": 1}");
    assert_eq!(error.event_number(), Some(2));
    // The blank line is line 2: the bad line is line 3 of the stream.
    assert_eq!(error.line(), Some(3));
    let Seen::Event {
        event,
        number: 3,
        offset,
        line: 4,
        ..
    } = &seen[2]
    else {
        panic!("{:?}", seen[2])
    };
    assert_eq!(*offset, first_len + 1 + 10);
    assert_eq!(event, &evs[1]);
}

#[test]
fn yaml_documents_resynchronise() {
    let arena = Bump::new();
    let evs = events();
    let mut stream = String::new();
    event_decode::yaml::encode(&evs[0].as_view(&arena), &mut stream);
    // The encoder starts every document with `---`.
    stream.push_str("---\nseq: [\n");
    let error_line = stream.lines().count() as u64;
    event_decode::yaml::encode(&evs[1].as_view(&arena), &mut stream);
    let seen = read_all(Format::Yaml, stream.as_bytes(), &DecodeConfig::new());
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(matches!(&seen[0], Seen::Event { event, number: 1, .. } if *event == evs[0]));
    assert!(matches!(
        &seen[1],
        Seen::Bad { error, bytes: Some(_), resumes: true }
            if error.event_number() == Some(2) && error.line() == Some(error_line)
    ));
    assert!(matches!(&seen[2], Seen::Event { event, number: 3, .. } if *event == evs[1]));
}

#[test]
fn an_oversize_yaml_document_is_one_bad_frame_without_bytes() {
    let arena = Bump::new();
    let evs = events();
    let mut stream = String::new();
    event_decode::yaml::encode(&evs[0].as_view(&arena), &mut stream);
    stream.push_str("---\n");
    stream.push_str(&"# padding\n".repeat(200));
    stream.push_str("id: x\n");
    event_decode::yaml::encode(&evs[1].as_view(&arena), &mut stream);
    let cfg = DecodeConfig::new().max_event_bytes(1024);
    let seen = read_all(Format::Yaml, stream.as_bytes(), &cfg);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(matches!(
        &seen[1],
        Seen::Bad { error, bytes: None, resumes: true }
            if error.limit() == Some(Limit::EventBytes) && error.event_number() == Some(2)
    ));
    assert!(matches!(&seen[2], Seen::Event { event, .. } if *event == evs[1]));
}

#[test]
fn an_oversize_protobuf_frame_with_an_intact_prefix_is_skipped() {
    let mut evs = events();
    // The largest event goes in the middle, over a limit the others fit.
    evs.sort_by_key(|e| proto_frame(e).len());
    evs.swap(1, 2);
    let payload = |e: &OwnedEvent| {
        let arena = Bump::new();
        let mut out = Vec::new();
        event_decode::protobuf::encode(&e.as_view(&arena), &mut out);
        out.len()
    };
    let max = payload(&evs[0]).max(payload(&evs[2]));
    assert!(
        payload(&evs[1]) > max,
        "the corpus events have the same size"
    );
    let mut stream = proto_frame(&evs[0]);
    let first = stream.len() as u64;
    stream.extend_from_slice(&proto_frame(&evs[1]));
    stream.extend_from_slice(&proto_frame(&evs[2]));
    let cfg = DecodeConfig::new().max_event_bytes(max);
    let seen = read_all(Format::Protobuf, &stream, &cfg);
    assert_eq!(seen.len(), 3, "{seen:?}");
    let Seen::Event {
        event,
        number: 1,
        offset,
        line: 1,
        bytes,
    } = &seen[0]
    else {
        panic!("{:?}", seen[0])
    };
    assert_eq!(event, &evs[0]);
    let prefix = proto_frame(&evs[0]).len() - bytes.len();
    assert_eq!(*offset, prefix as u64);
    assert_eq!(bytes[..], proto_frame(&evs[0])[prefix..]);
    let Seen::Bad {
        error,
        bytes: None,
        resumes: true,
    } = &seen[1]
    else {
        panic!("{:?}", seen[1])
    };
    assert_eq!(error.limit(), Some(Limit::EventBytes));
    assert_eq!(
        (error.event_number(), error.byte_offset()),
        (Some(2), Some(first))
    );
    assert!(matches!(&seen[2], Seen::Event { event, number: 3, .. } if *event == evs[2]));
}

#[test]
fn a_truncated_protobuf_frame_cuts_the_stream_short() {
    let evs = events();
    let mut stream = proto_frame(&evs[0]);
    stream.extend_from_slice(&[50, 1, 2, 3]);
    let seen = read_all(Format::Protobuf, &stream, &DecodeConfig::new());
    assert_eq!(seen.len(), 3, "{seen:?}");
    let Seen::Bad {
        error,
        bytes: None,
        resumes: false,
    } = &seen[1]
    else {
        panic!("{:?}", seen[1])
    };
    assert_eq!(error.category(), Category::Eof);
    assert_eq!(error.event_number(), Some(2));
    assert_eq!(seen[2], Seen::CutShort(error.clone()));
}

#[test]
fn a_broken_protobuf_length_prefix_cuts_the_stream_short() {
    let evs = events();
    let mut stream = proto_frame(&evs[0]);
    stream.extend_from_slice(&[0xff; 11]);
    stream.extend_from_slice(&proto_frame(&evs[1]));
    let seen = read_all(Format::Protobuf, &stream, &DecodeConfig::new());
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(matches!(
        &seen[1],
        Seen::Bad { error, bytes: None, resumes: false } if error.category() == Category::Syntax
    ));
    assert!(matches!(&seen[2], Seen::CutShort(e) if e.category() == Category::Syntax));
}

#[test]
fn an_oversize_frame_missing_its_end_is_rejected_once() {
    let evs = events();
    let mut stream = proto_frame(&evs[0]);
    // A 100,000-byte frame over the default 64 KiB limit, of which 5 bytes
    // are there.
    stream.extend_from_slice(&[0xa0, 0x8d, 0x06, 1, 2, 3, 4, 5]);
    let seen = read_all(Format::Protobuf, &stream, &DecodeConfig::new());
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(matches!(
        &seen[1],
        Seen::Bad { error, bytes: None, resumes: true }
            if error.limit() == Some(Limit::EventBytes) && error.event_number() == Some(2)
    ));
    // The missing rest belongs to frame 2, already rejected: no new bad
    // frame, the stream is cut short.
    assert!(matches!(
        &seen[2],
        Seen::CutShort(e) if e.category() == Category::Eof && e.event_number() == Some(2)
    ));
}

#[test]
fn a_clean_end_is_none_and_an_empty_stream_has_no_items() {
    for format in [Format::Yaml, Format::Json, Format::Protobuf] {
        assert!(read_all(format, b"", &DecodeConfig::new()).is_empty());
    }
}

#[test]
fn frame_bytes_live_in_the_callers_arena() {
    let arena = Bump::new();
    let evs = events();
    let mut stream = Vec::new();
    event_decode::json::encode(&evs[0].as_view(&arena), &mut stream);
    let mut reader = EventReader::new(Format::Json, &stream[..], &DecodeConfig::new());
    let kept = Bump::new();
    let before = kept.allocated_bytes();
    let Some(Item::Event { frame, .. }) = reader.read_event_into(&kept) else {
        panic!("no event");
    };
    // The reader may go on; the frame stays valid with the arena.
    assert!(reader.read_event_into(&arena).is_none());
    assert_eq!(frame.bytes, &stream[..stream.len() - 1]);
    assert!(kept.allocated_bytes() > before);
}
