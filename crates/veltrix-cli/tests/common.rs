//! Helpers shared by the test modules.

use assert_cmd::Command;

/// The built `veltrix` binary.
pub fn veltrix() -> Command {
    Command::cargo_bin("veltrix").expect("the veltrix binary is built")
}

/// Runs `veltrix` with `args`, expecting success, and returns its stdout.
pub fn stdout_of(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let out = veltrix()
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("veltrix runs");
    assert!(
        out.status.success(),
        "veltrix {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "unexpected stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `veltrix gen --count N --seed S --format F`.
pub fn generated(count: u64, seed: u64, format: &str) -> Vec<u8> {
    stdout_of(
        &[
            "gen",
            "--count",
            &count.to_string(),
            "--seed",
            &seed.to_string(),
            "--format",
            format,
        ],
        b"",
    )
}

/// FNV-1a 64-bit, enough to pin a corpus's bytes in a test.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Standard error as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts that two outputs are the same bytes, printing only the first
/// differing line (outputs run to megabytes).
pub fn assert_same(got: &[u8], want: &[u8], what: &str) {
    if got == want {
        return;
    }
    let (got_text, want_text) = (text(got), text(want));
    let (line, g, w) = got_text
        .lines()
        .zip(want_text.lines())
        .enumerate()
        .find(|(_, (g, w))| g != w)
        .map_or((0, "", ""), |(i, (g, w))| (i + 1, g, w));
    panic!(
        "{what}: {} bytes, want {}; first difference on line {line}:\n got: {g:?}\nwant: {w:?}",
        got.len(),
        want.len()
    );
}
