//! The story's origin as a baseline: Go's `gopkg.in/yaml.v3`, built from the
//! program in `crates/bench-harness/go/` with Debian's `golang-go` and
//! `golang-gopkg-yaml.v3-dev` (GOPATH mode, no network), and run on the same
//! inputs with the same plan.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::inputs::{InputSet, Inputs};
use crate::measure::Plan;

/// Where Debian installs Go library sources.
const DEBIAN_GOPATH: &str = "/usr/share/gocode";

/// One figure set from the Go program.
#[derive(Debug, Clone, Deserialize)]
pub struct GoRow {
    /// `map` or `struct`.
    pub decoder: String,
    /// `reference` or `corpus`.
    pub input: String,
    /// Median ns per event.
    pub ns_median: f64,
    /// p99 ns per event.
    pub ns_p99: f64,
    /// MB/s.
    pub mb_per_s: f64,
    /// Go heap allocations per event (MemStats.Mallocs).
    pub allocs_per_event: f64,
    /// Go heap bytes per event (MemStats.TotalAlloc).
    pub bytes_per_event: f64,
    /// Set when the Go side could not decode an input.
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct GoReport {
    rows: Vec<GoRow>,
}

#[derive(Serialize)]
struct GoPlan<'a> {
    samples: usize,
    batch: usize,
    warmup_ms: u64,
    sets: std::collections::BTreeMap<&'static str, Vec<&'a str>>,
}

/// Why the Go rows have no figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped(pub String);

/// Builds the Go program into `work_dir` (when `go` is on PATH) and runs it on
/// the YAML inputs of `sets`.
pub fn run(
    inputs: &Inputs,
    sets: &[InputSet],
    plan: &Plan,
    work_dir: &Path,
) -> Result<Vec<GoRow>, Skipped> {
    if Command::new("go").arg("version").output().is_err() {
        return Err(Skipped("go not installed".into()));
    }
    let binary = build(work_dir)?;
    let mut go_sets = std::collections::BTreeMap::new();
    for &set in sets {
        let texts = inputs
            .set(set)
            .yaml
            .iter()
            .map(|b| {
                std::str::from_utf8(b).map_err(|e| Skipped(format!("yaml input not UTF-8: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        go_sets.insert(set.name(), texts);
    }
    let plan_file = work_dir.join("go-inputs.json");
    let body = serde_json::to_vec(&GoPlan {
        samples: plan.samples,
        batch: plan.batch,
        warmup_ms: plan.warmup.as_millis() as u64,
        sets: go_sets,
    })
    .map_err(|e| Skipped(format!("writing go inputs: {e}")))?;
    std::fs::write(&plan_file, body)
        .map_err(|e| Skipped(format!("writing {}: {e}", plan_file.display())))?;
    let out = Command::new(&binary)
        .arg(&plan_file)
        .output()
        .map_err(|e| Skipped(format!("running {}: {e}", binary.display())))?;
    if !out.status.success() {
        return Err(Skipped(format!(
            "go program failed: {}",
            first_line(&String::from_utf8_lossy(&out.stderr))
        )));
    }
    let report: GoReport = serde_json::from_slice(&out.stdout)
        .map_err(|e| Skipped(format!("reading go output: {e}")))?;
    Ok(report.rows)
}

fn build(work_dir: &Path) -> Result<PathBuf, Skipped> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("go")
        .join("main.go");
    std::fs::create_dir_all(work_dir)
        .map_err(|e| Skipped(format!("creating {}: {e}", work_dir.display())))?;
    let binary = work_dir.join("yamlbench");
    // GOPATH mode against Debian's packaged sources: no module download, no network.
    let out = Command::new("go")
        .args(["build", "-o"])
        .arg(&binary)
        .arg(&source)
        .env("GO111MODULE", "off")
        .env("GOPATH", DEBIAN_GOPATH)
        .env("GOFLAGS", "")
        .env("GOPROXY", "off")
        .env("GOCACHE", work_dir.join("go-cache"))
        .output()
        .map_err(|e| Skipped(format!("running go build: {e}")))?;
    if !out.status.success() {
        return Err(Skipped(format!(
            "go build failed (is golang-gopkg-yaml.v3-dev installed?): {}",
            first_line(&String::from_utf8_lossy(&out.stderr))
        )));
    }
    Ok(binary)
}

fn first_line(s: &str) -> &str {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no output")
}
