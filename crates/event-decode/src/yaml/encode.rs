//! The YAML encoder: one block-style document per event, readable, and read
//! back identically by any YAML 1.2 parser.
//!
//! Strings are written plain when that is unambiguous under the YAML 1.2 core
//! schema *and* under YAML 1.1 readers (`yes`, `on`, `1_000`, dates), and in
//! double quotes with escapes otherwise. Quoted strings stay on one line, so
//! no scalar ever puts `---` or `...` at column 0 and streams split exactly.

use std::fmt::Write;

use event_model::{Event, InventoryItem, Payload, Score, Vec3};

use super::scalar::{Resolved, resolve_plain};

/// Appends `event` as one YAML document starting with `---\n`: the envelope
/// fields in the order of the specification, `ts` as integer milliseconds,
/// floats as the shortest text that reads back to the same `f32`, absent
/// optional fields, empty `attrs` and a heartbeat's payload omitted. A
/// stream is the concatenation of documents.
///
/// ```
/// use event_decode::{Bump, Decoder, yaml};
///
/// let arena = Bump::new();
/// let text = event_model::corpus::REFERENCE_EVENT_YAML.as_bytes();
/// let event = yaml::YamlDecoder::new().decode(text, &arena).unwrap();
/// let mut out = String::new();
/// yaml::encode(&event, &mut out);
/// assert!(out.starts_with("---\nid: 831c4e3b-114e-4738-8f0c-de7c849b35b8\nseq: 1004\n"));
/// assert!(out.contains("  build: \"4412\"\n"));
/// ```
pub fn encode(event: &Event<'_>, out: &mut String) {
    out.push_str("---\n");
    key(out, 0, "id");
    string(out, event.id);
    key(out, 0, "seq");
    int(out, event.seq);
    key(out, 0, "ts");
    int(out, event.ts.millis());
    key(out, 0, "kind");
    out.push_str(event.kind().name());
    key(out, 0, "player_id");
    string(out, event.player_id);
    if let Some(m) = event.match_id {
        key(out, 0, "match_id");
        string(out, m);
    }
    key(out, 0, "region");
    string(out, event.region);
    if !event.attrs.is_empty() {
        out.push_str("\nattrs:");
        for a in event.attrs {
            out.push('\n');
            entry_key(out, 2, a.key);
            string(out, a.value);
        }
    }
    payload(out, &event.payload);
    out.push('\n');
}

/// How a payload field of each type is written (per type, not per field):
/// `name: value` lines at indent 2, absent optional fields omitted.
trait YamlField {
    fn write(&self, out: &mut String, name: &str);
}

macro_rules! yaml_scalar {
    ($($t:ty => $write:expr),* $(,)?) => {$(
        impl YamlField for $t {
            fn write(&self, out: &mut String, name: &str) {
                key(out, 2, name);
                ($write)(out, *self);
            }
        }
    )*};
}

yaml_scalar!(
    u32 => |out: &mut String, v: u32| int(out, v),
    u64 => |out: &mut String, v: u64| int(out, v),
    f32 => float,
    bool => |out: &mut String, v: bool| out.push_str(if v { "true" } else { "false" }),
    &str => |out: &mut String, v: &str| string(out, v),
);

impl YamlField for Option<&str> {
    fn write(&self, out: &mut String, name: &str) {
        if let Some(v) = self {
            v.write(out, name);
        }
    }
}

impl YamlField for Vec3 {
    fn write(&self, out: &mut String, name: &str) {
        vec3(out, 2, name, self);
    }
}

impl YamlField for &[&str] {
    fn write(&self, out: &mut String, name: &str) {
        strings(out, 2, name, self);
    }
}

/// A list of two-field records (`InventoryItem`, `Score`) in block style.
fn records<T>(
    out: &mut String,
    name: &str,
    items: &[T],
    first: &str,
    second: &str,
    write: impl Fn(&mut String, &T, &str, &str),
) {
    key(out, 2, name);
    if items.is_empty() {
        out.push_str("[]");
        return;
    }
    out.pop(); // no trailing space after the key
    for item in items {
        out.push_str("\n    - ");
        write(out, item, first, second);
    }
}

impl YamlField for &[InventoryItem<'_>] {
    fn write(&self, out: &mut String, name: &str) {
        records(out, name, self, "item", "qty", |out, i, first, second| {
            out.push_str(first);
            out.push_str(": ");
            string(out, i.item);
            key(out, 6, second);
            int(out, i.qty);
        });
    }
}

impl YamlField for &[Score<'_>] {
    fn write(&self, out: &mut String, name: &str) {
        records(
            out,
            name,
            self,
            "player_id",
            "score",
            |out, s, first, second| {
                out.push_str(first);
                out.push_str(": ");
                string(out, s.player_id);
                key(out, 6, second);
                int(out, s.score);
            },
        );
    }
}

/// Generates `payload` from the schema: fields in the order of the `.proto`.
macro_rules! yaml_payload {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        fn payload(out: &mut String, payload: &Payload<'_>) {
            if matches!(payload, Payload::$Unit) {
                return;
            }
            out.push_str("\npayload:");
            match payload {
                $(Payload::$Kind(p) => {
                    $(YamlField::write(&p.$f, out, stringify!($f));)*
                })*
                Payload::$Unit => {}
            }
        }
    };
}

