//! The documents of a stream read from a [`BufRead`], one at a time, into a
//! reused buffer bounded by `max_event_bytes`.

use std::io::{self, BufRead};

use event_model::Limit;

use crate::frames::{Frame, FrameReader};
use crate::{DecodeConfig, DecodeError, Format, Position};

use super::lines::{BOM, Line, Step, bom_len, classify, count_breaks, may_start, step};

/// One line read by [`YamlFrames`].
struct LineRead {
    /// Where it starts in the buffer.
    start: usize,
    kind: Line,
    /// It did not fit under the limit and was not kept.
    overflow: bool,
    /// It starts with `#` at column 0 (a comment whatever the indentation
    /// of the document's nodes).
    hash_at_0: bool,
    offset: u64,
    line: u64,
}

/// Reads the documents of a YAML stream from a [`BufRead`], one at a time,
/// into a buffer it reuses.
///
/// The buffer holds one document (plus the first line of the next), each
/// within [`Limits::max_event_bytes`](crate::Limits) however long the stream is; every
/// line is checked against the limit as it arrives and again once it is
/// complete, so no frame handed out is longer. A longer
/// document is read to its end without being kept and reported as a limit
/// error naming it (its number and first line); the next call continues with
/// the following document.
#[derive(Debug)]
pub struct YamlFrames<R> {
    reader: R,
    max: usize,
    /// The frame being gathered, possibly followed by the first line of the next.
    buf: Vec<u8>,
    /// Bytes at the front of `buf` handed out as the last frame.
    handed_out: usize,
    /// The first line of the next frame sits at the front of `buf` once the
    /// last frame is dropped: (did it overflow).
    pending: Option<bool>,
    /// Stream offset and line of `buf[0]`.
    buf_offset: u64,
    buf_line: u64,
    /// Stream offset and line of the next unread byte.
    read_offset: u64,
    read_line: u64,
    number: u64,
    /// `buf` holds only blank and comment lines, with no document open:
    /// they may be dropped rather than count against the limit.
    blank_only: bool,
    /// Where the next frame starts, when lines were read through without
    /// being kept after the last frame handed out (stream offset, line).
    resume_at: Option<(u64, u64)>,
}

impl<R: BufRead> YamlFrames<R> {
    /// Documents from `reader`, each bounded by the default `max_event_bytes`.
    pub fn new(reader: R) -> Self {
        Self::with_config(reader, &DecodeConfig::new())
    }

    /// Documents from `reader`, each bounded by `config.limits.max_event_bytes`.
    pub fn with_config(reader: R, config: &DecodeConfig) -> Self {
        YamlFrames {
            reader,
            max: config.limits.max_event_bytes,
            buf: Vec::new(),
            handed_out: 0,
            pending: None,
            buf_offset: 0,
            buf_line: 1,
            read_offset: 0,
            read_line: 1,
            number: 0,
            blank_only: true,
            resume_at: None,
        }
    }

