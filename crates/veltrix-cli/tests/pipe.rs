//! A reader that goes away early (`veltrix ... | head`) ends the run quietly.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// Spawns `veltrix args`, feeds `stdin` from a thread, reads a little of the
/// output, closes it, and checks the run ends with status 0 and a silent stderr.
fn closes_quietly(args: &[&str], stdin: Vec<u8>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_veltrix"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn veltrix");
    let mut input = child.stdin.take().expect("stdin");
    // The child may stop reading once its output is gone: ignore our own broken pipe.
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let mut head = vec![0u8; 4096];
    stdout.read_exact(&mut head).expect("some output");
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait");
    feeder.join().expect("feeder");
    assert!(
        !stderr.contains("panicked"),
        "veltrix {args:?} panicked: {stderr}"
    );
    assert_eq!(stderr, "", "veltrix {args:?}");
    assert_eq!(status.code(), Some(0), "veltrix {args:?}: {status}");
}

#[test]
fn gen_into_a_closed_pipe_ends_quietly() {
    closes_quietly(
        &["gen", "--count", "100000000", "--format", "json"],
        Vec::new(),
    );
}

#[test]
fn convert_and_route_explain_into_a_closed_pipe_end_quietly() {
    let yaml = crate::common::generated(20_000, 8, "yaml");
    closes_quietly(&["convert", "--from", "yaml", "--to", "json"], yaml);
    let json = crate::common::generated(20_000, 8, "json");
    closes_quietly(
        &[
            "route",
            "--config",
            crate::route::ROUTES,
            "--format",
            "json",
            "--explain",
        ],
        json,
    );
}

#[test]
fn a_failing_output_is_an_error_with_exit_1() {
    // /dev/full fails every write with "no space left": unlike a closed
    // pipe, that loses data and must not pass quietly.
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        println!("skipped: no /dev/full on this system");
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_veltrix"))
        .args(["gen", "--count", "10000", "--format", "json"])
        .stdout(full)
        .output()
        .expect("run veltrix");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: writing standard output failed: "),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
