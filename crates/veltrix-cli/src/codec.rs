//! The three stream formats' encoders, chosen at run time by the `--to`
//! flag, and the message of a stream cut short. Frame readers and decoders
//! come from `event_decode` ([`Format::frames`], [`Format::decoder`],
//! [`event_decode::EventReader`]).

use event_decode::{DecodeError, Event, Format};

/// How a stream ended early: the reader's error that made it stop.
#[derive(Debug)]
pub struct CutShort(pub DecodeError);

impl CutShort {
    /// The line reported on stderr.
    pub fn message(&self) -> String {
        format!(
            "error: the stream was cut short, nothing after this point was read: {}",
            self.0
        )
    }
}

/// Encodes events into one stream format, reusing its scratch space.
pub struct Encoder {
    format: Format,
    text: String,
}

impl Encoder {
    /// An encoder for `format`.
    pub fn new(format: Format) -> Self {
        Encoder {
            format,
            text: String::new(),
        }
    }

    /// Appends `event` to `out` as one stream element: a YAML document, a
    /// JSON line, or a length-delimited protobuf message.
    pub fn encode(&mut self, event: &Event<'_>, out: &mut Vec<u8>) {
        match self.format {
            Format::Yaml => {
                self.text.clear();
                event_decode::yaml::encode(event, &mut self.text);
                out.extend_from_slice(self.text.as_bytes());
            }
            Format::Json => event_decode::json::encode(event, out),
            Format::Protobuf => event_decode::protobuf::encode_length_delimited(event, out),
        }
    }
}
