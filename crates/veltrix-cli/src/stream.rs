//! The decoding loop shared by `convert` and `validate`: frames pulled one at
//! a time, each decoded into an arena that is reset before the next, bad
//! events reported on stderr as one line each.

use std::io::BufRead;

use event_decode::{Bump, Event, Format};

use crate::codec;
use crate::io::{Progress, WriteStop};

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
/// Stops early when `on_event` fails (a closed output, for instance).
pub fn each_event(
    format: Format,
    input: Box<dyn BufRead>,
    keep_going: bool,
    progress: &mut Progress,
    mut on_event: impl FnMut(&Event<'_>) -> Result<(), WriteStop>,
) -> Result<Tally, WriteStop> {
    let mut frames = codec::frames(format, input);
    let mut decoder = codec::decoder(format);
    let mut arena = Bump::new();
    let mut tally = Tally::default();
    // A reader that fails twice in the same way is not moving on: stop there.
    let mut last_frame_error = String::new();
    loop {
        // One event at a time: the arena keeps its largest chunk (bounded by
        // the event size limit), so memory does not grow with the stream.
        arena.reset();
        let frame = match frames.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => return Ok(tally),
            Err(e) => {
                tally.events += 1;
                tally.bad += 1;
                let message = format!("error: {e}");
                progress.eprintln(&message);
                if keep_going && codec::can_resume(format, &e) && message != last_frame_error {
                    last_frame_error = message;
                    continue;
                }
                return Ok(tally);
            }
        };
        tally.events += 1;
        progress.tick();
        match decoder.decode(frame.bytes, &arena) {
            Ok(event) => on_event(&event)?,
            Err(e) => {
                tally.bad += 1;
                progress.eprintln(&format!("error: {}", frame.locate(e)));
                if !keep_going {
                    return Ok(tally);
                }
            }
        }
    }
}
