//! Lines of a YAML stream as the framing sees them: their kind (document
//! marker, directive, blank, content), their length and line breaks, a
//! leading byte-order mark, and the rule that turns them into frames.

/// The UTF-8 byte-order mark.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What a line is, for framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Line {
    /// `---`: starts a document.
    Start,
    /// `...`: ends a document.
    End,
    /// `%...`: a directive (when no document is open).
    Directive,
    /// Only blanks or a comment.
    Blank,
    /// Anything else.
    Content,
}

/// The length of the first line of `rest`, its line break (LF, CRLF or a
/// lone CR) included.
pub(super) fn line_len(rest: &[u8]) -> usize {
    match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
        Some(i) if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') => i + 2,
        Some(i) => i + 1,
        None => rest.len(),
    }
}

/// How many line breaks `bytes` holds (a CRLF counts once).
pub(super) fn count_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

/// Whether a line whose first bytes are `head` (the whole line when
/// `complete`) may be a `---` line.
pub(super) fn may_start(head: &[u8], complete: bool) -> bool {
    if head.len() >= 4 || complete {
        is_marker(head, b"---")
    } else {
        b"---".starts_with(head)
    }
}

/// How many of the first bytes `head` of the stream's first line (the
/// whole line when `complete`) are, or may still be, a byte-order mark.
pub(super) fn bom_len(head: &[u8], complete: bool) -> usize {
    if head.starts_with(BOM) {
        BOM.len()
    } else if !complete && BOM.starts_with(head) {
        head.len()
    } else {
        0
    }
}

fn is_marker(line: &[u8], marker: &[u8; 3]) -> bool {
    line.starts_with(marker) && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
}

/// Classifies a line (its line break included, or a prefix of it).
pub(super) fn classify(line: &[u8]) -> Line {
    if is_marker(line, b"---") {
        return Line::Start;
    }
    if is_marker(line, b"...") {
        return Line::End;
    }
    if line.first() == Some(&b'%') {
        return Line::Directive;
    }
    match line
        .iter()
        .find(|&&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        None | Some(b'#') => Line::Blank,
        Some(_) => Line::Content,
    }
}

/// What a line means for the frame being gathered.
pub(super) enum Step {
    /// The line belongs to the frame.
    Keep,
    /// The line starts the next frame: the frame ends before it.
    EndBefore,
    /// The line ends the frame and belongs to it.
    EndAfter,
    /// A stray `...` with no document open: drop everything gathered.
    Reset,
}

/// The framing rule, shared by the slice and reader forms.
pub(super) fn step(line: Line, open: &mut bool) -> Step {
    match line {
        Line::Start if *open => Step::EndBefore,
        Line::End if *open => Step::EndAfter,
        Line::End => Step::Reset,
        Line::Directive | Line::Blank if !*open => Step::Keep,
        _ => {
            *open = true;
            Step::Keep
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_classify_at_column_zero_only() {
        assert_eq!(classify(b"---\n"), Line::Start);
        assert_eq!(classify(b"--- {a: 1}\n"), Line::Start);
        assert_eq!(classify(b"---"), Line::Start);
        assert_eq!(classify(b"----\n"), Line::Content);
        assert_eq!(classify(b" ---\n"), Line::Content);
        assert_eq!(classify(b"...\r\n"), Line::End);
        assert_eq!(classify(b"...x\n"), Line::Content);
        assert_eq!(classify(b"%YAML 1.2\n"), Line::Directive);
        assert_eq!(classify(b"  # note\n"), Line::Blank);
        assert_eq!(classify(b"\n"), Line::Blank);
    }
}
