//! What the numbers were measured on.

use std::process::Command;

use serde::Serialize;

/// The machine, toolchain and allocator of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// CPU model name (`/proc/cpuinfo`).
    pub cpu: String,
    /// Logical cores available to the process.
    pub cores: usize,
    /// OS name and kernel release.
    pub os: String,
    /// `rustc --version`, or `unknown`.
    pub rustc: String,
    /// `go version`, or `not installed`.
    pub go: String,
    /// Start of the run, RFC 3339 UTC.
    pub date: String,
    /// Global allocator of the binary (`system` or `jemalloc`).
    pub allocator: &'static str,
    /// Whether heap allocations were counted.
    pub counting_allocator: bool,
    /// Always true here: other work shares this machine, so the figures are noisy.
    pub shared_noisy: bool,
}

impl Machine {
    /// Describes this machine now.
    pub fn detect(probe: &crate::AllocProbe) -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
        let pretty = std::fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|v| v.trim_matches('"').to_owned())
            })
            .unwrap_or_else(|| std::env::consts::OS.to_owned());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| format!(", Linux {}", s.trim()))
            .unwrap_or_default();
        let date = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| "unknown".into());
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            os: format!("{pretty}{kernel}"),
            rustc: tool_version("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
            go: tool_version("go", &["version"]).unwrap_or_else(|| "not installed".into()),
            date,
            allocator: probe.allocator,
            counting_allocator: probe.totals.is_some(),
            shared_noisy: true,
        }
    }
}

fn tool_version(tool: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(tool).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
