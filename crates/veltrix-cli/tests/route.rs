//! `veltrix route`: the summary and `--explain` against expectations computed
//! here from the events themselves, bad tables (exit 2), bad events (exit 1).

use std::io::Write;

use predicates::prelude::*;
use serde_json::{Value, json};

use crate::common::{generated, stdout_of, text, veltrix};
use crate::convert::{BAD_2, GOOD_1, GOOD_3};

/// The test table (`tests/data/routes.yaml`).
pub const ROUTES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/routes.yaml");

fn fnv1a(bytes: &[u8]) -> u64 {
    crate::common::fnv1a(bytes)
}

/// What the test table does with one event, worked out independently of
/// the router: (routes, handlers, partition).
fn expected(event: &Value) -> (Vec<&'static str>, Vec<&'static str>, u64) {
    let kind = event["kind"].as_str().expect("kind");
    let mut routes = Vec::new();
    let mut handlers: Vec<&'static str> = Vec::new();
    let add = |hs: &[&'static str], handlers: &mut Vec<&'static str>| {
        for h in hs {
            if !handlers.contains(h) {
                handlers.push(h);
            }
        }
    };
    if matches!(kind, "clue_found" | "treasure_claimed") {
        routes.push("scoring");
        add(&["scoring", "audit"], &mut handlers);
    }
    let moved = kind == "player_moved";
    if moved {
        routes.push("movement");
        add(&["movement"], &mut handlers);
    }
    if !moved && event["attrs"]["tier"] == "gold" {
        routes.push("gold");
        add(&["audit"], &mut handlers);
    }
    let key = event["match_id"]
        .as_str()
        .or(event["player_id"].as_str())
        .expect("key");
    (routes, handlers, fnv1a(key.as_bytes()) % 8)
}

fn events(json: &[u8]) -> Vec<Value> {
    json.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("JSON line"))
        .collect()
}

fn route(format: &str, input: &[u8], extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["route", "--config", ROUTES, "--format", format];
    args.extend_from_slice(extra);
    stdout_of(&args, input)
}

#[test]
fn explain_matches_the_table_event_by_event() {
    let json = generated(700, 11, "json");
    let mut want = String::new();
    for (index, event) in events(&json).iter().enumerate() {
        let (routes, handlers, partition) = expected(event);
        let outcome = if routes.is_empty() {
            "dead_letter"
        } else {
            "routed"
        };
        let line = json!({
            "index": index, "routes": routes, "handlers": handlers,
            "partition": partition, "outcome": outcome,
        });
        want.push_str(&line.to_string());
        want.push('\n');
    }
    let got = text(&route("json", &json, &["--explain"]));
    // Same objects; compare parsed, line by line, to ignore key order.
    let got: Vec<Value> = got
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let want: Vec<Value> = want
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(got.len(), 700);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
}

#[test]
fn summary_has_exactly_the_documented_keys_and_counts() {
    let json = generated(1000, 12, "json");
    let mut routes = [0u64; 3];
    let mut handlers = [0u64; 3];
    let mut partitions = [0u64; 8];
    let (mut routed, mut dead) = (0, 0);
    for event in events(&json) {
        let (rs, hs, p) = expected(&event);
        for r in &rs {
            routes[["scoring", "movement", "gold"]
                .iter()
                .position(|n| n == r)
                .expect("route")] += 1;
        }
        for h in &hs {
            handlers[["scoring", "audit", "movement"]
                .iter()
                .position(|n| n == h)
                .expect("h")] += 1;
        }
        if rs.is_empty() {
            dead += 1;
        } else {
            routed += 1;
            partitions[p as usize] += 1;
        }
    }
    let want = format!(
        "{{\"events\":1000,\"routed\":{routed},\"dead_letter\":{dead},\"dropped\":0,\"rejected\":0,\
         \"routes\":{{\"scoring\":{},\"movement\":{},\"gold\":{}}},\
         \"handlers\":{{\"scoring\":{},\"audit\":{},\"movement\":{}}},\"partitions\":{}}}\n",
        routes[0],
        routes[1],
        routes[2],
        handlers[0],
        handlers[1],
        handlers[2],
        serde_json::to_string(&partitions).expect("json")
    );
    assert!(routed > 0 && dead > 0 && routes.iter().all(|&n| n > 0));
    assert_eq!(text(&route("json", &json, &[])), want);
    // Every input format routes the same.
    assert_eq!(
        text(&route("yaml", &generated(1000, 12, "yaml"), &[])),
        want
    );
    assert_eq!(
        text(&route("proto", &generated(1000, 12, "proto"), &[])),
        want
    );
}

#[test]
fn the_sample_table_in_the_repository_routes_a_generated_stream() {
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../event-router/examples/routes.yaml"
    );
    let out = stdout_of(
        &["route", "--config", sample, "--format", "yaml"],
        &generated(500, 1, "yaml"),
    );
    let summary: Value = serde_json::from_slice(&out).expect("one JSON object");
    let keys: Vec<&str> = summary
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "dead_letter",
            "dropped",
            "events",
            "handlers",
            "partitions",
            "rejected",
            "routed",
            "routes"
        ]
    );
    assert_eq!(summary["events"], 500);
    let total: u64 = ["routed", "dead_letter", "dropped", "rejected"]
        .iter()
        .map(|k| summary[k].as_u64().expect("count"))
        .sum();
    assert_eq!(total, 500, "every event accounted for once: {summary}");
    let in_partitions: u64 = summary["partitions"]
        .as_array()
        .expect("array")
        .iter()
        .map(|n| n.as_u64().expect("count"))
        .sum();
    assert_eq!(in_partitions, summary["routed"].as_u64().expect("routed"));
}

