//! Request bodies: content types, and framing a body whole before any of it
//! is routed.

use bytes::{Bytes, BytesMut};
use event_decode::frames::{Resync, Verdict};
use event_decode::{DecodeConfig, Format};

use crate::engine::Slot;

/// What a `Content-Type` says the body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyKind {
    pub format: Format,
    /// A stream of events (`true`) or exactly one.
    pub stream: bool,
}

impl BodyKind {
    /// The media type that sends one event of this kind on its own.
    pub(crate) fn single_type(self) -> &'static str {
        match self.format {
            Format::Yaml => "application/yaml",
            Format::Json => "application/json",
            Format::Protobuf => "application/x-protobuf",
        }
    }
}

/// Reads a `Content-Type` header, ignoring parameters (`charset`) and case;
/// `None` for a type the service does not take (415).
pub(crate) fn kind_of(content_type: &str) -> Option<BodyKind> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    let stream = |format| {
        Some(BodyKind {
            format,
            stream: true,
        })
    };
    if media.eq_ignore_ascii_case("application/x-ndjson")
        || media.eq_ignore_ascii_case("application/jsonl")
        || media.eq_ignore_ascii_case("application/jsonlines")
    {
        return stream(Format::Json);
    }
    if media.eq_ignore_ascii_case("application/x-protobuf-delimited") {
        return stream(Format::Protobuf);
    }
    // The single-event types are §7's too: one list, in event-jetstream.
    // A YAML body is always a stream of documents.
    let format = event_jetstream::content_type_format(media)?;
    Some(BodyKind {
        format,
        stream: format == Format::Yaml,
    })
}

/// A body framed into events: their bytes back to back, and one slot per
/// event.
#[derive(Debug)]
pub(crate) struct Framed {
    pub bytes: Bytes,
    pub slots: Vec<Slot>,
}

/// Why a body cannot be framed at all (400): nothing of it is routed.
#[derive(Debug)]
pub(crate) struct Unframable(pub String);

/// Splits `body` into events. A frame the stream can skip (an oversize YAML
/// document, a JSON line over the limit) is one rejected event; a body that
/// cannot be split (empty, a protobuf length prefix running past the end, a
/// broken prefix) is [`Unframable`].
pub(crate) fn frame(
    kind: BodyKind,
    body: &Bytes,
    config: &DecodeConfig,
) -> Result<Framed, Unframable> {
    if body.is_empty() {
        return Err(Unframable("the body is empty: no events".to_owned()));
    }
    if !kind.stream || (kind.format == Format::Yaml && plainly_one_document(body, config)) {
        let len = u32::try_from(body.len())
            .map_err(|_| Unframable("the body is too large".to_owned()))?;
        return Ok(Framed {
            bytes: body.clone(),
            slots: vec![Slot::Frame {
                start: 0,
                end: len,
                number: 1,
                offset: 0,
                line: 1,
            }],
        });
    }
    let mut frames = kind.format.frames(&body[..], config);
    let mut resync = Resync::default();
    let mut bytes = BytesMut::with_capacity(body.len());
    let mut slots = Vec::new();
    loop {
        match frames.next_frame() {
            Ok(None) => break,
            Ok(Some(f)) => {
                let start = bytes.len();
                bytes.extend_from_slice(f.bytes);
                let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(bytes.len()))
                else {
                    return Err(Unframable("the body is too large".to_owned()));
                };
                slots.push(Slot::Frame {
                    start,
                    end,
                    number: f.number,
                    offset: f.offset,
                    line: f.line,
                });
            }
            Err(e) => match resync.after(kind.format, &e) {
                Verdict::Reject => slots.push(Slot::Bad(e)),
                Verdict::RejectAndStop | Verdict::Stop => {
                    return Err(Unframable(e.to_string()));
                }
            },
        }
    }
    if slots.is_empty() {
        return Err(Unframable("the body holds no events".to_owned()));
    }
    Ok(Framed {
        bytes: bytes.freeze(),
        slots,
    })
}

