//! Single-line scalars in block context: quoted (the closing quote found
//! by `memchr`; double-quoted escapes checked here, applied when read), and
//! plain, searched eight bytes at a time (SWAR); and what may follow one on
//! its line.

use super::super::escape::escape;
use super::super::scanner::is_c_indicator;
use super::super::source::ScalarStyle;
use super::lines::{is_dash, skip_spaces};
use super::{GiveUp, Scan, TokenKind};

/// What follows a scalar on its line.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum After {
    /// The end of the line, or a comment.
    End,
    /// A `:` and then a space or the end of the line; the byte after `:`.
    Colon(usize),
}

/// A scalar at bytes `start..end` of its line, and what follows it.
pub(super) struct Scalar {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: TokenKind,
    pub(super) after: After,
}

/// What follows a quoted scalar or flow collection ending at `i`: a key's
/// `:`, or spaces and the end of the line or a ` #` comment.
pub(super) fn end_of_value(b: &[u8], i: usize) -> Option<After> {
    if i == b.len() {
        return Some(After::End);
    }
    if b[i] == b':' && matches!(b.get(i + 1), None | Some(b' ')) {
        return Some(After::Colon(i + 1));
    }
    let j = skip_spaces(b, i);
    if j == b.len() || (j > i && b[j] == b'#') {
        Some(After::End)
    } else {
        None
    }
}

/// `0x01` in every byte of a word.
pub(super) const LO: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte of a word.
pub(super) const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit set in the lowest zero byte of `x` (exactly), and perhaps
/// in some above it: `trailing_zeros() / 8` of a non-zero result is the
/// index of the first zero byte.
#[inline(always)]
pub(super) fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

/// The first space or colon in `b` from byte `j` on, or `b.len()`: where
/// a plain scalar may end.
#[inline(always)]
fn space_or_colon(b: &[u8], j: usize) -> usize {
    first_of(b, j, b' ', b':')
}

