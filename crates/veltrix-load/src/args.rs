//! The command-line arguments of `veltrix load` and `veltrix replay`
//! (`clap::Args`, so the `veltrix` binary flattens them into its subcommands).

use std::path::PathBuf;

/// The default `--target`: where `veltrix serve` listens when given no listener.
pub const DEFAULT_TARGET: &str = "http://127.0.0.1:7600";

/// The encoding of the events a load run sends, and with it the request's
/// `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WireFormat {
    /// YAML documents: `application/yaml` (one or more documents per body).
    Yaml,
    /// JSON: `application/json` for one event, `application/x-ndjson` (JSON
    /// lines) for a batch.
    Json,
    /// Protobuf: `application/x-protobuf` for one event,
    /// `application/x-protobuf-delimited` (varint length prefixes) for a batch.
    Proto,
}

impl WireFormat {
    /// The decoder crate's name for this format.
    pub fn format(self) -> event_decode::Format {
        match self {
            WireFormat::Yaml => event_decode::Format::Yaml,
            WireFormat::Json => event_decode::Format::Json,
            WireFormat::Proto => event_decode::Format::Protobuf,
        }
    }

    /// The `Content-Type` of a body of `batch` events in this format.
    pub fn content_type(self, batch: u32) -> &'static str {
        match (self, batch) {
            (WireFormat::Yaml, _) => "application/yaml",
            (WireFormat::Json, 0 | 1) => "application/json",
            (WireFormat::Json, _) => "application/x-ndjson",
            (WireFormat::Proto, 0 | 1) => "application/x-protobuf",
            (WireFormat::Proto, _) => "application/x-protobuf-delimited",
        }
    }

    /// The name on the command line (`yaml`, `json`, `proto`).
    pub fn name(self) -> &'static str {
        self.format().name()
    }
}

/// `veltrix load`: an open-loop load generator for `veltrix serve`.
///
/// Request `i` is due at `start + i / rate` whatever the responses do, and
/// its latency is measured from that due time (coordinated omission
/// corrected); see the crate documentation.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// The service's base URL, `http://HOST[:PORT][/PREFIX]`: requests go to
    /// `PREFIX/v1/events`. With `--unix` only its host (the `Host` header)
    /// and prefix are used.
    #[arg(long, value_name = "URL", default_value = DEFAULT_TARGET)]
    pub target: String,
    /// Connect to this Unix stream socket instead of the URL's host and port.
    #[arg(long, value_name = "PATH")]
    pub unix: Option<PathBuf>,
    /// Requests per second, on a fixed schedule (open loop).
    #[arg(long, value_name = "N")]
    pub rate: f64,
    /// Seconds of measured load (after `--warmup`).
    #[arg(long, value_name = "SECS")]
    pub duration: f64,
    /// Seconds of load at the same rate before measuring (sent, not reported).
    #[arg(long, value_name = "SECS", default_value_t = 0.0)]
    pub warmup: f64,
    /// Distinct players (ids `plr_000000` ..); 8 consecutive players share a
    /// match (`m_000000` ..).
    #[arg(long, value_name = "N", default_value_t = 45_000)]
    pub players: u32,
    /// Encoding of the events (and so the `Content-Type`).
    #[arg(long, value_enum, default_value_t = WireFormat::Yaml)]
    pub format: WireFormat,
    /// Events per request.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub batch: u32,
    /// Keep-alive connections; each takes the next due request when it is free.
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub connections: u32,
    /// Seed of the deterministic event corpus.
    #[arg(long, value_name = "S", default_value_t = 2024)]
    pub seed: u64,
    /// Prefix of every event id (`PREFIX-000000000042`); by default `ld`
    /// and eight hex digits from the clock, so that runs do not collide in
    /// the service's dedupe window. Letters, digits, `_`, `.` and `-`.
    #[arg(long, value_name = "PREFIX")]
    pub id_prefix: Option<String>,
    /// Seconds to wait for one response before counting a timeout and
    /// reconnecting; also how long after the schedule's end requests still
    /// waiting for a connection are sent.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub timeout: f64,
    /// The latency target drawn on the `--svg` plot and checked against the
    /// p99, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1.0)]
    pub target_p99_ms: f64,
    /// Write the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Draw the latency percentile distribution (HdrHistogram style) as SVG
    /// to this file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// No progress line on stderr.
    #[arg(long)]
    pub quiet: bool,
}

