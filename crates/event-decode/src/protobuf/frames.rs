//! Length-delimited protobuf streams: a varint length, then that many bytes
//! of message (prost's `encode_length_delimited`), repeated.

use std::io::{BufRead, ErrorKind};

use event_model::{Limit, Limits};

use crate::frames::{Frame, FrameReader};
use crate::{Category, DecodeConfig, DecodeError, Format, Position};

fn at(e: DecodeError, offset: u64) -> DecodeError {
    e.with_position(Position::Byte { offset })
}

#[cold]
fn oversize(len: u64, max: usize, length_at: u64, number: u64) -> DecodeError {
    at(
        DecodeError::limit_exceeded(
            Limit::EventBytes,
            format!("frame of {len} bytes exceeds limit max_event_bytes ({max}); skipped"),
        ),
        length_at,
    )
    .with_event(number)
}

#[cold]
fn varint_too_long(length_at: u64, number: u64) -> DecodeError {
    at(
        DecodeError::new(Category::Syntax, "frame length is not a valid varint"),
        length_at,
    )
    .with_event(number)
}

#[cold]
fn truncated_length(length_at: u64, number: u64) -> DecodeError {
    at(
        DecodeError::new(Category::Eof, "stream ends inside a frame length"),
        length_at,
    )
    .with_event(number)
}

#[cold]
fn truncated_frame(got: usize, len: usize, frame_at: u64, number: u64) -> DecodeError {
    at(
        DecodeError::new(
            Category::Eof,
            format!("stream ends inside a frame: {got} of its {len} bytes are there"),
        ),
        frame_at,
    )
    .with_event(number)
}

/// Adds one length byte to a varint in progress; `Some(len)` when complete.
#[inline]
fn varint_step(value: &mut u64, index: usize, byte: u8) -> Result<Option<u64>, ()> {
    *value |= u64::from(byte & 0x7f) << (7 * index);
    if byte < 0x80 {
        // As prost: at most 10 bytes, and the tenth may carry only bit 64.
        if index == 9 && byte > 1 {
            return Err(());
        }
        return Ok(Some(*value));
    }
    if index == 9 {
        return Err(());
    }
    Ok(None)
}

/// Reads length-delimited frames from a [`BufRead`] into one reused buffer.
///
/// A length over the maximum frame size is a [`Limit::EventBytes`] error
/// raised before anything is allocated for it; the frame is then skipped
/// (read and dropped in chunks), so the next call goes on with the next frame.
/// A stream that ends inside a length or a message is an
/// [`Category::Eof`] error that says so; after it, or after a malformed
/// length or a read error, the stream cannot be resynchronised and the
/// reader reports its end.
///
/// ```
/// use event_decode::frames::FrameReader;
/// use event_decode::protobuf::LengthDelimitedFrames;
///
/// let stream: &[u8] = &[2, 0xAA, 0xBB, 1, 0xCC];
/// let mut frames = LengthDelimitedFrames::new(stream);
/// let f = frames.next_frame().unwrap().unwrap();
/// assert_eq!((f.bytes, f.number, f.offset), (&[0xAA, 0xBB][..], 1, 1));
/// let f = frames.next_frame().unwrap().unwrap();
/// assert_eq!((f.bytes, f.number, f.offset), (&[0xCC][..], 2, 4));
/// assert!(frames.next_frame().unwrap().is_none());
/// ```
#[derive(Debug)]
pub struct LengthDelimitedFrames<R> {
    reader: R,
    buf: Vec<u8>,
    max_frame: usize,
    /// Bytes of the stream consumed so far.
    offset: u64,
    /// Frames started so far.
    number: u64,
    /// Bytes of an oversize frame still to be dropped.
    skip: u64,
    /// Set after an error the stream cannot recover from.
    done: bool,
}

impl<R: BufRead> LengthDelimitedFrames<R> {
    /// A reader of `reader` with the default maximum frame size
    /// ([`Limits::DEFAULT`]`.max_event_bytes`).
    pub fn new(reader: R) -> Self {
        Self::with_config(reader, &DecodeConfig::new())
    }

