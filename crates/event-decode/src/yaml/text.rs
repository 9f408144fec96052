//! The checked text of one YAML document, before any parser sees it: the
//! size limit, UTF-8, the characters YAML allows raw, and the `%YAML`
//! version, each refused with the line and column of the offending byte.

use event_model::{Limit, Limits};

use crate::{Category, DecodeError, Position};

/// The checked text of one document: size limit first, then UTF-8, then a
/// leading byte-order mark dropped.
pub(crate) fn document_text<'a>(input: &'a [u8], limits: &Limits) -> Result<&'a str, DecodeError> {
    let text = document_text_unchecked(input, limits)?;
    check_version(text)?;
    check_printable(input)?;
    Ok(text)
}

/// [`document_text`] without the checks of the characters and of the
/// `%YAML` version: for a caller that runs the fast scanner first, which
/// refuses non-printable characters and any `%` line itself, and checks
/// both before any other parser reads the text.
pub(super) fn document_text_unchecked<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<&'a str, DecodeError> {
    let max = limits.max_event_bytes;
    if input.len() > max {
        return Err(DecodeError::limit_exceeded(
            Limit::EventBytes,
            format!(
                "a document of {} bytes exceeds limit max_event_bytes ({max})",
                input.len()
            ),
        )
        .with_position(Position::Text { line: 1, column: 1 }));
    }
    let text = utf8(input)?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// YAML allows only printable characters raw (escapes in double quotes are
/// the way to write others); yaml-rust2 accepts most of them, and reads a
/// NUL as the end of the input, silently dropping what follows. `input` is
/// valid UTF-8.
pub(super) fn check_printable(input: &[u8]) -> Result<(), DecodeError> {
    match first_non_printable(input) {
        None => Ok(()),
        Some(at) => Err(non_printable_error(
            std::str::from_utf8(input).unwrap_or_default(),
            at,
        )),
    }
}

/// The byte offset of the first character YAML 1.2 does not allow raw: C0
/// controls other than tab, LF and CR anywhere; DEL, C1 controls other than
/// NEL (U+0085), and U+FFFE / U+FFFF outside quoted scalars (which take any
/// JSON character, so that JSON reads as YAML). `input` is valid UTF-8.
#[inline]
fn first_non_printable(input: &[u8]) -> Option<usize> {
    // One pass without early exit (it vectorises) clears the common case:
    // no byte that can start a refused character (C0 but tab, LF and CR;
    // DEL; 0xC2 for C1; 0xEF for U+FFFE/U+FFFF). Other UTF-8 is fine.
    let suspect = input.iter().fold(false, |acc, &c| {
        acc | ((c < 0x20 && c != b'\n' && c != b'\t' && c != b'\r')
            || c == 0x7f
            || c == 0xc2
            || c == 0xef)
    });
    if !suspect {
        return None;
    }
    first_non_printable_slow(input)
}

/// The careful scan: where quoted scalars are is told by a small lexer
/// (quotes open after a blank, a line start or a flow indicator; `#` after
/// a blank starts a comment). It can only err towards accepting a
/// character inside something that looks quoted.
#[cold]
fn first_non_printable_slow(input: &[u8]) -> Option<usize> {
    #[derive(PartialEq)]
    enum At {
        Normal,
        Comment,
        Single,
        Double,
    }
    let mut at = At::Normal;
    // The byte before was a blank, a line break, the start, or `[{,`.
    let mut boundary = true;
    let mut i = 0;
    while i < input.len() {
        let c = input[i];
        let quoted = matches!(at, At::Single | At::Double);
        let bad = match c {
            b'\t' | b'\n' | b'\r' => false,
            0..0x20 => true,
            0x7f => !quoted,
            // U+0080..=U+009F is C2 80..=C2 9F; NEL (U+0085) is allowed.
            0xc2 => {
                !quoted
                    && matches!(input.get(i + 1), Some(&n) if (0x80..=0x9f).contains(&n) && n != 0x85)
            }
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
            0xef => {
                !quoted
                    && input.get(i + 1) == Some(&0xbf)
                    && matches!(input.get(i + 2), Some(0xbe | 0xbf))
            }
            _ => false,
        };
        if bad {
            return Some(i);
        }
        match at {
            At::Comment if c == b'\n' || c == b'\r' => at = At::Normal,
            At::Double if c == b'\\' => i += 1,
            At::Double if c == b'"' => at = At::Normal,
            At::Single if c == b'\'' => {
                if input.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    at = At::Normal;
                }
            }
            At::Normal if boundary && c == b'#' => at = At::Comment,
            At::Normal if boundary && c == b'"' => at = At::Double,
            At::Normal if boundary && c == b'\'' => at = At::Single,
            _ => {}
        }
        boundary = matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':');
        i += 1;
    }
    None
}

