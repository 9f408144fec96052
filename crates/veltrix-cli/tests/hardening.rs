//! Faults found by driving the binary as an outsider would: events lost
//! behind an oversize protobuf frame, bad events counted as dead letters,
//! exit statuses hidden by a closed pipe, signals, the table from stdin.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::{generated, veltrix};
use crate::route::ROUTES;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_veltrix"))
}

/// A varint, as protobuf length prefixes are written.
fn varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// 3 valid frames, one of 65,537 bytes (one past the default limit) whose
/// length prefix is intact, then 3 more valid frames.
fn proto_with_an_oversize_frame() -> Vec<u8> {
    let mut stream = generated(3, 1, "proto");
    varint(65_537, &mut stream);
    stream.extend(std::iter::repeat_n(0x0a, 65_537));
    stream.extend(generated(3, 2, "proto"));
    stream
}

#[test]
fn an_oversize_protobuf_frame_is_one_bad_event_and_reading_resumes() {
    let stream = proto_with_an_oversize_frame();
    veltrix()
        .args(["validate", "--format", "proto"])
        .write_stdin(stream.clone())
        .assert()
        .code(1)
        .stdout("7 events: 6 valid, 1 bad\n");

    let out = veltrix()
        .args([
            "route",
            "--keep-going",
            "--config",
            ROUTES,
            "--format",
            "proto",
        ])
        .write_stdin(stream.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["events"], 7);
    assert_eq!(summary["rejected"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("event 4, byte 475: frame of 65537 bytes exceeds limit max_event_bytes"),
        "{stderr}"
    );

    let out = veltrix()
        .args(["convert", "--keep-going", "--from", "proto", "--to", "json"])
        .write_stdin(stream)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 6);
}

#[test]
fn a_broken_length_prefix_ends_the_stream_and_says_where() {
    let mut stream = generated(2, 1, "proto");
    let at = stream.len();
    stream.extend_from_slice(&[0xff; 11]);
    stream.extend(generated(2, 2, "proto"));
    let out = veltrix()
        .args(["validate", "--format", "proto"])
        .write_stdin(stream)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "3 events: 2 valid, 1 bad\n"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "error: the stream was cut short, nothing after this point was read: event 3, byte {at}: frame length is not a valid varint"
        )),
        "{stderr}"
    );
}

#[test]
fn bad_events_are_rejected_and_every_event_is_counted_once() {
    // 50,000 events, every hundredth corrupted: 500 rejected.
    let json = generated(50_000, 11, "json");
    let mut corrupted = 0;
    let mut input = Vec::with_capacity(json.len());
    for (i, line) in json
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        if i % 100 == 7 {
            // Still one line of JSON, but `seq` is not a number.
            let text =
                String::from_utf8_lossy(line).replacen("\"seq\":", "\"seq\":\"x\",\"_\":", 1);
            input.extend_from_slice(text.as_bytes());
            corrupted += 1;
        } else {
            input.extend_from_slice(line);
        }
        input.push(b'\n');
    }
    let out = veltrix()
        .args([
            "route",
            "--keep-going",
            "--config",
            ROUTES,
            "--format",
            "json",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!(n("events"), 50_000);
    assert_eq!(n("rejected"), corrupted);
    assert_eq!(
        n("routed") + n("dead_letter") + n("dropped") + n("rejected"),
        n("events")
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().count() as u64,
        corrupted + 1,
        "one line per bad event, then the count"
    );
}

/// Runs `args` with `stdin`, reads the first line of output, closes the
/// pipe, and returns the exit code and stderr.
fn first_line_then_close(args: &[&str], stdin: Vec<u8>) -> (Option<i32>, String) {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {}
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    feeder.join().unwrap();
    (status.code(), stderr)
}

#[test]
fn a_closed_pipe_does_not_hide_bad_events() {
    // A bad event first, then plenty of good ones to fill the pipe.
    let mut json = b"{\"id\":1}\n".to_vec();
    json.extend(generated(20_000, 3, "json"));
    let (code, stderr) = first_line_then_close(
        &["convert", "--keep-going", "--from", "json", "--to", "yaml"],
        json.clone(),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.starts_with("error: event 1"), "{stderr}");
    let (code, stderr) = first_line_then_close(
        &[
            "route",
            "--explain",
            "--keep-going",
            "--config",
            ROUTES,
            "--format",
            "json",
        ],
        json,
    );
    assert_eq!(code, Some(1), "{stderr}");
}

#[test]
fn a_closed_stdout_or_a_full_disk_is_never_a_silent_success() {
    let out = Command::new("sh")
        .args([
            "-c",
            &format!(
                "'{}' gen --count 3 --format json >&-",
                env!("CARGO_BIN_EXE_veltrix")
            ),
        ])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("standard output is closed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // `>/dev/null` is a choice, not a mistake.
    let out = Command::new("sh")
        .args([
            "-c",
            &format!(
                "'{}' gen --count 3 --format json >/dev/null",
                env!("CARGO_BIN_EXE_veltrix")
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));

    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = bin().arg("--help").stdout(full).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error: writing standard output failed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts `args` with a pipe as stdin that gets `first` and then stays open
/// (as a live producer would), sends `signal` once some output came, and
/// returns the exit code, stdout and stderr.
fn signalled(args: &[&str], first: Vec<u8>, signal: &str) -> (Option<i32>, String, String) {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(&first).unwrap();
    input.flush().unwrap();
    // Let it read and route what it was given; the pipe stays open.
    std::thread::sleep(Duration::from_millis(700));
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    drop(input);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sigterm_during_route_prints_the_summary_so_far_and_exits_143() {
    let (code, stdout, stderr) = signalled(
        &["route", "--config", ROUTES, "--format", "json"],
        generated(300, 4, "json"),
        "TERM",
    );
    assert_eq!(code, Some(143), "{stderr}");
    let s: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout:?}"));
    assert_eq!(s["events"], 300);
    assert_eq!(s["interrupted"], "SIGTERM");
}

#[test]
fn sigint_during_convert_flushes_what_it_wrote_and_exits_130() {
    let (code, stdout, stderr) = signalled(
        &["convert", "--from", "json", "--to", "json"],
        generated(250, 5, "json"),
        "INT",
    );
    assert_eq!(code, Some(130), "{stderr}");
    assert_eq!(stdout.lines().count(), 250);
}

#[test]
fn config_dash_reads_the_table_from_stdin() {
    let table = std::fs::read(ROUTES).unwrap();
    let events = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(events.path(), generated(10, 6, "yaml")).unwrap();
    let out = veltrix()
        .args(["route", "--config", "-", "--format", "yaml"])
        .arg(events.path())
        .write_stdin(table)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["events"], 10);

    // Both from stdin cannot work: a usage error, not a hang.
    veltrix()
        .args(["route", "--config", "-", "--format", "yaml"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--config - reads the routing table from standard input",
        ));
}

#[test]
fn a_forged_error_line_in_a_key_is_escaped() {
    // The key comes twice, so the duplicate-key error echoes it.
    let key = "\"\\e[2J\\nerror: event 99, forged\"";
    let doc = format!(
        "id: e1\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: r\n{key}: 1\n{key}: 2\n"
    );
    let out = veltrix()
        .args(["validate", "--format", "yaml"])
        .write_stdin(doc)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line per bad event: {stderr:?}"
    );
    assert!(stderr.starts_with("error: event 1, line 8"), "{stderr:?}");
    assert!(
        !stderr.trim_end().chars().any(char::is_control),
        "{stderr:?}"
    );
}