    /// Reads one line onto the end of `buf` unless the frame it belongs to
    /// would pass `max`; only its first bytes are then looked at. With a
    /// document `open`, a `---` line belongs to the next frame, so only its
    /// own bytes count. The check runs on every chunk of the line and once
    /// more when the line is complete (at its line break or the end of the
    /// input), so a line let in as a possible `---` that turns out not to
    /// be one is counted with its frame.
    fn next_line(&mut self, open: bool) -> io::Result<Option<LineRead>> {
        let mut start = self.buf.len();
        let (offset, line) = (self.read_offset, self.read_line);
        let mut total = 0usize;
        let mut overflow = false;
        let mut head = [0u8; 8];
        let mut head_len = 0;
        // The first byte that is not a space or tab, once seen, from the
        // start of the line and (on the stream's first line, which may
        // begin with a byte-order mark) from its fourth byte.
        let mut first: Option<u8> = None;
        let mut first_after_bom: Option<u8> = None;
        // The line ended in a CR at the end of a chunk: a LF may follow.
        let mut after_cr = false;
        loop {
            let chunk = fill(&mut self.reader)?;
            let (take, done) = if chunk.is_empty() {
                if total == 0 {
                    break;
                }
                // The end of the input ends the line: check it once more,
                // whole. Cut short by a chunk, `-` or `--` could still have
                // been a `---` line (counted alone), and may be content.
                (0, true)
            } else if after_cr {
                (usize::from(chunk[0] == b'\n'), true)
            } else {
                match chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
                    Some(i) if chunk[i] == b'\r' && i + 1 == chunk.len() => {
                        after_cr = true;
                        (i + 1, false)
                    }
                    Some(i) if chunk[i] == b'\r' && chunk[i + 1] == b'\n' => (i + 2, true),
                    Some(i) => (i + 1, true),
                    None => (chunk.len(), false),
                }
            };
            let n = (head.len() - head_len).min(take);
            head[head_len..head_len + n].copy_from_slice(&chunk[..n]);
            head_len += n;
            let not_blank =
                |bytes: &[u8]| bytes.iter().copied().find(|b| !matches!(b, b' ' | b'\t'));
            if first.is_none() {
                first = not_blank(&chunk[..take]);
            }
            if offset == 0 && first_after_bom.is_none() {
                first_after_bom =
                    not_blank(&chunk[BOM.len().saturating_sub(total).min(take)..take]);
            }
            if !overflow {
                let base = if open && may_start(&head[..head_len], done) {
                    start
                } else {
                    0
                };
                if self.buf.len() - base + take > self.max && self.blank_only && start > 0 {
                    // Comments before a document are no part of it: drop them
                    // rather than report a document that does not exist.
                    self.buf.drain(..start);
                    start = 0;
                    self.buf_offset = offset;
                    self.buf_line = line;
                }
                let base = base.min(start);
                // A byte-order mark at the start of the stream is dropped
                // below, so it does not count.
                let bom = if offset == 0 {
                    bom_len(&head[..head_len], done)
                } else {
                    0
                };
                if self.buf.len() - base + take > self.max + bom {
                    overflow = true;
                    self.buf.truncate(start);
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.reader.consume(take);
            total += take;
            if done {
                break;
            }
        }
        if total == 0 {
            return Ok(None);
        }
        self.read_offset += total as u64;
        self.read_line += 1;
        // A byte-order mark at the very start of the stream is not content.
        if offset == 0 && !overflow && self.buf[start..].starts_with(BOM) {
            self.buf.drain(start..start + BOM.len());
            self.buf_offset = BOM.len() as u64;
        }
        // A line too long to keep is known by its first bytes, after the
        // byte-order mark if it has one.
        let (head, first) = if offset == 0 && head[..head_len].starts_with(BOM) {
            (&head[BOM.len()..head_len], first_after_bom)
        } else {
            (&head[..head_len], first)
        };
        let kind = if overflow {
            match classify(head) {
                // The head may be blanks before content: decide on the
                // first byte that is not a blank.
                Line::Blank if !matches!(first, None | Some(b'\r' | b'\n' | b'#')) => Line::Content,
                k => k,
            }
        } else {
            classify(&self.buf[start..])
        };
        Ok(Some(LineRead {
            start,
            kind,
            overflow,
            hash_at_0: head.first() == Some(&b'#'),
            offset,
            line,
        }))
    }

    /// Forgets the buffer; the next frame starts at the next unread byte.
    fn reset(&mut self) {
        self.blank_only = true;
        self.buf.clear();
        self.buf_offset = self.read_offset;
        self.buf_line = self.read_line;
    }

    fn frame(&mut self, len: usize) -> Frame<'_> {
        self.number += 1;
        self.handed_out = len;
        Frame {
            bytes: &self.buf[..len],
            number: self.number,
            offset: self.buf_offset,
            line: self.buf_line,
        }
    }

    /// Reads to the end of an oversized document (keeping nothing but the
    /// first line of the next one, unless the document has `ended` already)
    /// and reports it. When it is not `open` yet (only directives and
    /// comments so far, one of them too long to keep), the document may
    /// never come: a stray `...` or the end of the input drops them, as
    /// [`documents`](super::documents) does, and there is nothing to report (`Ok`).
    fn skip_oversized(&mut self, open: bool, ended: bool) -> Result<(), DecodeError> {
        let line = self.buf_line;
        self.reset();
        let mut open = open && !ended;
        let mut found = open || ended;
        // Nothing more to read once it has ended.
        let mut more = !ended;
        while more {
            let Some(l) = self.next_line(open)? else {
                break;
            };
            match step(l.kind, &mut open) {
                Step::EndBefore => {
                    // Keep the next document's first line at the front.
                    self.buf.drain(..l.start);
                    self.buf_offset = l.offset;
                    self.buf_line = l.line;
                    self.pending = Some(l.overflow);
                    more = false;
                }
                Step::EndAfter | Step::Reset => {
                    self.reset();
                    more = false;
                }
                Step::Keep => {
                    found |= open;
                    self.reset();
                }
            }
        }
        if self.pending.is_none() {
            self.reset();
        }
        if !found {
            return Ok(());
        }
        self.number += 1;
        let number = self.number;
        Err(DecodeError::limit_exceeded(
            Limit::EventBytes,
            format!(
                "a document of more than {max} bytes exceeds limit max_event_bytes ({max})",
                max = self.max
            ),
        )
        .with_position(Position::Text { line, column: 1 })
        .with_event(number))
    }
}

