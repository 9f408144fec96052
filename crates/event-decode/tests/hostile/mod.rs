//! Hostile input: each case must end in a typed error (category and limit
//! asserted), without a panic, in bounded time and bounded memory.
//!
//! Every case runs in a child process: the test binary re-executes itself
//! with `VELTRIX_HOSTILE=<case>` and only the [`child`] test, which builds the
//! input, resets the peak-RSS mark (`/proc/self/clear_refs`), runs the case,
//! and prints how far its peak resident set rose above the RSS it started
//! from. The parent fails the case on a panic, an abort (stack overflow,
//! allocation failure), a timeout, or a peak over the case's bound, which is
//! derived from the limits in force (a few times `max_event_bytes` plus a
//! fixed slack for the allocator and the test harness).
//!
//! The cases live by format (`yaml_cases`, `json_cases`, `protobuf_cases`,
//! `stream_cases` for bytes that are hostile in every format); this module
//! holds their list, the shared helpers and the child-process harness.

use std::io::{self, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bench_harness::baselines::{DomDecoder, ProstDecoder};
use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::frames::FrameReader;
use event_decode::json::{JsonDecoder, JsonLines};
use event_decode::protobuf::{LengthDelimitedFrames, ZeroCopyDecoder, length_delimited};
use event_decode::yaml::{self, YamlDecoder, YamlFrames};
use event_decode::{Category, DecodeError, Decoder, Limit, Limits};

/// The environment variable that selects a case in the child.
const CASE_VAR: &str = "VELTRIX_HOSTILE";
/// A hang is a failure: no case may take longer (debug build, shared CPU).
const TIME_BOUND: Duration = Duration::from_secs(20);
/// Slack over the limit-derived bound: allocator arenas, the harness's
/// threads and output buffers.
const SLACK_KB: u64 = 8 * 1024;
/// A size limit raised so that the other limits are reached on big inputs.
const BIG: usize = 64 << 20;
const KB: u64 = 1024;
const DEFAULT_EVENT_KB: u64 = Limits::DEFAULT.max_event_bytes as u64 / KB;

/// One hostile case: its name, the peak-RSS rise it may cause (kB, before
/// the slack), and the code that runs it and asserts the typed error.
struct Case {
    name: &'static str,
    max_rise_kb: u64,
    run: fn(),
}

fn cases() -> Vec<Case> {
    vec![
        // A 4096-event alias budget: the expansion stops after it, so the
        // decoder holds one document and a bounded replay buffer.
        case(
            "yaml_billion_laughs",
            4 * DEFAULT_EVENT_KB,
            yaml_billion_laughs,
        ),
        // The input is 200 KB; the depth limit stops the parser at level 32.
        case("yaml_100k_nested_flow", 4 * 200, yaml_nested_flow),
        case("yaml_100k_nested_block", 4 * 200, yaml_nested_block),
        case("json_100k_nested_arrays", 4 * 200, json_nested_arrays),
        case("json_100k_nested_objects", 4 * 800, json_nested_objects),
        // Streamed through the frame readers: never held, and the reader's
        // buffer stays under max_event_bytes.
        case(
            "yaml_50mb_scalar_stream",
            4 * DEFAULT_EVENT_KB,
            yaml_50mb_scalar_stream,
        ),
        case(
            "json_50mb_string_stream",
            4 * DEFAULT_EVENT_KB,
            json_50mb_string_stream,
        ),
        case(
            "proto_50mb_string_stream",
            4 * DEFAULT_EVENT_KB,
            proto_50mb_string_stream,
        ),
        // Held in memory (50 MB, not counted): refused by size before parsing.
        case(
            "yaml_50mb_scalar_decode",
            DEFAULT_EVENT_KB,
            yaml_50mb_scalar_decode,
        ),
        // Size limit raised to 64 MB: the string limit must stop the copy;
        // the parser may hold the scalar once (yaml-rust2 owns its strings).
        case(
            "yaml_50mb_scalar_string_limit",
            2 * 50 * KB,
            yaml_50mb_scalar_string_limit,
        ),
        // serde_json unescapes a string into its scratch buffer before the
        // length can be checked: bounded by the (raised) size limit only.
        case(
            "json_50mb_string_limit",
            2 * 50 * KB,
            json_50mb_string_limit,
        ),
        case(
            "proto_50mb_string_limit",
            4 * DEFAULT_EVENT_KB,
            proto_50mb_string_limit,
        ),
        // The item limit stops the reading after 1,024 entries.
        case("yaml_1m_keys", 4 * DEFAULT_EVENT_KB, yaml_million_keys),
        case("json_1m_keys", 4 * DEFAULT_EVENT_KB, json_million_keys),
        case(
            "proto_1m_map_entries",
            4 * DEFAULT_EVENT_KB,
            proto_million_entries,
        ),
        case(
            "yaml_only_comments",
            4 * DEFAULT_EVENT_KB,
            yaml_only_comments,
        ),
        case(
            "invalid_utf8_everywhere",
            4 * DEFAULT_EVENT_KB,
            invalid_utf8,
        ),
        case("nul_bytes", 4 * DEFAULT_EVENT_KB, nul_bytes),
        // A 2^63 length must not be allocated, whatever the frame maximum.
        case(
            "proto_length_2_pow_63",
            4 * DEFAULT_EVENT_KB,
            proto_length_2_pow_63,
        ),
        case(
            "proto_10k_nested_groups",
            4 * DEFAULT_EVENT_KB,
            proto_nested_groups,
        ),
        case(
            "truncated_final_frame",
            4 * DEFAULT_EVENT_KB,
            truncated_final_frame,
        ),
        // 40 events of ~32 KB, each a 16 KiB scalar aliased 4,096 times
        // (64 MB of text per event once expanded): the alias byte budget
        // stops each after 64 KiB. The stream itself (1.3 MB) is built in
        // the child and counted.
        case(
            "yaml_alias_amplification_stream",
            2 * 1024 + 4 * DEFAULT_EVENT_KB,
            yaml_alias_amplification_stream,
        ),
        // 50 MB comment lines between documents: read through, never kept.
        case(
            "yaml_50mb_comment_lines",
            4 * DEFAULT_EVENT_KB,
            yaml_50mb_comment_lines,
        ),
    ]
}

fn case(name: &'static str, max_rise_kb: u64, run: fn()) -> Case {
    Case {
        name,
        max_rise_kb,
        run,
    }
}

// ---------------------------------------------------------------- helpers

fn expect_limit(result: Result<event_decode::Event<'_>, DecodeError>, limit: Limit) -> DecodeError {
    let e = result.expect_err("hostile input decoded");
    assert_eq!(e.category(), Category::Limit, "{e:?}");
    assert_eq!(e.limit(), Some(limit), "{e:?}");
    assert!(
        e.message().contains(limit.name()),
        "the message names the limit: {e}"
    );
    e
}

fn expect_category(
    result: Result<event_decode::Event<'_>, DecodeError>,
    category: Category,
) -> DecodeError {
    let e = result.expect_err("hostile input decoded");
    assert_eq!(e.category(), category, "{e:?}");
    assert_eq!(e.limit(), None, "{e:?}");
    e
}

/// A reader that produces `head`, then `len` copies of `fill`, then `tail`,
/// without holding more than one chunk: a stream of any size in no memory.
struct Generated {
    parts: [(Vec<u8>, usize); 3],
    part: usize,
    done: usize,
}

impl Generated {
    fn new(head: &[u8], fill: u8, len: usize, tail: &[u8]) -> BufReader<Generated> {
        BufReader::with_capacity(
            8 * 1024,
            Generated {
                parts: [
                    (head.to_vec(), 1),
                    (vec![fill; 4096], len / 4096),
                    (tail.to_vec(), 1),
                ],
                part: 0,
                done: 0,
            },
        )
    }
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.part < 3 {
            let (chunk, times) = &self.parts[self.part];
            if self.done < times * chunk.len() {
                let at = self.done % chunk.len();
                let n = (chunk.len() - at).min(out.len());
                out[..n].copy_from_slice(&chunk[at..at + n]);
                self.done += n;
                return Ok(n);
            }
            self.part += 1;
            self.done = 0;
        }
        Ok(0)
    }
}

