//! Usage and configuration errors exit with status 2; `--help` shows examples.

use predicates::prelude::*;

use crate::common::veltrix;

#[test]
fn usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &[],
        &["frobnicate"],
        &["convert", "--from", "yaml"],
        &["convert", "--from", "xml", "--to", "json"],
        &["validate"],
        &["gen", "--count", "ten", "--format", "json"],
        &["gen", "--count", "-1", "--format", "json"],
        &["route", "--format", "json"],
        &["convert", "--from", "json", "--to", "yaml", "a", "b"],
    ];
    for args in cases {
        veltrix()
            .args(*args)
            .write_stdin("")
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::is_empty().not());
    }
}

#[test]
fn a_missing_input_file_or_a_directory_exits_2() {
    veltrix()
        .args([
            "convert",
            "--from",
            "json",
            "--to",
            "yaml",
            "/nonexistent/events.jsonl",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: cannot open /nonexistent/events.jsonl: ",
        ));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_str().expect("utf-8 path");
    veltrix()
        .args(["validate", "--format", "yaml", path])
        .assert()
        .code(2)
        .stderr(format!("error: cannot open {path}: it is a directory\n"));
}

#[test]
fn help_shows_an_example_for_every_command() {
    for (command, example) in [
        ("convert", "veltrix convert --from yaml --to json"),
        ("validate", "veltrix validate --format yaml"),
        ("gen", "veltrix gen --count 10000 --seed 42 --format yaml"),
        ("route", "veltrix route --config"),
    ] {
        veltrix()
            .args([command, "--help"])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(example));
    }
    veltrix()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:").and(predicate::str::contains("Exit status")));
}

#[test]
fn publish_with_a_bad_config_exits_2_before_connecting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("routes.yaml");
    std::fs::write(&bad, "key: match_id\npartitions: 16\nroutes: 7\n").expect("write");
    let bad = bad.to_str().expect("utf-8 path");
    // Nothing listens on port 1: the table is checked before connecting.
    let nats = [
        "publish",
        "--nats",
        "nats://127.0.0.1:1",
        "--format",
        "json",
    ];
    veltrix()
        .args(nats)
        .args(["--config", "/nonexistent/routes.yaml", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: cannot read /nonexistent/routes.yaml: ",
        ));
    veltrix()
        .args(nats)
        .args(["--config", bad, "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(format!("error: {bad}: ")));
    let path = dir.path().to_str().expect("utf-8 path");
    veltrix()
        .args(nats)
        .args(["--config", path, "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(format!("error: cannot read {path}: it is a directory\n"));
}

#[test]
fn publish_to_an_unparsable_nats_url_exits_2() {
    let routes = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../event-router/examples/routes.yaml"
    );
    veltrix()
        .args([
            "publish",
            "--nats",
            "nats://127.0.0.1:port",
            "--format",
            "json",
        ])
        .args(["--config", routes, "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: --nats nats://127.0.0.1:port: ",
        ));
}