    /// A reader of `reader` whose largest frame is
    /// `config.limits.max_event_bytes`.
    pub fn with_config(reader: R, config: &DecodeConfig) -> Self {
        LengthDelimitedFrames {
            reader,
            buf: Vec::new(),
            max_frame: config.limits.max_event_bytes,
            offset: 0,
            number: 0,
            skip: 0,
            done: false,
        }
    }

    /// The bytes of the stream consumed so far.
    pub fn byte_offset(&self) -> u64 {
        self.offset
    }

    /// The error for a failed read; the stream cannot go on after it.
    #[cold]
    fn io_error(&mut self, e: std::io::Error) -> DecodeError {
        self.done = true;
        at(DecodeError::from(e), self.offset).with_event(self.number.max(1))
    }

    /// Drops the rest of an oversize frame.
    fn skip_pending(&mut self) -> Result<(), DecodeError> {
        while self.skip > 0 {
            let available = match fill(&mut self.reader) {
                Ok(chunk) => chunk.len(),
                Err(e) => return Err(self.io_error(e)),
            };
            if available == 0 {
                self.done = true;
                return Err(at(
                    DecodeError::new(
                        Category::Eof,
                        format!(
                            "stream ends inside an oversize frame ({} bytes missing)",
                            self.skip
                        ),
                    ),
                    self.offset,
                )
                .with_event(self.number));
            }
            let n = available.min(usize::try_from(self.skip).unwrap_or(usize::MAX));
            self.reader.consume(n);
            self.offset += n as u64;
            self.skip -= n as u64;
        }
        Ok(())
    }

    /// The next frame's length, `None` at the clean end of the stream.
    fn read_length(&mut self) -> Result<Option<u64>, DecodeError> {
        let length_at = self.offset;
        let number = self.number + 1;
        let mut value = 0u64;
        let mut index = 0usize;
        loop {
            let chunk = match fill(&mut self.reader) {
                Ok(chunk) => chunk,
                Err(e) => return Err(self.io_error(e)),
            };
            if chunk.is_empty() {
                if index == 0 {
                    return Ok(None);
                }
                self.done = true;
                return Err(truncated_length(length_at, number));
            }
            let mut consumed = 0;
            let mut outcome = Ok(None);
            for &b in chunk {
                consumed += 1;
                outcome = varint_step(&mut value, index, b);
                if !matches!(outcome, Ok(None)) {
                    break;
                }
                index += 1;
            }
            self.reader.consume(consumed);
            self.offset += consumed as u64;
            match outcome {
                Ok(Some(len)) => return Ok(Some(len)),
                Ok(None) => {}
                Err(()) => {
                    self.done = true;
                    return Err(varint_too_long(length_at, number));
                }
            }
        }
    }
}

/// `fill_buf`, retrying on interruption.
fn fill<R: BufRead>(reader: &mut R) -> std::io::Result<&[u8]> {
    loop {
        match reader.fill_buf() {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
            // Returning this borrow from inside the loop is not accepted by
            // the borrow checker; a second call hands back the same buffer.
            Ok(_) => break,
        }
    }
    reader.fill_buf()
}

