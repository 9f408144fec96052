//! `compare --quick` end to end: well-formed Markdown, JSON and SVG, with
//! every non-Go row measured on both inputs. Checks shape, not speed.

use assert_cmd::Command;
use serde_json::Value;

const RUST_ROWS: [(&str, &str); 11] = [
    ("veltrix streaming yaml (scanner)", "yaml"),
    ("veltrix streaming yaml (yaml-rust2 events)", "yaml"),
    ("veltrix json", "json"),
    ("veltrix protobuf zero-copy", "proto"),
    ("veltrix protobuf via prost", "proto"),
    ("yaml-rust2 DOM + convert", "yaml"),
    ("serde_yaml 0.9 -> OwnedEvent", "yaml"),
    ("serde-saphyr -> OwnedEvent", "yaml"),
    ("prost::Message::decode", "proto"),
    ("serde_json -> OwnedEvent", "json"),
    ("serde_json, borrowed &str struct", "json"),
];
const GO_ROWS: [&str; 2] = [
    "go yaml.v3 -> map[string]interface{}",
    "go yaml.v3 -> struct",
];

fn positive(row: &Value, field: &str) -> f64 {
    let v = row[field]
        .as_f64()
        .unwrap_or_else(|| panic!("{field} missing in {row}"));
    assert!(v.is_finite() && v > 0.0, "{field} = {v} in {row}");
    v
}

#[test]
fn quick_compare_writes_every_row_for_both_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("compare.json");
    let svg_path = dir.path().join("compare.svg");
    let out = Command::cargo_bin("bench-harness")
        .unwrap()
        .args(["compare", "--quick", "--json"])
        .arg(&json_path)
        .arg("--svg")
        .arg(&svg_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("| decoder | format | input | median ns/event |"),
        "{stdout}"
    );

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let machine = &report["machine"];
    for field in ["cpu", "os", "rustc", "date", "allocator"] {
        assert!(
            machine[field].as_str().is_some_and(|s| !s.is_empty()),
            "machine.{field} in {machine}"
        );
    }
    assert!(machine["cores"].as_u64().is_some_and(|n| n >= 1));
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        (RUST_ROWS.len() + GO_ROWS.len()) * 2,
        "one row per decoder × input"
    );

    for input in ["reference", "corpus"] {
        for (decoder, format) in RUST_ROWS {
            let found: Vec<&Value> = rows
                .iter()
                .filter(|r| r["decoder"] == decoder && r["input"] == input)
                .collect();
            assert_eq!(found.len(), 1, "{decoder} on {input}");
            let row = found[0];
            assert_eq!(row["format"], format, "{row}");
            assert!(
                row["skipped"].is_null(),
                "{decoder} on {input} failed: {}",
                row["skipped"]
            );
            let median = positive(row, "ns_median");
            assert!(positive(row, "ns_p99") >= median, "{row}");
            positive(row, "mb_per_s");
            assert!(
                row["allocs_per_event"].as_f64().is_some_and(|v| v >= 0.0),
                "{row}"
            );
            assert!(
                row["bytes_per_event"].as_f64().is_some_and(|v| v >= 0.0),
                "{row}"
            );
            assert!(row["events"].as_u64().is_some_and(|n| n >= 1), "{row}");
            // serde_yaml is the yardstick of its own column.
            if decoder.starts_with("serde_yaml") {
                assert_eq!(row["speedup_vs_serde_yaml"].as_f64(), Some(1.0), "{row}");
            }
        }
        for decoder in GO_ROWS {
            let row = rows
                .iter()
                .find(|r| r["decoder"] == decoder && r["input"] == input)
                .unwrap_or_else(|| panic!("{decoder} on {input} missing"));
            // Either measured or saying why not (no Go toolchain on this machine).
            assert!(
                row["ns_median"].as_f64().is_some() || row["skipped"].as_str().is_some(),
                "{row}"
            );
        }
    }
    // The reference YAML is the 512-byte fixture, byte for byte.
    let reference_yaml = rows
        .iter()
        .find(|r| r["decoder"] == "veltrix streaming yaml (scanner)" && r["input"] == "reference")
        .unwrap();
    assert_eq!(reference_yaml["event_bytes"].as_f64(), Some(512.0));

    // Per-style rows: every style through both engines, the scanner
    // measured on all of them, `gen` the 1.00× baseline of its engine.
    let styles = report["styles"].as_array().unwrap();
    assert_eq!(styles.len(), 12, "6 styles × 2 engines");
    for s in styles
        .iter()
        .filter(|s| s["decoder"] == "veltrix yaml, scanner engine")
    {
        assert!(s["skipped"].is_null(), "{s}");
        positive(s, "ns_median");
        positive(s, "events_per_s");
        positive(s, "vs_gen");
        if s["style"] == "veltrix gen" {
            assert_eq!(s["vs_gen"].as_f64(), Some(1.0), "{s}");
        }
    }

    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("veltrix streaming yaml") && svg.contains("log scale"));
}
