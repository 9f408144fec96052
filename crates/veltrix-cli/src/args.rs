//! The command line as clap sees it: one struct per command, with an example
//! in each command's `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use event_decode::Format;

/// Convert, validate, generate and route streams of game events.
#[derive(Debug, Parser)]
#[command(
    name = "veltrix",
    version,
    after_help = "\
Examples:
  veltrix gen --count 1000 --seed 7 --format yaml > events.yaml
  veltrix convert --from yaml --to proto events.yaml > events.bin
  veltrix validate --format proto events.bin
  veltrix gen --count 1000 --format json | veltrix route --config routes.yaml --format json

Exit status: 0 all good, 1 bad data (each bad event reported on stderr),
2 bad usage or configuration."
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Re-encode a stream of events in another format.
    #[command(after_help = "\
Example:
  veltrix convert --from yaml --to json events.yaml > events.jsonl
  cat events.jsonl | veltrix convert --from json --to proto > events.bin")]
    Convert(ConvertArgs),
    /// Check every event of a stream and report each bad one.
    #[command(after_help = "\
Example:
  veltrix validate --format yaml events.yaml
  veltrix gen --count 100 --format proto | veltrix validate --format proto")]
    Validate(ValidateArgs),
    /// Write a deterministic, varied corpus of valid events.
    #[command(after_help = "\
Example:
  veltrix gen --count 10000 --seed 42 --format yaml > corpus.yaml

The same seed and count produce the same bytes on every machine.")]
    Gen(GenArgs),
    /// Run the router and the game handlers as an HTTP service (SPEC §6).
    #[command(after_help = "\
Example:
  veltrix serve --config crates/event-router/examples/routes.yaml --unix /tmp/veltrix.sock
  curl --unix-socket /tmp/veltrix.sock -H 'Content-Type: application/yaml' \\
    --data-binary @events.yaml http://veltrix/v1/events

Logs go to stderr (one line when ready, saying where). SIGTERM or SIGINT
drains the service and prints the final summary as one JSON line on stdout.")]
    Serve(event_service::ServeArgs),
    /// Send events to a running service at a fixed rate and report latency
    /// (open loop, coordinated omission corrected).
    #[command(after_help = "\
Example:
  veltrix load --unix /tmp/veltrix.sock --rate 50000 --duration 60 --players 45000
  veltrix load --target http://127.0.0.1:7600 --rate 5000 --duration 30 --batch 100 --format proto")]
    Load(veltrix_load::LoadArgs),
    /// Send the events of a dead-letter file to a running service again.
    #[command(after_help = "\
Example:
  veltrix replay /var/lib/veltrix/dead.jsonl --unix /tmp/veltrix.sock")]
    Replay(veltrix_load::ReplayArgs),
    /// Publish a stream of events to NATS JetStream, each to its partition's
    /// subject (SPEC §7).
    #[command(after_help = "\
Example:
  nats-server -js -sd /var/lib/nats &
  veltrix publish --nats nats://127.0.0.1:4222 --create \\
    --config crates/event-router/examples/routes.yaml --format yaml events.yaml

Prints one JSON object: published, duplicates (ids the server already had
within its 2-minute window), failed, rejected (bad events, each reported on
stderr), seconds. Exit status 1 when any event failed or was rejected.")]
    Publish(event_jetstream::PublishArgs),
    /// Route a stream through a routing table and print what went where.
    #[command(after_help = "\
Example:
  veltrix gen --count 1000 --format yaml \\
    | veltrix route --config crates/event-router/examples/routes.yaml --format yaml

Prints one JSON object: events, routed, dead_letter, dropped, rejected,
routes (name -> count), handlers (name -> count), partitions (count per partition).
With --explain, prints one JSON line per event instead:
index, routes, handlers, partition, outcome.")]
    Route(RouteArgs),
}

/// An encoding on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// YAML, one document per event (`---` separated).
    Yaml,
    /// JSON lines, one object per line.
    Json,
    /// Length-delimited protobuf (varint length, then the message).
    Proto,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Yaml => Format::Yaml,
            FormatArg::Json => Format::Json,
            FormatArg::Proto => Format::Protobuf,
        }
    }
}

/// Where a stream comes from: a file, or standard input for `-` or nothing.
#[derive(Debug, Clone, Args)]
pub struct InputArg {
    /// Input file; `-` or nothing reads standard input.
    #[arg(value_name = "FILE|-")]
    pub input: Option<PathBuf>,
}

/// `veltrix convert`.
#[derive(Debug, Clone, Args)]
pub struct ConvertArgs {
    /// Format of the input.
    #[arg(long, value_enum)]
    pub from: FormatArg,
    /// Format of the output.
    #[arg(long, value_enum)]
    pub to: FormatArg,
    /// Skip and report each bad event instead of stopping at the first (exit status 1 at the end).
    #[arg(long)]
    pub keep_going: bool,
    /// The input.
    #[command(flatten)]
    pub input: InputArg,
}

/// `veltrix validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Format of the input.
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The input.
    #[command(flatten)]
    pub input: InputArg,
}

/// `veltrix gen`.
#[derive(Debug, Clone, Args)]
pub struct GenArgs {
    /// Number of events.
    #[arg(long)]
    pub count: u64,
    /// Seed: the same seed always produces the same events.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: FormatArg,
}

/// `veltrix route`.
#[derive(Debug, Clone, Args)]
pub struct RouteArgs {
    /// The routing table (YAML: key, partitions, routes, unmatched).
    #[arg(long, value_name = "ROUTES.yaml")]
    pub config: PathBuf,
    /// Format of the input.
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// Print each event's routes, handlers, partition and outcome as JSON lines instead of the summary.
    #[arg(long)]
    pub explain: bool,
    /// Skip and report each bad event instead of stopping at the first (exit status 1 at the end).
    #[arg(long)]
    pub keep_going: bool,
    /// The input.
    #[command(flatten)]
    pub input: InputArg,
}
