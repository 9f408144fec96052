//! The decoding loop shared by `convert` and `validate`: frames pulled one at
//! a time, each decoded into an arena that is reset before the next, bad
//! events reported on stderr as one line each.

use std::io::BufRead;

use event_decode::{Bump, Event, Format};

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
    let mut frames = codec::frames(format, input);
    let mut decoder = codec::decoder(format);
    let mut arena = Bump::new();
    // A runaway event is a typed error from the decoder, never an abort.
    arena.set_allocation_limit(Some(ARENA_LIMIT));
    let mut tally = Tally::default();
    let mut resync = codec::Resync::default();
    loop {
        if signals::caught().is_some() {
            return (tally, Ok(()));
        }
        // One event at a time: the arena keeps its largest chunk (bounded by
        // the event limits), so memory does not grow with the stream.
        arena.reset();
        let frame = match frames.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => return (tally, Ok(())),
            Err(_) if signals::caught().is_some() => return (tally, Ok(())),
            Err(e) => {
                let (count, cut) = match resync.after(format, &e) {
                    codec::Next::Reject => (true, None),
                    codec::Next::RejectAndStop(cut) => (true, Some(cut)),
                    codec::Next::Stop(cut) => (false, Some(cut)),
                };
                if count {
                    tally.events += 1;
                    tally.bad += 1;
                    progress.eprintln(&format!("error: {e}"));
                }
                if let Some(cut) = cut {
                    progress.eprintln(&cut.message());
                    return (tally, Ok(()));
                }
                if !keep_going {
                    return (tally, Ok(()));
                }
                continue;
            }
        };
        tally.events += 1;
        progress.tick();
        match decoder.decode(frame.bytes, &arena) {
            Ok(event) => {
                if let Err(stop) = on_event(&event) {
                    return (tally, Err(stop));
                }
            }
            Err(e) => {
                tally.bad += 1;
                progress.eprintln(&format!("error: {}", frame.locate(e)));
                if !keep_going {
                    return (tally, Ok(()));
                }
            }
        }
    }
}
