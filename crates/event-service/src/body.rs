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
    if !kind.stream {
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