const FIFTY_MB: usize = 50 << 20;

fn heartbeat_yaml(extra: &str) -> String {
    format!("id: e\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: r\n{extra}")
}

/// The protobuf heartbeat's required fields (id, player_id, region, payload).
const PROTO_HEAD: [u8; 12] = [
    0x0a, 0x01, b'e', 0x22, 0x01, b'p', 0x32, 0x01, b'r', 0x92, 0x01, 0x00,
];

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

mod json_cases;
mod protobuf_cases;
mod stream_cases;
mod yaml_cases;

use json_cases::*;
use protobuf_cases::*;
use stream_cases::*;
use yaml_cases::*;

/// Places a per-frame result in the stream, as `Frame::locate` does for errors.
trait LocateResult {
    fn locate_result(&self, r: Result<(), DecodeError>) -> Result<(), DecodeError>;
}

impl LocateResult for event_decode::frames::Frame<'_> {
    fn locate_result(&self, r: Result<(), DecodeError>) -> Result<(), DecodeError> {
        r.map_err(|e| self.locate(e))
    }
}

// ------------------------------------------------------ the child process

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Restarts the peak-RSS mark from the current RSS, so that input built by
/// the case itself is not charged to the decoder. Prints the new baseline.
fn reset_peak() {
    if std::fs::write("/proc/self/clear_refs", "5").is_ok() {
        if let Some(rss) = status_kb("VmRSS:") {
            println!("HOSTILE-BASELINE {rss}");
        }
    }
}

