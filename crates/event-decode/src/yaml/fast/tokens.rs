//! Writing the scan's output: events pushed into the token buffer, and
//! block collections opened and closed. Positions are byte offsets of the
//! text (see [`Token`]).

use super::super::source::ScalarStyle;
use super::{Block, GiveUp, Scan, Scanner, Token, TokenKind};

impl Scanner<'_, '_> {
    /// An event at byte `at` of the text (`u32`: `scan` refuses longer texts).
    #[inline(always)]
    pub(super) fn push(&mut self, kind: TokenKind, start: usize, end: usize) {
        self.out.push(Token {
            kind,
            start: start as u32,
            end: end as u32,
        });
    }

    /// Opens a block collection at `column` of the current line.
    pub(super) fn open_block(&mut self, block: Block, column: usize) -> Scan {
        if self.open.len() >= self.max_depth {
            return Err(GiveUp);
        }
        self.open.push((block, column));
        let kind = match block {
            Block::Map => TokenKind::MappingStart,
            Block::Seq => TokenKind::SequenceStart,
        };
        let at = self.line_start + column;
        self.push(kind, at, at);
        Ok(())
    }

    /// Closes the innermost block collection, its end at byte `at`.
    pub(super) fn close(&mut self, at: usize) {
        if let Some((block, _)) = self.open.pop() {
            let kind = match block {
                Block::Map => TokenKind::MappingEnd,
                Block::Seq => TokenKind::SequenceEnd,
            };
            self.push(kind, at, at);
        }
    }

    /// An empty (null) value at byte `at`: an empty plain scalar.
    pub(super) fn empty(&mut self, at: usize) {
        self.push(TokenKind::Scalar(ScalarStyle::Plain), at, at);
    }

    /// A scalar (`kind`) at bytes `start..end` of the current line.
    #[inline(always)]
    pub(super) fn scalar(&mut self, start: usize, end: usize, kind: TokenKind) {
        let base = self.line_start;
        self.push(kind, base + start, base + end);
    }

    /// The byte offset of byte `offset` of the current line.
    #[inline(always)]
    pub(super) fn at(&self, offset: usize) -> usize {
        self.line_start + offset
    }
}
