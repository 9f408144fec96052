//! The decoding loop shared by `convert` and `validate`: frames pulled one at
//! a time, each decoded into an arena that is reset before the next, bad
//! events reported on stderr as one line each.

use std::io::BufRead;

use event_decode::{Bump, DecodeConfig, Event, EventReader, Format, Item};

/// The most one event's arena may hold: far above what the decoders' limits
/// let an event need, so only a runaway hits it, as a typed error.
const ARENA_LIMIT: usize = 64 << 20;

use crate::io::{Progress, WriteStop};
use crate::{codec, signals};

/// What a run saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Events read, good and bad.
    pub events: u64,
    /// Bad events.
    pub bad: u64,
}

impl Tally {
    /// Reports the count of bad events at the end of a `--keep-going` run.
    pub fn report_bad(&self, progress: &Progress) {
        if self.bad > 0 {
            progress.eprintln(&format!(
                "error: {} bad {} out of {}",
                self.bad,
                if self.bad == 1 { "event" } else { "events" },
                self.events
            ));
        }
    }
}

/// Decodes every event of `input` and hands each good one to `on_event`.
///
/// Each bad event is reported on stderr (`error: event 3, line 42, column 7:
/// payload.position.x: ...`); unless `keep_going`, the first one ends the run.
/// Stops early when `on_event` fails (a closed output, for instance): the
/// tally so far comes with the reason. Stops at a caught signal too.
pub fn each_event(
    format: Format,
    input: Box<dyn BufRead>,
    keep_going: bool,
    progress: &mut Progress,
    mut on_event: impl FnMut(&Event<'_>) -> Result<(), WriteStop>,
) -> (Tally, Result<(), WriteStop>) {
    let mut reader = EventReader::new(format, input, &DecodeConfig::new());
    let mut arena = Bump::new();
    // A runaway event is a typed error from the decoder, never an abort.
    arena.set_allocation_limit(Some(ARENA_LIMIT));
    let mut tally = Tally::default();
    loop {
        if signals::caught().is_some() {
            return (tally, Ok(()));
        }
        // One event at a time: the arena keeps its largest chunk (bounded by
        // the event limits), so memory does not grow with the stream.
        arena.reset();
        match reader.read_event_into(&arena) {
            None => return (tally, Ok(())),
            Some(Item::Event { event, .. }) => {
                tally.events += 1;
                progress.tick();
                if let Err(stop) = on_event(&event) {
                    return (tally, Err(stop));
                }
            }
            Some(Item::Bad {
                error,
                frame,
                resumes,
            }) => {
                if frame.is_none() && signals::caught().is_some() {
                    return (tally, Ok(()));
                }
                tally.events += 1;
                tally.bad += 1;
                if frame.is_some() {
                    progress.tick();
                }
                progress.eprintln(&format!("error: {error}"));
                // A stream that cannot go on says so before the run ends.
                if !keep_going && resumes {
                    return (tally, Ok(()));
                }
            }
            Some(Item::CutShort { error }) => {
                if signals::caught().is_none() {
                    progress.eprintln(&codec::CutShort(error).message());
                }
                return (tally, Ok(()));
            }
        }
    }
}
