//! `veltrix validate`: decode every event, report each bad one, print a count.

use crate::args::ValidateArgs;
use crate::io::{Output, Progress, conclude, open_input};
use crate::{Status, signals, stream};

/// Runs `validate`: every event is checked (a bad one never stops the run).
pub fn run(args: &ValidateArgs) -> anyhow::Result<Status> {
    let input = open_input(args.input.input.as_deref())?;
    let mut progress = Progress::events(false);
    // Validation writes nothing per event, so no write can stop it.
    let (tally, _) = stream::each_event(args.format.into(), input, true, &mut progress, |_| Ok(()));
    drop(progress);
    let mut out = Output::stdout();
    let line = format!(
        "{} {}: {} valid, {} bad\n",
        tally.events,
        if tally.events == 1 { "event" } else { "events" },
        tally.events - tally.bad,
        tally.bad
    );
    let written = out.write_all(line.as_bytes()).and_then(|()| out.flush());
    conclude(written, tally.bad, signals::caught())
}
