//! `veltrix replay`: sends the events of a dead-letter file to the service
//! again, once the routing table or the producer is fixed.
//!
//! The file is what `veltrix serve --dead-letters FILE` appends: one JSON
//! object per line, `{"ts":…,"outcome":"dead_letter"|"rejected","reason"|"error":…,
//! "content_type":"application/yaml","event":"<standard base64>"}`. Each
//! line's bytes are posted to `/v1/events` with its `content_type`, one
//! request per line, in file order, on one keep-alive connection (so the
//! service sees them in that order). Lines are read one at a time: memory
//! does not grow with the file.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::time::Duration;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use http::{HeaderValue, Method};
use serde::{Deserialize, Serialize};

use crate::args::ReplayArgs;
use crate::outcome::Outcomes;
use crate::target::{Connection, Target};

/// Longest line read from a dead-letter file; a longer one is skipped.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Times a request answered 503 (the service's queue was full: nothing was
/// routed) is sent again, after its `Retry-After`.
pub const RETRIES_ON_503: u32 = 3;

/// Most line numbers listed in [`ReplaySummary::skipped_lines`].
pub const MAX_LISTED_LINES: usize = 1000;

/// Longest wait honoured from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// What a replay did. Serialised as one flat JSON object (the outcome
/// counts at the top level, as in the service's responses).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReplaySummary {
    /// Lines in the file.
    pub lines: u64,
    /// Events posted (one request per line).
    pub sent: u64,
    /// Lines not sent: blank, not a dead-letter record, bad base64, empty
    /// event bytes, an unusable content type, or too long (each reported
    /// with its line number on stderr).
    pub skipped: u64,
    /// The numbers of the skipped lines (the first [`MAX_LISTED_LINES`]).
    pub skipped_lines: Vec<u64>,
    /// Requests answered 2xx.
    pub ok: u64,
    /// The service's per-outcome counts, summed over the responses.
    #[serde(flatten)]
    pub outcomes: Outcomes,
    /// Non-2xx responses by status (after the retries of a 503).
    pub http_errors: BTreeMap<u16, u64>,
    /// Requests that got no response (connection refused or broken, timeout).
    pub transport_errors: u64,
}

impl ReplaySummary {
    /// Every line was sent and answered 2xx.
    pub fn is_clean(&self) -> bool {
        self.skipped == 0
            && self.transport_errors == 0
            && self.http_errors.is_empty()
            && self.ok == self.lines
    }
}

/// One line of a dead-letter file; other keys (`ts`, `outcome`, `reason`,
/// `error`) are not needed to send it again.
#[derive(Debug, Deserialize)]
struct DeadLetter {
    content_type: String,
    event: String,
}

/// A line that cannot be sent, and why.
#[derive(Debug, thiserror::Error)]
enum BadLine {
    #[error("blank line")]
    Blank,
    #[error("longer than {MAX_LINE_BYTES} bytes")]
    TooLong,
    #[error("not a dead-letter record: {0}")]
    Json(serde_json::Error),
    #[error("\"event\" is not standard base64: {0}")]
    Base64(base64::DecodeError),
    #[error("\"event\" is empty")]
    Empty,
    #[error("\"content_type\" {0:?} is not a valid header value")]
    ContentType(String),
}

/// The request a line asks for.
#[derive(Debug)]
struct Replayed {
    content_type: HeaderValue,
    event: Vec<u8>,
}

fn parse_line(line: &[u8]) -> Result<Replayed, BadLine> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Err(BadLine::Blank);
    }
    let record: DeadLetter = serde_json::from_slice(line).map_err(BadLine::Json)?;
    let event = BASE64_STANDARD
        .decode(record.event.trim())
        .map_err(BadLine::Base64)?;
    if event.is_empty() {
        return Err(BadLine::Empty);
    }
    let content_type = HeaderValue::from_str(&record.content_type)
        .ok()
        .filter(|_| !record.content_type.trim().is_empty())
        .ok_or(BadLine::ContentType(record.content_type))?;
    Ok(Replayed {
        content_type,
        event,
    })
}

/// Reads one line (without its `\n`) into `line`, keeping at most
/// [`MAX_LINE_BYTES`]; returns `Ok(None)` at the end, `Ok(Some(true))` when
/// the line was longer (its rest is skipped).
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    line.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(any.then_some(too_long));
        }
        any = true;
        let (chunk, used, end) = match memchr::memchr(b'\n', buf) {
            Some(at) => (&buf[..at], at + 1, true),
            None => (buf, buf.len(), false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(line.len());
        if chunk.len() > room {
            too_long = true;
        }
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        reader.consume(used);
        if end {
            return Ok(Some(too_long));
        }
    }
}

/// Sends every event of the dead-letter file `args.file` again (see the
/// module documentation), reports each skipped line and each failed request
/// with its line number on stderr, prints the summary as one JSON line on
/// stdout, and returns it.
///
/// Errors: the file cannot be opened or read, the service cannot be
/// reached at the start, or the call is made inside a Tokio runtime. A bad
/// line or a failed request is counted, not an error.
pub fn run_replay(args: &ReplayArgs) -> anyhow::Result<ReplaySummary> {
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 3600.0) {
        bail!(
            "--timeout must be a positive number of seconds up to 3600, not {}",
            args.timeout
        );
    }
    if tokio::runtime::Handle::try_current().is_ok() {
        bail!("run_replay runs its own Tokio runtime: call it outside of one");
    }
    let target = Target::parse(&args.target, args.unix.as_deref())?;
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("opening the dead-letter file {}", args.file.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the Tokio runtime")?;
    let summary = runtime.block_on(replay(
        args,
        &target,
        BufReader::with_capacity(1 << 16, file),
    ))?;
    let json = serde_json::to_string(&summary).context("serialising the summary")?;
    println!("{json}");
    Ok(summary)
}

