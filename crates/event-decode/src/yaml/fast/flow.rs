//! Flow collections (`[...]`, `{...}`): one as a whole value on a line,
//! or as the document's root over any number of lines, and the scalars
//! inside them (the flow context's plain rules, quoted on one line).

use super::super::scanner::is_c_indicator;
use super::super::source::ScalarStyle;
use super::scalar::{HI, LO, double_quoted, zero_bytes};
use super::{Flow, GiveUp, MAX_KEY_BYTES, MAX_TOKENS, Scan, Scanner, TokenKind};

impl Scanner<'_, '_> {
    /// A flow collection as the document's root, from the start of the
    /// current line; it may span lines. Only spaces and a comment may
    /// follow it on its last line.
    pub(super) fn root_flow(&mut self) -> Scan {
        let b = self.text.as_bytes();
        let first_line = self.line;
        let mut i = self.flow(self.line_start, true)?;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let end = match b.get(i) {
            None | Some(b'\n') => i,
            Some(b'\r') => i + 1,
            Some(b'#') if b[i - 1] == b' ' => {
                memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n)
            }
            _ => return Err(GiveUp),
        };
        if self.line != first_line {
            self.resume = Some(end);
        }
        Ok(())
    }

    /// The flow collection whose `[` or `{` is at byte `at` of the text, to
    /// its end; the byte after it. Scalars on one line each: plain (the
    /// flow context's rules), quoted on one line; keys followed by
    /// their `:` at once; no empty entries or values, no single-pair
    /// mappings in sequences, no comments, no properties. Crosses lines only
    /// when `lines` is set.
    pub(super) fn flow(&mut self, at: usize, lines: bool) -> Scan<usize> {
        let b = self.text.as_bytes();
        self.flow.clear();
        let mut i = self.flow_node(at)?;
        while let Some(&state) = self.flow.last() {
            if self.out.len() > MAX_TOKENS {
                return Err(GiveUp);
            }
            i = self.flow_blanks(i, lines)?;
            let Some(&c) = b.get(i) else {
                return Err(GiveUp);
            };
            let top = self.flow.len() - 1;
            match (state, c) {
                (Flow::SeqFirst | Flow::SeqAfter, b']')
                | (Flow::MapFirst | Flow::MapAfter, b'}') => {
                    self.flow.pop();
                    let kind = if c == b']' {
                        TokenKind::SequenceEnd
                    } else {
                        TokenKind::MappingEnd
                    };
                    self.push(kind, i, i);
                    i += 1;
                }
                (Flow::SeqAfter, b',') => {
                    self.flow[top] = Flow::SeqItem;
                    i += 1;
                }
                (Flow::MapAfter, b',') => {
                    self.flow[top] = Flow::MapKey;
                    i += 1;
                }
                (Flow::SeqFirst | Flow::SeqItem, _) => {
                    self.flow[top] = Flow::SeqAfter;
                    i = self.flow_node(i)?;
                }
                (Flow::MapValue, _) => {
                    self.flow[top] = Flow::MapAfter;
                    i = self.flow_node(i)?;
                }
                (Flow::MapFirst | Flow::MapKey, _) => {
                    let s = flow_scalar(b, i)?;
                    if s.end - s.start > MAX_KEY_BYTES || b.get(s.next) != Some(&b':') {
                        return Err(GiveUp);
                    }
                    self.push(s.kind, s.start, s.end);
                    self.flow[top] = Flow::MapValue;
                    i = s.next + 1;
                }
                _ => return Err(GiveUp),
            }
        }
        Ok(i)
    }

    /// A node inside a flow collection (or the collection itself) at byte
    /// `i`: a scalar, or the start of a nested collection.
    fn flow_node(&mut self, i: usize) -> Scan<usize> {
        let b = self.text.as_bytes();
        let (kind, state) = match b.get(i) {
            Some(b'[') => (TokenKind::SequenceStart, Flow::SeqFirst),
            Some(b'{') => (TokenKind::MappingStart, Flow::MapFirst),
            _ => {
                let s = flow_scalar(b, i)?;
                self.push(s.kind, s.start, s.end);
                return Ok(s.next);
            }
        };
        if self.open.len() + self.flow.len() >= self.max_depth {
            return Err(GiveUp);
        }
        self.flow.push(state);
        self.push(kind, i, i);
        Ok(i + 1)
    }

    /// Spaces, and line breaks when `lines` is set, from byte `i`; the
    /// next byte of content. A comment, a document marker or (without
    /// `lines`) a line break declines.
    fn flow_blanks(&mut self, mut i: usize, lines: bool) -> Scan<usize> {
        let b = self.text.as_bytes();
        loop {
            match b.get(i) {
                Some(b' ') => i += 1,
                Some(&c @ (b'\n' | b'\r')) if lines => {
                    // A CR is always followed by LF here.
                    let lf = if c == b'\r' { i + 1 } else { i };
                    self.line += 1;
                    self.line_start = lf + 1;
                    i = lf + 1;
                    let rest = &b[i..];
                    if rest.starts_with(b"---") || rest.starts_with(b"...") {
                        return Err(GiveUp);
                    }
                }
                _ => return Ok(i),
            }
        }
    }
}

/// A scalar in a flow collection, at bytes `start..end` of the text; the
/// byte after it is `next`.
struct FlowScalar {
    start: usize,
    end: usize,
    kind: TokenKind,
    next: usize,
}

