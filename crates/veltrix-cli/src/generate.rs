//! `veltrix gen`: a deterministic corpus from `event_model::corpus::Generator`.

use event_decode::Bump;
use event_model::corpus::Generator;

use crate::Status;
use crate::args::GenArgs;
use crate::codec::Encoder;
use crate::io::{Output, Progress, conclude};
use crate::signals;

/// Runs `gen`. The generator and the encoders depend on nothing but the seed
/// (integer arithmetic, shortest round-trip floats), so the bytes are the
/// same on every machine.
pub fn run(args: &GenArgs) -> anyhow::Result<Status> {
    let mut generator = Generator::new(args.seed);
    let mut encoder = Encoder::new(args.format.into());
    let mut out = Output::stdout();
    let mut buf = Vec::new();
    let mut arena = Bump::new();
    let mut progress = Progress::events(true);
    let mut write = || {
        for _ in 0..args.count {
            if signals::caught().is_some() {
                break;
            }
            arena.reset();
            let event = generator.next_event();
            buf.clear();
            encoder.encode(&event.as_view(&arena), &mut buf);
            out.write_all(&buf)?;
            progress.tick();
        }
        out.flush()
    };
    let written = write();
    conclude(written, 0, signals::caught())
}
