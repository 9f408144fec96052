//! Standard streams: the input (a file or standard input, buffered), the
//! output (buffered standard output that treats a closed pipe as the end of
//! the run), diagnostics on standard error, and the progress line.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::Usage;

/// Read and write in 64 KiB chunks: large enough to amortise system calls,
/// small enough that memory stays flat.
const CHUNK: usize = 64 * 1024;

/// Opens `path` (or standard input for `-` or none) as a buffered reader.
pub fn open_input(path: Option<&Path>) -> anyhow::Result<Box<dyn BufRead>> {
    match path {
        None => Ok(Box::new(BufReader::with_capacity(CHUNK, io::stdin()))),
        Some(p) if p.as_os_str() == "-" => {
            Ok(Box::new(BufReader::with_capacity(CHUNK, io::stdin())))
        }
        Some(p) => {
            let file =
                File::open(p).map_err(|e| Usage(format!("cannot open {}: {e}", p.display())))?;
            // Opening a directory succeeds on Unix; reading it would not.
            if file.metadata().is_ok_and(|m| m.is_dir()) {
                let message = format!("cannot open {}: it is a directory", p.display());
                return Err(Usage(message).into());
            }
            Ok(Box::new(BufReader::with_capacity(CHUNK, file)))
        }
    }
}

/// Why writing stopped.
#[derive(Debug)]
pub enum WriteStop {
    /// The reader went away (`| head`): end the run quietly.
    Closed,
    /// Any other write failure.
    Failed(anyhow::Error),
}

impl From<io::Error> for WriteStop {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            WriteStop::Closed
        } else {
            WriteStop::Failed(anyhow::Error::new(e).context("writing standard output failed"))
        }
    }
}

/// Buffered standard output.
pub struct Output {
    inner: io::BufWriter<io::StdoutLock<'static>>,
}

impl Output {
    /// Standard output behind a 64 KiB buffer.
    pub fn stdout() -> Self {
        Output {
            inner: io::BufWriter::with_capacity(CHUNK, io::stdout().lock()),
        }
    }

    /// Writes all of `bytes`.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), WriteStop> {
        Ok(self.inner.write_all(bytes)?)
    }

    /// Flushes everything written.
    pub fn flush(&mut self) -> Result<(), WriteStop> {
        Ok(self.inner.flush()?)
    }
}

/// Finishes a command's output: a closed pipe is a quiet, successful end.
pub fn finish_output(result: Result<(), WriteStop>) -> anyhow::Result<()> {
    match result {
        Ok(()) | Err(WriteStop::Closed) => Ok(()),
        Err(WriteStop::Failed(e)) => Err(e),
    }
}

/// A progress line on standard error, drawn only when it is a terminal.
pub struct Progress {
    bar: Option<ProgressBar>,
    pending: u64,
}

impl Progress {
    /// A progress line counting events, drawn only when stderr is a
    /// terminal; with `streaming_stdout` (events written as they come), also
    /// only when stdout is not that terminal, where it would tear the output.
    pub fn events(streaming_stdout: bool) -> Self {
        let show = io::stderr().is_terminal() && !(streaming_stdout && io::stdout().is_terminal());
        let bar = show.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {human_pos} events  {per_sec:0}  {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress { bar, pending: 0 }
    }

    /// Counts one event (the bar is touched only every 1,024 events).
    pub fn tick(&mut self) {
        self.pending += 1;
        if self.pending == 1024 {
            if let Some(bar) = &self.bar {
                bar.inc(self.pending);
            }
            self.pending = 0;
        }
    }

    /// Prints a line on stderr without tearing the progress line.
    pub fn eprintln(&self, line: &str) {
        let print = || {
            // A failing stderr leaves nowhere to report to; never panic over it.
            let _ = writeln!(io::stderr().lock(), "{line}");
        };
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Reads a whole (small) configuration file.
pub fn read_config(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Usage(format!("cannot read {}: {e}", path.display())).into())
}
