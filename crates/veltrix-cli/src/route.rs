//! `veltrix route`: a routing table over a stream, frames fed to the router
//! in bounded batches, with a JSON summary or one JSON line per event.

use std::io::Write;

use event_decode::frames::{Frame, FrameReader};
use event_decode::{Category, DecodeError, Format, Position};
use event_router::{Counters, Explanation, OnReject, Outcome, RouteTable, Router, infallible};

use crate::args::RouteArgs;
use crate::io::{Output, Progress, WriteStop, finish_output, open_input, read_config};
use crate::{Status, Usage, codec};

/// Frames per batch: enough to amortise the arena reset, few enough that a
/// batch of maximum-size events stays a few MiB.
const BATCH_FRAMES: usize = 256;
/// Bytes per batch, so that large events make smaller batches.
const BATCH_BYTES: usize = 1 << 20;

/// Where a batched frame came from in the stream, to place its errors.
#[derive(Debug, Clone, Copy)]
struct Origin {
    end: usize,
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
}

impl Batch {
    fn push(&mut self, frame: &Frame<'_>) {
        self.bytes.extend_from_slice(frame.bytes);
        self.origins.push(Origin {
            end: self.bytes.len(),
            number: frame.number,
            offset: frame.offset,
            line: frame.line,
        });
    }

    fn is_full(&self) -> bool {
        self.origins.len() >= BATCH_FRAMES || self.bytes.len() >= BATCH_BYTES
    }

    fn frames(&self) -> Vec<&[u8]> {
        let mut start = 0;
        self.origins
            .iter()
            .map(|o| {
                let frame = &self.bytes[start..o.end];
                start = o.end;
                frame
            })
            .collect()
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.origins.clear();
    }
}

/// Totals of the run, kept from the router's per-event explanations so that
/// a run stopped at a bad event counts exactly the events before it.
struct Tally {
    events: u64,
    routed: u64,
    dead_letter: u64,
    dropped: u64,
    rejected: u64,
    bad: u64,
    /// Frames the reader could not deliver (never seen by the router).
    unreadable: u64,
    routes: Vec<u64>,
    handlers: Vec<u64>,
    partitions: Vec<u64>,
}

impl Tally {
    /// In debug builds (the tests), checks the tally of a complete run
    /// against the router's own counters.
    fn check_against(&self, c: &Counters) {
        debug_assert_eq!(self.events - self.unreadable, c.events());
        debug_assert_eq!(self.routed, c.routed());
        debug_assert_eq!(self.dead_letter - self.unreadable, c.dead_letter());
        debug_assert_eq!(self.dropped, c.dropped());
        debug_assert_eq!(self.rejected, c.rejected());
        debug_assert_eq!(self.routes, c.per_route());
        debug_assert_eq!(self.handlers, c.per_handler());
        debug_assert_eq!(self.partitions, c.per_partition());
    }
}

/// Names for the summary, in table order.
struct Names {
    routes: Vec<String>,
    handlers: Vec<String>,
}

/// One run's state besides the router.
struct Run<'a> {
    tally: Tally,
    names: &'a Names,
    format: Format,
    keep_going: bool,
    explain: bool,
    /// A bad event ended the run (without `--keep-going`).
    stopped: bool,
    out: &'a mut Output,
    line: Vec<u8>,
    write_error: Option<WriteStop>,
    progress: &'a mut Progress,
}

impl Run<'_> {
    /// Accounts for one event the router explained.
    fn observe(&mut self, e: &Explanation<'_>, origin: &Origin) {
        if self.stopped || self.write_error.is_some() {
            return;
        }
        let index = self.tally.events;
        self.tally.events += 1;
        self.progress.tick();
        match e.outcome {
            Outcome::Routed => {
                self.tally.routed += 1;
                if let Some(p) = e
                    .partition
                    .and_then(|p| self.tally.partitions.get_mut(p as usize))
                {
                    *p += 1;
                }
            }
            Outcome::DeadLetter => self.tally.dead_letter += 1,
            Outcome::Dropped => self.tally.dropped += 1,
            Outcome::Rejected => self.tally.rejected += 1,
        }
        for &r in e.route_ids() {
            if let Some(n) = self.tally.routes.get_mut(usize::from(r)) {
                *n += 1;
            }
        }
        for &h in e.handler_ids() {
            if let Some(n) = self.tally.handlers.get_mut(usize::from(h)) {
                *n += 1;
            }
        }
        let error = match (e.error, e.outcome) {
            (Some(error), _) => Some(origin.locate(error.clone())),
            (None, Outcome::Rejected) => Some(self.rejection(origin)),
            _ => None,
        };
        if self.explain {
            self.explain_line(index, e);
        }
        if let Some(error) = error {
            self.bad(&error);
        }
    }

    /// A frame the reader could not deliver counts as a dead letter, as a
    /// frame that fails to decode does in the router.
    fn frame_error(&mut self, error: &DecodeError) {
        let index = self.tally.events;
        self.tally.events += 1;
        self.tally.dead_letter += 1;
        self.tally.unreadable += 1;
        if self.explain {
            self.line.clear();
            self.line.extend_from_slice(b"{\"index\":");
            push_number(&mut self.line, index);
            self.line.extend_from_slice(
                b",\"routes\":[],\"handlers\":[],\"partition\":null,\"outcome\":\"dead_letter\"}\n",
            );
            self.write_line();
        }
        self.bad(error);
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
        self.tally.bad += 1;
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
        self.write_line();
    }

    fn write_line(&mut self) {
        if let Err(e) = self.out.write_all(&self.line) {
            self.write_error = Some(e);
        }
    }

    fn summary(&self) -> Vec<u8> {
        let t = &self.tally;
        // Written by hand so that keys come in the documented order and
        // routes and handlers in table order.
        let mut s = format!(
            "{{\"events\":{},\"routed\":{},\"dead_letter\":{},\"dropped\":{},\"rejected\":{},\"routes\":",
            t.events, t.routed, t.dead_letter, t.dropped, t.rejected
        )
        .into_bytes();
        json_counts(&mut s, &self.names.routes, &t.routes);
        s.extend_from_slice(b",\"handlers\":");
        json_counts(&mut s, &self.names.handlers, &t.handlers);
        s.extend_from_slice(b",\"partitions\":[");
        for (i, n) in t.partitions.iter().enumerate() {
            if i > 0 {
                s.push(b',');
            }
            push_number(&mut s, *n);
        }
        s.extend_from_slice(b"]}\n");
        s
    }
}

