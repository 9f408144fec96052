//! The router's state on its thread: the pipeline and decoders, the dedupe
//! window, the dead-letter sink, the per-partition order chains, and how
//! one job is handled.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use event_decode::{Bump, DecodeConfig, Decoder, Format, peek_id};
use event_model::Event;
use event_pipeline::{FrameObserver, Pipeline, RejectCause, Routed};
use event_router::{DeadLetter, DeadLetterReason, Explanation, Outcome, Router};

use crate::dead_letters::{DeadLetterFile, record};
use crate::dedupe::Window;
use crate::game::{Game, Names};

use super::messages::{
    Admission, EngineSetup, EventResult, Fate, Job, JobResults, Query, Ready, RouteJob, Snapshot,
};
use super::order::{ORDER_START, order_step};

/// Whether the router goes on after a job.
pub(super) enum Flow {
    Go,
    Stop,
}

/// Where dead letters go: the file, told the content type of the request
/// being routed.
struct Sink {
    file: Option<Rc<RefCell<DeadLetterFile>>>,
    collected: Option<Rc<RefCell<Vec<Vec<u8>>>>>,
    content_type: Rc<Cell<&'static str>>,
}

impl event_router::DeadLetterSink for Sink {
    fn dead_letter(&mut self, letter: &DeadLetter<'_>) {
        if let Some(collected) = &self.collected {
            let ct = self.content_type.get();
            let record = match letter.reason {
                DeadLetterReason::Unmatched(_) => {
                    record("dead_letter", Ok("unmatched"), ct, letter.raw)
                }
                DeadLetterReason::Bad(error) => {
                    record("rejected", Err(&error.to_string()), ct, letter.raw)
                }
            };
            collected.borrow_mut().push(record);
            return;
        }
        let Some(file) = &self.file else { return };
        let mut file = file.borrow_mut();
        let ct = self.content_type.get();
        match letter.reason {
            DeadLetterReason::Unmatched(_) => {
                file.append("dead_letter", Ok("unmatched"), ct, letter.raw)
            }
            DeadLetterReason::Bad(error) => {
                let message = error.to_string();
                file.append("rejected", Err(&message), ct, letter.raw)
            }
        }
    }
}

pub(super) struct Engine {
    pipeline: Pipeline,
    decoders: [Box<dyn Decoder>; 3],
    window: Window,
    duplicate: u64,
    file: Option<Rc<RefCell<DeadLetterFile>>>,
    collected: Option<Rc<RefCell<Vec<Vec<u8>>>>>,
    content_type: Rc<Cell<&'static str>>,
    game: Game,
    /// Per partition, the chain of the routed events' ids in the order the
    /// handlers saw them (see [`order_step`]).
    order: Vec<u64>,
}

impl Engine {
    pub(super) fn new(setup: EngineSetup) -> Result<Engine, String> {
        let names = Rc::new(RefCell::new(Names::default()));
        let file = setup.dead_letters.map(|f| Rc::new(RefCell::new(f)));
        let content_type = Rc::new(Cell::new("application/yaml"));
        let collected = setup
            .collect_dead_letters
            .then(|| Rc::new(RefCell::new(Vec::new())));
        let mut game = Game::new(names);
        let handler_names: Vec<String> = setup
            .table
            .handler_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let mut builder = Router::builder(setup.table).dead_letter(Sink {
            file: file.clone(),
            collected: collected.clone(),
            content_type: content_type.clone(),
        });
        for name in handler_names {
            builder = game.bind(builder, name);
        }
        let router = builder.build().map_err(|e| e.to_string())?;
        let config = DecodeConfig::new();
        let partitions = router.table().partitions() as usize;
        Ok(Engine {
            pipeline: Pipeline::new(router),
            decoders: [
                Format::Yaml.decoder(&config),
                Format::Json.decoder(&config),
                Format::Protobuf.decoder(&config),
            ],
            window: Window::new(setup.dedupe_window),
            duplicate: 0,
            file,
            collected,
            content_type,
            game,
            order: vec![ORDER_START; partitions],
        })
    }

    pub(super) fn ready(&self) -> Ready {
        let table = self.pipeline.router().table();
        Ready {
            handler_names: table
                .handler_names()
                .iter()
                .map(|n| n.to_string())
                .collect(),
            routes: table.route_names().len(),
            partitions: table.partitions(),
        }
    }

    fn route(&mut self, job: RouteJob) {
        self.content_type.set(job.single_type);
        let decoder = &mut self.decoders[match job.format {
            Format::Yaml => 0,
            Format::Json => 1,
            Format::Protobuf => 2,
        }];
        let mut out = JobResults {
            results: Vec::with_capacity(job.slots.len()),
            handlers: Vec::new(),
            ids: String::new(),
            dead_letters: Vec::new(),
        };
        for slot in &job.slots {
            let handlers_start = out.handlers.len() as u32;
            let mut seen = Seen {
                window: &mut self.window,
                order: &mut self.order,
                out: &mut out,
                id: None,
                hash: None,
                partition: None,
                error: None,
            };
            let fate = match slot.frame(&job.bytes) {
                Ok(frame) => match self.pipeline.route_one(decoder, &frame, &mut seen) {
                    Routed::Event(o) => Fate::Router(o),
                    Routed::Refused => Fate::Duplicate,
                    Routed::Bad(e) => {
                        seen.error.get_or_insert_with(|| e.to_string());
                        if seen.id.is_none() {
                            // SPEC section 6: a rejected result carries the
                            // id when it can be read. Error path only; the
                            // scratch arena allocates only for an escaped id.
                            let scratch = Bump::new();
                            if let Some(id) = peek_id(job.format, frame.bytes, &scratch) {
                                seen.note_id(id);
                            }
                        }
                        Fate::Router(Outcome::Rejected)
                    }
                },
                Err(error) => {
                    self.pipeline.reject_one(&[], error, &mut seen);
                    seen.error.get_or_insert_with(|| error.to_string());
                    Fate::Router(Outcome::Rejected)
                }
            };
            if fate == Fate::Duplicate {
                self.duplicate += 1;
            }
            let (id, partition, error) = (seen.id, seen.partition, seen.error);
            let handlers = (handlers_start, out.handlers.len() as u32);
            out.results.push(EventResult {
                fate,
                id,
                partition: if fate == Fate::Duplicate {
                    None
                } else {
                    partition
                },
                handlers,
                error,
            });
        }
        if let Some(collected) = &self.collected {
            out.dead_letters = std::mem::take(&mut *collected.borrow_mut());
        }
        let _ = job.reply.send(out);
    }