/// The first byte `x` or `y` (neither zero) in `b` from byte `j` on, or
/// `b.len()`.
///
/// Eight bytes per step (SWAR: a word whose bytes are XORed with the
/// byte sought has a zero byte where it stood; `(x - 0x01..) & !x & 0x80..`
/// flags the lowest such byte exactly), then byte by byte for the tail:
/// written by hand because plain scalars are most of a document's bytes
/// and a byte loop with two comparisons cost about 5,000 instructions per
/// reference event (and, for quoted scalars, `memchr`'s set-up cost more
/// than the search of a short string).
#[inline(always)]
fn first_of(b: &[u8], mut j: usize, x: u8, y: u8) -> usize {
    while let Some(chunk) = b.get(j..j + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let v = u64::from_le_bytes(bytes);
        let found = zero_bytes(v ^ (LO * u64::from(x))) | zero_bytes(v ^ (LO * u64::from(y)));
        if found != 0 {
            return j + (found.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    // Fewer than eight bytes left: the line's last eight, shifted so that
    // those before `j` drop out (the zero bytes shifted in are neither
    // byte sought).
    if j >= b.len() {
        return b.len();
    }
    if let Some(start) = b.len().checked_sub(8) {
        if let Ok(bytes) = <[u8; 8]>::try_from(&b[start..]) {
            let v = u64::from_le_bytes(bytes) >> ((j - start) * 8);
            let found = zero_bytes(v ^ (LO * u64::from(x))) | zero_bytes(v ^ (LO * u64::from(y)));
            return if found != 0 {
                j + (found.trailing_zeros() / 8) as usize
            } else {
                b.len()
            };
        }
    }
    j + b[j..]
        .iter()
        .position(|&c| c == x || c == y)
        .unwrap_or(b.len() - j)
}

/// The end of the double-quoted scalar whose text starts at byte `start`
/// of line `b` (its closing quote), and whether it has escapes: as
/// [`double_quoted`], for a line (which has no line break).
#[inline(never)]
fn line_double_quoted(b: &[u8], start: usize) -> Scan<(usize, TokenKind)> {
    let at = first_of(b, start, b'"', b'\\');
    match b.get(at) {
        Some(b'"') => Ok((at, TokenKind::Scalar(ScalarStyle::DoubleQuoted))),
        Some(_) => escaped_double_quoted(b, at),
        None => Err(GiveUp),
    }
}

/// The end of the double-quoted scalar whose text starts at byte `start`
/// of `b` (its closing quote), on the same line, and whether it has
/// escapes (which must be valid, and not an escaped line break: folding
/// is left to the other path). The quote, a backslash or a line break
/// found by one SIMD search at a time; an escape's own bytes are skipped
/// (so `\"` does not close it).
#[inline(always)]
pub(super) fn double_quoted(b: &[u8], start: usize) -> Scan<(usize, TokenKind)> {
    let at = start + memchr::memchr3(b'"', b'\\', b'\n', &b[start..]).ok_or(GiveUp)?;
    if b[at] == b'"' {
        // Most have no escape.
        return Ok((at, TokenKind::Scalar(ScalarStyle::DoubleQuoted)));
    }
    escaped_double_quoted(b, at)
}

/// [`double_quoted`] from byte `at`, a backslash or a line break.
#[inline(never)]
fn escaped_double_quoted(b: &[u8], mut at: usize) -> Scan<(usize, TokenKind)> {
    loop {
        if b[at] != b'\\' {
            return Err(GiveUp);
        }
        let (_, len) = escape(b, at).map_err(|_| GiveUp)?;
        let j = at + len;
        at = j + memchr::memchr3(b'"', b'\\', b'\n', &b[j..]).ok_or(GiveUp)?;
        if b[at] == b'"' {
            return Ok((at, TokenKind::Escaped));
        }
    }
}

/// The single-line scalar starting at byte `i` of a line (not a space).
#[inline(always)]
pub(super) fn scalar(b: &[u8], i: usize) -> Scan<Scalar> {
    let first = b[i];
    if first == b'"' || first == b'\'' {
        let start = i + 1;
        let (end, kind) = if first == b'"' {
            line_double_quoted(b, start)?
        } else {
            let end = start + memchr::memchr(first, &b[start..]).ok_or(GiveUp)?;
            if b.get(end + 1) == Some(&b'\'') {
                return Err(GiveUp);
            }
            (end, TokenKind::Scalar(ScalarStyle::SingleQuoted))
        };
        let after = end_of_value(b, end + 1).ok_or(GiveUp)?;
        return Ok(Scalar {
            start,
            end,
            kind,
            after,
        });
    }
    // Indicators that start something other than a plain scalar (or a
    // plain scalar only in some positions: `-x`, `:x`, `?x`).
    // A `match` rather than a search of the indicator list: this runs
    // once per scalar.
    let indicator = is_c_indicator(first);
    let plain_dash = first == b'-' && !is_dash(b, i);
    if indicator && !plain_dash {
        return Err(GiveUp);
    }
    let mut end = i;
    let mut j = i;
    loop {
        // Runs of ordinary characters eight at a time: only a space or a
        // colon can end a plain scalar here.
        let stop = space_or_colon(b, j);
        if stop > j {
            j = stop;
            end = j;
        }
        match b.get(j) {
            None => break,
            Some(b' ') => {
                if b.get(j + 1) == Some(&b'#') {
                    break;
                }
                j += 1;
            }
            Some(_) if matches!(b.get(j + 1), None | Some(b' ')) => {
                // `key :` (space before the colon) is left to the other path.
                if end != j {
                    return Err(GiveUp);
                }
                return Ok(Scalar {
                    start: i,
                    end,
                    kind: TokenKind::Scalar(ScalarStyle::Plain),
                    after: After::Colon(j + 1),
                });
            }
            Some(_) => {
                j += 1;
                end = j;
            }
        }
    }
    Ok(Scalar {
        start: i,
        end,
        kind: TokenKind::Scalar(ScalarStyle::Plain),
        after: After::End,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time search finds exactly what a byte loop finds,
    /// whatever the position, the start, and bytes with the high bit set
    /// (UTF-8) or one below the sought bytes around it.
    #[test]
    fn space_or_colon_matches_a_byte_loop() {
        matches_a_byte_loop(b' ', b':', space_or_colon);
    }

    /// The same for the search of a double-quoted scalar's end.
    #[test]
    fn quote_or_backslash_matches_a_byte_loop() {
        matches_a_byte_loop(b'"', b'\\', |b, j| first_of(b, j, b'"', b'\\'));
        // And the whole scalar: its end, its kind, or declined.
        let kind = |line: &[u8]| {
            line_double_quoted(line, 1)
                .ok()
                .map(|(end, k)| (end, k == TokenKind::Escaped))
        };
        assert_eq!(
            kind(br#""found under the fourth plank""#),
            Some((29, false))
        );
        assert_eq!(kind(br#""a\"b" x"#), Some((5, true)));
        assert_eq!(
            kind(br#""a\tb\u00e9 long enough to pass eight" #c"#),
            Some((37, true))
        );
        assert_eq!(kind(br#""never closed"#), None);
        assert_eq!(kind(br#""a\qb""#), None);
    }

    fn matches_a_byte_loop(x: u8, y: u8, search: impl Fn(&[u8], usize) -> usize) {
        let fillers = [
            b'a',
            0x1f,
            b'9',
            0x21,
            0xc3,
            0xa9,
            0xff,
            0x80,
            b';',
            x ^ 1,
            y ^ 1,
        ];
        for len in 0..40 {
            for hit in 0..=len {
                for &filler in &fillers {
                    for sought in [x, y] {
                        let mut b = vec![filler; len];
                        if hit < len {
                            b[hit] = sought;
                        }
                        for start in 0..=len.min(9) {
                            let naive = b[start..]
                                .iter()
                                .position(|&c| c == x || c == y)
                                .map_or(len, |p| start + p);
                            assert_eq!(search(&b, start), naive, "{b:?} from {start}");
                        }
                    }
                }
            }
        }
    }
}
