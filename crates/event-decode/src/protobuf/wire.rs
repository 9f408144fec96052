//! The protobuf wire format at the byte level: varints, keys, length-delimited
//! fields, fixed-width scalars and skipping unknown fields (groups included).
//!
//! Hand-written rather than prost's `encoding` helpers: those work on a
//! `bytes::Buf` and cannot hand out sub-slices that borrow the input, which is
//! the whole point of the zero-copy decoder. A [`Cursor`] is a plain slice, so
//! bounds checks fold into the slice length and a one-byte varint (every key
//! and most lengths of an event) is one compare. Rules follow prost exactly:
//! varints of at most 10 bytes without 64-bit overflow, keys within `u32`,
//! wire types 6 and 7 and tag 0 rejected, lengths checked before use.

use event_model::Limit;

use crate::{Category, DecodeError, Position};

/// Wire type 0: varint.
pub(crate) const VARINT: u8 = 0;
/// Wire type 1: 64-bit little-endian.
pub(crate) const I64: u8 = 1;
/// Wire type 2: length-delimited.
pub(crate) const LEN: u8 = 2;
/// Wire type 3: start of a group.
pub(crate) const SGROUP: u8 = 3;
/// Wire type 4: end of a group.
pub(crate) const EGROUP: u8 = 4;
/// Wire type 5: 32-bit little-endian.
pub(crate) const I32: u8 = 5;

/// The name of a wire type, for error messages.
pub(crate) fn wire_type_name(wt: u8) -> &'static str {
    match wt {
        VARINT => "varint",
        I64 => "64-bit",
        LEN => "length-delimited",
        SGROUP => "start-group",
        EGROUP => "end-group",
        I32 => "32-bit",
        _ => "invalid",
    }
}

/// An error at byte `offset`.
#[cold]
pub(crate) fn error_at(
    category: Category,
    offset: usize,
    message: impl Into<String>,
) -> DecodeError {
    DecodeError::new(category, message).with_position(Position::Byte {
        offset: offset as u64,
    })
}

/// A limit error at byte `offset`.
#[cold]
pub(crate) fn limit_at(limit: Limit, offset: usize, message: impl Into<String>) -> DecodeError {
    DecodeError::limit_exceeded(limit, message).with_position(Position::Byte {
        offset: offset as u64,
    })
}

