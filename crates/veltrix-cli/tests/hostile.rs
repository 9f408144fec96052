//! Hostile streams and routing tables through the built binary: each bad
//! event is reported with its limit or category and the run exits 1 (2 for
//! a bad table), in bounded time and with the child's peak RSS bounded
//! (polled from /proc while it runs: a hang or a memory blow-up fails).

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::generated;

/// A hang is a failure, not a benchmark: far above any case's real time.
const TIME_BOUND: Duration = Duration::from_secs(30);
/// The binary with default limits (64 KiB events, 1 MiB batches): a few
/// MiB of buffers over the process's own footprint.
const MAX_RSS_KB: u64 = 48 * 1024;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    peak_kb: Option<u64>,
}

fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs `veltrix args`, feeding stdin from `feed` on a thread (so inputs of
/// any size stream through), polling the peak RSS until it exits.
fn run(args: &[&str], feed: impl FnOnce(&mut dyn Write) + Send + 'static) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_veltrix"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn veltrix");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    // The binary may stop reading at the first bad event: a broken pipe is fine.
    let writer = std::thread::spawn(move || {
        let mut w = std::io::BufWriter::new(&mut stdin);
        feed(&mut w);
        let _ = w.flush();
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut peak = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > TIME_BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("veltrix {args:?} still running after {TIME_BOUND:?}");
        }
        if let Some(kb) = peak_rss_kb(pid) {
            peak = Some(peak.map_or(kb, |p: u64| p.max(kb)));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = writer.join();
    let run = Run {
        code: status.code().expect("exited, not killed by a signal"),
        stdout: reader.join().expect("stdout"),
        stderr: errors.join().expect("stderr"),
        peak_kb: peak,
    };
    println!(
        "veltrix {}: exit {}, peak RSS {:?} kB, {:.2} s",
        args.join(" "),
        run.code,
        run.peak_kb,
        started.elapsed().as_secs_f64()
    );
    if let Some(kb) = run.peak_kb {
        assert!(
            kb < MAX_RSS_KB,
            "veltrix {args:?}: peak RSS {kb} kB over {MAX_RSS_KB} kB"
        );
    }
    run
}

fn bytes(data: Vec<u8>) -> impl FnOnce(&mut dyn Write) + Send + 'static {
    move |w: &mut dyn Write| {
        let _ = w.write_all(&data);
    }
}

const HEARTBEAT_YAML: &str = "id: e\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: r\n";
const HEARTBEAT_JSON: &str =
    r#"{"id":"e","seq":1,"ts":5,"kind":"heartbeat","player_id":"p","region":"r"}"#;

fn billion_laughs() -> String {
    let mut doc = String::from(HEARTBEAT_YAML);
    doc.push_str("lol0: &l0 lol\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        doc.push_str(&format!("lol{i}: &l{i} [{refs}]\n"));
    }
    doc
}

fn assert_bad(run: &Run, count: &str, needle: &str) {
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert_eq!(run.stdout, count, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains(needle),
        "{needle:?} not in {}",
        run.stderr
    );
}

#[test]
fn validate_reports_each_hostile_event_by_its_limit() {
    if !Path::new("/proc/self/status").exists() {
        println!("skipped: no /proc to read peak RSS from");
        return;
    }
    // YAML: alias bomb, deep flow nesting, a NUL that would end the input
    // early, invalid UTF-8; each between good events.
    let mut yaml = Vec::new();
    for bad in [
        billion_laughs(),
        format!(
            "{HEARTBEAT_YAML}zzz: {}x{}\n",
            "[".repeat(20_000),
            "]".repeat(20_000)
        ),
        format!("{HEARTBEAT_YAML}\0kind: player_left\n"),
    ] {
        yaml.extend_from_slice(b"---\n");
        yaml.extend_from_slice(HEARTBEAT_YAML.as_bytes());
        yaml.extend_from_slice(b"---\n");
        yaml.extend_from_slice(bad.as_bytes());
    }
    yaml.extend_from_slice(b"---\nid: \xff\n");
    let r = run(&["validate", "--format", "yaml"], bytes(yaml));
    assert_bad(&r, "7 events: 3 valid, 4 bad\n", "max_alias_events");
    for needle in ["max_depth", "U+0000", "UTF-8", "event 7, line"] {
        assert!(r.stderr.contains(needle), "{needle:?} not in {}", r.stderr);
    }

    // JSON: 100,000 nested arrays, then a truncated last line.
    let mut json = format!("{HEARTBEAT_JSON}\n");
    json.push_str(&format!(
        "{{\"zzz\":{}1{}}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    ));
    json.push_str(&HEARTBEAT_JSON[..30]);
    let r = run(&["validate", "--format", "json"], bytes(json.into_bytes()));
    assert_bad(&r, "3 events: 1 valid, 2 bad\n", "max_event_bytes");
    assert!(r.stderr.contains("event 3, line 3"), "{}", r.stderr);

    // Protobuf: a good frame, then a length prefix of 2^63.
    let mut proto = generated(1, 3, "proto");
    proto.extend_from_slice(&[
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x0a,
    ]);
    let r = run(&["validate", "--format", "proto"], bytes(proto));
    assert_bad(
        &r,
        "2 events: 1 valid, 1 bad\n",
        "exceeds limit max_event_bytes",
    );
    // The frame was counted once; the stream ending inside it is said once.
    assert!(
        r.stderr.contains(
            "the stream was cut short, nothing after this point was read: event 2, byte 177"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_50_mb_document_streams_through_in_bounded_memory() {
    if !Path::new("/proc/self/status").exists() {
        println!("skipped: no /proc to read peak RSS from");
        return;
    }
    let r = run(&["validate", "--format", "yaml"], |w: &mut dyn Write| {
        let _ = w.write_all(format!("---\n{HEARTBEAT_YAML}note: ").as_bytes());
        let chunk = vec![b'x'; 1 << 16];
        for _ in 0..800 {
            if w.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = w.write_all(format!("\n---\n{HEARTBEAT_YAML}").as_bytes());
    });
    assert_bad(&r, "2 events: 1 valid, 1 bad\n", "max_event_bytes");
    assert!(r.peak_kb.is_some(), "peak RSS was read");
}

#[test]
fn route_accounts_for_every_hostile_frame() {
    let mut yaml = Vec::new();
    for bad in [billion_laughs(), format!("{HEARTBEAT_YAML}\0\n")] {
        yaml.extend_from_slice(&generated(3, 7, "yaml"));
        yaml.extend_from_slice(b"---\n");
        yaml.extend_from_slice(bad.as_bytes());
    }
    let r = run(
        &[
            "route",
            "--config",
            crate::route::ROUTES,
            "--format",
            "yaml",
            "--keep-going",
        ],
        bytes(yaml),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let summary: Value = serde_json::from_str(&r.stdout).expect("a JSON summary");
    let n = |k: &str| {
        summary[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {summary}"))
    };
    assert_eq!(n("events"), 8, "{summary}");
    assert_eq!(
        n("events"),
        n("routed") + n("dead_letter") + n("dropped") + n("rejected"),
        "{summary}"
    );
}

#[test]
fn hostile_routing_tables_are_configuration_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tables = [
        // A strict schema stops a nested bomb at its first wrong type, so
        // flood the one list that takes mappings with aliases of a big one.
        (
            "aliases",
            format!(
                "key: match_id\npartitions: 1\nroutes:\n  - &r {{name: a, to: [{}]}}\n{}",
                (0..16)
                    .map(|i| format!("h{i}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                "  - *r\n".repeat(10_000)
            ),
        ),
        (
            "deep",
            format!(
                "key: match_id\npartitions: 1\nroutes: {}x{}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        (
            "nul",
            "key: match_id\npartitions: 1\nroutes: []\n\0unmatched: error\n".to_owned(),
        ),
        (
            "utf8",
            "key: match_id\npartitions: 1\nroutes: []\n# \u{e9}\n".replace('\u{e9}', "\u{fffd}"),
        ),
    ];
    for (name, table) in tables {
        let path = dir.path().join(format!("{name}.yaml"));
        let mut bytes = table.into_bytes();
        if name == "utf8" {
            // A lone continuation byte where the replacement character was.
            let at = bytes
                .windows(3)
                .position(|w| w == "\u{fffd}".as_bytes())
                .expect("marker");
            bytes.splice(at..at + 3, [0x80]);
        }
        fs::write(&path, bytes).expect("write table");
        let path = path.to_str().expect("utf-8 path").to_owned();
        let r = run(
            &["route", "--config", &path, "--format", "yaml"],
            bytes_of_nothing(),
        );
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        // The file is read as text first: invalid UTF-8 is refused there,
        // by file name, without a line.
        let place = if name == "utf8" { "UTF-8" } else { "line" };
        assert!(
            r.stderr.contains(place),
            "{name}: {place:?} not in {}",
            r.stderr
        );
    }
}

fn bytes_of_nothing() -> impl FnOnce(&mut dyn Write) + Send + 'static {
    |_: &mut dyn Write| {}
}

/// 40 valid-looking events of about 32 KB each: one 16 KiB scalar anchored
/// once and aliased 4,096 times in a list. Replayed in full that is 64 MiB
/// per event; the alias byte budget rejects each event instead.
fn alias_amplification() -> Vec<u8> {
    let mut stream = Vec::new();
    for i in 0..40 {
        let mut doc = format!(
            "id: e{i}\nseq: {i}\nts: 5\nkind: player_joined\nplayer_id: p\nregion: r\npayload:\n  skill: 1\n  platform: pc\n  party: [&a {}",
            "x".repeat(16 << 10)
        );
        for _ in 0..4096 {
            doc.push_str(", *a");
        }
        doc.push_str("]\n---\n");
        stream.extend_from_slice(doc.as_bytes());
    }
    stream
}

#[test]
fn alias_amplification_is_rejected_by_its_byte_budget_in_bounded_memory() {
    let input = alias_amplification();
    for args in [
        &["validate", "--format", "yaml"][..],
        &["convert", "--keep-going", "--from", "yaml", "--to", "json"][..],
        &[
            "route",
            "--keep-going",
            "--config",
            crate::route::ROUTES,
            "--format",
            "yaml",
        ][..],
    ] {
        let r = run(args, bytes(input.clone()));
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        // Every event is rejected, each naming the limit, on its own line.
        let lines: Vec<&str> = r.stderr.lines().collect();
        let named = lines
            .iter()
            .filter(|l| l.contains("max_alias_bytes"))
            .count();
        assert_eq!(named, 40, "{args:?}: {}", r.stderr);
        // Nothing was amplified into the output.
        assert!(
            r.stdout.len() < input.len(),
            "{args:?}: {} bytes out",
            r.stdout.len()
        );
        let peak = r.peak_kb.expect("peak RSS");
        assert!(peak < 64 * 1024, "{args:?}: peak RSS {peak} kB");
    }
}
