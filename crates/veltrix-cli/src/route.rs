//! `veltrix route`: a routing table over a stream, the events read one at a
//! time by the pipeline ([`Pipeline::route_stream`]), with a JSON summary or
//! one JSON line per event.
//!
//! The router's [`Counters`](event_router::Counters) are the one tally: frames
//! the reader could not deliver are handed to the router as rejected frames,
//! so the summary is the counters serialized.

use std::io::Write;

use event_decode::frames::Frame;
use event_decode::{Category, DecodeConfig, DecodeError, EventReader, Format, Position};
use event_pipeline::{Delivery, OnReject, Pipeline, StreamObserver, table_from_yaml_reader};
use event_router::{Explanation, Outcome, Router, infallible};

use crate::args::RouteArgs;
use crate::io::{Output, Progress, WriteStop, open_input, read_config};
use crate::{Status, Usage, codec, signals};

/// One run's state besides the router.
struct Run<'a> {
    format: Format,
    keep_going: bool,
    explain: bool,
    /// Bad events reported.
    bad: u64,
    /// A bad event ended the run (without `--keep-going`).
    stopped: bool,
    out: &'a mut Output,
    line: Vec<u8>,
    write_error: Option<WriteStop>,
    progress: &'a mut Progress,
}

impl Run<'_> {
    fn rejection(&self, frame: &Frame<'_>) -> DecodeError {
        let position = match self.format {
            Format::Protobuf => Position::Byte { offset: 0 },
            _ => Position::Text { line: 1, column: 1 },
        };
        frame.locate(
            DecodeError::new(
                Category::Data,
                "no route matched and the routing table says `unmatched: error`",
            )
            .with_position(position),
        )
    }

    fn bad(&mut self, error: &DecodeError) {
        self.bad += 1;
        self.progress.eprintln(&format!("error: {error}"));
        if !self.keep_going {
            self.stopped = true;
        }
    }

    fn explain_line(&mut self, e: &Explanation<'_>) {
        let line = &mut self.line;
        line.clear();
        line.extend_from_slice(b"{\"index\":");
        // The router numbers events and bad frames from its first: the
        // position in the stream.
        push_number(line, e.index);
        line.extend_from_slice(b",\"routes\":");
        json_strings(line, e.route_names());
        line.extend_from_slice(b",\"handlers\":");
        json_strings(line, e.handler_names());
        line.extend_from_slice(b",\"partition\":");
        match e.partition {
            Some(p) => push_number(line, u64::from(p)),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"outcome\":\"");
        line.extend_from_slice(e.outcome.name().as_bytes());
        line.extend_from_slice(b"\"}\n");
        if let Err(e) = self.out.write_all(&self.line) {
            self.write_error = Some(e);
        }
    }

    /// Whether routing must stop: a bad event without `--keep-going`, a
    /// closed or failing output, or a signal.
    fn must_stop(&self) -> bool {
        self.stopped || self.write_error.is_some() || signals::caught().is_some()
    }
}

impl StreamObserver for Run<'_> {
    /// Reports one event the router explained; the reader placed a bad
    /// frame's error in the stream already.
    fn delivered(&mut self, d: &Delivery<'_>) {
        self.progress.tick();
        let error = match (d.error, d.explanation.outcome, d.frame) {
            (Some(error), _, _) => Some(error.clone()),
            (None, Outcome::Rejected, Some(frame)) => Some(self.rejection(frame)),
            _ => None,
        };
        if self.explain && self.write_error.is_none() {
            self.explain_line(d.explanation);
        }
        if let Some(error) = error {
            self.bad(&error);
        }
    }

    fn should_stop(&mut self) -> bool {
        self.must_stop()
    }
}

/// Appends a number's decimal digits, without allocating.
fn push_number(out: &mut Vec<u8>, n: u64) {
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{n}");
}

/// Appends a JSON array of strings.
fn json_strings<'s>(out: &mut Vec<u8>, names: impl Iterator<Item = &'s str>) {
    out.push(b'[');
    for (i, name) in names.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Escaping a &str into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, name);
    }
    out.push(b']');
}

/// The summary: the router's counters, plus the signal that cut the run
/// short, if one did.
fn summary(router: &Pipeline, signal: Option<i32>) -> Vec<u8> {
    let mut s = serde_json::to_vec(router.counters()).unwrap_or_default();
    if let Some(sig) = signal {
        // Replace the closing brace: the counters are a JSON object.
        s.pop();
        s.extend_from_slice(b",\"interrupted\":\"");
        s.extend_from_slice(signals::name(sig).as_bytes());
        s.extend_from_slice(b"\"}");
    }
    s.push(b'\n');
    s
}

/// Loads and compiles the routing table, and builds a router whose handlers
/// are sinks (every delivery is counted in the summary), fed by a pipeline.
fn router(args: &RouteArgs) -> anyhow::Result<Pipeline> {
    let table = read_config(&args.config, |r| table_from_yaml_reader(r))?;
    let handlers: Vec<String> = table
        .handler_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut builder = Router::builder(table);
    for name in handlers {
        builder = builder.handler(name, infallible(|_, _| {}));
    }
    let router = builder
        .build()
        .map_err(|e| Usage(format!("{}: {e}", args.config.display())))?;
    Ok(Pipeline::new(router).on_reject(if args.keep_going {
        OnReject::Continue
    } else {
        OnReject::Stop
    }))
}

/// Runs `route`.
pub fn run(args: &RouteArgs) -> anyhow::Result<Status> {
    let config_from_stdin = args.config.as_os_str() == "-";
    let input_from_stdin = args
        .input
        .input
        .as_deref()
        .is_none_or(|p| p.as_os_str() == "-");
    if config_from_stdin && input_from_stdin {
        return Err(Usage(
            "--config - reads the routing table from standard input: give the events as a file"
                .to_owned(),
        )
        .into());
    }
    let mut router = router(args)?;
    let input = open_input(args.input.input.as_deref())?;
    let format: Format = args.format.into();
    let mut out = Output::stdout();
    let mut progress = Progress::events(args.explain);
    let mut run = Run {
        format,
        keep_going: args.keep_going,
        explain: args.explain,
        bad: 0,
        stopped: false,
        out: &mut out,
        line: Vec::new(),
        write_error: None,
        progress: &mut progress,
    };
    let mut reader = EventReader::new(format, input, &DecodeConfig::new());
    let end = router.route_stream(&mut reader, &mut run);
    let cut = end.cut_short.map(codec::CutShort);
    let bad = run.bad;
    let write_error = run.write_error.take();
    let signal = signals::caught();
    if let Some(cut) = &cut {
        progress.eprintln(&cut.message());
    }
    let mut written = match write_error {
        Some(e) => Err(e),
        None if args.explain && signal.is_none() => Ok(()),
        None => out.write_all(&summary(&router, signal)),
    };
    if written.is_ok() {
        written = out.flush();
    }
    if args.keep_going && bad > 0 {
        progress.eprintln(&format!(
            "error: {bad} bad {} out of {}",
            if bad == 1 { "event" } else { "events" },
            router.counters().events()
        ));
    }
    crate::io::conclude(written, bad, signal)
}