/// Appends a JSON object of names to counts, in the given order.
fn json_counts(out: &mut Vec<u8>, names: &[String], counts: &[u64]) {
    out.push(b'{');
    for (i, (name, count)) in names.iter().zip(counts).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Escaping a &str into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, name);
        out.push(b':');
        push_number(out, *count);
    }
    out.push(b'}');
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

/// Loads and compiles the routing table, and builds a router whose handlers
/// are sinks (every delivery is counted in the summary).
fn router(args: &RouteArgs) -> anyhow::Result<(Router, Names)> {
    let text = read_config(&args.config)?;
    let table = RouteTable::from_yaml_str(&text)
        .map_err(|e| Usage(format!("{}: {e}", args.config.display())))?;
    let names = Names {
        routes: table.route_names().map(str::to_owned).collect(),
        handlers: table
            .handler_names()
            .iter()
            .map(|n| n.to_string())
            .collect(),
    };
    let mut builder = Router::builder(table).on_reject(if args.keep_going {
        OnReject::Continue
    } else {
        OnReject::Stop
    });
    for name in &names.handlers {
        builder = builder.handler(name.clone(), infallible(|_, _| {}));
    }
    let router = builder
        .build()
        .map_err(|e| Usage(format!("{}: {e}", args.config.display())))?;
    Ok((router, names))
}

/// Runs `route`.
pub fn run(args: &RouteArgs) -> anyhow::Result<Status> {
    let (mut router, names) = router(args)?;
    let input = open_input(args.input.input.as_deref())?;
    let format: Format = args.format.into();
    let mut out = Output::stdout();
    let mut progress = Progress::events(args.explain);
    let partitions = router.table().partitions() as usize;
    let mut run = Run {
        tally: Tally {
            events: 0,
            routed: 0,
            dead_letter: 0,
            dropped: 0,
            rejected: 0,
            bad: 0,
            unreadable: 0,
            routes: vec![0; names.routes.len()],
            handlers: vec![0; names.handlers.len()],
            partitions: vec![0; partitions],
        },
        names: &names,
        format,
        keep_going: args.keep_going,
        explain: args.explain,
        stopped: false,
        out: &mut out,
        line: Vec::new(),
        write_error: None,
        progress: &mut progress,
    };
    route_stream(&mut router, codec::frames(format, input), &mut run);
    if !run.stopped && run.write_error.is_none() {
        run.tally.check_against(router.counters());
    }
    if let Some(stop) = run.write_error.take() {
        finish_output(Err(stop))?;
        return Ok(Status::Clean);
    }
    if !args.explain {
        let summary = run.summary();
        finish_output(run.out.write_all(&summary))?;
    }
    let bad = run.tally.bad;
    let events = run.tally.events;
    finish_output(out.flush())?;
    if args.keep_going && bad > 0 {
        progress.eprintln(&format!(
            "error: {bad} bad {} out of {events}",
            if bad == 1 { "event" } else { "events" }
        ));
    }
    Ok(Status::from_bad(bad))
}

/// Pulls frames into batches and routes each full batch, until the stream
/// ends, a bad event stops the run, or the output is gone.
fn route_stream(router: &mut Router, mut frames: Box<dyn FrameReader>, run: &mut Run<'_>) {
    let mut decoder = codec::decoder(run.format);
    let mut batch = Batch::default();
    let mut last_frame_error = String::new();
    loop {
        if run.stopped || run.write_error.is_some() {
            return;
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
                return;
            }
            Err(error) => error,
        };
        // Keep input order: the frames before the bad one go first.
        route_batch(router, &mut *decoder, &mut batch, run);
        if run.stopped || run.write_error.is_some() {
            return;
        }
        run.frame_error(&error);
        let message = error.to_string();
        if !codec::can_resume(run.format, &error) || message == last_frame_error {
            run.stopped = true;
            return;
        }
        last_frame_error = message;
    }
}

fn route_batch(
    router: &mut Router,
    decoder: &mut dyn event_decode::Decoder,
    batch: &mut Batch,
    run: &mut Run<'_>,
) {
    if batch.origins.is_empty() {
        return;
    }
    let frames = batch.frames();
    let origins = &batch.origins;
    // A rejection under `OnReject::Stop` was already observed and ends the run.
    let _ = router.route_batch_explained(decoder, &frames, |e| {
        if let Some(origin) = origins.get(e.index) {
            run.observe(e, origin);
        }
    });
    drop(frames);
    batch.clear();
}