    /// Runs one job; [`Flow::Stop`] after the shutdown job.
    pub(super) fn handle(&mut self, job: Job, admission: &Admission) -> Flow {
        match job {
            Job::Route(job) => {
                let n = job.slots.len();
                self.route(job);
                admission.release(n);
                self.sync_dead_letters(false);
            }
            Job::Snapshot(reply) => {
                let _ = reply.send(self.snapshot());
            }
            Job::Query(q) => self.query(q),
            Job::Shutdown(reply) => {
                self.sync_dead_letters(true);
                let _ = reply.send(self.snapshot());
                return Flow::Stop;
            }
        }
        Flow::Go
    }

    pub(super) fn sync_dead_letters(&mut self, force: bool) {
        if let Some(file) = &self.file {
            file.borrow_mut().sync_due(force);
        }
    }

    fn snapshot(&self) -> Snapshot {
        let c = self.pipeline.counters();
        let mut summary = serde_json::to_value(c).unwrap_or_default();
        if let Some(map) = summary.as_object_mut() {
            map.insert("events".into(), (c.events() + self.duplicate).into());
            map.insert("duplicate".into(), self.duplicate.into());
            let order: Vec<String> = self.order.iter().map(|h| format!("{h:016x}")).collect();
            map.insert("partition_order".into(), order.into());
        }
        Snapshot {
            summary,
            routed: c.routed(),
            dead_letter: c.dead_letter(),
            dropped: c.dropped(),
            rejected: c.rejected(),
            duplicate: self.duplicate,
            routes: c.routes().map(|(n, v)| (n.to_owned(), v)).collect(),
            handlers: c.handlers().map(|(n, v)| (n.to_owned(), v)).collect(),
            partitions: c.per_partition().to_vec(),
            dead_letters_written: self.file.as_ref().map_or(0, |f| f.borrow().written),
        }
    }

    fn query(&mut self, q: Query) {
        match q {
            Query::Matchmaking(reply) => {
                let _ = reply.send(self.game.matchmaking_json(self.pipeline.router()));
            }
            Query::Scoreboard(match_id, reply) => {
                let _ = reply.send(self.game.scoreboard_json(self.pipeline.router(), &match_id));
            }
        }
    }
}

/// Collects one frame's result while the router handles it, and keeps the
/// dedupe window: an admitted id is remembered once the router accepted the
/// event (routed, dead-lettered or dropped), never when it was rejected.
struct Seen<'a> {
    window: &'a mut Window,
    /// The engine's per-partition order chains.
    order: &'a mut [u64],
    out: &'a mut JobResults,
    id: Option<(u32, u32)>,
    /// The id's key in the window, computed once by `admit`.
    hash: Option<u128>,
    partition: Option<u32>,
    error: Option<String>,
}

impl Seen<'_> {
    fn note_id(&mut self, id: &str) {
        if self.id.is_none() {
            let lo = self.out.ids.len();
            self.out.ids.push_str(id);
            self.id = u32::try_from(lo)
                .ok()
                .zip(u32::try_from(self.out.ids.len()).ok());
        }
    }
}

impl FrameObserver for Seen<'_> {
    fn admit(&mut self, event: &Event<'_>) -> bool {
        self.note_id(event.id);
        let h = self.window.hash(event.id);
        self.hash = Some(h);
        !self.window.contains_hash(h)
    }

    fn delivered(&mut self, x: &Explanation<'_>) {
        if let Some(event) = x.event {
            self.note_id(event.id);
            if x.outcome != Outcome::Rejected {
                let h = self.hash.unwrap_or_else(|| self.window.hash(event.id));
                self.window.insert_hash(h);
            }
        }
        self.partition = x.partition;
        if x.outcome == Outcome::Routed {
            self.out.handlers.extend_from_slice(x.handler_ids());
            if let (Some(event), Some(k)) = (x.event, x.partition) {
                if let Some(h) = self.order.get_mut(k as usize) {
                    *h = order_step(*h, event.id);
                }
            }
        }
        if x.outcome == Outcome::Rejected && self.error.is_none() {
            if let Some(e) = x.error {
                self.error = Some(e.to_string());
            } else if let Some(event) = x.event {
                let cause = RejectCause::Unmatched {
                    kind: event.kind(),
                    id: event.id.to_owned(),
                };
                self.error = Some(cause.to_string());
            }
        }
    }
}
