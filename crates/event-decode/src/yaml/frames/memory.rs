//! The documents of a stream in memory, each borrowed from the input.

use crate::frames::Frame;

use super::lines::{BOM, Step, classify, line_len, step};

/// The documents of an in-memory stream, without copying: each frame
/// borrows from the input.
///
/// ```
/// let stream = b"---\na: 1\n---\nb: 2\n...\n# done\n";
/// let docs: Vec<_> = event_decode::yaml::documents(stream).collect();
/// assert_eq!(docs.len(), 2);
/// assert_eq!(docs[1].bytes, b"---\nb: 2\n...\n");
/// assert_eq!((docs[1].number, docs[1].line, docs[1].offset), (2, 3, 9));
/// ```
pub fn documents(input: &[u8]) -> Documents<'_> {
    let pos = if input.starts_with(BOM) { BOM.len() } else { 0 };
    Documents {
        input,
        pos,
        line: 1,
        number: 0,
    }
}

/// Iterator of the documents of a stream in memory; see [`documents`].
#[derive(Debug, Clone)]
pub struct Documents<'b> {
    input: &'b [u8],
    pos: usize,
    line: u64,
    number: u64,
}

impl<'b> Iterator for Documents<'b> {
    type Item = Frame<'b>;

    fn next(&mut self) -> Option<Frame<'b>> {
        let (mut start, mut start_line) = (self.pos, self.line);
        let mut open = false;
        loop {
            let rest = &self.input[self.pos..];
            if rest.is_empty() {
                return open.then(|| self.frame(start, start_line));
            }
            let len = line_len(rest);
            match step(classify(&rest[..len]), &mut open) {
                Step::EndBefore => return Some(self.frame(start, start_line)),
                Step::Keep => self.advance(len),
                Step::EndAfter => {
                    self.advance(len);
                    return Some(self.frame(start, start_line));
                }
                Step::Reset => {
                    self.advance(len);
                    (start, start_line) = (self.pos, self.line);
                }
            }
        }
    }
}

impl<'b> Documents<'b> {
    fn advance(&mut self, len: usize) {
        self.pos += len;
        self.line += 1;
    }

    fn frame(&mut self, start: usize, line: u64) -> Frame<'b> {
        self.number += 1;
        Frame {
            bytes: &self.input[start..self.pos],
            number: self.number,
            offset: start as u64,
            line,
        }
    }
}
