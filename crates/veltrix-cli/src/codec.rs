//! The three stream formats: frame readers, decoders and encoders chosen at
//! run time by the `--from`/`--to`/`--format` flags.

use std::io::BufRead;

use event_decode::frames::FrameReader;
use event_decode::json::{JsonDecoder, JsonLines};
use event_decode::protobuf::{LengthDelimitedFrames, ZeroCopyDecoder};
use event_decode::yaml::{YamlDecoder, YamlFrames};
use event_decode::{DecodeError, Decoder, Event, Format};

/// A frame reader for `format` over `input`.
pub fn frames(format: Format, input: Box<dyn BufRead>) -> Box<dyn FrameReader> {
    match format {
        Format::Yaml => Box::new(YamlFrames::new(input)),
        Format::Json => Box::new(JsonLines::new(input)),
        Format::Protobuf => Box::new(LengthDelimitedFrames::new(input)),
    }
}

/// A decoder for `format` with the default limits.
pub fn decoder(format: Format) -> Box<dyn Decoder> {
    match format {
        Format::Yaml => Box::new(YamlDecoder::new()),
        Format::Json => Box::new(JsonDecoder::new()),
        Format::Protobuf => Box::new(ZeroCopyDecoder::new()),
    }
}

/// Whether a frame reader can carry on after `error`: YAML documents and JSON
/// lines resynchronise at the next frame; a protobuf length prefix that went
/// wrong leaves no way to find the next message, and a failed or truncated
/// read has nothing after it.
pub fn can_resume(format: Format, error: &DecodeError) -> bool {
    use event_decode::Category;
    format != Format::Protobuf && !matches!(error.category(), Category::Io | Category::Eof)
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