/// Reads the wire format of one message (or one field's content) out of a
/// slice of the input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    /// The unread bytes of this message.
    rest: &'a [u8],
    /// Absolute offset (in the whole input) at which `rest` ends.
    end: usize,
    /// Absolute offset at which the whole input ends: running out of bytes
    /// there is truncation (Eof), anywhere earlier a field that overruns its
    /// enclosing message (Syntax).
    input_end: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor over a whole input.
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Cursor {
            rest: input,
            end: input.len(),
            input_end: input.len(),
        }
    }

    /// Absolute offset of the next unread byte.
    #[inline]
    pub(crate) fn offset(&self) -> usize {
        self.end - self.rest.len()
    }

    /// True when the message has been read completely.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The error for running out of bytes while reading `what` at `at`.
    /// (Cold paths take the cursor by value, so that the hot loops can keep
    /// theirs in registers.)
    #[cold]
    fn ran_out(self, at: usize, what: &str) -> DecodeError {
        if self.end == self.input_end {
            error_at(Category::Eof, at, format!("input ends inside {what}"))
        } else {
            error_at(
                Category::Syntax,
                at,
                format!("{what} runs past the end of its enclosing message"),
            )
        }
    }

    /// One varint (at most 10 bytes, no bits past 64).
    #[inline(always)]
    pub(crate) fn varint(&mut self) -> Result<u64, DecodeError> {
        // One and two bytes inline: every key and length of an event, most values.
        match *self.rest {
            [b, ref rest @ ..] if b < 0x80 => {
                self.rest = rest;
                Ok(u64::from(b))
            }
            [b0, b1, ref rest @ ..] if b1 < 0x80 => {
                self.rest = rest;
                Ok(u64::from(b0 & 0x7f) | (u64::from(b1) << 7))
            }
            _ => {
                let (value, rest) = self.varint_multi()?;
                self.rest = rest;
                Ok(value)
            }
        }
    }

    /// The longer (and failing) cases of [`Cursor::varint`]: the value and
    /// the bytes after it.
    #[inline(never)]
    fn varint_multi(self) -> Result<(u64, &'a [u8]), DecodeError> {
        // Up to eight bytes at once when eight are there: the first byte
        // without its high bit ends the varint; its 7-bit groups are gathered
        // without a branch per byte (timestamps take six).
        if let Some(first) = self.rest.first_chunk::<8>() {
            let word = u64::from_le_bytes(*first);
            let stops = !word & 0x8080_8080_8080_8080;
            if stops != 0 {
                let kept = word & (stops ^ (stops - 1));
                let len = (stops.trailing_zeros() as usize + 1) / 8;
                let mut value = 0u64;
                for i in 0..8 {
                    value |= ((kept >> (8 * i)) & 0x7f) << (7 * i);
                }
                return Ok((value, self.rest.get(len..).unwrap_or_default()));
            }
        }
        let mut value = 0u64;
        for (i, &b) in self.rest.iter().take(10).enumerate() {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                // The tenth byte may carry only the 64th bit.
                if i == 9 && b > 1 {
                    return Err(error_at(
                        Category::Syntax,
                        self.offset(),
                        "varint overflows 64 bits",
                    ));
                }
                return Ok((value, self.rest.get(i + 1..).unwrap_or_default()));
            }
        }
        if self.rest.len() >= 10 {
            Err(error_at(
                Category::Syntax,
                self.offset(),
                "varint is longer than 10 bytes",
            ))
        } else {
            Err(self.ran_out(self.offset(), "a varint"))
        }
    }

    /// The next byte, not consumed: the first byte of the next key.
    #[inline(always)]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Consumes one byte (a one-byte key seen with [`Cursor::peek`]).
    #[inline(always)]
    pub(crate) fn bump(&mut self) {
        self.rest = self.rest.get(1..).unwrap_or_default();
    }

    /// A key of two or more bytes, checked to fit in `u32` (tag and wire
    /// type are checked by [`check_key`]).
    #[inline(always)]
    pub(crate) fn long_key(&mut self) -> Result<u32, DecodeError> {
        let (key, rest) = self.long_key_at()?;
        self.rest = rest;
        Ok(key)
    }

    #[inline(never)]
    fn long_key_at(mut self) -> Result<(u32, &'a [u8]), DecodeError> {
        let at = self.offset();
        let key = self.varint()?;
        let key = u32::try_from(key).map_err(|_| bad_key(key, at))?;
        Ok((key, self.rest))
    }

    /// One field key: `(tag, wire type)`.
    #[inline(always)]
    pub(crate) fn key(&mut self) -> Result<(u32, u8), DecodeError> {
        let at = self.offset();
        let key = self.varint()?;
        let wt = (key & 7) as u8;
        // One test covers the three rare failures; the cold path says which.
        if key > u64::from(u32::MAX) || wt > I32 || key < 8 {
            return Err(bad_key(key, at));
        }
        Ok(((key >> 3) as u32, wt))
    }

    /// The content of a length-delimited field, checked against the bytes left.
    #[inline(always)]
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let at = self.offset();
        let len = self.varint()?;
        if len > self.rest.len() as u64 {
            return Err(self.past_end(at, len));
        }
        let (bytes, rest) = self.rest.split_at(len as usize);
        self.rest = rest;
        Ok(bytes)
    }

    /// A length-delimited field's content as a cursor of its own.
    #[inline(always)]
    pub(crate) fn message(&mut self) -> Result<Cursor<'a>, DecodeError> {
        let bytes = self.bytes()?;
        Ok(Cursor {
            rest: bytes,
            end: self.offset(),
            input_end: self.input_end,
        })
    }

    /// The error for a length `len` (read at `at`) longer than what is left.
    #[cold]
    fn past_end(self, at: usize, len: u64) -> DecodeError {
        let left_in_input = (self.input_end - self.offset()) as u64;
        if len > left_in_input {
            error_at(
                Category::Eof,
                at,
                format!("length {len} runs past the end of the input ({left_in_input} bytes left)"),
            )
        } else {
            error_at(
                Category::Syntax,
                at,
                format!(
                    "length {len} runs past the end of its enclosing message ({} bytes left)",
                    self.rest.len()
                ),
            )
        }
    }

    /// Four little-endian bytes.
    #[inline(always)]
    pub(crate) fn fixed32(&mut self) -> Result<[u8; 4], DecodeError> {
        match self.rest.split_first_chunk::<4>() {
            Some((bytes, rest)) => {
                self.rest = rest;
                Ok(*bytes)
            }
            None => Err(self.ran_out(self.offset(), "a 32-bit field")),
        }
    }

    /// Skips `n` bytes of a fixed-width field.
    fn skip_fixed(&mut self, n: usize, what: &str) -> Result<(), DecodeError> {
        if self.rest.len() < n {
            return Err(self.ran_out(self.offset(), what));
        }
        self.rest = &self.rest[n..];
        Ok(())
    }

    /// [`Cursor::skip`] on a copy of the cursor: this one never has its
    /// address taken by a call that is not inlined.
    #[inline(always)]
    pub(crate) fn skip_field(
        &mut self,
        tag: u32,
        wt: u8,
        key_at: usize,
        depth: usize,
        max_depth: usize,
    ) -> Result<(), DecodeError> {
        let mut copy = *self;
        copy.skip(tag, wt, key_at, depth, max_depth)?;
        self.rest = copy.rest;
        Ok(())
    }

    /// Skips the value of an unknown field with key `(tag, wt)` read at
    /// `key_at`, in a message at nesting `depth` (the event is depth 1).
    /// A group counts one level deeper than its message; recursion is bounded
    /// by `max_depth` (the caller caps it).
    #[inline(never)]
    pub(crate) fn skip(
        &mut self,
        tag: u32,
        wt: u8,
        key_at: usize,
        depth: usize,
        max_depth: usize,
    ) -> Result<(), DecodeError> {
        match wt {
            VARINT => self.varint().map(drop),
            I64 => self.skip_fixed(8, "a 64-bit field"),
            LEN => self.bytes().map(drop),
            I32 => self.skip_fixed(4, "a 32-bit field"),
            SGROUP => self.skip_group(tag, key_at, depth + 1, max_depth),
            _ => Err(error_at(
                Category::Syntax,
                key_at,
                format!("end-group (field {tag}) without a matching start-group"),
            )),
        }
    }

    /// Skips a group's fields up to its end-group (the group is at `depth`).
    #[inline(never)]
    fn skip_group(
        &mut self,
        tag: u32,
        key_at: usize,
        depth: usize,
        max_depth: usize,
    ) -> Result<(), DecodeError> {
        if depth > max_depth {
            return Err(limit_at(
                Limit::Depth,
                key_at,
                format!("groups nest deeper than max_depth ({max_depth})"),
            ));
        }
        loop {
            if self.rest.is_empty() {
                return Err(self.ran_out(
                    self.offset(),
                    &format!("the group of field {tag} (no end-group)"),
                ));
            }
            let at = self.offset();
            let (inner, wt) = self.key()?;
            if wt == EGROUP {
                if inner != tag {
                    return Err(error_at(
                        Category::Syntax,
                        at,
                        format!("end-group of field {inner} closes the group of field {tag}"),
                    ));
                }
                return Ok(());
            }
            self.skip(inner, wt, at, depth, max_depth)?;
        }
    }
}

