//! The same events written the way other YAML emitters write them, for the
//! per-style rows of `compare`: PyYAML's flow and block styles, ruamel.yaml's
//! round-trip style, Go `gopkg.in/yaml.v3`'s `Marshal` (escapes and block
//! scalars), and `veltrix gen`'s output with CRLF line breaks. Written here
//! from the events' canonical JSON so that every style holds exactly the
//! events of the `gen` row.

use std::fmt::Write as _;

use bumpalo::Bump;
use event_decode::{json, yaml};
use event_model::OwnedEvent;
use serde_json::Value;

/// A way of writing YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `veltrix gen` (the project's encoder): the baseline.
    Gen,
    /// PyYAML `safe_dump(default_flow_style=True, width=80)`.
    PyYamlFlow,
    /// PyYAML `safe_dump(default_flow_style=False, explicit_start=True)`:
    /// indentless sequences, single quotes, `\x`/`\u` escapes.
    PyYamlBlock,
    /// ruamel.yaml round-trip: comments, 4-space sequence indent with
    /// offset 2, short scalar lists in flow style.
    Ruamel,
    /// Go yaml.v3 `Marshal` with `SetIndent(4)`: double-quoted escapes and
    /// `|-` block scalars.
    GoYamlV3,
    /// `veltrix gen` with CRLF line breaks.
    Crlf,
}

impl Style {
    /// Every style, baseline first.
    pub const ALL: [Style; 6] = [
        Style::Gen,
        Style::PyYamlFlow,
        Style::PyYamlBlock,
        Style::Ruamel,
        Style::GoYamlV3,
        Style::Crlf,
    ];

    /// The row label.
    pub const fn name(self) -> &'static str {
        match self {
            Style::Gen => "veltrix gen",
            Style::PyYamlFlow => "PyYAML flow",
            Style::PyYamlBlock => "PyYAML block",
            Style::Ruamel => "ruamel.yaml",
            Style::GoYamlV3 => "Go yaml.v3",
            Style::Crlf => "gen with CRLF",
        }
    }

    /// `event` as one YAML document in this style.
    pub fn write(self, event: &OwnedEvent) -> String {
        let arena = Bump::new();
        let view = event.as_view(&arena);
        let mut out = String::new();
        match self {
            Style::Gen => yaml::encode(&view, &mut out),
            Style::Crlf => {
                yaml::encode(&view, &mut out);
                out = out.replace('\n', "\r\n");
            }
            _ => {
                let mut j = Vec::new();
                json::encode(&view, &mut j);
                let value: Value = serde_json::from_slice(&j).unwrap_or(Value::Null);
                match self {
                    Style::PyYamlFlow => {
                        let mut line = String::new();
                        flow(&value, &mut line, Quote::Python);
                        out = wrap(&line, 80);
                    }
                    Style::PyYamlBlock => {
                        out.push_str("---\n");
                        block(&value, 0, &mut out, Quote::Python, Layout::PyYaml);
                    }
                    Style::Ruamel => {
                        out.push_str("# an event, as the game server wrote it\n");
                        block(&value, 0, &mut out, Quote::Single, Layout::Ruamel);
                    }
                    _ => block(&value, 0, &mut out, Quote::Go, Layout::Go),
                }
            }
        }
        out
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    /// Single quotes; double quotes with `\x`/`\u` escapes for non-ASCII.
    Python,
    /// Single quotes.
    Single,
    /// Double quotes with escapes; multi-line strings as `|-` blocks.
    Go,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Mapping indent 2, sequences indentless.
    PyYaml,
    /// Mapping indent 2, sequences at +4 with the dash at +2, scalar lists
    /// in flow style, a comment after some values.
    Ruamel,
    /// Indent 4 everywhere, sequences indented.
    Go,
}

/// Whether `s` can be written plain and still read as this string.
fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    first.is_ascii_alphabetic()
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " -_./@".contains(c))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "nan" | "inf"
        )
}

fn scalar(v: &Value, quote: Quote, indent: usize, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => string(s, quote, indent, out),
        _ => out.push_str("null"),
    }
}

fn string(s: &str, quote: Quote, indent: usize, out: &mut String) {
    if plain_ok(s) {
        out.push_str(s);
        return;
    }
    let printable_ascii = s.chars().all(|c| (' '..='~').contains(&c));
    match quote {
        Quote::Go if s.contains('\n') && s.chars().all(|c| c == '\n' || !c.is_control()) => {
            // A literal block, stripped of its final line break.
            out.push_str(if s.ends_with('\n') { "|" } else { "|-" });
            for line in s.split_terminator('\n') {
                out.push('\n');
                if !line.is_empty() {
                    out.push_str(&" ".repeat(indent + 4));
                    out.push_str(line);
                }
            }
            if s.ends_with('\n') && s.ends_with("\n\n") {
                // Keep chomping would be needed: fall back to quotes.
                out.truncate(out.len());
            }
        }
        Quote::Go | Quote::Python if !printable_ascii || quote == Quote::Go => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    '\r' => out.push_str("\\r"),
                    c if (c as u32) < 0x20 || c == '\u{7f}' => {
                        let _ = write!(out, "\\x{:02X}", c as u32);
                    }
                    c if quote == Quote::Python && (c as u32) > 0x7e => {
                        let n = c as u32;
                        if n <= 0xff {
                            let _ = write!(out, "\\x{n:02X}");
                        } else if n <= 0xffff {
                            let _ = write!(out, "\\u{n:04X}");
                        } else {
                            let _ = write!(out, "\\U{n:08X}");
                        }
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        _ => {
            if s.chars().any(|c| c.is_control() || c == '\u{85}') {
                // Single quotes cannot escape: use the JSON form.
                out.push_str(&serde_json::to_string(s).unwrap_or_default());
                return;
            }
            out.push('\'');
            out.push_str(&s.replace('\'', "''"));
            out.push('\'');
        }
    }
}

/// The flow form of `v` on one line.
fn flow(v: &Value, out: &mut String, quote: Quote) {
    match v {
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                string(k, quote, 0, out);
                out.push_str(": ");
                flow(v, out, quote);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(v, out, quote);
            }
            out.push(']');
        }
        // No block scalars inside flow: Go quoting would be wrong here.
        v => scalar(
            v,
            if quote == Quote::Go {
                Quote::Python
            } else {
                quote
            },
            0,
            out,
        ),
    }
}

