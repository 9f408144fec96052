//! Scalar resolution by the YAML 1.2 core schema, and number parsing that
//! checks type and range from the text itself.
//!
//! Hand-written rather than taken from a crate: the core schema's regular
//! expressions are short, and matching them on bytes avoids both a regex
//! engine and the YAML 1.1 rules (`yes`, `0b1`, `1_000`) other crates apply.

use super::source::{CoreTag, ScalarStyle};

/// What a scalar resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolved {
    Null,
    Bool(bool),
    Int,
    Float,
    Str,
}

/// The core-schema type of a scalar, honouring core tags. `Err` carries the
/// name of a core tag whose text does not match it.
#[inline]
pub(crate) fn resolve(
    text: &str,
    style: ScalarStyle,
    tag: Option<CoreTag>,
) -> Result<Resolved, &'static str> {
    match tag {
        None if style == ScalarStyle::Plain => Ok(resolve_plain(text)),
        None | Some(CoreTag::Str) | Some(CoreTag::Other) => Ok(Resolved::Str),
        Some(CoreTag::Null) => match resolve_plain(text) {
            Resolved::Null => Ok(Resolved::Null),
            _ => Err("!!null"),
        },
        Some(CoreTag::Bool) => match resolve_plain(text) {
            Resolved::Bool(b) => Ok(Resolved::Bool(b)),
            _ => Err("!!bool"),
        },
        Some(CoreTag::Int) => match resolve_plain(text) {
            Resolved::Int => Ok(Resolved::Int),
            _ => Err("!!int"),
        },
        Some(CoreTag::Float) => match resolve_plain(text) {
            Resolved::Int | Resolved::Float => Ok(Resolved::Float),
            _ => Err("!!float"),
        },
    }
}

/// Whether a scalar is null without resolving anything else (the hot path of
/// string fields).
#[inline]
pub(crate) fn is_null(text: &str, style: ScalarStyle, tag: Option<CoreTag>) -> bool {
    match tag {
        None => style == ScalarStyle::Plain && is_null_text(text),
        Some(CoreTag::Null) => is_null_text(text),
        Some(_) => false,
    }
}

