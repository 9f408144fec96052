//! Invariants shared by the Veltrix fuzz targets.
//!
//! Every target asserts more than "no panic": errors are typed and located,
//! an event that decodes is valid and survives a round trip through every
//! encoding, and frame readers agree with their in-memory twins. The checks
//! live here so that each target stays a few lines long.
#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader};

use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::frames::{Frame, FrameReader};
use event_decode::json::{self, JsonDecoder};
use event_decode::protobuf::{self, ZeroCopyDecoder};
use event_decode::yaml::{self, YamlDecoder};
use event_decode::{Category, DecodeError, Decoder, Event, Limits, Position};
use event_model::OwnedEvent;

/// The limits the round trips decode under: the defaults, except that an
/// event may re-encode larger than its input (aliases expand, escapes grow),
/// so the size limit is lifted for the second decode.
pub const ROUND_TRIP_LIMITS: Limits = Limits {
    max_event_bytes: usize::MAX,
    ..Limits::DEFAULT
};

/// Which family of position an error of a format must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// YAML and JSON: 1-based line and column.
    Text,
    /// Protobuf: a byte offset, at most the input's length.
    Bytes(u64),
}

/// A decode error must be typed and say where: a limit error names its limit
/// (and only limit errors do), the position has the format's kind, lines and
/// columns are 1-based, byte offsets are inside the input, and it displays.
pub fn check_error(e: &DecodeError, place: Where) {
    assert_eq!(
        e.category() == Category::Limit,
        e.limit().is_some(),
        "limit iff Category::Limit: {e:?}"
    );
    assert!(!e.message().is_empty(), "an error without a message: {e:?}");
    assert!(!e.to_string().is_empty());
    match (place, e.position()) {
        (Where::Text, Some(Position::Text { line, column })) => {
            assert!(line >= 1 && column >= 1, "positions are 1-based: {e:?}");
        }
        (Where::Bytes(len), Some(Position::Byte { offset })) => {
            assert!(offset <= len, "offset past the input ({len} bytes): {e:?}");
        }
        (_, other) => panic!("error without a {place:?} position ({other:?}): {e:?}"),
    }
}

/// The owned, order-free form used to compare events across encodings.
pub fn owned(event: &Event<'_>) -> OwnedEvent {
    event.to_owned().with_sorted_attrs()
}

/// A decoded event is valid, and encoding it in every format and decoding
/// that again gives the same event (attribute order kept by the text
/// formats, compared sorted for protobuf whose maps are unordered).
pub fn check_round_trips(event: &Event<'_>) {
    if let Err(e) = event.validate() {
        panic!("a decoder returned an invalid event ({e}): {event:?}");
    }
    let exact = event.to_owned();
    let arena = Bump::new();

    let mut text = String::new();
    yaml::encode(event, &mut text);
    let again = YamlDecoder::with_config(&DecodeConfig::new().with_limits(ROUND_TRIP_LIMITS))
        .decode(text.as_bytes(), &arena)
        .unwrap_or_else(|e| panic!("YAML round trip failed: {e}\n{text}\nfrom {exact:?}"));
    assert_eq!(
        again.to_owned(),
        exact,
        "YAML round trip changed the event\n{text}"
    );

    let mut line = Vec::new();
    json::encode(event, &mut line);
    let again = JsonDecoder::with_config(&DecodeConfig::new().with_limits(ROUND_TRIP_LIMITS))
        .decode(&line, &arena)
        .unwrap_or_else(|e| {
            panic!(
                "JSON round trip failed: {e}\n{}\nfrom {exact:?}",
                String::from_utf8_lossy(&line)
            )
        });
    assert_eq!(again.to_owned(), exact, "JSON round trip changed the event");

    let mut wire = Vec::new();
    protobuf::encode(event, &mut wire);
    let again = ZeroCopyDecoder::with_config(&DecodeConfig::new().with_limits(ROUND_TRIP_LIMITS))
        .decode(&wire, &arena)
        .unwrap_or_else(|e| panic!("protobuf round trip failed: {e}\nfrom {exact:?}"));
    assert_eq!(
        owned(&again),
        exact.clone().with_sorted_attrs(),
        "protobuf round trip changed the event"
    );
}

/// Decodes one input, then checks the result: a valid event that round-trips,
/// or a typed, located error. Decoding the same bytes twice with the same
/// (warm) decoder must give the same answer.
pub fn check_decode<D: Decoder>(decoder: &mut D, input: &[u8], place: Where) {
    let arena = Bump::new();
    let first = decoder.decode(input, &arena);
    let second = decoder.decode(input, &arena);
    match (&first, &second) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "a warm decoder decoded differently");
            check_round_trips(a);
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "a warm decoder failed differently");
            check_error(a, place);
        }
        _ => panic!("a warm decoder changed its mind: {first:?} then {second:?}"),
    }
}

/// One frame or error, owned, for comparing frame readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A frame: bytes, number, offset, line.
    Frame(Vec<u8>, u64, u64, u64),
    /// An error.
    Error(DecodeError),
}

impl Item {
    /// The owned form of a reader's answer.
    pub fn of(frame: Result<Frame<'_>, DecodeError>) -> Item {
        match frame {
            Ok(f) => Item::Frame(f.bytes.to_vec(), f.number, f.offset, f.line),
            Err(e) => Item::Error(e),
        }
    }
}

/// Drains a [`FrameReader`] (at most `max` items; resumes after errors
/// while `resume` is true, as a reader that resynchronises allows).
pub fn drain<F: FrameReader>(reader: &mut F, max: usize, resume: bool) -> Vec<Item> {
    let mut out = Vec::new();
    while out.len() < max {
        match reader.next_frame() {
            Ok(None) => break,
            Ok(Some(f)) => out.push(Item::of(Ok(f))),
            Err(e) => {
                out.push(Item::Error(e));
                if !resume {
                    break;
                }
            }
        }
    }
    out
}

/// `input` behind a `BufReader` of `capacity` bytes (at least 1), so frame
/// readers meet every chunk boundary.
pub fn chunked(input: &[u8], capacity: usize) -> impl BufRead + '_ {
    BufReader::with_capacity(capacity.max(1), input)
}

/// [`check_frame_in`] for YAML frames, whose lines end at LF, CRLF or a
/// lone CR (YAML 1.2 line breaks).
pub fn check_yaml_frame_in(stream: &[u8], bytes: &[u8], offset: u64, line: u64) {
    check_frame_in(stream, bytes, offset, None);
    let start = usize::try_from(offset).expect("offset fits");
    let before = &stream[..start];
    let breaks = before
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && before.get(i + 1) != Some(&b'\n')))
        .count() as u64;
    assert_eq!(
        line,
        breaks + 1,
        "frame at offset {offset} on the wrong line"
    );
}

/// Checks a frame against the stream it came from: its bytes are the
/// stream's at its offset, and (for text) its line is 1 + the line breaks
/// before it.
pub fn check_frame_in(stream: &[u8], bytes: &[u8], offset: u64, line: Option<u64>) {
    let start = usize::try_from(offset).expect("offset fits");
    assert_eq!(
        stream.get(start..start + bytes.len()),
        Some(bytes),
        "frame bytes are not the stream's at offset {offset}"
    );
    if let Some(line) = line {
        let breaks = stream[..start].iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(
            line,
            breaks + 1,
            "frame at offset {offset} on the wrong line"
        );
    }
}
