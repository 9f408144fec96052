//! Writing the scan's output: events pushed into the token buffer, block
//! collections opened and closed, and the marks (line, column, character
//! index) that go with them.

use super::super::source::{Mark, ScalarStyle};
use super::{Block, GiveUp, Scan, Scanner, Token};

impl Scanner<'_, '_> {
    /// The mark of byte `at` of the text, on the current line.
    pub(super) fn mark_at(&self, at: usize) -> Mark {
        self.mark(at - self.line_start)
    }

    /// A scalar at bytes `start..end` of the text.
    pub(super) fn push_scalar(&mut self, mark: Mark, start: usize, end: usize, style: ScalarStyle) {
        self.out.push((Token::Scalar { start, end, style }, mark));
    }

    pub(super) fn open_block(&mut self, block: Block, column: usize, mark: Mark) -> Scan {
        if self.open.len() >= self.max_depth {
            return Err(GiveUp);
        }
        self.open.push((block, column));
        let token = match block {
            Block::Map => Token::MappingStart,
            Block::Seq => Token::SequenceStart,
        };
        self.out.push((token, mark));
        Ok(())
    }

    pub(super) fn close(&mut self, mark: Mark) {
        if let Some((block, _)) = self.open.pop() {
            let token = match block {
                Block::Map => Token::MappingEnd,
                Block::Seq => Token::SequenceEnd,
            };
            self.out.push((token, mark));
        }
    }

    /// An empty (null) value: an empty plain scalar.
    pub(super) fn empty(&mut self, mark: Mark) {
        // Any in-bounds empty range of the text will do: the line's start.
        let at = self.line_start;
        self.out.push((
            Token::Scalar {
                start: at,
                end: at,
                style: ScalarStyle::Plain,
            },
            mark,
        ));
    }

    /// A scalar at bytes `start..end` of the current line.
    #[inline(always)]
    pub(super) fn scalar(&mut self, mark: Mark, start: usize, end: usize, style: ScalarStyle) {
        let base = self.line_start;
        self.out.push((
            Token::Scalar {
                start: base + start,
                end: base + end,
                style,
            },
            mark,
        ));
    }

    /// The mark of byte `offset` of the current line.
    #[inline(always)]
    pub(super) fn mark(&self, offset: usize) -> Mark {
        let chars = if self.ascii {
            offset
        } else {
            let line = &self.text[self.line_start..];
            line.get(..offset).map_or(offset, |s| s.chars().count())
        };
        Mark {
            line: self.line,
            column: chars as u64 + 1,
            index: self.line_index + chars as u64,
        }
    }
}
