//! `compare`: every decoder on the same inputs, measured the same way, in one run.

use std::hint::black_box;
use std::path::PathBuf;

use anyhow::{Context, Result};
use bumpalo::Bump;
use event_decode::internals::text::SerdeOwnedEvent;
use event_decode::{Format, json, protobuf, yaml};
use event_model::OwnedEvent;
use event_model::proto;
use indicatif::{ProgressBar, ProgressStyle};
use prost::Message as _;
use serde::Serialize;

use crate::inputs::{InputSet, Inputs, mean_len};
use crate::machine::Machine;
use crate::measure::{self, Heap, Plan, Timing};
use crate::{AllocProbe, go};

mod render;

pub use render::{markdown, svg};

/// Every row of the comparison, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Row {
    /// Veltrix streaming YAML as shipped: the project's zero-copy scanner.
    VeltrixYaml,
    /// Veltrix streaming YAML on yaml-rust2's events only (the second
    /// engine, fast line scanner off).
    VeltrixYamlEvents,
    /// Veltrix JSON (serde_json through the arena seed, borrowed strings).
    VeltrixJson,
    /// Veltrix protobuf, zero-copy.
    VeltrixProtoZeroCopy,
    /// Veltrix protobuf through prost, then viewed and validated.
    VeltrixProtoProst,
    /// yaml-rust2 `YamlLoader` (a DOM), then converted.
    YamlRust2Dom,
    /// `serde_yaml` 0.9 into [`OwnedEvent`].
    SerdeYaml,
    /// `serde-saphyr` into [`OwnedEvent`].
    SerdeSaphyr,
    /// `prost::Message::decode` into the generated `proto::Event`.
    Prost,
    /// `serde_json` into [`OwnedEvent`].
    SerdeJson,
    /// `serde_json` into plain derived structs of borrowed `&str`
    /// ([`BorrowedEvent`](crate::borrowed_json::BorrowedEvent)): every
    /// field read, nothing validated.
    SerdeJsonBorrowed,
    /// Go `gopkg.in/yaml.v3` into `map[string]interface{}`.
    GoMap,
    /// Go `gopkg.in/yaml.v3` into a typed struct.
    GoStruct,
}

impl Row {
    /// All rows, in report order.
    pub const ALL: [Row; 13] = [
        Row::VeltrixYaml,
        Row::VeltrixYamlEvents,
        Row::VeltrixJson,
        Row::VeltrixProtoZeroCopy,
        Row::VeltrixProtoProst,
        Row::YamlRust2Dom,
        Row::SerdeYaml,
        Row::SerdeSaphyr,
        Row::Prost,
        Row::SerdeJson,
        Row::SerdeJsonBorrowed,
        Row::GoMap,
        Row::GoStruct,
    ];

    /// The row's label.
    pub const fn name(self) -> &'static str {
        match self {
            Row::VeltrixYaml => "veltrix streaming yaml (scanner)",
            Row::VeltrixYamlEvents => "veltrix streaming yaml (yaml-rust2 events)",
            Row::VeltrixJson => "veltrix json",
            Row::VeltrixProtoZeroCopy => "veltrix protobuf zero-copy",
            Row::VeltrixProtoProst => "veltrix protobuf via prost",
            Row::YamlRust2Dom => "yaml-rust2 DOM + convert",
            Row::SerdeYaml => "serde_yaml 0.9 -> OwnedEvent",
            Row::SerdeSaphyr => "serde-saphyr -> OwnedEvent",
            Row::Prost => "prost::Message::decode",
            Row::SerdeJson => "serde_json -> OwnedEvent",
            Row::SerdeJsonBorrowed => "serde_json, borrowed &str struct",
            Row::GoMap => "go yaml.v3 -> map[string]interface{}",
            Row::GoStruct => "go yaml.v3 -> struct",
        }
    }

    /// The format the row reads.
    pub const fn format(self) -> Format {
        match self {
            Row::VeltrixJson | Row::SerdeJson | Row::SerdeJsonBorrowed => Format::Json,
            Row::VeltrixProtoZeroCopy | Row::VeltrixProtoProst | Row::Prost => Format::Protobuf,
            _ => Format::Yaml,
        }
    }

    /// Whether the row is one of Veltrix's own decoders.
    pub const fn is_veltrix(self) -> bool {
        matches!(
            self,
            Row::VeltrixYaml
                | Row::VeltrixYamlEvents
                | Row::VeltrixJson
                | Row::VeltrixProtoZeroCopy
                | Row::VeltrixProtoProst
        )
    }

    /// Whether the row runs in the Go program.
    pub const fn is_go(self) -> bool {
        matches!(self, Row::GoMap | Row::GoStruct)
    }
}

