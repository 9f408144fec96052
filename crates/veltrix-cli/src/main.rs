//! # veltrix: the command line
//!
//! `convert`, `validate`, `gen` and `route` (SPEC section 5) over streams of
//! events: YAML documents, JSON lines or length-delimited protobuf, read from
//! a file or standard input one frame at a time and written to buffered
//! standard output, so memory stays flat however long the stream is.
//!
//! Exit status: 0 all good, 1 bad data (each bad event reported on stderr in
//! one line with its event number, position and field path), 2 bad usage or
//! configuration.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod args;
mod codec;
mod convert;
mod generate;
mod io;
mod route;
mod serve;
mod signals;
mod stream;
mod validate;

use std::fmt;
use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

/// How a run ended, when it ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every event was good.
    Clean,
    /// At least one bad event (already reported on stderr).
    BadData,
    /// A signal (its number) ended the run early.
    Interrupted(i32),
}

impl Status {
    /// `Clean` when no event was bad.
    pub fn from_bad(bad: u64) -> Status {
        if bad == 0 {
            Status::Clean
        } else {
            Status::BadData
        }
    }
}

/// Bad usage or configuration: exit status 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    if io::stdout_was_closed() {
        return report(&anyhow::Error::new(Usage(
            "standard output is closed: nothing could be written (use >/dev/null to discard it)"
                .to_owned(),
        )));
    }
    // The service listens for the signals itself (to drain); publishing is
    // idempotent (the server drops a repeated id), so a signal may end it
    // at once.
    if !matches!(cli.command, Command::Serve(_) | Command::Publish(_)) {
        signals::install();
    }
    let result = match &cli.command {
        Command::Convert(a) => convert::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Gen(a) => generate::run(a),
        Command::Route(a) => route::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Publish(a) => {
            event_service::init_logging();
            event_jetstream::run_publish(a)
                .map(|clean| {
                    if clean {
                        Status::Clean
                    } else {
                        Status::BadData
                    }
                })
                .map_err(|e| match e.downcast::<event_jetstream::PublishUsage>() {
                    Ok(usage) => anyhow::Error::new(Usage(usage.0)),
                    Err(e) => e,
                })
        }
        Command::Load(a) => veltrix_load::run_load(a).map(|r| {
            if r.is_clean() {
                Status::Clean
            } else {
                Status::BadData
            }
        }),
        Command::Replay(a) => veltrix_load::run_replay(a).map(|r| {
            if r.is_clean() {
                Status::Clean
            } else {
                Status::BadData
            }
        }),
    };
    match result {
        Ok(Status::Clean) => ExitCode::SUCCESS,
        Ok(Status::BadData) => ExitCode::from(1),
        Ok(Status::Interrupted(signal)) => ExitCode::from(u8::try_from(128 + signal).unwrap_or(1)),
        Err(e) => report(&e),
    }
}

/// Prints a run's error on stderr: status 2 for usage, 1 otherwise.
fn report(e: &anyhow::Error) -> ExitCode {
    use std::io::Write;
    // Nowhere to report a failing stderr to; never panic over it.
    let _ = writeln!(std::io::stderr().lock(), "error: {e:#}");
    if e.downcast_ref::<Usage>().is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// Prints clap's help, version or usage error. `--help` and `--version`
/// exit 0 only when their text was written: `--help > /dev/full` is an error.
fn clap_exit(e: &clap::Error) -> ExitCode {
    use std::io::Write;
    let printed = e.print().and_then(|()| std::io::stdout().flush());
    match (e.use_stderr(), printed) {
        (false, Ok(())) => ExitCode::SUCCESS,
        (false, Err(err)) => report(&anyhow::anyhow!("writing standard output failed: {err}")),
        (true, _) => ExitCode::from(2),
    }
}
