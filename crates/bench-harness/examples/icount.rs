//! Instruction counts of the YAML decoder per style, for a noisy machine:
//! wall time there varies by 2× from run to run, instructions by < 0.1 %.
//!
//! Each case decodes its documents once untimed (buffers and arena warm),
//! then `passes` more times inside `measured`, the only function that
//! callgrind collects (`--collect-atstart=no --toggle-collect=...`), so
//! set-up (corpus generation, styles) costs nothing in the figure:
//!
//! ```text
//! cargo build --release -p bench-harness --example icount
//! crates/bench-harness/icount.sh            # every case, a table of instructions/event
//! ```
//!
//! Cases: `reference` (the 512-byte reference event, default decoder),
//! `reference-json` (the same event through the JSON decoder),
//! `reference-scanner` (the YAML reference with the line scanner off),
//! `<style>` (the compare corpus written in one `Style`, default decoder)
//! and `<style>-scanner` (the same, line scanner off); `show` prints the
//! first corpus event in every style. Without valgrind it
//! just runs (a smoke test that every case decodes).
#![forbid(unsafe_code)]

use std::hint::black_box;

use anyhow::{Context, Result, bail};
use bench_harness::inputs::{CORPUS_EVENTS, CORPUS_SEED, Inputs};
use bench_harness::styles::Style;
use bumpalo::Bump;
use event_decode::Decoder;
use event_decode::json::JsonDecoder;
use event_decode::yaml::YamlDecoder;

/// Decodes of the reference event per pass.
const REFERENCE_REPEATS: usize = 1000;

fn style_key(style: Style) -> &'static str {
    match style {
        Style::Gen => "gen",
        Style::PyYamlFlow => "pyyaml-flow",
        Style::PyYamlBlock => "pyyaml-block",
        Style::Ruamel => "ruamel",
        Style::GoYamlV3 => "go-yaml-v3",
        Style::Crlf => "crlf",
    }
}

/// The only collected function: `passes` decodes of every document.
#[inline(never)]
fn measured(docs: &[Vec<u8>], passes: usize, decode: &mut dyn FnMut(&[u8])) {
    for _ in 0..passes {
        for d in docs {
            decode(black_box(d));
        }
    }
}

fn run<D: Decoder>(docs: &[Vec<u8>], passes: usize, mut decoder: D) -> Result<usize> {
    let mut arena = Bump::new();
    for d in docs {
        arena.reset();
        decoder
            .decode(d, &arena)
            .with_context(|| String::from_utf8_lossy(d).into_owned())?;
    }
    let mut decode = |d: &[u8]| {
        arena.reset();
        let event = decoder.decode(d, &arena);
        black_box(event.is_ok());
    };
    measured(docs, passes, &mut decode);
    Ok(docs.len() * passes)
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let case = args.next().unwrap_or_else(|| "reference".into());
    let passes: usize = match args.next() {
        Some(p) => p.parse().context("passes")?,
        None => 1,
    };
    let (name, scanner_only) = match case.strip_suffix("-scanner") {
        Some(n) => (n, true),
        None => (case.as_str(), false),
    };
    if case == "show" {
        // The first corpus event in every style, to look at.
        let event = event_model::corpus::Generator::new(CORPUS_SEED)
            .next()
            .context("an event")?;
        for style in Style::ALL {
            println!("# {}\n{}", style_key(style), style.write(&event));
        }
        return Ok(());
    }
    let yaml = || YamlDecoder::new().fast_path(!scanner_only);
    let decoded = if name == "reference" || name == "reference-json" {
        let inputs = Inputs::build(1, CORPUS_SEED)?;
        let json = name == "reference-json";
        let one = if json {
            inputs.reference.json[0].clone()
        } else {
            inputs.reference.yaml[0].clone()
        };
        let docs = vec![one; REFERENCE_REPEATS];
        if json {
            run(&docs, passes, JsonDecoder::new())?
        } else {
            run(&docs, passes, yaml())?
        }
    } else {
        let Some(style) = Style::ALL.into_iter().find(|s| style_key(*s) == name) else {
            bail!(
                "unknown case {case:?}: reference, reference-json, or one of {:?} (with -scanner: line scanner off)",
                Style::ALL.map(style_key)
            );
        };
        let docs: Vec<Vec<u8>> = event_model::corpus::Generator::new(CORPUS_SEED)
            .take(CORPUS_EVENTS)
            .map(|e| style.write(&e).into_bytes())
            .collect();
        run(&docs, passes, yaml())?
    };
    println!("{case}: {decoded} decodes measured");
    Ok(())
}
