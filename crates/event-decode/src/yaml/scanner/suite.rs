//! The YAML test suite's event notation (`+STR`, `+DOC ---`, `+MAP {} &a
//! <tag>`, `=VAL :text`, `=ALI *a`, ...), for conformance tests.

use std::fmt::Write;

use bumpalo::Bump;

use super::super::error::Error;
use super::super::source::ScalarStyle;
use super::parser::{Tag, Token, YamlParser};

/// All events of `text` (a whole stream) in the suite's notation, one per
/// line, or the first error.
///
/// ```
/// let out = event_decode::internals::yaml::scanner::suite_events("- &a x\n- *a\n").unwrap();
/// assert_eq!(out, "+STR\n+DOC\n+SEQ\n=VAL &a :x\n=ALI *a\n-SEQ\n-DOC\n-STR\n");
/// ```
pub fn suite_events(text: &str) -> Result<String, Error> {
    let arena = Bump::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = YamlParser::new(text, &arena, 10_000);
    let mut out = String::new();
    loop {
        let (event, _) = parser.next_event()?;
        write_event(&mut out, &event);
        out.push('\n');
        if event == Token::StreamEnd {
            return Ok(out);
        }
    }
}

/// One event in the suite's notation (no line break).
pub fn write_event(out: &mut String, event: &Token<'_>) {
    match *event {
        Token::StreamStart => out.push_str("+STR"),
        Token::StreamEnd => out.push_str("-STR"),
        Token::DocumentStart { explicit } => {
            out.push_str(if explicit { "+DOC ---" } else { "+DOC" })
        }
        Token::DocumentEnd { explicit } => out.push_str(if explicit { "-DOC ..." } else { "-DOC" }),
        Token::Alias(name) => {
            let _ = write!(out, "=ALI *{name}");
        }
        Token::SequenceStart { anchor, tag, flow } => {
            out.push_str(if flow { "+SEQ []" } else { "+SEQ" });
            properties(out, anchor, tag);
        }
        Token::MappingStart { anchor, tag, flow } => {
            out.push_str(if flow { "+MAP {}" } else { "+MAP" });
            properties(out, anchor, tag);
        }
        Token::SequenceEnd => out.push_str("-SEQ"),
        Token::MappingEnd => out.push_str("-MAP"),
        Token::Scalar {
            text,
            style,
            anchor,
            tag,
        } => {
            out.push_str("=VAL");
            properties(out, anchor, tag);
            out.push(' ');
            out.push(match style {
                ScalarStyle::Plain => ':',
                ScalarStyle::SingleQuoted => '\'',
                ScalarStyle::DoubleQuoted => '"',
                ScalarStyle::Literal => '|',
                ScalarStyle::Folded => '>',
            });
            for c in text.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\0' => out.push_str("\\0"),
                    '\x07' => out.push_str("\\a"),
                    '\x08' => out.push_str("\\b"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\x0b' => out.push_str("\\v"),
                    '\x0c' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    '\x1b' => out.push_str("\\e"),
                    _ => out.push(c),
                }
            }
        }
    }
}

fn properties(out: &mut String, anchor: Option<&str>, tag: Option<Tag<'_>>) {
    if let Some(a) = anchor {
        let _ = write!(out, " &{a}");
    }
    if let Some(t) = tag {
        let _ = write!(out, " <{}{}>", t.prefix, t.suffix);
    }
}
