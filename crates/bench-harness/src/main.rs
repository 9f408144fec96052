//! `bench-harness compare` and `bench-harness soak`.
//!
//! The global allocator is chosen at build time: the system allocator, or
//! jemalloc with `--features jemalloc`; both are wrapped in a counting
//! allocator unless built with `--no-default-features --features harness`.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use bench_harness::{AllocProbe, compare, measure::Plan, soak};
use clap::{Parser, Subcommand};

#[cfg(all(feature = "count-allocations", not(feature = "jemalloc")))]
#[global_allocator]
static GLOBAL: stats_alloc::StatsAlloc<std::alloc::System> = stats_alloc::StatsAlloc::system();

#[cfg(all(feature = "count-allocations", feature = "jemalloc"))]
#[global_allocator]
static GLOBAL: stats_alloc::StatsAlloc<tikv_jemallocator::Jemalloc> =
    stats_alloc::StatsAlloc::new(tikv_jemallocator::Jemalloc);

#[cfg(all(not(feature = "count-allocations"), feature = "jemalloc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(feature = "count-allocations")]
fn totals() -> bench_harness::AllocTotals {
    let s = GLOBAL.stats();
    bench_harness::AllocTotals {
        allocations: s.allocations as u64,
        bytes: s.bytes_allocated as u64,
    }
}

const PROBE: AllocProbe = AllocProbe {
    allocator: if cfg!(feature = "jemalloc") {
        "jemalloc"
    } else {
        "system"
    },
    #[cfg(feature = "count-allocations")]
    totals: Some(totals),
    #[cfg(not(feature = "count-allocations"))]
    totals: None,
};

/// Veltrix decoder comparison and soak simulation.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode the reference event and a corpus with every decoder; print a Markdown table.
    Compare(CompareArgs),
    /// Simulate the game's load open-loop through decoding and routing; watch latency and RSS.
    Soak(soak::Args),
}

#[derive(clap::Args)]
struct CompareArgs {
    /// A smoke run (a few seconds) instead of the full one.
    #[arg(long)]
    quick: bool,
    /// Write the results as JSON here.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Write a bar chart of ns per event (log scale) as SVG here.
    #[arg(long, value_name = "PATH")]
    svg: Option<PathBuf>,
    /// Events in the generated corpus.
    #[arg(long, default_value_t = bench_harness::inputs::CORPUS_EVENTS)]
    corpus_events: usize,
    /// Seed of the generated corpus.
    #[arg(long, default_value_t = bench_harness::inputs::CORPUS_SEED)]
    seed: u64,
    /// Timed samples per row (overrides the plan).
    #[arg(long)]
    samples: Option<usize>,
    /// Decodes per sample (overrides the plan).
    #[arg(long)]
    batch: Option<usize>,
    /// Warm-up per row in milliseconds (overrides the plan).
    #[arg(long)]
    warmup_ms: Option<u64>,
    /// Leave out the Go rows even when `go` is installed.
    #[arg(long)]
    no_go: bool,
}

fn work_dir() -> PathBuf {
    // Next to the binary (target/<profile>/), so `cargo clean` removes it.
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("bench-harness-work")))
        .unwrap_or_else(|| std::env::temp_dir().join("bench-harness-work"))
}

fn compare(args: CompareArgs) -> Result<()> {
    let mut plan = if args.quick { Plan::QUICK } else { Plan::FULL };
    if let Some(n) = args.samples {
        plan.samples = n.max(1);
    }
    if let Some(n) = args.batch {
        plan.batch = n.max(1);
    }
    if let Some(ms) = args.warmup_ms {
        plan.warmup = Duration::from_millis(ms);
    }
    let options = compare::Options {
        plan,
        quick: args.quick,
        corpus_events: args.corpus_events.max(1),
        seed: args.seed,
        go: !args.no_go,
        work_dir: work_dir(),
        progress: true,
    };
    let report = compare::run(&options, &PROBE)?;
    print!("{}", compare::markdown(&report));
    if let Some(path) = &args.json {
        let body = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, body + "\n").with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, compare::svg(&report))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Compare(args) => compare(args),
        Command::Soak(args) => soak::main(&args, &PROBE),
    }
}