/// What `compare` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The measuring plan (samples, batch, warm-up).
    pub plan: Plan,
    /// Whether this is a `--quick` run.
    pub quick: bool,
    /// Corpus size.
    pub corpus_events: usize,
    /// Corpus seed.
    pub seed: u64,
    /// Run the Go rows when `go` is installed.
    pub go: bool,
    /// Where the Go program is built.
    pub work_dir: PathBuf,
    /// Show a progress bar on stderr (hidden anyway when stderr is not a terminal).
    pub progress: bool,
}

/// How the run was set up.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// The measuring plan.
    pub plan: Plan,
    /// `--quick`.
    pub quick: bool,
    /// Corpus size.
    pub corpus_events: usize,
    /// Corpus seed.
    pub corpus_seed: u64,
    /// How an arena is used by Veltrix rows.
    pub arena: &'static str,
}

/// One decoder on one input.
#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    /// Row label.
    pub decoder: &'static str,
    /// `yaml`, `json` or `proto`.
    pub format: &'static str,
    /// `reference` or `corpus`.
    pub input: InputSet,
    /// Whether the decoder is Veltrix's own.
    pub veltrix: bool,
    /// Distinct events in the input.
    pub events: usize,
    /// Mean size of an input event in this format, bytes.
    pub event_bytes: f64,
    /// Median ns per event.
    pub ns_median: Option<f64>,
    /// p99 ns per event.
    pub ns_p99: Option<f64>,
    /// Input MB decoded per second.
    pub mb_per_s: Option<f64>,
    /// Heap allocations per event.
    pub allocs_per_event: Option<f64>,
    /// Heap bytes requested per event.
    pub bytes_per_event: Option<f64>,
    /// Go map row's median / this row's median (same input): > 1 is faster than Go.
    pub speedup_vs_go_map: Option<f64>,
    /// serde_yaml row's median / this row's median (same input).
    pub speedup_vs_serde_yaml: Option<f64>,
    /// Why figures are missing, if they are.
    pub skipped: Option<String>,
}

impl Measured {
    fn empty(row: Row, input: InputSet, inputs: &Inputs) -> Measured {
        let events = inputs.set(input).get(row.format());
        Measured {
            decoder: row.name(),
            format: row.format().name(),
            input,
            veltrix: row.is_veltrix(),
            events: events.len(),
            event_bytes: mean_len(events),
            ns_median: None,
            ns_p99: None,
            mb_per_s: None,
            allocs_per_event: None,
            bytes_per_event: None,
            speedup_vs_go_map: None,
            speedup_vs_serde_yaml: None,
            skipped: None,
        }
    }

    fn fill(&mut self, timing: Timing, heap: Option<Heap>) {
        self.ns_median = Some(timing.ns_median);
        self.ns_p99 = Some(timing.ns_p99);
        self.mb_per_s = Some(timing.mb_per_s);
        self.allocs_per_event = heap.map(|h| h.allocs_per_event);
        self.bytes_per_event = heap.map(|h| h.bytes_per_event);
    }
}

