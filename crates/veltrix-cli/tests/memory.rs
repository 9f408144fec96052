//! Flat memory: 300 MB of YAML, produced on the fly and never stored, through
//! `convert --from yaml --to proto`, with the child's peak RSS under 64 MB.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const STREAM_BYTES: usize = 300 * 1024 * 1024;
const MAX_RSS_KB: u64 = 64 * 1024;

/// The child's peak resident set size so far, from /proc (kB).
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
fn three_hundred_mb_of_yaml_to_protobuf_in_flat_memory() {
    if !Path::new("/proc/self/status").exists() {
        println!("skipped: no /proc on this system to read the child's peak RSS from");
        return;
    }
    // One chunk of ~1 MB of YAML documents, repeated: the stream is generated
    // while it is written and never held whole anywhere.
    let chunk = crate::common::generated(2000, 3, "yaml");
    let chunk_proto = crate::common::generated(2000, 3, "proto");
    let repeats = STREAM_BYTES.div_ceil(chunk.len());
    let stream_mb = repeats * chunk.len() / (1024 * 1024);

    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_veltrix"))
        .args(["convert", "--from", "yaml", "--to", "proto"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn veltrix");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        for _ in 0..repeats {
            stdin.write_all(&chunk).expect("feed veltrix");
        }
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0usize;
        loop {
            match stdout.read(&mut buf) {
                Ok(0) => return total,
                Ok(n) => total += n,
                Err(e) => panic!("read veltrix output: {e}"),
            }
        }
    });
    let mut stderr = child.stderr.take().expect("stderr");
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    // VmHWM is a high-water mark: the last reading before exit is the peak.
    let mut peak = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if let Some(kb) = peak_rss_kb(pid) {
            peak = Some(peak.map_or(kb, |p: u64| p.max(kb)));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    writer.join().expect("writer");
    let written = reader.join().expect("reader");
    let stderr = errors.join().expect("stderr");
    let elapsed = started.elapsed();

    assert!(status.success(), "veltrix failed: {status}: {stderr}");
    assert_eq!(
        written,
        repeats * chunk_proto.len(),
        "every event converted"
    );
    let peak = peak.expect("VmHWM readable in /proc/<pid>/status while veltrix ran");
    println!(
        "converted {} MB of YAML in {:.1} s, peak RSS {} kB",
        stream_mb,
        elapsed.as_secs_f64(),
        peak
    );
    assert!(
        peak < MAX_RSS_KB,
        "peak RSS {peak} kB is over {MAX_RSS_KB} kB"
    );
}
