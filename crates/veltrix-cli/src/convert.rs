//! `veltrix convert`: one stream format in, another out, event by event.

use crate::args::ConvertArgs;
use crate::codec::Encoder;
use crate::io::{Output, Progress, conclude, open_input};
use crate::{Status, signals, stream};

/// Runs `convert`.
pub fn run(args: &ConvertArgs) -> anyhow::Result<Status> {
    let input = open_input(args.input.input.as_deref())?;
    let mut out = Output::stdout();
    let mut encoder = Encoder::new(args.to.into());
    let mut buf = Vec::new();
    let mut progress = Progress::events(true);
    let (tally, mut written) = stream::each_event(
        args.from.into(),
        input,
        args.keep_going,
        &mut progress,
        |event| {
            buf.clear();
            encoder.encode(event, &mut buf);
            out.write_all(&buf)
        },
    );
    // Whatever was converted is flushed, also after a signal.
    if written.is_ok() {
        written = out.flush();
    }
    if args.keep_going {
        tally.report_bad(&progress);
    }
    conclude(written, tally.bad, signals::caught())
}