impl<R: BufRead> FrameReader for LengthDelimitedFrames<R> {
    fn format(&self) -> Format {
        Format::Protobuf
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, DecodeError> {
        if self.done {
            return Ok(None);
        }
        self.skip_pending()?;
        let length_at = self.offset;
        let Some(len) = self.read_length()? else {
            return Ok(None);
        };
        self.number += 1;
        if len > self.max_frame as u64 {
            self.skip = len;
            return Err(oversize(len, self.max_frame, length_at, self.number));
        }
        let len = len as usize;
        let frame_at = self.offset;
        self.buf.clear();
        // The stream may not hold `len` bytes (a hostile length of 2^63 would
        // abort here): reserve at most the default frame size, grow as bytes arrive.
        self.buf.reserve(len.min(Limits::DEFAULT.max_event_bytes));
        while self.buf.len() < len {
            let chunk = match fill(&mut self.reader) {
                Ok(chunk) => chunk,
                Err(e) => return Err(self.io_error(e)),
            };
            if chunk.is_empty() {
                self.done = true;
                return Err(truncated_frame(self.buf.len(), len, frame_at, self.number));
            }
            let n = chunk.len().min(len - self.buf.len());
            self.buf.extend_from_slice(&chunk[..n]);
            self.reader.consume(n);
            self.offset += n as u64;
        }
        Ok(Some(Frame {
            bytes: &self.buf,
            number: self.number,
            offset: frame_at,
            line: 1,
        }))
    }
}

/// The frames of a length-delimited stream held in memory, borrowed from it
/// (no copy); see [`length_delimited`].
#[derive(Debug, Clone)]
pub struct LengthDelimitedSlice<'b> {
    bytes: &'b [u8],
    pos: usize,
    number: u64,
    max_frame: usize,
    done: bool,
}

/// Iterates over the frames of a length-delimited stream in `bytes`, with the
/// default maximum frame size. An oversize frame is an error and is skipped;
/// a truncated or malformed length, or a truncated final frame, is an error
/// that ends the iteration.
///
/// ```
/// use event_decode::protobuf::length_delimited;
///
/// let frames: Vec<_> = length_delimited(&[1, 7, 0]).collect::<Result<_, _>>().unwrap();
/// assert_eq!(frames[0].bytes, &[7]);
/// assert_eq!(frames[1].bytes, &[] as &[u8]);
/// assert_eq!(frames[1].offset, 3);
/// ```
pub fn length_delimited(bytes: &[u8]) -> LengthDelimitedSlice<'_> {
    LengthDelimitedSlice::with_config(bytes, &DecodeConfig::new())
}

impl<'b> LengthDelimitedSlice<'b> {
    /// The frames of `bytes`, the largest accepted being
    /// `config.limits.max_event_bytes` bytes.
    pub fn with_config(bytes: &'b [u8], config: &DecodeConfig) -> Self {
        LengthDelimitedSlice {
            bytes,
            pos: 0,
            number: 0,
            max_frame: config.limits.max_event_bytes,
            done: false,
        }
    }

    /// The bytes consumed so far.
    pub fn byte_offset(&self) -> u64 {
        self.pos as u64
    }

    fn step(&mut self) -> Option<Result<Frame<'b>, DecodeError>> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            return None;
        }
        let length_at = self.pos as u64;
        self.number += 1;
        let number = self.number;
        let mut value = 0u64;
        let mut len = None;
        let mut used = 0;
        for (i, &b) in rest.iter().enumerate().take(10) {
            match varint_step(&mut value, i, b) {
                Ok(Some(v)) => {
                    len = Some(v);
                    used = i + 1;
                    break;
                }
                Ok(None) => {}
                Err(()) => return Some(Err(varint_too_long(length_at, number))),
            }
        }
        let Some(len) = len else {
            return Some(Err(truncated_length(length_at, number)));
        };
        let frame_at = self.pos + used;
        let available = self.bytes.len() - frame_at;
        if len > self.max_frame as u64 {
            if len <= available as u64 {
                // Skip it: the next frame is still well defined.
                self.pos = frame_at + len as usize;
            } else {
                self.done = true;
            }
            return Some(Err(oversize(len, self.max_frame, length_at, number)));
        }
        let len = len as usize;
        if len > available {
            return Some(Err(truncated_frame(
                available,
                len,
                frame_at as u64,
                number,
            )));
        }
        self.pos = frame_at + len;
        Some(Ok(Frame {
            bytes: &self.bytes[frame_at..frame_at + len],
            number,
            offset: frame_at as u64,
            line: 1,
        }))
    }
}

impl<'b> Iterator for LengthDelimitedSlice<'b> {
    type Item = Result<Frame<'b>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.step();
        if matches!(&item, Some(Err(e)) if e.category() != Category::Limit) {
            self.done = true;
        }
        item
    }
}