/// Runs the case named by `VELTRIX_HOSTILE` (in a child started by the
/// parent tests below); without it there is nothing to do.
#[test]
fn child() {
    let Ok(name) = std::env::var(CASE_VAR) else {
        return;
    };
    let case = cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no hostile case {name:?}"));
    reset_peak();
    (case.run)();
    let peak = status_kb("VmHWM:").expect("VmHWM in /proc/self/status");
    println!("HOSTILE-PEAK {peak}");
}

struct ChildReport {
    rise_kb: u64,
    elapsed: Duration,
}

/// Runs `name` in a child and returns its peak-RSS rise, failing on a
/// panic, an abort, or a timeout.
fn run_child(name: &str) -> ChildReport {
    let exe = std::env::current_exe().expect("test binary");
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args([
            "hostile::child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CASE_VAR, name)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the test binary");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > TIME_BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name}: still running after {TIME_BOUND:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let stdout = out.join().expect("stdout");
    let stderr = err.join().expect("stderr");
    assert!(
        status.success(),
        "{name}: the child failed ({status}):\n{stdout}\n{stderr}"
    );
    let value = |tag: &str| {
        stdout
            .lines()
            .rev()
            .filter_map(|l| l.split_once(tag).map(|(_, v)| v))
            .find_map(|v| v.trim().parse::<u64>().ok())
    };
    let peak =
        value("HOSTILE-PEAK ").unwrap_or_else(|| panic!("{name}: no peak reported:\n{stdout}"));
    // The last baseline the case set (after building its input).
    let baseline = value("HOSTILE-BASELINE ").unwrap_or(0);
    ChildReport {
        rise_kb: peak.saturating_sub(baseline),
        elapsed,
    }
}

fn check(name: &str) {
    if !std::path::Path::new("/proc/self/status").exists() {
        println!("skipped {name}: no /proc to read peak RSS from");
        return;
    }
    let case = cases().into_iter().find(|c| c.name == name).expect("case");
    let report = run_child(name);
    let bound = case.max_rise_kb + SLACK_KB;
    println!(
        "{name}: peak RSS rise {} kB (bound {bound} kB), {:.2} s",
        report.rise_kb,
        report.elapsed.as_secs_f64()
    );
    assert!(
        report.rise_kb <= bound,
        "{name}: peak RSS rose {} kB, over the bound of {bound} kB",
        report.rise_kb
    );
}

macro_rules! hostile_tests {
    ($($test:ident => $name:literal,)*) => {
        /// One test per case, each checked in its own child process.
        mod case {
            $(
                #[test]
                fn $test() {
                    super::check($name);
                }
            )*
        }

        #[test]
        fn every_case_has_a_test() {
            let tested = [$($name),*];
            for case in cases() {
                assert!(tested.contains(&case.name), "{} has no test", case.name);
            }
            assert_eq!(tested.len(), cases().len());
        }
    };
}

hostile_tests! {
    billion_laughs => "yaml_billion_laughs",
    yaml_100k_nested_flow => "yaml_100k_nested_flow",
    yaml_100k_nested_block => "yaml_100k_nested_block",
    json_100k_nested_arrays => "json_100k_nested_arrays",
    json_100k_nested_objects => "json_100k_nested_objects",
    yaml_50mb_scalar_stream => "yaml_50mb_scalar_stream",
    json_50mb_string_stream => "json_50mb_string_stream",
    proto_50mb_string_stream => "proto_50mb_string_stream",
    yaml_50mb_scalar_decode => "yaml_50mb_scalar_decode",
    yaml_50mb_scalar_string_limit => "yaml_50mb_scalar_string_limit",
    json_50mb_string_limit => "json_50mb_string_limit",
    proto_50mb_string_limit => "proto_50mb_string_limit",
    yaml_1m_keys => "yaml_1m_keys",
    json_1m_keys => "json_1m_keys",
    proto_1m_map_entries => "proto_1m_map_entries",
    yaml_only_comments => "yaml_only_comments",
    invalid_utf8_everywhere => "invalid_utf8_everywhere",
    nul_bytes => "nul_bytes",
    proto_length_2_pow_63 => "proto_length_2_pow_63",
    proto_10k_nested_groups => "proto_10k_nested_groups",
    truncated_final_frame => "truncated_final_frame",
    yaml_alias_amplification_stream => "yaml_alias_amplification_stream",
    yaml_50mb_comment_lines => "yaml_50mb_comment_lines",
}

mod cost;

mod regressions;
