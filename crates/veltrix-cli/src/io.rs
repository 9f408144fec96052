//! Standard streams: the input (a file or standard input, buffered), the
//! output (buffered standard output that treats a closed pipe as the end of
//! the run), diagnostics on standard error, and the progress line.

use std::fs::File;
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::{Status, Usage, signals};

/// Read and write in 64 KiB chunks: large enough to amortise system calls,
/// small enough that memory stays flat.
const CHUNK: usize = 64 * 1024;

/// Opens `path` (or standard input for `-` or none) as a buffered reader.
pub fn open_input(path: Option<&Path>) -> anyhow::Result<Box<dyn BufRead>> {
    match path {
        None => Ok(Box::new(ThreadedInput::spawn(io::stdin())?)),
        Some(p) if p.as_os_str() == "-" => Ok(Box::new(ThreadedInput::spawn(io::stdin())?)),
        Some(p) => Ok(Box::new(ThreadedInput::spawn(open_file(p)?)?)),
    }
}

fn open_file(p: &Path) -> anyhow::Result<File> {
    let file = File::open(p).map_err(|e| Usage(format!("cannot open {}: {e}", p.display())))?;
    // Opening a directory succeeds on Unix; reading it would not.
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        let message = format!("cannot open {}: it is a directory", p.display());
        return Err(Usage(message).into());
    }
    Ok(file)
}

/// Chunks in flight between the reading thread and the command: bounded,
/// so memory stays flat whatever the input's length.
const CHUNKS_IN_FLIGHT: usize = 4;

/// The input, read on a thread of its own in [`CHUNK`]-sized pieces.
///
/// A read from a pipe or terminal can block for as long as the writer
/// likes; reading elsewhere keeps the command's thread free to notice a
/// signal ([`signals::caught`]) and end the run with its summary. After a
/// signal, reads fail with an error that says so.
struct ThreadedInput {
    chunks: Receiver<io::Result<Vec<u8>>>,
    spare: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    done: bool,
}

impl ThreadedInput {
    fn spawn(mut source: impl Read + Send + 'static) -> anyhow::Result<Self> {
        let (send, chunks) = sync_channel(CHUNKS_IN_FLIGHT);
        let (spare, spares) = sync_channel::<Vec<u8>>(CHUNKS_IN_FLIGHT);
        let reader = move || {
            loop {
                let mut buf = spares.try_recv().unwrap_or_default();
                buf.resize(CHUNK, 0);
                let n = loop {
                    match source.read(&mut buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                let item = match n {
                    Ok(0) => return,
                    Ok(n) => {
                        buf.truncate(n);
                        Ok(buf)
                    }
                    Err(e) => Err(e),
                };
                let failed = item.is_err();
                if send.send(item).is_err() || failed {
                    return;
                }
            }
        };
        std::thread::Builder::new()
            .name("input".into())
            .spawn(reader)
            .map_err(|e| anyhow::anyhow!("cannot start the input thread: {e}"))?;
        Ok(ThreadedInput {
            chunks,
            spare,
            chunk: Vec::new(),
            pos: 0,
            done: false,
        })
    }
}

impl Read for ThreadedInput {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ThreadedInput {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.chunk.len() && !self.done {
            if let Some(signal) = signals::caught() {
                return Err(io::Error::other(format!(
                    "reading stopped by {}",
                    signals::name(signal)
                )));
            }
            match self.chunks.recv_timeout(Duration::from_millis(50)) {
                Ok(Ok(chunk)) => {
                    let old = std::mem::replace(&mut self.chunk, chunk);
                    // The reader thread reuses it; if it has enough, drop it.
                    let _ = self.spare.try_send(old);
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => self.done = true,
            }
        }
        Ok(&self.chunk[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.chunk.len());
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

/// How a command that ran to its end (or to a signal) exits, once its
/// output is written: a failed write is an error; a closed pipe (`| head`)
/// ends the output quietly, but bad events still make the status 1, and a
/// caught signal makes it 128 plus the signal's number.
pub fn conclude(
    written: Result<(), WriteStop>,
    bad: u64,
    signal: Option<i32>,
) -> anyhow::Result<Status> {
    if let Err(WriteStop::Failed(e)) = written {
        return Err(e);
    }
    Ok(match signal {
        Some(signal) => Status::Interrupted(signal),
        None => Status::from_bad(bad),
    })
}

/// Whether standard output was closed when the process started (`>&-`).
///
/// The Rust runtime puts `/dev/null`, opened for reading and writing, in
/// place of a closed standard descriptor, so every write would silently
/// succeed. A shell's `>/dev/null` opens it write-only, which is left alone.
/// Linux only (`/proc`); elsewhere this says no.
pub fn stdout_was_closed() -> bool {
    let is_null = std::fs::read_link("/proc/self/fd/1").is_ok_and(|p| p == Path::new("/dev/null"));
    if !is_null {
        return false;
    }
    let Ok(info) = std::fs::read_to_string("/proc/self/fdinfo/1") else {
        return false;
    };
    info.lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        // O_ACCMODE is 0o3; O_RDWR is 0o2.
        .is_some_and(|flags| flags & 0o3 == 0o2)
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

/// Reads a configuration file (or standard input for `-`) through `parse`,
/// which bounds what it reads; its errors are usage errors that name the file.
pub fn read_config<T, E: std::fmt::Display>(
    path: &Path,
    parse: impl FnOnce(&mut dyn Read) -> Result<T, E>,
) -> anyhow::Result<T> {
    let name = if path.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    };
    let result = if path.as_os_str() == "-" {
        parse(&mut io::stdin().lock())
    } else {
        let mut file = File::open(path).map_err(|e| Usage(format!("cannot read {name}: {e}")))?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(Usage(format!("cannot read {name}: it is a directory")).into());
        }
        parse(&mut file)
    };
    result.map_err(|e| Usage(format!("{name}: {e}")).into())
}