/// Whether a YAML body is plainly one document: no larger than a document
/// may be, no byte-order mark, no line that starts with a `---` or `...`
/// marker but the first (a `---` there opens the document, as every event
/// `veltrix load` and the encoder write does), and a content line or that
/// opening `---`. The general framing
/// (`YamlFrames`) then hands out the whole body as document 1 at offset 0,
/// line 1, which is what the caller does without it: this check reads
/// only the first bytes of each line, where framing a single event took
/// about a fifth of the service's instructions per request (buffering
/// and classifying every line, then copying the document).
fn plainly_one_document(body: &[u8], config: &DecodeConfig) -> bool {
    if body.len() > config.limits.max_event_bytes || body.starts_with(b"\xEF\xBB\xBF") {
        return false;
    }
    let is_marker = |line: &[u8], marker: &[u8]| {
        line.starts_with(marker) && matches!(line.get(3), None | Some(b' ' | b'\t'))
    };
    // Lines split at every CR and LF (a CRLF makes one extra empty line,
    // which is blank either way).
    // memchr finds the breaks: a byte-at-a-time split cost about as much
    // as the reply's whole JSON.
    let mut start = 0;
    let ends = memchr::memchr2_iter(b'\n', b'\r', body).chain(std::iter::once(body.len()));
    let mut lines = ends
        .map(|end| {
            let line = &body[start..end];
            start = end + 1;
            line
        })
        .peekable();
    let mut content = lines.next_if(|first| is_marker(first, b"---")).is_some();
    for line in lines {
        if is_marker(line, b"---") || is_marker(line, b"...") {
            return false;
        }
        if !content && line.first() != Some(&b'%') {
            content = line
                .iter()
                .find(|&&b| b != b' ' && b != b'\t')
                .is_some_and(|&b| b != b'#');
        }
    }
    content
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        let yaml = kind_of("Application/YAML; charset=utf-8").unwrap();
        assert_eq!((yaml.format, yaml.stream), (Format::Yaml, true));
        assert_eq!(kind_of("text/yaml").unwrap().format, Format::Yaml);
        assert!(!kind_of("application/json").unwrap().stream);
        assert!(kind_of("application/x-ndjson").unwrap().stream);
        assert!(kind_of("application/x-protobuf-delimited").unwrap().stream);
        assert!(kind_of("text/plain").is_none());
        assert!(kind_of("").is_none());
    }

    #[test]
    fn framing_a_protobuf_prefix_past_the_end_is_unframable() {
        let kind = kind_of("application/x-protobuf-delimited").unwrap();
        let body = Bytes::from_static(&[0x05, 1, 2]);
        let err = frame(kind, &body, &DecodeConfig::new()).unwrap_err();
        assert!(err.0.contains("event 1"), "{}", err.0);
    }

    /// The shortcut for one plain document frames exactly as the general
    /// framing does, and steps aside for anything else.
    #[test]
    fn one_plain_document_frames_as_the_stream_does() {
        let config = DecodeConfig::new();
        let kind = kind_of("application/yaml").unwrap();
        let general = |body: &[u8]| {
            let mut frames = Format::Yaml.frames(body, &config);
            let mut out = Vec::new();
            while let Ok(Some(f)) = frames.next_frame() {
                out.push((f.bytes.to_vec(), f.number, f.offset, f.line));
            }
            out
        };
        for body in [
            &b"id: e-1\nkind: heartbeat\n"[..],
            b"# a comment\n\nid: e-1\r\nkind: x\r\n  # indented\n",
            b"%YAML 1.2\nid: e-1\n",
            b"id: e-1\n----\n ---\n...x\n",
            b"  a: 1",
            b"---\nid: e-1\nkind: heartbeat\n",
            b"--- {id: e-1}\n",
            b"---\n",
            b"---\r\n# c\n",
        ] {
            assert!(plainly_one_document(body, &config), "{body:?}");
            let framed = frame(kind, &Bytes::copy_from_slice(body), &config).unwrap();
            let ours: Vec<_> = framed
                .slots
                .iter()
                .map(|s| {
                    let f = s.frame(&framed.bytes).unwrap();
                    (f.bytes.to_vec(), f.number, f.offset, f.line)
                })
                .collect();
            assert_eq!(ours, general(body), "{body:?}");
        }
        for body in [
            &b"---\nid: e-1\n---\n"[..],
            b"id: e-1\n---\nid: e-2\n",
            b"...\nid: e-1\n",
            b"# c\n---\nid: e-1\n",
            b"id: e-1\n...\n",
            b"id: e-1\r--- \n",
            b"\xEF\xBB\xBFid: e-1\n",
            b"# only a comment\n",
            b"%YAML 1.2\n",
            b"\n\n",
        ] {
            assert!(!plainly_one_document(body, &config), "{body:?}");
        }
        let small = DecodeConfig::new().max_event_bytes(8);
        assert!(!plainly_one_document(b"id: e-12345\n", &small));
    }

    #[test]
    fn framing_yaml_keeps_every_document() {
        let kind = kind_of("application/yaml").unwrap();
        let body = Bytes::from_static(b"a: 1\n---\nb: 2\n---\nc: [\n");
        let framed = frame(kind, &body, &DecodeConfig::new()).unwrap();
        assert_eq!(
            framed.slots.len(),
            3,
            "a document that does not parse is still a frame"
        );
        assert!(frame(kind, &Bytes::new(), &DecodeConfig::new()).is_err());
    }
}
