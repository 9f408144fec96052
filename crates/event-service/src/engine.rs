//! The router's thread: it owns the pipeline (router, arena, handlers), the
//! dedupe window and the dead-letter file, and takes jobs from one queue in
//! the order the service accepted them.
//!
//! This module starts it (on its own thread, or inline on the HTTP thread)
//! and hands it jobs; [`messages`] holds what the two sides exchange,
//! [`routing`] the router's state and how a job is handled, [`order`] the
//! per-partition order chain.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};

use crate::dead_letters::SYNC_EVERY;

mod messages;
mod order;
mod routing;

pub(crate) use messages::{
    Admission, EngineSetup, Fate, Job, JobResults, Query, Ready, RouteJob, Slot, Snapshot,
};
use routing::{Engine, Flow};

/// Builds the router on this thread (handlers need not be `Send`), reports
/// readiness, then serves jobs until shutdown or until every sender is gone.
pub(crate) fn run(
    setup: EngineSetup,
    jobs: Receiver<Job>,
    admission: Arc<Admission>,
    ready: std::sync::mpsc::Sender<Result<Ready, String>>,
) {
    let mut engine = match Engine::new(setup) {
        Ok(engine) => engine,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(engine.ready()));
    loop {
        let job = match jobs.recv_timeout(SYNC_EVERY) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => {
                engine.sync_dead_letters(false);
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if let Flow::Stop = engine.handle(job, &admission) {
            return;
        }
    }
    engine.sync_dead_letters(true);
}

thread_local! {
    /// The router's state when it lives on the one HTTP thread (inline
    /// mode, see the crate docs): only that thread's tasks reach it, each
    /// job runs to completion before the next (no `await` inside), so the
    /// borrow is never contended.
    static INLINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// Builds the router on the calling thread and keeps it there for
/// [`Jobs::Inline`]: the thread that then runs the (current-thread) HTTP
/// runtime. Returns what the router reports when ready.
pub(crate) fn start_inline(setup: EngineSetup) -> Result<Ready, String> {
    let engine = Engine::new(setup)?;
    let ready = engine.ready();
    INLINE.with_borrow_mut(|slot| *slot = Some(engine));
    Ok(ready)
}

/// Drops the inline router of this thread, syncing its dead letters.
pub(crate) fn stop_inline() {
    if let Some(mut engine) = INLINE.with_borrow_mut(Option::take) {
        engine.sync_dead_letters(true);
    }
}

/// Syncs the inline router's dead letters if a sync is due (the timer that
/// the router's own thread gets from waiting on its queue).
pub(crate) fn tick_inline() {
    INLINE.with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            if let Some(engine) = slot.as_mut() {
                engine.sync_dead_letters(false);
            }
        }
    });
}

/// The router seen from the HTTP side: its thread's queue, or the router
/// living on this very thread.
#[derive(Debug)]
pub(crate) enum Jobs {
    /// The router's own thread (`veltrix-router`), fed through a FIFO.
    Thread(Sender<Job>),
    /// The router on the calling thread: a job runs at once, before
    /// `send` returns (its reply is then ready without a wakeup).
    Inline(Arc<Admission>),
}

impl Jobs {
    /// Hands a job to the router; the job back if the router has stopped.
    pub(crate) fn send(&self, job: Job) -> Result<(), Job> {
        match self {
            Jobs::Thread(tx) => tx.send(job).map_err(|e| e.0),
            Jobs::Inline(admission) => INLINE.with(|slot| {
                let Ok(mut slot) = slot.try_borrow_mut() else {
                    return Err(job);
                };
                let Some(engine) = slot.as_mut() else {
                    return Err(job);
                };
                if let Flow::Stop = engine.handle(job, admission) {
                    *slot = None;
                }
                Ok(())
            }),
        }
    }
}
