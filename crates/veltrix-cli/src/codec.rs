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

/// How a stream ended early: the reader's error that made it stop.
#[derive(Debug)]
pub struct CutShort(DecodeError);

impl CutShort {
    /// The line reported on stderr.
    pub fn message(&self) -> String {
        format!(
            "error: the stream was cut short, nothing after this point was read: {}",
            self.0
        )
    }
}

/// What to do after a frame reader's error.
#[derive(Debug)]
pub enum Next {
    /// Count the frame as one bad event and read on.
    Reject,
    /// Count the frame as one bad event; the stream cannot go on.
    RejectAndStop(CutShort),
    /// The error belongs to a frame already counted; the stream cannot go on.
    Stop(CutShort),
}

/// Decides, error after error, whether a stream can go on.
///
/// YAML documents and JSON lines resynchronise at the next frame. A
/// protobuf frame over the size limit whose length prefix was intact is
/// skipped by the reader, so reading resumes after it; a broken length
/// prefix leaves no way to find the next message. A truncated frame or a
/// failed read has nothing after it. A reader that fails twice in the same
/// way is not moving on, so that stops too.
#[derive(Debug, Default)]
pub struct Resync {
    last_message: String,
    last_limit_event: Option<u64>,
}

impl Resync {
    /// The verdict on `error`.
    pub fn after(&mut self, format: Format, error: &DecodeError) -> Next {
        use event_decode::Category;
        let message = error.to_string();
        let repeated = message == self.last_message;
        // The rest of an oversize frame missing at the end of the stream: the
        // frame was counted when its length was read.
        if format == Format::Protobuf
            && error.category() == Category::Eof
            && error.event_number().is_some()
            && error.event_number() == self.last_limit_event
        {
            return Next::Stop(CutShort(error.clone()));
        }
        let resumes = match format {
            Format::Protobuf => error.category() == Category::Limit,
            Format::Yaml | Format::Json => {
                !matches!(error.category(), Category::Io | Category::Eof)
            }
        };
        self.last_limit_event = (error.category() == Category::Limit)
            .then(|| error.event_number())
            .flatten();
        self.last_message = message;
        if resumes && !repeated {
            Next::Reject
        } else {
            Next::RejectAndStop(CutShort(error.clone()))
        }
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
