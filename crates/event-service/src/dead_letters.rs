//! Dead letters kept on disk: one JSON line per dead-lettered or rejected
//! event, fsynced at least once a second and on drain, rotated past a size.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

/// How often written lines reach the disk, at the latest.
pub(crate) const SYNC_EVERY: Duration = Duration::from_secs(1);

/// One line of the dead-letter file (what `veltrix replay` reads).
#[derive(Debug, Serialize)]
pub(crate) struct Line<'a> {
    /// When it was written (RFC 3339, UTC).
    pub ts: &'a str,
    /// `dead_letter` or `rejected`.
    pub outcome: &'a str,
    /// Why a dead letter was not routed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    /// Why a rejected event was bad (positioned in its request body).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
    /// The content type that sends this one event again.
    pub content_type: &'a str,
    /// The event's bytes, base64 (standard alphabet, padded).
    pub event: &'a str,
}

/// The open dead-letter file.
#[derive(Debug)]
pub(crate) struct DeadLetterFile {
    path: PathBuf,
    out: BufWriter<File>,
    size: u64,
    max: u64,
    dirty: bool,
    last_sync: Instant,
    line: Vec<u8>,
    b64: String,
    /// Lines written since start.
    pub written: u64,
    /// The first write or sync error, kept for the log.
    pub failures: u64,
    /// The thread that runs the once-a-second `fsync` (started at the
    /// first one): the router, which may be the HTTP thread too, never
    /// waits on the disk for it. Rotation and drain still sync in place.
    syncer: Option<std::sync::mpsc::Sender<File>>,
}

impl DeadLetterFile {
    pub(crate) fn open(path: &Path, max: u64) -> io::Result<DeadLetterFile> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let size = file.metadata()?.len();
        Ok(DeadLetterFile {
            path: path.to_owned(),
            out: BufWriter::with_capacity(64 << 10, file),
            size,
            max: max.max(1),
            dirty: false,
            last_sync: Instant::now(),
            line: Vec::with_capacity(1024),
            b64: String::new(),
            written: 0,
            failures: 0,
            syncer: None,
        })
    }

    /// Appends one letter.
    pub(crate) fn append(
        &mut self,
        outcome: &str,
        why: Result<&str, &str>,
        content_type: &str,
        raw: &[u8],
    ) {
        self.line.clear();
        if encode(
            &mut self.line,
            &mut self.b64,
            outcome,
            why,
            content_type,
            raw,
        )
        .is_err()
        {
            self.failures += 1;
            return;
        }
        self.line.push(b'\n');
        if self.size > 0 && self.size + self.line.len() as u64 > self.max {
            if let Err(e) = self.rotate() {
                self.fail(&e);
            }
        }
        match self.out.write_all(&self.line) {
            Ok(()) => {
                self.size += self.line.len() as u64;
                self.dirty = true;
                self.written += 1;
            }
            Err(e) => self.fail(&e),
        }
    }

    /// Syncs if something was written and a second has passed since the
    /// last sync (or `force`).
    pub(crate) fn sync_due(&mut self, force: bool) {
        if !self.dirty {
            return;
        }
        let result = if force {
            self.sync()
        } else if self.last_sync.elapsed() >= SYNC_EVERY {
            self.sync_in_background()
        } else {
            return;
        };
        if let Err(e) = result {
            self.fail(&e);
        }
    }

    /// Writes the buffered lines out and has the syncer thread `fsync`
    /// them (in place if that thread cannot be had).
    fn sync_in_background(&mut self) -> io::Result<()> {
        self.out.flush()?;
        let file = self.out.get_ref().try_clone()?;
        let file = match &self.syncer {
            Some(tx) => tx.send(file).err().map(|e| e.0),
            None => Some(file),
        };
        if let Some(file) = file {
            // No syncer yet (or it died): start one.
            let (tx, rx) = std::sync::mpsc::channel::<File>();
            let path = self.path.clone();
            let started = std::thread::Builder::new()
                .name("veltrix-fsync".into())
                .spawn(move || {
                    for file in rx {
                        if let Err(e) = file.sync_data() {
                            tracing::error!(file = %path.display(), error = %e, "syncing dead letters failed");
                        }
                    }
                });
            match started {
                Ok(_) => {
                    // A fresh channel whose receiver is alive: cannot fail.
                    let _ = tx.send(file);
                    self.syncer = Some(tx);
                }
                Err(_) => file.sync_data()?,
            }
        }
        self.dirty = false;
        self.last_sync = Instant::now();
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_data()?;
        self.dirty = false;
        self.last_sync = Instant::now();
        Ok(())
    }

    /// Moves the file to `FILE.1` (replacing an older one) and starts anew.
    fn rotate(&mut self) -> io::Result<()> {
        self.sync()?;
        let mut rotated = self.path.clone().into_os_string();
        rotated.push(".1");
        std::fs::rename(&self.path, &rotated)?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.out = BufWriter::with_capacity(64 << 10, file);
        self.size = 0;
        tracing::info!(file = %self.path.display(), "dead-letter file rotated");
        Ok(())
    }

    fn fail(&mut self, e: &io::Error) {
        if self.failures == 0 {
            tracing::error!(file = %self.path.display(), error = %e, "writing dead letters failed");
        }
        self.failures += 1;
    }
}

/// One dead-letter record, the same JSON as a line of the file (without
/// the newline): what consume mode publishes to `VELTRIX_DEAD`.
pub(crate) fn record(
    outcome: &str,
    why: Result<&str, &str>,
    content_type: &str,
    raw: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = encode(
        &mut out,
        &mut String::new(),
        outcome,
        why,
        content_type,
        raw,
    );
    out
}

/// Appends one record's JSON to `out`; `b64` is scratch for the bytes in
/// base64 (reused by the file, so a line allocates nothing once warm).
fn encode(
    out: &mut Vec<u8>,
    b64: &mut String,
    outcome: &str,
    why: Result<&str, &str>,
    content_type: &str,
    raw: &[u8],
) -> serde_json::Result<()> {
    b64.clear();
    STANDARD.encode_string(raw, b64);
    let ts = now_rfc3339();
    let (reason, error) = match why {
        Ok(reason) => (Some(reason), None),
        Err(error) => (None, Some(error)),
    };
    let line = Line {
        ts: &ts,
        outcome,
        reason,
        error,
        content_type,
        event: b64,
    };
    serde_json::to_writer(out, &line)
}

/// The time now, RFC 3339 in UTC with milliseconds.
pub(crate) fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    now.format(&fmt).unwrap_or_default()
}