/// A syntax error at the line and column of the character at byte `at`.
#[cold]
fn non_printable_error(text: &str, at: usize) -> DecodeError {
    let c = text[at..].chars().next().unwrap_or('\0');
    let message = if c == '\0' {
        "NUL byte (U+0000) in the input: YAML allows it only escaped as \"\\0\"".to_owned()
    } else {
        format!(
            "non-printable character U+{:04X} in the input: YAML allows it only as an escape in a double-quoted scalar",
            c as u32
        )
    };
    DecodeError::new(Category::Syntax, message).with_position(text_position(text, at))
}

/// The 1-based line and column of byte `at` of `text` (LF, CRLF and lone
/// CR are line breaks; columns count characters).
fn text_position(text: &str, at: usize) -> Position {
    let before = &text.as_bytes()[..at];
    let mut line = 1u64;
    let mut line_start = 0;
    for (i, &b) in before.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && before.get(i + 1) != Some(&b'\n')) {
            line += 1;
            line_start = i + 1;
        }
    }
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u64
        + 1;
    Position::Text { line, column }
}

/// Refuses a `%YAML` directive for any version but 1.x (YAML 1.2 section
/// 6.8.1; yaml-rust2 accepts every version). Directives come before the
/// document's first content line, so only those lines are looked at.
pub(super) fn check_version(text: &str) -> Result<(), DecodeError> {
    // Most documents have no `%` at all: one SIMD search instead of a
    // walk over the leading lines.
    if memchr::memchr(b'%', text.as_bytes()).is_none() {
        return Ok(());
    }
    let mut offset = 0;
    for line in text.split_inclusive(['\n', '\r']) {
        let start = offset;
        offset += line.len();
        if let Some(rest) = line.strip_prefix("%YAML") {
            let version = rest.trim_start_matches([' ', '\t']);
            let at = start + line.len() - version.len();
            let version = version
                .split([' ', '\t', '\r', '\n', '#'])
                .next()
                .unwrap_or_default();
            let ok = version.strip_prefix("1.").is_some_and(|minor| {
                !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit())
            });
            if !ok {
                return Err(DecodeError::new(
                    Category::Syntax,
                    format!(
                        "unsupported YAML version {version:?} in %YAML directive (only 1.x is read)"
                    ),
                )
                .with_position(text_position(text, at)));
            }
            continue;
        }
        let content = line.trim_start_matches([' ', '\t']);
        if line.starts_with('%') || content.is_empty() || content.starts_with(['#', '\n', '\r']) {
            continue;
        }
        break;
    }
    Ok(())
}

/// `input` as text, or a syntax error at the line and column of the first
/// invalid byte.
fn utf8(input: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(input).map_err(|e| {
        let bad = e.valid_up_to();
        let position = crate::error::text_position(input, bad);
        DecodeError::new(
            Category::Syntax,
            format!("invalid UTF-8 (byte 0x{:02x})", input[bad]),
        )
        .with_position(position)
    })
}