impl LoadArgs {
    /// Arguments for `rate` requests/s over `duration` seconds against
    /// `target`, every other setting at its command-line default.
    pub fn new(target: impl Into<String>, rate: f64, duration: f64) -> Self {
        LoadArgs {
            target: target.into(),
            unix: None,
            rate,
            duration,
            warmup: 0.0,
            players: 45_000,
            format: WireFormat::Yaml,
            batch: 1,
            connections: 32,
            seed: 2024,
            id_prefix: None,
            timeout: 10.0,
            target_p99_ms: 1.0,
            json: None,
            svg: None,
            quiet: false,
        }
    }
}

/// `veltrix replay`: sends the events of a dead-letter file again.
#[derive(Debug, Clone, clap::Args)]
pub struct ReplayArgs {
    /// The dead-letter file `veltrix serve --dead-letters` wrote (JSON lines).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The service's base URL (see `veltrix load --target`).
    #[arg(long, value_name = "URL", default_value = DEFAULT_TARGET)]
    pub target: String,
    /// Connect to this Unix stream socket instead of the URL's host and port.
    #[arg(long, value_name = "PATH")]
    pub unix: Option<PathBuf>,
    /// Seconds to wait for one response.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
}

impl ReplayArgs {
    /// Arguments that replay `file` against `target`.
    pub fn new(file: impl Into<PathBuf>, target: impl Into<String>) -> Self {
        ReplayArgs {
            file: file.into(),
            target: target.into(),
            unix: None,
            timeout: 30.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory as _, Parser};

    #[derive(Debug, Parser)]
    struct Load {
        #[command(flatten)]
        args: LoadArgs,
    }

    #[derive(Debug, Parser)]
    struct Replay {
        #[command(flatten)]
        args: ReplayArgs,
    }

    #[test]
    fn the_flags_parse_as_the_spec_spells_them() {
        Load::command().debug_assert();
        Replay::command().debug_assert();
        let load = Load::try_parse_from([
            "load",
            "--target",
            "http://h:1",
            "--unix",
            "/tmp/s",
            "--rate",
            "500",
            "--duration",
            "2",
            "--format",
            "proto",
            "--batch",
            "4",
            "--connections",
            "8",
            "--json",
            "r.json",
            "--svg",
            "p.svg",
            "--warmup",
            "1",
            "--target-p99-ms",
            "2.5",
        ])
        .unwrap()
        .args;
        assert_eq!(load.target, "http://h:1");
        assert_eq!(load.unix.as_deref(), Some(std::path::Path::new("/tmp/s")));
        assert_eq!((load.rate, load.duration, load.warmup), (500.0, 2.0, 1.0));
        assert_eq!(
            (load.format, load.batch, load.connections),
            (WireFormat::Proto, 4, 8)
        );
        assert_eq!(load.players, 45_000);
        assert_eq!(load.target_p99_ms, 2.5);
        assert!(load.json.is_some() && load.svg.is_some());

        let defaults = Load::try_parse_from(["load", "--rate", "10", "--duration", "1"])
            .unwrap()
            .args;
        assert_eq!(defaults.target, DEFAULT_TARGET);
        assert_eq!(defaults.format, WireFormat::Yaml);
        assert_eq!((defaults.batch, defaults.connections), (1, 32));
        assert!(
            Load::try_parse_from(["load", "--duration", "1"]).is_err(),
            "--rate is required"
        );
        assert!(
            Load::try_parse_from(["load", "--rate", "1", "--duration", "1", "--format", "xml"])
                .is_err()
        );

        let replay = Replay::try_parse_from(["replay", "dl.jsonl", "--unix", "/s"])
            .unwrap()
            .args;
        assert_eq!(replay.file, std::path::PathBuf::from("dl.jsonl"));
        assert_eq!(replay.target, DEFAULT_TARGET);
    }

    #[test]
    fn content_types_follow_format_and_batch() {
        assert_eq!(WireFormat::Yaml.content_type(5), "application/yaml");
        assert_eq!(WireFormat::Json.content_type(1), "application/json");
        assert_eq!(WireFormat::Json.content_type(2), "application/x-ndjson");
        assert_eq!(WireFormat::Proto.content_type(1), "application/x-protobuf");
        assert_eq!(
            WireFormat::Proto.content_type(2),
            "application/x-protobuf-delimited"
        );
        assert_eq!(WireFormat::Proto.name(), "proto");
    }
}
