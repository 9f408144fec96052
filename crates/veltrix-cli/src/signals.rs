//! SIGINT and SIGTERM: caught into a flag that the command loops check
//! between frames, so that a run ends with what it did so far on record
//! (`route` prints its summary marked as interrupted, `convert` flushes what
//! it wrote) and exits with 128 plus the signal's number.
//!
//! The input is read on its own thread ([`crate::io::open_input`]), so a run
//! waiting for input still sees the signal within a moment.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};

static CAUGHT: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// Starts catching SIGINT and SIGTERM. Without it (or if it fails) the
/// signals keep their default action, which ends the process at once.
pub fn install() {
    let flag = CAUGHT.get_or_init(|| Arc::new(AtomicUsize::new(0)));
    for signal in [SIGINT, SIGTERM] {
        // A signal that cannot be caught keeps its default action: the
        // process still ends, only without a summary.
        let _ = signal_hook::flag::register_usize(signal, Arc::clone(flag), signal as usize);
    }
}

/// The signal caught, if any.
pub fn caught() -> Option<i32> {
    let n = CAUGHT.get()?.load(Ordering::Relaxed);
    (n != 0).then_some(n as i32)
}

/// `SIGINT` or `SIGTERM`.
pub fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "signal",
    }
}