/// One YAML style of the corpus through one YAML engine.
#[derive(Debug, Clone, Serialize)]
pub struct StyleMeasured {
    /// The style's label.
    pub style: &'static str,
    /// The decoder's label.
    pub decoder: &'static str,
    /// Mean size of a document, bytes.
    pub event_bytes: f64,
    /// Median ns per event.
    pub ns_median: Option<f64>,
    /// Events per second at the median.
    pub events_per_s: Option<f64>,
    /// This style's events/s over the `gen` style's, same decoder.
    pub vs_gen: Option<f64>,
    /// Why figures are missing, if they are.
    pub skipped: Option<String>,
}

/// A whole `compare` run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The machine.
    pub machine: Machine,
    /// The set-up.
    pub settings: Settings,
    /// One row per decoder × input, reference rows first.
    pub rows: Vec<Measured>,
    /// The corpus in each emitter's style, through both YAML engines.
    pub styles: Vec<StyleMeasured>,
    /// Peak resident set size of the harness process at the end, bytes.
    pub peak_rss_bytes: Option<u64>,
}

/// Runs the comparison.
pub fn run(options: &Options, probe: &AllocProbe) -> Result<Report> {
    let machine = Machine::detect(probe);
    let inputs =
        Inputs::build(options.corpus_events, options.seed).context("building the inputs")?;
    let rust_rows: Vec<Row> = Row::ALL.into_iter().filter(|r| !r.is_go()).collect();
    let steps = (rust_rows.len() * InputSet::ALL.len() + usize::from(options.go)) as u64;
    let bar = if options.progress {
        ProgressBar::new(steps)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );

    let mut rows = Vec::new();
    for input in InputSet::ALL {
        for &row in &rust_rows {
            bar.set_message(format!("{} / {}", row.name(), input.name()));
            let mut m = Measured::empty(row, input, &inputs);
            let events = inputs.set(input).get(row.format());
            match measure_rust(row, events, &options.plan, probe) {
                Ok((timing, heap)) => m.fill(timing, heap),
                Err(e) => m.skipped = Some(format!("failed: {e}")),
            }
            rows.push(m);
            bar.inc(1);
        }
    }

    let mut go_rows: Vec<Measured> = Vec::new();
    let go_result = if options.go {
        bar.set_message("go yaml.v3");
        let r = go::run(&inputs, &InputSet::ALL, &options.plan, &options.work_dir);
        bar.inc(1);
        r
    } else {
        Err(go::Skipped("disabled with --no-go".into()))
    };
    for input in InputSet::ALL {
        for row in [Row::GoMap, Row::GoStruct] {
            let mut m = Measured::empty(row, input, &inputs);
            match &go_result {
                Err(go::Skipped(why)) => m.skipped = Some(format!("skipped: {why}")),
                Ok(found) => {
                    let tag = if row == Row::GoMap { "map" } else { "struct" };
                    match found
                        .iter()
                        .find(|g| g.decoder == tag && g.input == input.name())
                    {
                        Some(g) if g.error.is_none() => m.fill(
                            Timing {
                                ns_median: g.ns_median,
                                ns_p99: g.ns_p99,
                                mb_per_s: g.mb_per_s,
                            },
                            Some(Heap {
                                allocs_per_event: g.allocs_per_event,
                                bytes_per_event: g.bytes_per_event,
                            }),
                        ),
                        Some(g) => {
                            m.skipped =
                                Some(format!("failed: {}", g.error.as_deref().unwrap_or("")))
                        }
                        None => m.skipped = Some("failed: no figures from the go program".into()),
                    }
                }
            }
            go_rows.push(m);
        }
    }
    bar.finish_and_clear();

    // Reference rows, then corpus rows; Go rows last within each input.
    let mut ordered = Vec::with_capacity(rows.len() + go_rows.len());
    for input in InputSet::ALL {
        ordered.extend(rows.iter().filter(|m| m.input == input).cloned());
        ordered.extend(go_rows.iter().filter(|m| m.input == input).cloned());
    }
    add_ratios(&mut ordered);
    let styles = measure_styles(options, probe);

    Ok(Report {
        machine,
        settings: Settings {
            plan: options.plan,
            quick: options.quick,
            corpus_events: options.corpus_events,
            corpus_seed: options.seed,
            arena: "one arena per row, reset before every event",
        },
        rows: ordered,
        styles,
        peak_rss_bytes: crate::rss_bytes().map(|(_, peak)| peak),
    })
}