impl<R: BufRead> YamlFrames<R> {
    /// The open document is `buf[..len]`, followed by a comment line too
    /// long to keep: reads on without keeping blank and comment lines. The
    /// document ends there if the next line ends it (`---`, `...`, the end
    /// of the input); content means the comment may have been part of a
    /// scalar, and the document is over the limit. Frames stay slices of
    /// the stream.
    fn end_before_comment(&mut self, len: usize) -> Result<Option<Frame<'_>>, DecodeError> {
        self.buf.truncate(len);
        loop {
            let Some(l) = self.next_line(true)? else {
                self.resume_at = Some((self.read_offset, self.read_line));
                return Ok(Some(self.frame(len)));
            };
            match l.kind {
                Line::Blank => self.buf.truncate(len),
                Line::Start => {
                    // The next document's first line, kept after the frame.
                    self.buf.drain(len..l.start);
                    self.pending = Some(l.overflow);
                    self.resume_at = Some((l.offset, l.line));
                    return Ok(Some(self.frame(len)));
                }
                Line::End => {
                    self.buf.truncate(len);
                    self.resume_at = Some((self.read_offset, self.read_line));
                    return Ok(Some(self.frame(len)));
                }
                Line::Content | Line::Directive => self.skip_oversized(true, false)?,
            }
        }
    }
}

fn fill<R: BufRead>(reader: &mut R) -> io::Result<&[u8]> {
    loop {
        match reader.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    reader.fill_buf()
}

impl<R: BufRead> FrameReader for YamlFrames<R> {
    fn format(&self) -> Format {
        Format::Yaml
    }

    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, DecodeError> {
        if self.handed_out > 0 {
            let lines = count_breaks(&self.buf[..self.handed_out]);
            self.buf.drain(..self.handed_out);
            self.buf_offset += self.handed_out as u64;
            self.buf_line += lines;
            self.handed_out = 0;
        }
        if let Some((offset, line)) = self.resume_at.take() {
            self.buf_offset = offset;
            self.buf_line = line;
        }
        let mut open = false;
        self.blank_only = self.pending.is_none() && self.buf.is_empty();
        if let Some(overflow) = self.pending.take() {
            open = true;
            if overflow {
                self.skip_oversized(true, false)?;
            }
        }
        loop {
            let Some(l) = self.next_line(open)? else {
                if open {
                    let len = self.buf.len();
                    return Ok(Some(self.frame(len)));
                }
                self.reset();
                return Ok(None);
            };
            if l.overflow && l.kind == Line::Blank {
                // A comment line longer than a document may be is not kept.
                if !open && self.blank_only {
                    // Outside any document: no event at all.
                    self.reset();
                    continue;
                }
                if open && l.hash_at_0 {
                    // Inside one, a `#` at column 0 is a comment; the
                    // document ends before it unless content follows.
                    return self.end_before_comment(l.start);
                }
            }
            let s = step(l.kind, &mut open);
            self.blank_only &= !open && l.kind == Line::Blank;
            // A stray `...` too long to keep opens no document: nothing
            // is over the limit, and `Reset` drops it below. A directive
            // (or a comment after one) too long to keep is over the limit
            // only if a document follows.
            if l.overflow && !matches!(s, Step::EndBefore | Step::Reset) {
                self.skip_oversized(open, matches!(s, Step::EndAfter))?;
            }
            match s {
                Step::EndBefore => {
                    self.pending = Some(l.overflow);
                    return Ok(Some(self.frame(l.start)));
                }
                Step::EndAfter => {
                    let len = self.buf.len();
                    return Ok(Some(self.frame(len)));
                }
                Step::Reset => self.reset(),
                Step::Keep => {}
            }
        }
    }
}