/// Breaks a long flow line after `, ` once past `width`, continuing with a
/// two-space indent (PyYAML's line wrapping).
fn wrap(line: &str, width: usize) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let mut col = 0;
    let mut in_quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        col += 1;
        match (in_quote, c) {
            (None, '\'' | '"') => in_quote = Some(c),
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    out.push(n);
                    col += 1;
                }
            }
            (Some(q), c) if c == q => in_quote = None,
            (None, ',') if col > width && chars.peek() == Some(&' ') => {
                chars.next();
                out.push_str("\n  ");
                col = 2;
            }
            _ => {}
        }
    }
    out.push('\n');
    out
}

fn is_leaf(v: &Value) -> bool {
    !matches!(v, Value::Object(_) | Value::Array(_))
}

/// The block form of `v` at `indent`, after a key's `: ` or at the start.
fn block(v: &Value, indent: usize, out: &mut String, quote: Quote, layout: Layout) {
    let step = if layout == Layout::Go { 4 } else { 2 };
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (i, (k, v)) in map.iter().enumerate() {
                out.push_str(&" ".repeat(indent));
                string(k, quote, indent, out);
                out.push(':');
                value_after_key(v, indent, step, out, quote, layout);
                if layout == Layout::Ruamel && i == 0 && indent == 0 {
                    // A trailing comment after a value.
                    let nl = out.len() - 1;
                    out.insert_str(nl, "  # first field");
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for v in items {
                out.push_str(&" ".repeat(indent));
                out.push('-');
                if is_leaf(v) {
                    out.push(' ');
                    scalar(v, quote, indent, out);
                    out.push('\n');
                } else {
                    // A compact nested collection after `- `.
                    let mut inner = String::new();
                    block(v, indent + 2, &mut inner, quote, layout);
                    out.push(' ');
                    out.push_str(inner.trim_start_matches(' '));
                }
            }
        }
        v => {
            let mut s = String::new();
            flow(v, &mut s, quote);
            out.push_str(&" ".repeat(indent));
            out.push_str(&s);
            out.push('\n');
        }
    }
}

fn value_after_key(
    v: &Value,
    indent: usize,
    step: usize,
    out: &mut String,
    quote: Quote,
    layout: Layout,
) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            block(v, indent + step, out, quote, layout);
        }
        Value::Array(items) if !items.is_empty() => {
            if layout == Layout::Ruamel && items.iter().all(is_leaf) {
                out.push(' ');
                flow(v, out, quote);
                out.push('\n');
                return;
            }
            out.push('\n');
            let at = match layout {
                Layout::PyYaml => indent,
                Layout::Ruamel => indent + 2,
                Layout::Go => indent + 4,
            };
            block(v, at, out, quote, layout);
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(_) => out.push_str(" []\n"),
        v => {
            out.push(' ');
            scalar(v, quote, indent, out);
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use bumpalo::Bump;
    use event_decode::Decoder;
    use event_decode::internals::yaml::Engine;
    use event_decode::yaml::YamlDecoder;
    use event_model::corpus::Generator;

    use super::*;

    /// The event as a JSON value: attrs compare regardless of order.
    fn as_json(event: &OwnedEvent) -> Value {
        let arena = Bump::new();
        let mut j = Vec::new();
        json::encode(&event.as_view(&arena), &mut j);
        serde_json::from_slice(&j).expect("canonical JSON")
    }

    /// Every style of every corpus event decodes to the event itself, with
    /// the scanner; and the styles really differ from `gen`.
    #[test]
    fn every_style_holds_the_same_events() {
        let mut decoder = YamlDecoder::new();
        let mut reference = YamlDecoder::new().engine(Engine::YamlRust2);
        for event in Generator::new(7).take(300) {
            for style in Style::ALL {
                let doc = style.write(&event);
                let arena = Bump::new();
                let got = decoder
                    .decode(doc.as_bytes(), &arena)
                    .unwrap_or_else(|e| panic!("{}: {e}\n{doc}", style.name()))
                    .to_owned();
                assert_eq!(as_json(&got), as_json(&event), "{}:\n{doc}", style.name());
                if style != Style::PyYamlFlow {
                    // yaml-rust2 reads them too (it rejects some flow
                    // plain scalars that PyYAML writes).
                    let theirs = reference.decode(doc.as_bytes(), &arena);
                    if let Ok(theirs) = theirs {
                        let theirs = theirs.to_owned();
                        assert_eq!(
                            as_json(&theirs),
                            as_json(&event),
                            "{}:\n{doc}",
                            style.name()
                        );
                    }
                }
                if style != Style::Gen {
                    assert_ne!(doc, Style::Gen.write(&event), "{}", style.name());
                }
            }
        }
    }
}