/// The corpus written in every [`Style`](crate::styles::Style), decoded by
/// the scanner and by the yaml-rust2 engine. The styles of one engine are
/// timed in turn, sample by sample ([`measure::time_interleaved`]), so that
/// each style's ratio to `gen` comes from the same moments of the run.
fn measure_styles(options: &Options, probe: &AllocProbe) -> Vec<StyleMeasured> {
    use crate::styles::Style;
    use event_decode::internals::yaml::Engine;
    let events: Vec<OwnedEvent> = event_model::corpus::Generator::new(options.seed)
        .take(options.corpus_events)
        .collect();
    let corpora: Vec<(Style, Vec<Vec<u8>>)> = Style::ALL
        .into_iter()
        .map(|style| {
            let docs = events.iter().map(|e| style.write(e).into_bytes()).collect();
            (style, docs)
        })
        .collect();
    let mut out = Vec::new();
    for (engine, decoder) in [
        (Engine::Scanner, "veltrix yaml, scanner engine"),
        (
            Engine::YamlRust2,
            "veltrix yaml, yaml-rust2 engine (fast line scanner first)",
        ),
    ] {
        let mut rows = Vec::new();
        let mut timed = Vec::new();
        for (style, docs) in &corpora {
            let mut decode = veltrix_decode(yaml::YamlDecoder::new().engine(engine));
            let mut m = StyleMeasured {
                style: style.name(),
                decoder,
                event_bytes: mean_len(docs),
                ns_median: None,
                events_per_s: None,
                vs_gen: None,
                skipped: None,
            };
            match measure::check_and_count(docs, probe, &mut decode) {
                Ok(_) => {
                    // Where the row's figures go, and whether it is `gen`.
                    timed.push((out.len(), *style == Style::Gen));
                    rows.push((docs.as_slice(), decode));
                }
                Err(e) => m.skipped = Some(format!("failed: {e}")),
            }
            out.push(m);
        }
        match measure::time_interleaved(rows, &options.plan) {
            Ok(timings) => {
                let gen_ns = timed
                    .iter()
                    .zip(&timings)
                    .find(|((_, is_gen), _)| *is_gen)
                    .map(|(_, t)| t.ns_median);
                for (&(at, _), timing) in timed.iter().zip(&timings) {
                    let m = &mut out[at];
                    let ns = timing.ns_median;
                    m.ns_median = Some(ns);
                    m.events_per_s = Some(1e9 / ns);
                    m.vs_gen = gen_ns.map(|g| g / ns);
                }
            }
            Err(e) => {
                for &(at, _) in &timed {
                    out[at].skipped = Some(format!("failed: {e}"));
                }
            }
        }
    }
    out
}

