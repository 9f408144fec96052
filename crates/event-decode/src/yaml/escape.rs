//! The escape sequences of double-quoted scalars (YAML 1.2 §5.7), shared
//! by the scanner and the line scanner's fast path so that both read them
//! the same way.

/// Why an escape sequence could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadEscape {
    /// `\x`, `\u` or `\U` without its 2, 4 or 8 hexadecimal digits.
    Digits(usize),
    /// Digits that name no Unicode scalar value (a surrogate, or too large).
    NotScalar(usize),
    /// A character that starts no escape.
    Unknown,
}

/// The escape sequence whose `\` is at byte `at` of `b`: the character it
/// stands for and its length in bytes (the `\` included). An escaped line
/// break is not an escape here (the callers fold it themselves).
#[inline]
pub(crate) fn escape(b: &[u8], at: usize) -> Result<(char, usize), BadEscape> {
    let code = b.get(at + 1).copied().unwrap_or(0);
    let c = match code {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' | b'\t' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' | b'u' | b'U' => {
            let len = match code {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let digits = b.get(at + 2..at + 2 + len).ok_or(BadEscape::Digits(len))?;
            let mut value = 0u32;
            for &d in digits {
                let v = (d as char).to_digit(16).ok_or(BadEscape::Digits(len))?;
                value = value * 16 + v;
            }
            let ch = char::from_u32(value).ok_or(BadEscape::NotScalar(len))?;
            return Ok((ch, 2 + len));
        }
        _ => return Err(BadEscape::Unknown),
    };
    Ok((c, 2))
}

/// Appends `raw` (a double-quoted scalar's text on one line, quotes left
/// out) to `out` with its escapes applied; `None` at a bad escape or an
/// escaped line break.
pub(crate) fn unescape_into(raw: &str, out: &mut String) -> Option<()> {
    let b = raw.as_bytes();
    let mut from = 0;
    while let Some(n) = memchr::memchr(b'\\', &b[from..]) {
        let at = from + n;
        out.push_str(raw.get(from..at)?);
        let (c, len) = escape(b, at).ok()?;
        out.push(c);
        from = at + len;
    }
    out.push_str(raw.get(from..)?);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_escape_and_its_errors() {
        let mut out = String::new();
        unescape_into(r#"a\tb\x41\u00e9\U0001F600\N\_\L\P\0\"\\\/\ z"#, &mut out).unwrap();
        assert_eq!(out, "a\tbAé😀\u{85}\u{a0}\u{2028}\u{2029}\0\"\\/ z");
        assert_eq!(escape(b"\\x4", 0), Err(BadEscape::Digits(2)));
        assert_eq!(escape(b"\\uD800", 0), Err(BadEscape::NotScalar(4)));
        assert_eq!(escape(b"\\U00110000", 0), Err(BadEscape::NotScalar(8)));
        assert_eq!(escape(b"\\q", 0), Err(BadEscape::Unknown));
        assert_eq!(escape(b"\\", 0), Err(BadEscape::Unknown));
        assert!(unescape_into("ab\\", &mut String::new()).is_none());
    }
}