async fn replay(
    args: &ReplayArgs,
    target: &Target,
    mut reader: impl BufRead,
) -> anyhow::Result<ReplaySummary> {
    let timeout = Duration::from_secs_f64(args.timeout);
    let path = target.path("/v1/events");
    let where_ = args.file.display().to_string();
    let mut conn: Option<Connection> = Some(
        target
            .connect()
            .await
            .context("cannot reach the service to replay to")?,
    );
    let mut summary = ReplaySummary::default();
    let mut line = Vec::new();
    loop {
        let too_long = match read_line(&mut reader, &mut line) {
            Ok(Some(too_long)) => too_long,
            Ok(None) => break,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("reading {where_} after line {}", summary.lines));
            }
        };
        summary.lines += 1;
        let number = summary.lines;
        let parsed = if too_long {
            Err(BadLine::TooLong)
        } else {
            parse_line(&line)
        };
        let record = match parsed {
            Ok(record) => record,
            Err(e) => {
                eprintln!("replay: {where_}, line {number}: skipped: {e}");
                summary.skipped += 1;
                if summary.skipped_lines.len() < MAX_LISTED_LINES {
                    summary.skipped_lines.push(number);
                }
                continue;
            }
        };
        let event = bytes::Bytes::from(record.event);
        let mut attempt = 0;
        let mut posted = false;
        loop {
            let mut c = match conn.take() {
                Some(mut c) => {
                    if c.ready().await {
                        Some(c)
                    } else {
                        None
                    }
                }
                None => None,
            };
            if c.is_none() {
                match target.connect().await {
                    Ok(fresh) => c = Some(fresh),
                    Err(e) => {
                        eprintln!("replay: {where_}, line {number}: not sent: {e}");
                        summary.transport_errors += 1;
                        break;
                    }
                }
            }
            let Some(mut c) = c else { break };
            posted = true;
            let reply = c
                .exchange(
                    Method::POST,
                    &path,
                    Some(&record.content_type),
                    event.clone(),
                    timeout,
                )
                .await;
            let reply = match reply {
                Ok(reply) => {
                    conn = Some(c);
                    reply
                }
                Err(e) => {
                    eprintln!("replay: {where_}, line {number}: {e}");
                    summary.transport_errors += 1;
                    break;
                }
            };
            if reply.status == http::StatusCode::SERVICE_UNAVAILABLE && attempt < RETRIES_ON_503 {
                attempt += 1;
                let wait = Duration::from_secs(reply.retry_after.unwrap_or(1)).min(MAX_RETRY_AFTER);
                tokio::time::sleep(wait).await;
                continue;
            }
            if let Some(outcomes) = Outcomes::from_body(&reply.body) {
                summary.outcomes.add(&outcomes);
            }
            if reply.status.is_success() {
                summary.ok += 1;
            } else {
                *summary
                    .http_errors
                    .entry(reply.status.as_u16())
                    .or_default() += 1;
                eprintln!(
                    "replay: {where_}, line {number}: HTTP {}: {}",
                    reply.status,
                    snippet(&reply.body)
                );
            }
            break;
        }
        if posted {
            summary.sent += 1;
        }
    }
    Ok(summary)
}

/// The start of a response body for a message: one line (control
/// characters escaped), cut at 200 characters.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    for c in text.chars().take(200) {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_or_say_why_not() {
        let good = br#"{"ts":"2026-12-02T03:00:00.123Z","outcome":"dead_letter","reason":"no route","content_type":"application/yaml","event":"aWQ6IGUx"}"#;
        let r = parse_line(good).unwrap();
        assert_eq!(r.event, b"id: e1");
        assert_eq!(r.content_type, "application/yaml");
        assert!(matches!(parse_line(b"  \r"), Err(BadLine::Blank)));
        assert!(matches!(
            parse_line(b"{\"content_type\":"),
            Err(BadLine::Json(_))
        ));
        assert!(matches!(
            parse_line(br#"{"content_type":"a/b","event":"!!"}"#),
            Err(BadLine::Base64(_))
        ));
        assert!(matches!(
            parse_line(br#"{"content_type":"a/b","event":""}"#),
            Err(BadLine::Empty)
        ));
        let e = parse_line(br#"{"content_type":"a\nb","event":"eA=="}"#).unwrap_err();
        assert!(e.to_string().contains("\"a\\nb\""), "escaped: {e}");
    }

    #[test]
    fn long_lines_are_cut_and_flagged() {
        let mut input = vec![b'x'; MAX_LINE_BYTES + 10];
        input.extend_from_slice(b"\nshort\nlast");
        let mut reader = std::io::Cursor::new(input);
        let mut line = Vec::new();
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), Some(true));
        assert_eq!(line.len(), MAX_LINE_BYTES);
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), Some(false));
        assert_eq!(line, b"short");
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), Some(false));
        assert_eq!(line, b"last");
        assert_eq!(read_line(&mut reader, &mut line).unwrap(), None);
    }

    #[test]
    fn snippets_are_escaped_and_short() {
        assert_eq!(snippet(b"a\nb"), "a\\nb");
        assert_eq!(snippet(br#"{"a":1}"#), r#"{"a":1}"#);
        assert_eq!(snippet(&[b'y'; 300]).chars().count(), 201);
    }
}