event_model::with_payload_schema!(yaml_payload);

/// Starts line `name: ` at `indent` (the previous line is not yet ended:
/// each field ends its predecessor, so no trailing spaces are written).
fn key(out: &mut String, indent: usize, name: &str) {
    if !out.ends_with("---\n") {
        out.push('\n');
    }
    push_indent(out, indent);
    out.push_str(name);
    out.push_str(": ");
}

/// A free-form mapping key: implicit keys must stay under 1024 characters,
/// longer ones are written as explicit `? key` entries.
fn entry_key(out: &mut String, indent: usize, name: &str) {
    push_indent(out, indent);
    let start = out.len();
    string(out, name);
    if out.len() - start > 1000 {
        out.insert_str(start, "? ");
        out.push('\n');
        push_indent(out, indent);
    }
    out.push_str(": ");
}

fn push_indent(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push(' ');
    }
}

fn int(out: &mut String, v: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(v));
}

/// The shortest text that reads back to the same `f32`; YAML's spellings for
/// the non-finite values (which validation refuses, but encoding is total).
fn float(out: &mut String, v: f32) {
    if v.is_nan() {
        out.push_str(".nan");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { ".inf" } else { "-.inf" });
    } else {
        out.push_str(ryu::Buffer::new().format_finite(v));
    }
}

fn vec3(out: &mut String, indent: usize, name: &str, v: &Vec3) {
    key(out, indent, name);
    out.pop(); // no trailing space after `position:`
    for (axis, value) in [("x", v.x), ("y", v.y), ("z", v.z)] {
        key(out, indent + 2, axis);
        float(out, value);
    }
}

fn strings(out: &mut String, indent: usize, name: &str, items: &[&str]) {
    key(out, indent, name);
    if items.is_empty() {
        out.push_str("[]");
        return;
    }
    out.pop();
    for item in items {
        out.push('\n');
        push_indent(out, indent + 2);
        out.push_str("- ");
        string(out, item);
    }
}

/// A string, plain when safe, else double-quoted.
fn string(out: &mut String, s: &str) {
    if plain_is_safe(s) {
        out.push_str(s);
    } else {
        quoted(out, s);
    }
}

/// Whether `s` written plain reads back as exactly the string `s` in every
/// context the encoder uses (block values, list items, keys) and under YAML
/// 1.1 resolution too.
pub(crate) fn plain_is_safe(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    // Indicators, and characters that start numbers or special values.
    if b"-?:,[]{}#&*!|>'\"%@`~+. \t".contains(&first) || matches!(last, b' ' | b'\t' | b':') {
        return false;
    }
    if s.contains(": ") || s.contains(" #") {
        return false;
    }
    // Printable characters only, and no flow indicators or tabs (simpler
    // than proving each safe in its position).
    if !s.chars().all(|c| match c {
        ' '..='~' => !matches!(c, ',' | '[' | ']' | '{' | '}'),
        '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'.. => {
            !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
        }
        _ => false,
    }) {
        return false;
    }
    if resolve_plain(s) != Resolved::Str || s.parse::<f64>().is_ok() {
        return false;
    }
    // YAML 1.1 booleans and nulls.
    const WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    if WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return false;
    }
    // YAML 1.1 numbers (`1_000`, `0b101`, `1:30`) and timestamps (`2024-05-17`).
    if first.is_ascii_digit()
        && (b
            .iter()
            .all(|c| c.is_ascii_digit() || b"_.:+-eEtTzZ ".contains(c))
            || s.starts_with("0b")
            || s.starts_with("0x")
            || s.starts_with("0o"))
    {
        return false;
    }
    true
}

/// A double-quoted scalar on one line, escaping what is not printable.
fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_would_read_back_differently() {
        for s in [
            "",
            "4412",
            "true",
            "Null",
            "~",
            "yes",
            "No",
            "1e3",
            "0x1F",
            ".inf",
            "-x",
            " a",
            "a ",
            "a: b",
            "a #b",
            "a\nb",
            "\u{feff}x",
            "x\u{1}",
            "[x]",
            "a,b",
            "2024-05-17",
            "1_000",
            "inf",
            "key:",
            "%d",
            "@a",
            "`t`",
        ] {
            assert!(!plain_is_safe(s), "{s:?} must be quoted");
        }
        for s in [
            "plr_6826891",
            "831c4e3b-114e-4738",
            "ios-5.2.1",
            "a:b",
            "a#b",
            "ünï",
            "it's",
        ] {
            assert!(plain_is_safe(s), "{s:?} can be plain");
        }
    }

    #[test]
    fn escapes_controls_and_separators() {
        let mut out = String::new();
        quoted(&mut out, "a\"\\\n\t\u{1}\u{85}\u{2028}\u{feff}é");
        assert_eq!(out, r#""a\"\\\n\t\x01\N\L\uFEFFé""#);
    }
}
