//! The YAML test suite (vendored in `tests/yaml-test-suite/`): every case
//! through the scanner's event stream, compared with `test.event` in the
//! suite's notation; error cases must be rejected. yaml-rust2 runs through
//! the same cases for comparison (its events carry no anchor names, flow
//! styles or explicit document markers, so it is compared with those left
//! out). Cases the scanner fails are listed, with a reason, in
//! `suite-known-failures.txt`; the test fails when any other case fails and
//! when a listed case passes.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use event_decode::internals::yaml::scanner::suite_events;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

struct Case {
    id: String,
    input: String,
    expected: String,
    error: bool,
}

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml-test-suite")
}

fn cases() -> Vec<Case> {
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(suite_dir()).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        if path.join("in.yaml").exists() {
            dirs.push(path);
        } else {
            for sub in std::fs::read_dir(&path).unwrap() {
                let sub = sub.unwrap().path();
                if sub.join("in.yaml").exists() {
                    dirs.push(sub);
                }
            }
        }
    }
    dirs.sort();
    let root = suite_dir();
    dirs.into_iter()
        .map(|d| Case {
            id: d
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            input: std::fs::read_to_string(d.join("in.yaml")).unwrap(),
            expected: std::fs::read_to_string(d.join("test.event")).unwrap_or_default(),
            error: d.join("error").exists(),
        })
        .collect()
}

fn known_failures() -> BTreeMap<String, String> {
    let text = include_str!("suite-known-failures.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            assert!(!reason.trim().is_empty(), "no reason given for {id}");
            (id.to_owned(), reason.trim().to_owned())
        })
        .collect()
}

/// yaml-rust2's events in the suite's notation, without what it cannot
/// report (anchor names, flow style, explicit document markers).
fn yaml_rust2_events(text: &str) -> Result<String, String> {
    let mut parser = Parser::new_from_str(text);
    let mut out = String::new();
    loop {
        let (event, _) = parser.next_token().map_err(|e| e.to_string())?;
        let tag = |t: &Option<yaml_rust2::parser::Tag>| match t {
            Some(t) => format!(" <{}{}>", t.handle, t.suffix),
            None => String::new(),
        };
        let anchor = |a: usize| if a > 0 { " &" } else { "" };
        match &event {
            Event::Nothing => continue,
            Event::StreamStart => out.push_str("+STR"),
            Event::StreamEnd => out.push_str("-STR"),
            Event::DocumentStart => out.push_str("+DOC"),
            Event::DocumentEnd => out.push_str("-DOC"),
            Event::Alias(_) => out.push_str("=ALI *"),
            Event::SequenceStart(a, t) => {
                let _ = write!(out, "+SEQ{}{}", anchor(*a), tag(t));
            }
            Event::MappingStart(a, t) => {
                let _ = write!(out, "+MAP{}{}", anchor(*a), tag(t));
            }
            Event::SequenceEnd => out.push_str("-SEQ"),
            Event::MappingEnd => out.push_str("-MAP"),
            Event::Scalar(text, style, a, t) => {
                let style = match style {
                    TScalarStyle::Plain => ':',
                    TScalarStyle::SingleQuoted => '\'',
                    TScalarStyle::DoubleQuoted => '"',
                    TScalarStyle::Literal => '|',
                    TScalarStyle::Folded => '>',
                };
                let _ = write!(out, "=VAL{}{} {style}{}", anchor(*a), tag(t), escape(text));
            }
        }
        out.push('\n');
        if event == Event::StreamEnd {
            return Ok(out);
        }
    }
}

fn escape(text: &str) -> String {
    let mut out = String::new();
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
    out
}

/// `test.event` without what yaml-rust2 cannot report.
fn without_presentation(events: &str) -> String {
    let mut out = String::new();
    for line in events.lines() {
        let mut words: Vec<String> = Vec::new();
        let (head, value) = match line.find(" :").or_else(|| {
            ["'", "\"", "|", ">"]
                .iter()
                .filter_map(|q| line.find(&format!(" {q}")))
                .min()
        }) {
            Some(i) if line.starts_with("=VAL") => (&line[..i], Some(&line[i..])),
            _ => (line, None),
        };
        for w in head.split(' ') {
            match w {
                "---" | "..." | "{}" | "[]" => {}
                _ if w.starts_with('&') => words.push("&".into()),
                _ if w.starts_with('*') => words.push("*".into()),
                _ => words.push(w.into()),
            }
        }
        out.push_str(&words.join(" "));
        if let Some(v) = value {
            out.push_str(v);
        }
        out.push('\n');
    }
    out
}

#[derive(Default)]
struct Score {
    valid: usize,
    valid_ok: usize,
    errors: usize,
    errors_rejected: usize,
    failed: BTreeMap<String, String>,
}

impl Score {
    fn add(&mut self, case: &Case, outcome: Result<String, String>, expected: &str) {
        if case.error {
            self.errors += 1;
            if outcome.is_err() {
                self.errors_rejected += 1;
            } else {
                self.failed
                    .insert(case.id.clone(), "accepted an invalid input".into());
            }
        } else {
            self.valid += 1;
            match outcome {
                Ok(events) if events == expected => self.valid_ok += 1,
                Ok(events) => {
                    self.failed
                        .insert(case.id.clone(), format!("events differ:\n{events}"));
                }
                Err(e) => {
                    self.failed
                        .insert(case.id.clone(), format!("rejected: {e}"));
                }
            }
        }
    }

    fn line(&self, name: &str) -> String {
        format!(
            "{name}: valid cases matched {}/{} ({:.1}%), error cases rejected {}/{} ({:.1}%)",
            self.valid_ok,
            self.valid,
            100.0 * self.valid_ok as f64 / self.valid as f64,
            self.errors_rejected,
            self.errors,
            100.0 * self.errors_rejected as f64 / self.errors as f64,
        )
    }
}

#[test]
fn yaml_test_suite() {
    let cases = cases();
    assert!(cases.len() > 350, "only {} cases found", cases.len());
    let mut ours = Score::default();
    let mut theirs = Score::default();
    for case in &cases {
        let outcome = suite_events(&case.input).map_err(|e| e.to_string());
        ours.add(case, outcome, &case.expected);
        let outcome = yaml_rust2_events(&case.input);
        theirs.add(case, outcome, &without_presentation(&case.expected));
    }
    println!("{}", ours.line("scanner"));
    println!(
        "{}",
        theirs.line("yaml-rust2 (presentation details left out)")
    );
    let known = known_failures();
    let unexpected: Vec<_> = ours
        .failed
        .iter()
        .filter(|(id, _)| !known.contains_key(*id))
        .map(|(id, why)| format!("{id}: {why}"))
        .collect();
    let fixed: Vec<_> = known
        .keys()
        .filter(|id| !ours.failed.contains_key(*id))
        .cloned()
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} cases fail that are not in suite-known-failures.txt:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "listed in suite-known-failures.txt but now passing (remove them): {fixed:?}"
    );
    assert!(
        ours.valid_ok * 100 >= ours.valid * 98,
        "{}",
        ours.line("scanner")
    );
    assert!(
        ours.errors_rejected * 100 >= ours.errors * 95,
        "{}",
        ours.line("scanner")
    );
}

/// The suite's inputs never panic the scanner or make it loop, also when
/// cut short anywhere (every prefix at a character boundary).
#[test]
fn suite_inputs_cut_anywhere_are_handled() {
    for case in cases() {
        let text = &case.input;
        for (i, _) in text.char_indices().step_by(3) {
            let _ = suite_events(&text[..i]);
        }
    }
}