#[inline]
fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// The one-line scalar at byte `i` of the text `b`, inside a flow
/// collection: quoted on one line, or plain by the flow context's
/// rules (it ends before `,[]{}`, a `:` followed by a blank or one of
/// those, ` #`, or the line's end).
fn flow_scalar(b: &[u8], i: usize) -> Scan<FlowScalar> {
    let first = *b.get(i).ok_or(GiveUp)?;
    if first == b'"' || first == b'\'' {
        let start = i + 1;
        let (end, kind) = if first == b'"' {
            double_quoted(b, start)?
        } else {
            // The closing quote, unless a line break (a CR is always
            // followed by LF here) comes first.
            let end = start + memchr::memchr2(first, b'\n', &b[start..]).ok_or(GiveUp)?;
            if b[end] != first || b.get(end + 1) == Some(&b'\'') {
                return Err(GiveUp);
            }
            (end, TokenKind::Scalar(ScalarStyle::SingleQuoted))
        };
        return Ok(FlowScalar {
            start,
            end,
            kind,
            next: end + 1,
        });
    }
    // `-` starts a plain scalar before a character that may continue one;
    // `?` and `:` are left to the other path.
    let plain_dash = first == b'-'
        && b.get(i + 1)
            .is_some_and(|&n| !matches!(n, b' ' | b'\n' | b'\r') && !is_flow_indicator(n));
    let indicator = is_c_indicator(first) || matches!(first, b' ' | b'\n' | b'\r');
    if indicator && !plain_dash {
        return Err(GiveUp);
    }
    let mut end = i;
    let mut j = i;
    loop {
        let run = flow_plain_run(b, j) - j;
        if run > 0 {
            j += run;
            end = j;
        }
        match b.get(j) {
            Some(b' ') => {
                // Spaces inside the scalar, or after it.
                let k = j + b[j..].iter().take_while(|&&c| c == b' ').count();
                match b.get(k) {
                    None | Some(b'\n' | b'\r' | b'#') => break,
                    Some(&c) if is_flow_indicator(c) => break,
                    Some(b':') if ends_flow_plain(b.get(k + 1)) => break,
                    Some(_) => j = k,
                }
            }
            Some(b':') if !ends_flow_plain(b.get(j + 1)) => {
                j += 1;
                end = j;
            }
            _ => break,
        }
    }
    Ok(FlowScalar {
        start: i,
        end,
        kind: TokenKind::Scalar(ScalarStyle::Plain),
        next: end,
    })
}

/// The first byte from `j` on that may end a plain scalar in flow context
/// (a space, `:`, `,`, `[`, `]`, `{`, `}` or a line break), or `b.len()`.
///
/// Eight bytes per step (SWAR, as the block scalars' search), then byte by
/// byte: written by hand because a byte loop testing nine characters cost
/// about a third of a flow-style event's decoding. Bytes below 0x20 are
/// all line breaks here (other controls were refused up front), and
/// `[`/`{` and `]`/`}` differ only in bit 0x20, so six tests cover the nine.
#[inline(always)]
fn flow_plain_run(b: &[u8], mut j: usize) -> usize {
    while let Some(chunk) = b.get(j..j + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let v = u64::from_le_bytes(bytes);
        let folded = v | (LO * 0x20);
        let found = (v.wrapping_sub(LO * 0x20) & !v & HI)
            | zero_bytes(v ^ (LO * u64::from(b' ')))
            | zero_bytes(v ^ (LO * u64::from(b':')))
            | zero_bytes(v ^ (LO * u64::from(b',')))
            | zero_bytes(folded ^ (LO * u64::from(b'{')))
            | zero_bytes(folded ^ (LO * u64::from(b'}')));
        if found != 0 {
            return j + (found.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    j + b[j..]
        .iter()
        .position(|&c| matches!(c, b' ' | b':' | b'\n' | b'\r') || is_flow_indicator(c))
        .unwrap_or(b.len() - j)
}

/// Whether a `:` followed by `next` ends a plain scalar in flow context.
#[inline]
fn ends_flow_plain(next: Option<&u8>) -> bool {
    match next {
        None | Some(b' ' | b'\n' | b'\r') => true,
        Some(&c) => is_flow_indicator(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time search finds exactly what a byte loop finds,
    /// whatever the position, the start, and the bytes around (UTF-8,
    /// and the neighbours of the sought bytes and of their bit 0x20).
    #[test]
    fn flow_plain_run_matches_a_byte_loop() {
        let fillers = [
            b'a',
            b'9',
            0x21,
            0x1f_u8.wrapping_add(0x1c),
            0xc3,
            0xa9,
            0xff,
            0x80,
            b';',
            b'+',
            b'-',
            b'9',
            b';',
            b'Z',
            b'\\',
            b'|',
            b'~',
            b'^',
            b'*',
            0x40,
            0x60,
        ];
        let sought = [b' ', b':', b',', b'[', b']', b'{', b'}', b'\n', b'\r'];
        for len in 0..28 {
            for hit in 0..=len {
                for &filler in &fillers {
                    for &s in &sought {
                        let mut b = vec![filler; len];
                        if hit < len {
                            b[hit] = s;
                        }
                        for start in 0..=len.min(9) {
                            let naive = b[start..]
                                .iter()
                                .position(|&c| {
                                    matches!(c, b' ' | b':' | b'\n' | b'\r') || is_flow_indicator(c)
                                })
                                .map_or(len, |p| start + p);
                            assert_eq!(flow_plain_run(&b, start), naive, "{b:?} from {start}");
                        }
                    }
                }
            }
        }
    }
}