/// Splits a key read at `at` into `(tag, wire type)`, rejecting tag 0 and
/// wire types 6 and 7.
#[inline(always)]
pub(crate) fn check_key(key: u32, at: usize) -> Result<(u32, u8), DecodeError> {
    let wt = (key & 7) as u8;
    if wt > I32 || key < 8 {
        return Err(bad_key(u64::from(key), at));
    }
    Ok((key >> 3, wt))
}

/// The error for a key that is out of range, has wire type 6 or 7, or tag 0.
#[cold]
#[inline(never)]
fn bad_key(key: u64, at: usize) -> DecodeError {
    let message = if key > u64::from(u32::MAX) {
        format!("field key {key} is out of range")
    } else if key & 7 > u64::from(I32) {
        format!("invalid wire type {}", key & 7)
    } else {
        "invalid field number 0".to_owned()
    };
    error_at(Category::Syntax, at, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(bytes: &[u8]) -> Result<u64, DecodeError> {
        Cursor::new(bytes).varint()
    }

    #[test]
    fn varints_follow_prost() {
        assert_eq!(varint(&[0x96, 0x01]).unwrap(), 150);
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(varint(&max).unwrap(), u64::MAX);
        let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(varint(&overflow).unwrap_err().category(), Category::Syntax);
        assert_eq!(
            varint(&[0x80; 11]).unwrap_err().category(),
            Category::Syntax
        );
        assert_eq!(varint(&[0x80, 0x80]).unwrap_err().category(), Category::Eof);
        assert_eq!(varint(&[]).unwrap_err().category(), Category::Eof);
    }

    #[test]
    fn varints_of_every_length_with_and_without_bytes_after() {
        for len in 1..=10u32 {
            let value = if len == 10 {
                u64::MAX
            } else {
                (1u64 << (7 * len)) - 1
            };
            let mut bytes = vec![0xff; len as usize - 1];
            bytes.push(if len == 10 { 0x01 } else { 0x7f });
            assert_eq!(varint(&bytes).unwrap(), value, "{len} bytes");
            let longer = [bytes.clone(), vec![0x05; 9]].concat();
            let mut c = Cursor::new(&longer);
            assert_eq!(c.varint().unwrap(), value, "{len} bytes, more after");
            assert_eq!(c.offset(), len as usize);
        }
        // A non-minimal encoding: the same value, every byte consumed.
        let mut c = Cursor::new(&[0x96, 0x81, 0x80, 0x80, 0x00, 0x2a, 0, 0, 0]);
        assert_eq!(c.varint().unwrap(), 150);
        assert_eq!(c.offset(), 5);
    }

    #[test]
    fn keys_reject_tag_zero_and_wire_types_6_7() {
        assert_eq!(Cursor::new(&[0x0a]).key().unwrap(), (1, LEN));
        for bad in [[0x02u8], [0x0e], [0x0f]] {
            let e = Cursor::new(&bad).key().unwrap_err();
            assert_eq!(e.category(), Category::Syntax, "{bad:?}");
        }
        let e = Cursor::new(&[0x80, 0x80, 0x80, 0x80, 0x10])
            .key()
            .unwrap_err();
        assert!(e.message().contains("out of range"), "{e}");
    }
}
