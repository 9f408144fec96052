//! Streams of events, split into frames before decoding.
//!
//! A frame is the bytes of exactly one event: a YAML document, a JSON line,
//! or one length-delimited protobuf message. Readers pull frames from a
//! [`std::io::BufRead`] into a buffer they reuse, so memory is bounded by the
//! largest frame allowed ([`Limits::max_event_bytes`](crate::Limits)), not by
//! the length of the stream. Each format's reader lives in its module
//! (`yaml::YamlFrames`, `json::JsonLines`, `protobuf::LengthDelimitedFrames`).

use crate::{DecodeError, Format};

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
    /// that ends inside a frame is a [`Category::Eof`](crate::Category::Eof)
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
