//! Streams of events, split into frames before decoding.
//!
//! A frame is the bytes of exactly one event: a YAML document, a JSON line,
//! or one length-delimited protobuf message. Readers pull frames from a
//! [`std::io::BufRead`] into a buffer they reuse, so memory is bounded by the
//! largest frame allowed ([`Limits::max_event_bytes`](crate::Limits)), not by
//! the length of the stream. Each format's reader lives in its module
//! (`yaml::YamlFrames`, `json::JsonLines`, `protobuf::LengthDelimitedFrames`);
//! [`Format::frames`] picks one at run time. [`Resync`] says whether a
//! stream can go on after a reader's error.

use crate::{Category, DecodeError, Format};

/// One event's bytes and where they sit in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'b> {
    /// The event's encoded bytes (without a protobuf length prefix).
    pub bytes: &'b [u8],
    /// 1-based number of the event in the stream.
    pub number: u64,
    /// Byte offset of `bytes` from the start of the stream.
    pub offset: u64,
    /// 1-based line of the stream on which `bytes` starts (1 for binary formats).
    pub line: u64,
}

impl Frame<'_> {
    /// Gives a decoder's error (positioned inside this frame) its place in
    /// the stream: the event number, and the line or byte offset in the stream.
    pub fn locate(&self, error: DecodeError) -> DecodeError {
        error
            .relative_to_frame(self.line, self.offset)
            .with_event(self.number)
    }
}

/// Pulls frames from a stream, one at a time (a lending iterator: each frame
/// borrows the reader's buffer until the next call).
pub trait FrameReader {
    /// The format of the frames.
    fn format(&self) -> Format;

    /// The next frame, `Ok(None)` at the clean end of the stream. A stream
    /// that ends inside a frame is a [`Category::Eof`]
    /// error; a frame over the size limit is a limit error. After an error
    /// the reader may be called again to resynchronise where the format
    /// allows it: YAML documents and JSON lines always; protobuf after an
    /// oversize frame whose length prefix was intact (it is skipped), never
    /// after a broken length prefix, a truncated frame or a read error.
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, DecodeError>;
}

impl<F: FrameReader + ?Sized> FrameReader for Box<F> {
    fn format(&self) -> Format {
        (**self).format()
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, DecodeError> {
        (**self).next_frame()
    }
}

/// What a stream reader does after a [`FrameReader`]'s error: the verdict of
/// [`Resync::after`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The error is one bad frame; reading goes on with the next.
    Reject,
    /// The error is one bad frame, and the stream cannot go on after it.
    RejectAndStop,
    /// The error belongs to a frame already rejected (the rest of an
    /// oversize protobuf frame missing at the end of the stream); the stream
    /// cannot go on.
    Stop,
}

/// Decides, error after error, whether a stream of frames can go on (the
/// rules [`EventReader`](crate::EventReader) follows, for callers that
/// drive a [`FrameReader`] themselves).
///
/// YAML documents and JSON lines resynchronise at the next frame, unless
/// the stream ended or a read failed. A protobuf frame over the size limit
/// whose length prefix was intact is skipped by the reader, so reading
/// resumes after it; a broken length prefix leaves no way to find the next
/// message, and a truncated frame or a failed read has nothing after it. A
/// reader that fails twice in the same way is not moving on, so that stops
/// too.
///
/// ```
/// use event_decode::frames::{Resync, Verdict};
/// use event_decode::{Category, DecodeError, Format};
///
/// let mut resync = Resync::default();
/// let bad = DecodeError::new(Category::Syntax, "bad line").with_event(1);
/// assert_eq!(resync.after(Format::Json, &bad), Verdict::Reject);
/// // The same failure again: the reader is not moving on.
/// assert_eq!(resync.after(Format::Json, &bad), Verdict::RejectAndStop);
/// let cut = DecodeError::new(Category::Eof, "stream ends inside a frame").with_event(2);
/// assert_eq!(Resync::default().after(Format::Protobuf, &cut), Verdict::RejectAndStop);
/// ```
#[derive(Debug, Default, Clone)]
pub struct Resync {
    last_message: String,
    last_limit_event: Option<u64>,
}

impl Resync {
    /// The verdict on `error`, the latest error of a `format` frame reader.
    pub fn after(&mut self, format: Format, error: &DecodeError) -> Verdict {
        let message = error.to_string();
        let repeated = message == self.last_message;
        // The rest of an oversize frame missing at the end of the stream: the
        // frame was rejected when its length was read.
        if format == Format::Protobuf
            && error.category() == Category::Eof
            && error.event_number().is_some()
            && error.event_number() == self.last_limit_event
        {
            return Verdict::Stop;
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
            Verdict::Reject
        } else {
            Verdict::RejectAndStop
        }
    }
}