#[inline]
fn is_null_text(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// The core schema's resolution of a plain scalar.
#[inline(always)]
pub(crate) fn resolve_plain(text: &str) -> Resolved {
    match text.as_bytes().first() {
        None => Resolved::Null,
        // Fast exit, inlined: most strings cannot be anything but strings.
        Some(c)
            if !matches!(
                c,
                b'0'..=b'9' | b'+' | b'-' | b'.' | b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F'
            ) =>
        {
            Resolved::Str
        }
        _ => resolve_typed(text),
    }
}

/// [`resolve_plain`] past its first byte.
fn resolve_typed(text: &str) -> Resolved {
    let b = text.as_bytes();
    if is_null_text(text) {
        return Resolved::Null;
    }
    match text {
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        _ => {}
    }
    // Ints and floats start with a digit, a sign or a point.
    if b.first().is_some_and(u8::is_ascii_alphabetic) {
        return Resolved::Str;
    }
    if is_int(b) {
        return Resolved::Int;
    }
    if is_float(b) {
        return Resolved::Float;
    }
    Resolved::Str
}

fn all_digits(b: &[u8], radix_ok: impl Fn(u8) -> bool) -> bool {
    !b.is_empty() && b.iter().all(|&c| radix_ok(c))
}

/// `[-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+`
fn is_int(b: &[u8]) -> bool {
    if let Some(rest) = b.strip_prefix(b"0o") {
        return all_digits(rest, |c| (b'0'..=b'7').contains(&c));
    }
    if let Some(rest) = b.strip_prefix(b"0x") {
        return all_digits(rest, |c| c.is_ascii_hexdigit());
    }
    let digits = match b.first() {
        Some(b'-' | b'+') => &b[1..],
        _ => b,
    };
    all_digits(digits, |c| c.is_ascii_digit())
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`,
/// `[-+]? \. (inf|Inf|INF)`, `\. (nan|NaN|NAN)`
fn is_float(b: &[u8]) -> bool {
    if special_float(b).is_some() {
        return true;
    }
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == b.len()
}

fn special_float(b: &[u8]) -> Option<f64> {
    Some(match b {
        b".inf" | b".Inf" | b".INF" | b"+.inf" | b"+.Inf" | b"+.INF" => f64::INFINITY,
        b"-.inf" | b"-.Inf" | b"-.INF" => f64::NEG_INFINITY,
        b".nan" | b".NaN" | b".NAN" => f64::NAN,
        _ => return None,
    })
}

/// The value of a core-schema integer; `None` when it does not fit an `i128`.
pub(crate) fn parse_int(text: &str) -> Option<i128> {
    if let Some(v) = small_decimal(text) {
        return Some(i128::from(v));
    }
    if let Some(rest) = text.strip_prefix("0o") {
        return i128::from_str_radix(rest, 8).ok();
    }
    if let Some(rest) = text.strip_prefix("0x") {
        return i128::from_str_radix(rest, 16).ok();
    }
    text.parse::<i128>().ok()
}

/// The value of `[-+]?[0-9]{1,18}` (always a core-schema int; 18 digits
/// fit an `i64` with no overflow check), else `None`. The fast path of
/// [`parse_int`]: i128's parser costs about 90 instructions per number.
#[inline]
pub(crate) fn small_decimal(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let (negative, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    // One pass: each digit checked as it is added.
    let mut v = 0i64;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + i64::from(d);
    }
    Some(if negative { -v } else { v })
}

/// `[-+]?[0-9]*(\.[0-9]*)?` with at least one digit and at most
/// `max_digits` digits in all: the sign, the digits as an integer, and how
/// many of them follow the point. Always a core-schema int or float.
#[inline(always)]
fn short_decimal(text: &str, max_digits: usize) -> Option<(bool, u64, usize)> {
    let b = text.as_bytes();
    let (negative, rest) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let mut m = 0u64;
    let mut digits = 0;
    let mut point = None;
    for (i, &c) in rest.iter().enumerate() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits > max_digits {
                return None;
            }
            m = m * 10 + u64::from(c - b'0');
        } else if c == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    let fraction = point.map_or(0, |p| rest.len() - p - 1);
    Some((negative, m, fraction))
}

/// Powers of ten exact in an `f32` (5^10 < 2^24).
const F32_POW10: [f32; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

/// Powers of ten exact in an `f64` (5^22 < 2^53).
const F64_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The `f32` of a short plain decimal without exponent (`1855.25`), else
/// `None`. Exact: at most 7 digits make an integer below 2^24 and the power
/// of ten is exact, so the one division is correctly rounded, which is
/// what the full parser gives (Clinger's fast path). Written by hand
/// because `str::parse::<f32>` costs about 200 instructions per number,
/// and coordinates are a good part of an event's numbers.
#[inline]
pub(crate) fn small_f32(text: &str) -> Option<f32> {
    let (negative, m, fraction) = short_decimal(text, 7)?;
    let v = m as f32 / *F32_POW10.get(fraction)?;
    Some(if negative { -v } else { v })
}

/// The `f64` of a short plain decimal without exponent, as
/// [`small_f32`] (at most 15 digits: below 2^53).
#[inline]
pub(crate) fn small_f64(text: &str) -> Option<f64> {
    let (negative, m, fraction) = short_decimal(text, 15)?;
    let v = m as f64 / *F64_POW10.get(fraction)?;
    Some(if negative { -v } else { v })
}

/// The `f32` of a core-schema int or float, parsed from the text directly
/// (not through `f64`, which could round twice). `None` when out of range.
pub(crate) fn parse_f32(text: &str, resolved: Resolved) -> Option<f32> {
    if let Some(v) = small_f32(text) {
        return Some(v);
    }
    if let Some(v) = special_float(text.as_bytes()) {
        return Some(v as f32);
    }
    let v = match resolved {
        Resolved::Int if text.starts_with("0o") || text.starts_with("0x") => {
            parse_int(text)? as f32
        }
        _ => text.parse::<f32>().ok()?,
    };
    v.is_finite().then_some(v)
}

/// The `f64` of a core-schema int or float. `None` when out of range.
pub(crate) fn parse_f64(text: &str, resolved: Resolved) -> Option<f64> {
    if let Some(v) = small_f64(text) {
        return Some(v);
    }
    if let Some(v) = special_float(text.as_bytes()) {
        return Some(v);
    }
    let v = match resolved {
        Resolved::Int if text.starts_with("0o") || text.starts_with("0x") => {
            parse_int(text)? as f64
        }
        _ => text.parse::<f64>().ok()?,
    };
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decimal fast path of `parse_int` agrees with i128's parser,
    /// around its 18-digit bound and signs.
    #[test]
    fn int_fast_path_matches_the_general_parser() {
        let mut cases = vec![
            "0".to_owned(),
            "-0".into(),
            "+0".into(),
            "007".into(),
            "-".into(),
            "+".into(),
            "".into(),
            "1a".into(),
            "--1".into(),
            "999999999999999999".into(),
            "-999999999999999999".into(),
            "9999999999999999999".into(),
            "170141183460469231731687303715884105727".into(),
            "170141183460469231731687303715884105728".into(),
        ];
        for digits in 1..=20 {
            let n = "9".repeat(digits);
            cases.push(n.clone());
            cases.push(format!("-{n}"));
            cases.push(format!("+{n}"));
        }
        for t in &cases {
            assert_eq!(parse_int(t), t.parse::<i128>().ok(), "{t:?}");
        }
    }

    #[test]
    fn core_schema_resolution() {
        for t in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(resolve_plain(t), Resolved::Null, "{t:?}");
        }
        assert_eq!(resolve_plain("True"), Resolved::Bool(true));
        assert_eq!(resolve_plain("FALSE"), Resolved::Bool(false));
        for t in ["0", "-12", "+7", "007", "0o17", "0x1F"] {
            assert_eq!(resolve_plain(t), Resolved::Int, "{t:?}");
        }
        for t in ["1.5", ".5", "5.", "1e3", "-1.5E-3", ".inf", "-.Inf", ".NaN"] {
            assert_eq!(resolve_plain(t), Resolved::Float, "{t:?}");
        }
        for t in [
            "yes", "no", "on", "0b1", "1_000", "0x", "+", ".", "e3", "inf", "nan", "1e", "0o8",
            "nULL", "12:30", "n", "t", "f", "NaN", "Inf", "nullx", "trueish", "False0", "night",
        ] {
            assert_eq!(resolve_plain(t), Resolved::Str, "{t:?}");
        }
    }

    #[test]
    fn tags_override_style_and_check_text() {
        assert_eq!(
            resolve("3", ScalarStyle::DoubleQuoted, Some(CoreTag::Int)),
            Ok(Resolved::Int)
        );
        assert_eq!(
            resolve("3", ScalarStyle::Plain, Some(CoreTag::Str)),
            Ok(Resolved::Str)
        );
        assert_eq!(
            resolve("3", ScalarStyle::Plain, Some(CoreTag::Float)),
            Ok(Resolved::Float)
        );
        assert_eq!(
            resolve("x", ScalarStyle::Plain, Some(CoreTag::Int)),
            Err("!!int")
        );
        assert_eq!(
            resolve("true", ScalarStyle::SingleQuoted, None),
            Ok(Resolved::Str)
        );
    }

    #[test]
    fn numbers_parse_in_range() {
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("-0o17"), None);
        assert_eq!(parse_f32("1e39", Resolved::Float), None);
        assert_eq!(parse_f32("0.1", Resolved::Float), Some(0.1f32));
        assert_eq!(parse_f32("0x10", Resolved::Int), Some(16.0));
        assert!(parse_f64(".nan", Resolved::Float).is_some_and(f64::is_nan));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

        /// The short-decimal fast paths give exactly what the full parsers
        /// give (bit for bit, signed zeros included), and decline nothing
        /// they should take: every shape of sign, digits and point, on
        /// both sides of the digit bounds.
        #[test]
        fn short_decimals_match_the_full_parsers(
            sign in proptest::sample::select(vec!["", "-", "+"]),
            int in "[0-9]{0,9}",
            point in proptest::bool::ANY,
            frac in "[0-9]{0,17}",
        ) {
            let text = format!("{sign}{int}{}{frac}", if point { "." } else { "" });
            let digits = int.len() + frac.len();
            let decimal = digits > 0 && (point || frac.is_empty());
            match small_f32(&text) {
                Some(v) => {
                    let full = text.parse::<f32>().unwrap();
                    proptest::prop_assert_eq!(v.to_bits(), full.to_bits(), "{}", text);
                    proptest::prop_assert!(resolve_plain(&text) != Resolved::Str);
                }
                None => proptest::prop_assert!(!decimal || digits > 7 || frac.len() > 10, "{}", text),
            }
            match small_f64(&text) {
                Some(v) => {
                    let full = text.parse::<f64>().unwrap();
                    proptest::prop_assert_eq!(v.to_bits(), full.to_bits(), "{}", text);
                }
                None => proptest::prop_assert!(!decimal || digits > 15 || frac.len() > 22, "{}", text),
            }
        }
    }
}