fn table(yaml: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(yaml.as_bytes()).expect("write");
    file
}

#[test]
fn unmatched_drop_and_error() {
    let json = generated(200, 13, "json");
    let only_moves = "key: player_id\npartitions: 2\nroutes:\n  - name: moves\n    when: {kind: [player_moved]}\n    to: [m]\n";
    let drop = table(&format!("{only_moves}unmatched: drop\n"));
    let path = drop.path().to_str().expect("path");
    let summary: Value = serde_json::from_slice(&stdout_of(
        &["route", "--config", path, "--format", "json"],
        &json,
    ))
    .expect("summary");
    let moves = events(&json)
        .iter()
        .filter(|e| e["kind"] == "player_moved")
        .count() as u64;
    assert_eq!(summary["routed"], moves);
    assert_eq!(summary["dropped"], 200 - moves);
    assert_eq!(summary["dead_letter"], 0);

    // `unmatched: error` rejects: the first unmatched event stops the run.
    let error = table(&format!("{only_moves}unmatched: error\n"));
    let path = error.path().to_str().expect("path");
    let first_other = events(&json)
        .iter()
        .position(|e| e["kind"] != "player_moved")
        .expect("one");
    let out = veltrix()
        .args(["route", "--config", path, "--format", "json"])
        .write_stdin(json.clone())
        .assert()
        .code(1)
        .stderr(format!(
            "error: event {n}, line {n}, column 1: no route matched and the routing table says `unmatched: error`\n",
            n = first_other + 1
        ))
        .get_output()
        .clone();
    let summary: Value = serde_json::from_slice(&out.stdout).expect("summary");
    assert_eq!(summary["events"], first_other as u64 + 1);
    assert_eq!(summary["rejected"], 1);

    // With --keep-going every rejection is reported and counted.
    let out = veltrix()
        .args([
            "route",
            "--keep-going",
            "--config",
            path,
            "--format",
            "json",
        ])
        .write_stdin(json)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let summary: Value = serde_json::from_slice(&out.stdout).expect("summary");
    assert_eq!(summary["events"], 200);
    assert_eq!(summary["rejected"], 200 - moves);
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count() as u64, 200 - moves + 1, "{stderr}");
    assert!(stderr.ends_with(&format!("error: {} bad events out of 200\n", 200 - moves)));
}

#[test]
fn a_bad_event_is_reported_and_counted() {
    let input = format!("{GOOD_1}\n{BAD_2}\n{GOOD_3}\n");
    let out = veltrix()
        .args(["route", "--config", ROUTES, "--format", "json"])
        .write_stdin(input.clone())
        .assert()
        .code(1)
        .stderr(format!("{}\n", crate::convert::JSON_BAD_LINE))
        .get_output()
        .clone();
    let summary: Value = serde_json::from_slice(&out.stdout).expect("summary");
    // The first event is unmatched (dead-lettered); the bad one is rejected
    // (SPEC section 4), and the run stops there.
    assert_eq!(
        (
            summary["events"].clone(),
            summary["dead_letter"].clone(),
            summary["rejected"].clone()
        ),
        (json!(2), json!(1), json!(1))
    );

    let out = veltrix()
        .args([
            "route",
            "--keep-going",
            "--explain",
            "--config",
            ROUTES,
            "--format",
            "json",
        ])
        .write_stdin(input)
        .assert()
        .code(1)
        .stderr(format!(
            "{}\nerror: 1 bad event out of 3\n",
            crate::convert::JSON_BAD_LINE
        ))
        .get_output()
        .clone();
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[1],
        json!({"index": 1, "routes": [], "handlers": [], "partition": null, "outcome": "rejected"})
    );
    assert_eq!(lines[2]["index"], 2);
}

#[test]
fn a_bad_routing_table_exits_2() {
    let cases = [
        ("key: match_id\npartitions: 0\nroutes: []\n", "partitions"),
        (
            "key: match_id\npartitions: 4\nroutes:\n  - name: a\n    when: {kind: [nope]}\n    to: [h]\n",
            "nope",
        ),
        (
            "key: match_id\npartitions: 4\nroutes: []\ncolour: blue\n",
            "colour",
        ),
        ("key: [match_id\n", ""),
        ("", ""),
    ];
    for (yaml, mention) in cases {
        let file = table(yaml);
        let path = file.path().to_str().expect("path");
        veltrix()
            .args(["route", "--config", path, "--format", "json"])
            .write_stdin(generated(3, 1, "json"))
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                predicate::str::starts_with(format!("error: {path}: "))
                    .and(predicate::str::contains(mention)),
            );
    }
    veltrix()
        .args([
            "route",
            "--config",
            "/nonexistent/routes.yaml",
            "--format",
            "json",
        ])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: cannot read /nonexistent/routes.yaml: ",
        ));
}
