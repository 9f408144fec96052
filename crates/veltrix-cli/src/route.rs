//! `veltrix route`: a routing table over a stream, frames fed to the router
//! in bounded batches, with a JSON summary or one JSON line per event.
//!
//! The router's [`Counters`](event_router::Counters) are the one tally: frames
//! the reader could not deliver are handed to the router as rejected frames,
//! so the summary is the counters serialized.

use std::io::Write;

use event_decode::frames::{Frame, FrameReader, Resync, Verdict};
use event_decode::{Category, DecodeConfig, DecodeError, Format, Position};
use event_pipeline::{OnReject, Pipeline, table_from_yaml_reader};
use event_router::{Explanation, Outcome, Router, infallible};

use crate::args::RouteArgs;
use crate::io::{Output, Progress, WriteStop, open_input, read_config};
use crate::{Status, Usage, codec, signals};

/// Frames per batch: enough to amortise the arena reset, few enough that a
/// batch of maximum-size events stays a few MiB.
const BATCH_FRAMES: usize = 256;
/// Bytes per batch, so that large events make smaller batches.
const BATCH_BYTES: usize = 1 << 20;

/// Where a batched frame came from in the stream, to place its errors.
#[derive(Debug, Clone, Copy)]
struct Origin {
    number: u64,
    offset: u64,
    line: u64,
}

impl Origin {
    fn locate(&self, error: DecodeError) -> DecodeError {
        Frame {
            bytes: &[],
            number: self.number,
            offset: self.offset,
            line: self.line,
        }
        .locate(error)
    }
}

/// The frames of one batch, copied out of the reader's buffer.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    origins: Vec<Origin>,
    frames: Vec<(usize, usize)>,
}

impl Batch {
    fn push(&mut self, frame: &Frame<'_>) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(frame.bytes);
        self.frames.push((start, self.bytes.len()));
        self.origins.push(Origin {
            number: frame.number,
            offset: frame.offset,
            line: frame.line,
        });
    }

    fn is_full(&self) -> bool {
        self.origins.len() >= BATCH_FRAMES || self.bytes.len() >= BATCH_BYTES
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.origins.clear();
        self.frames.clear();
    }
}

/// One run's state besides the router.
struct Run<'a> {
    format: Format,
    keep_going: bool,
    explain: bool,
    /// Events seen, for the 0-based `index` of `--explain`.
    index: u64,
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
    /// Reports one event the router explained. `origin` places a decoder's
    /// error in the stream; a reader's error is placed already.
    fn observe(&mut self, e: &Explanation<'_>, origin: Option<&Origin>) {
        let index = self.index;
        self.index += 1;
        self.progress.tick();
        // The pipeline hands the router its decode errors.
        let decode_error = e.error.and_then(|e| e.downcast_ref::<DecodeError>());
        let error = match (decode_error, e.outcome, origin) {
            (Some(error), _, Some(origin)) => Some(origin.locate(error.clone())),
            (Some(error), _, None) => Some(error.clone()),
            (None, Outcome::Rejected, Some(origin)) => Some(self.rejection(origin)),
            _ => None,
        };
        if self.explain && self.write_error.is_none() {
            self.explain_line(index, e);
        }
        if let Some(error) = error {
            self.bad(&error);
        }
    }

    fn rejection(&self, origin: &Origin) -> DecodeError {
        let position = match self.format {
            Format::Protobuf => Position::Byte { offset: 0 },
            _ => Position::Text { line: 1, column: 1 },
        };
        origin.locate(
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

    fn explain_line(&mut self, index: u64, e: &Explanation<'_>) {
        let line = &mut self.line;
        line.clear();
        line.extend_from_slice(b"{\"index\":");
        push_number(line, index);
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
        index: 0,
        bad: 0,
        stopped: false,
        out: &mut out,
        line: Vec::new(),
        write_error: None,
        progress: &mut progress,
    };
    let cut = route_stream(
        &mut router,
        format.frames(input, &DecodeConfig::new()),
        &mut run,
    );
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

/// Pulls frames into batches and routes each full batch, until the stream
/// ends, a bad event stops the run, the output is gone or a signal came.
/// Returns how the stream was cut short, if a broken frame ended it.
fn route_stream(
    router: &mut Pipeline,
    mut frames: Box<dyn FrameReader>,
    run: &mut Run<'_>,
) -> Option<codec::CutShort> {
    let mut decoder = run.format.decoder(&DecodeConfig::new());
    let mut batch = Batch::default();
    let mut resync = Resync::default();
    loop {
        if run.must_stop() {
            // What was read before the signal is routed and counted.
            if !run.stopped && run.write_error.is_none() {
                route_batch(router, &mut *decoder, &mut batch, run);
            }
            return None;
        }
        let error = match frames.next_frame() {
            Ok(Some(frame)) => {
                batch.push(&frame);
                if batch.is_full() {
                    route_batch(router, &mut *decoder, &mut batch, run);
                }
                continue;
            }
            Ok(None) => {
                route_batch(router, &mut *decoder, &mut batch, run);
                return None;
            }
            Err(error) => error,
        };
        // Keep input order: the frames before the bad one go first.
        route_batch(router, &mut *decoder, &mut batch, run);
        if signals::caught().is_some() || run.stopped || run.write_error.is_some() {
            return None;
        }
        match resync.after(run.format, &error) {
            Verdict::Reject => {
                let index = run.index as usize;
                let _ = router.reject_frame_explained(index, &[], error, |e| run.observe(e, None));
            }
            Verdict::RejectAndStop => {
                let index = run.index as usize;
                let cut = codec::CutShort(error.clone());
                let _ = router.reject_frame_explained(index, &[], error, |e| run.observe(e, None));
                return Some(cut);
            }
            Verdict::Stop => return Some(codec::CutShort(error)),
        }
    }
}

fn route_batch(
    router: &mut Pipeline,
    decoder: &mut dyn event_decode::Decoder,
    batch: &mut Batch,
    run: &mut Run<'_>,
) {
    if batch.origins.is_empty() {
        return;
    }
    let frames: Vec<&[u8]> = batch
        .frames
        .iter()
        .map(|&(start, end)| &batch.bytes[start..end])
        .collect();
    let origins = &batch.origins;
    // The router numbers events from its first; the batch starts here.
    let first = router.counters().events();
    // A rejection under `OnReject::Stop` was already observed and ends the run.
    let _ = router.route_batch_explained(decoder, &frames, |e| {
        let origin = usize::try_from(e.index - first)
            .ok()
            .and_then(|i| origins.get(i));
        run.observe(e, origin);
    });
    drop(frames);
    batch.clear();
}
