//! `veltrix convert`: one stream format in, another out, event by event.

use crate::args::ConvertArgs;
use crate::codec::Encoder;
use crate::io::{Output, Progress, WriteStop, finish_output, open_input};
use crate::{Status, stream};

/// Runs `convert`.
pub fn run(args: &ConvertArgs) -> anyhow::Result<Status> {
    let input = open_input(args.input.input.as_deref())?;
    let mut out = Output::stdout();
    let mut encoder = Encoder::new(args.to.into());
    let mut buf = Vec::new();
    let mut progress = Progress::events(true);
    let result = stream::each_event(
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
    let tally = match result {
        Ok(tally) => tally,
        Err(WriteStop::Closed) => return Ok(Status::Clean),
        Err(WriteStop::Failed(e)) => return Err(e),
    };
    finish_output(out.flush())?;
    if args.keep_going {
        tally.report_bad(&progress);
    }
    Ok(Status::from_bad(tally.bad))
}