fn add_ratios(rows: &mut [Measured]) {
    for input in InputSet::ALL {
        let base = |name: &str| {
            rows.iter()
                .find(|m| m.input == input && m.decoder == name)
                .and_then(|m| m.ns_median)
        };
        let go_map = base(Row::GoMap.name());
        let serde_yaml = base(Row::SerdeYaml.name());
        for m in rows.iter_mut().filter(|m| m.input == input) {
            if let Some(ns) = m.ns_median.filter(|ns| *ns > 0.0) {
                m.speedup_vs_go_map = go_map.map(|g| g / ns);
                m.speedup_vs_serde_yaml = serde_yaml.map(|s| s / ns);
            }
        }
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Checks, counts and times one decoder closure.
fn bench<F>(
    events: &[Vec<u8>],
    plan: &Plan,
    probe: &AllocProbe,
    mut decode: F,
) -> Result<(Timing, Option<Heap>), String>
where
    F: FnMut(&[u8]) -> Result<(), String>,
{
    let heap = measure::check_and_count(events, probe, &mut decode)?;
    let timing = measure::time(events, plan, &mut decode)?;
    Ok((timing, heap))
}

/// Decodes into an arena reset before each event, as a router's batch would
/// with a batch of one: steady state reuses the arena's chunk.
fn bench_veltrix<D: event_decode::Decoder>(
    events: &[Vec<u8>],
    plan: &Plan,
    probe: &AllocProbe,
    decoder: D,
) -> Result<(Timing, Option<Heap>), String> {
    bench(events, plan, probe, veltrix_decode(decoder))
}

/// One decode into an arena reset before each event.
fn veltrix_decode<D: event_decode::Decoder>(
    mut decoder: D,
) -> impl FnMut(&[u8]) -> Result<(), String> {
    let mut arena = Bump::new();
    move |b| {
        arena.reset();
        let event = decoder.decode(b, &arena).map_err(err)?;
        black_box(&event);
        Ok(())
    }
}

fn measure_rust(
    row: Row,
    events: &[Vec<u8>],
    plan: &Plan,
    probe: &AllocProbe,
) -> Result<(Timing, Option<Heap>), String> {
    match row {
        Row::VeltrixYaml => bench_veltrix(events, plan, probe, yaml::YamlDecoder::new()),
        Row::VeltrixYamlEvents => bench_veltrix(
            events,
            plan,
            probe,
            yaml::YamlDecoder::new()
                .engine(event_decode::internals::yaml::Engine::YamlRust2)
                .fast_path(false),
        ),
        Row::VeltrixJson => bench_veltrix(events, plan, probe, json::JsonDecoder::new()),
        Row::VeltrixProtoZeroCopy => {
            bench_veltrix(events, plan, probe, protobuf::ZeroCopyDecoder::new())
        }
        Row::VeltrixProtoProst => {
            bench_veltrix(events, plan, probe, crate::baselines::ProstDecoder::new())
        }
        Row::YamlRust2Dom => {
            bench_veltrix(events, plan, probe, crate::baselines::DomDecoder::new())
        }
        Row::SerdeYaml => bench(events, plan, probe, |b| {
            black_box(serde_yaml::from_slice::<SerdeOwnedEvent>(b).map_err(err)?);
            Ok(())
        }),
        Row::SerdeSaphyr => {
            // YAML 1.2 core booleans, as the spec reads YAML: by default
            // serde-saphyr takes YAML 1.1's `y` for `true`, which makes the key
            // `y` of a position a boolean.
            let options = serde_saphyr::options! { strict_booleans: true };
            bench(events, plan, probe, move |b| {
                let event: SerdeOwnedEvent =
                    serde_saphyr::from_slice_with_options(b, options.clone()).map_err(err)?;
                black_box(event);
                Ok(())
            })
        }
        Row::Prost => bench(events, plan, probe, |b| {
            black_box(proto::Event::decode(b).map_err(err)?);
            Ok(())
        }),
        Row::SerdeJson => bench(events, plan, probe, |b| {
            black_box(serde_json::from_slice::<SerdeOwnedEvent>(b).map_err(err)?);
            Ok(())
        }),
        Row::SerdeJsonBorrowed => bench(events, plan, probe, |b| {
            let event: crate::borrowed_json::BorrowedEvent<'_> =
                serde_json::from_slice(b).map_err(err)?;
            black_box(event);
            Ok(())
        }),
        Row::GoMap | Row::GoStruct => Err("measured by the go program".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_distinct_name_and_go_rows_read_yaml() {
        let names: std::collections::HashSet<_> = Row::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(names.len(), Row::ALL.len());
        assert!(
            Row::ALL
                .iter()
                .filter(|r| r.is_go())
                .all(|r| r.format() == Format::Yaml)
        );
    }
}
