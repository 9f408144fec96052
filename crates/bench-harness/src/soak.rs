//! `soak`: the game's load, open loop, through decoding and routing.
//!
//! A producer thread generates events for N players ahead of time into a
//! bounded ring of reused buffers (so memory stays flat), encoded as YAML or
//! protobuf. The main thread releases them on a fixed schedule (event `i` is
//! due at `start + i / rate`), decodes and routes every event that is due
//! through a realistic table with the example matchmaking and scoreboard
//! handlers, and records each event's latency from its *scheduled* time: a
//! stall delays every later event, and that delay is counted
//! (coordinated-omission corrected), not hidden.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use bumpalo::Bump;
use event_decode::{protobuf, yaml};
use event_model::OwnedEvent;
use event_model::corpus::{Generator, SplitMix64};
use event_pipeline::{Pipeline, table_from_yaml_str};
use event_router::{Router, infallible};
use game_handlers::{MatchmakingConfig, MatchmakingQueue, Scoreboard};
use hdrhistogram::Histogram;
use serde::Serialize;

use crate::machine::Machine;
use crate::{AllocProbe, rss_bytes};

/// Settings of a soak run.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Simulated players (ids `plr_0000000` ..; 8 players share a match).
    #[arg(long, default_value_t = 45_000)]
    pub players: u32,
    /// Target rate, events per second, on a fixed schedule (open loop).
    #[arg(long, default_value_t = 50_000)]
    pub rate: u32,
    /// Duration in seconds.
    #[arg(long, default_value_t = 60)]
    pub duration: u32,
    /// Percentage of events encoded as protobuf; the rest are YAML.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub proto_percent: u8,
    /// Events generated ahead of the schedule (the ring's capacity).
    #[arg(long, default_value_t = 8_192)]
    pub ring: usize,
    /// Most events decoded and routed as one batch.
    #[arg(long, default_value_t = 256)]
    pub max_batch: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Write the summary and per-second samples as JSON here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<std::path::PathBuf>,
    /// Write latency and RSS over time as SVG here.
    #[arg(long, value_name = "PATH")]
    pub svg: Option<std::path::PathBuf>,
}

/// The routing table of the simulated game backend.
pub const ROUTES_YAML: &str = "\
key: match_id
partitions: 64
routes:
  - name: matchmaking
    when:
      kind: [match_requested, player_left]
    to: [matchmaking]
  - name: scoring
    when:
      kind: [clue_found, treasure_claimed, match_ended]
      has_match: true
    to: [scoreboard, audit]
  - name: movement
    when:
      kind: [player_moved, heartbeat]
    to: [telemetry]
    exclusive: true
  - name: gold-tier
    when:
      attrs: {tier: gold}
    to: [audit]
  - name: lifecycle
    when:
      kind: [player_joined, match_started]
    to: [audit]
unmatched: dead_letter
";

/// One second of the run.
#[derive(Debug, Clone, Serialize)]
pub struct Second {
    /// Seconds since the start (end of this interval).
    pub t: f64,
    /// Events completed in this second.
    pub events: u64,
    /// Median latency in this second, µs.
    pub p50_us: f64,
    /// p99 latency in this second, µs.
    pub p99_us: f64,
    /// Worst latency in this second, µs.
    pub max_us: f64,
    /// Resident set size at the end of this second, bytes.
    pub rss_bytes: u64,
}

/// Latency percentiles over the whole run, µs.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
    /// Worst.
    pub max_us: f64,
}

/// The soak's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The machine.
    pub machine: Machine,
    /// Simulated players.
    pub players: u32,
    /// Target rate, events/s.
    pub target_rate: u32,
    /// Achieved rate: events completed / time from start to last completion.
    pub achieved_rate: f64,
    /// Planned duration, s.
    pub duration_s: u32,
    /// Share of protobuf events, percent.
    pub proto_percent: u8,
    /// Events completed.
    pub events: u64,
    /// Routed to at least one handler.
    pub routed: u64,
    /// Dead-lettered (unmatched, or failed to decode).
    pub dead_letter: u64,
    /// Decode failures among the dead letters (should be 0).
    pub decode_errors: u64,
    /// Matches formed by the matchmaking queue.
    pub matches_formed: u64,
    /// Matches closed by the scoreboard.
    pub matches_scored: u64,
    /// Decode+route latency from the scheduled time.
    pub latency: Latency,
    /// Time spent decoding and routing per event (service time, no queueing), µs.
    pub service_us_per_event: f64,
    /// Share of the wall time the routing thread spent decoding and routing:
    /// near 1 means it could not keep up; low with a high latency means it was
    /// starved of CPU (a shared machine) or of events (the producer).
    pub busy_fraction: f64,
    /// CPU time of the whole process (both threads) per second of wall time,
    /// from `/proc/self/stat`; `None` off Linux.
    pub cpu_per_wall_second: Option<f64>,
    /// RSS at the start of the schedule, bytes.
    pub rss_start_bytes: u64,
    /// Largest RSS sampled, bytes.
    pub rss_max_bytes: u64,
    /// RSS at the end, bytes.
    pub rss_end_bytes: u64,
    /// RSS at the end minus RSS at second 10 (or the first sample of shorter runs), bytes.
    pub rss_growth_after_10s_bytes: i64,
    /// p99 under 1 ms.
    pub p99_target_met: bool,
    /// RSS under 36 MB and growth after second 10 under 1 MB.
    pub rss_target_met: bool,
    /// One sample per second.
    pub seconds: Vec<Second>,
}

struct Item {
    proto: bool,
    bytes: Vec<u8>,
}

/// Reassigns the generated event to one of `players` players and to that
/// player's match, so that handler state is bounded as in a real game.
fn cast(event: &mut OwnedEvent, rng: &mut SplitMix64, players: u32) {
    let p = rng.below(u64::from(players.max(1)));
    event.player_id.clear();
    event.player_id.push_str(&format!("plr_{p:07}"));
    if let Some(m) = event.match_id.as_mut() {
        m.clear();
        m.push_str(&format!("m-{:06}", p / 8));
    }
}

fn produce(args: &Args, total: u64, filled: SyncSender<Item>, empty: Receiver<Vec<u8>>) {
    let mut generator = Generator::new(args.seed);
    let mut rng = SplitMix64::new(args.seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut arena = Bump::new();
    let mut text = String::new();
    for _ in 0..total {
        let Ok(mut bytes) = empty.recv() else { return };
        let mut event = generator.next_event();
        cast(&mut event, &mut rng, args.players);
        arena.reset();
        let view = event.as_view(&arena);
        bytes.clear();
        let proto = rng.below(100) < u64::from(args.proto_percent);
        if proto {
            protobuf::encode(&view, &mut bytes);
        } else {
            text.clear();
            yaml::encode(&view, &mut text);
            bytes.extend_from_slice(text.as_bytes());
        }
        if filled.send(Item { proto, bytes }).is_err() {
            return;
        }
    }
}

fn build_router() -> Result<Pipeline> {
    let table = table_from_yaml_str(ROUTES_YAML).context("the soak routing table")?;
    let queue = MatchmakingQueue::new(MatchmakingConfig {
        match_size: 8,
        skill_band: 200,
        regions: game_handlers::SERVED_REGIONS
            .iter()
            .map(|(r, ms)| ((*r).to_owned(), *ms))
            .collect(),
    });
    let router = Router::builder(table)
        .handler("matchmaking", queue)
        .handler("scoreboard", Scoreboard::new())
        .handler(
            "telemetry",
            infallible(|event, _| {
                if let event_model::Payload::PlayerMoved(m) = &event.payload {
                    std::hint::black_box(m.position.x.hypot(m.position.y));
                }
            }),
        )
        .handler(
            "audit",
            infallible(|event, ctx| {
                std::hint::black_box((event.id, ctx.partition()));
            }),
        )
        .build()?;
    Ok(Pipeline::new(router))
}

fn us(ns: u64) -> f64 {
    ns as f64 / 1e3
}

/// Runs the soak.
pub fn run(args: &Args, probe: &AllocProbe) -> Result<Summary> {
    if args.rate == 0 || args.duration == 0 {
        bail!("--rate and --duration must be positive");
    }
    let machine = Machine::detect(probe);
    let total = u64::from(args.rate) * u64::from(args.duration);
    let ring = args.ring.max(args.max_batch).max(1);
    let max_batch = args.max_batch.max(1);
    let mut router = build_router()?;
    let mut yaml_decoder = yaml::YamlDecoder::new();
    let mut proto_decoder = protobuf::ZeroCopyDecoder::new();

    let (filled_tx, filled_rx) = sync_channel::<Item>(ring);
    let (empty_tx, empty_rx) = sync_channel::<Vec<u8>>(ring + max_batch);
    for _ in 0..ring + max_batch {
        empty_tx
            .send(Vec::with_capacity(1024))
            .context("priming the ring")?;
    }
    let producer_args = args.clone();
    let producer = std::thread::Builder::new()
        .name("soak-producer".into())
        .spawn(move || produce(&producer_args, total, filled_tx, empty_rx))
        .context("starting the producer")?;

    // A head start for the producer: it fills the ring (a few ms of work)
    // before the schedule's clock starts.
    std::thread::sleep(Duration::from_millis(300));

    let mut all = Histogram::<u64>::new_with_bounds(1_000, 600_000_000_000, 3)?;
    let mut second = Histogram::<u64>::new_with_bounds(1_000, 600_000_000_000, 3)?;
    let interval_ns = 1e9 / f64::from(args.rate);
    let mut seconds = Vec::with_capacity(args.duration as usize + 8);
    let mut batch: Vec<Item> = Vec::with_capacity(max_batch);
    let mut due_at: Vec<Instant> = Vec::with_capacity(max_batch);
    let (mut matches_formed, mut matches_scored) = (0u64, 0u64);
    let rss_start = rss_bytes().map_or(0, |r| r.0);
    let start = Instant::now();
    let mut next_tick = start + Duration::from_secs(1);
    let mut events_in_second = 0u64;
    let mut done = 0u64;
    let mut last_completion = start;
    let mut busy = Duration::ZERO;
    let cpu_start = cpu_seconds();

    while done < total {
        let scheduled = |i: u64| start + Duration::from_nanos((i as f64 * interval_ns) as u64);
        let now = Instant::now();
        let first_due = scheduled(done);
        if first_due > now {
            std::thread::sleep(first_due - now);
            continue;
        }
        // Everything due by now, up to one batch.
        batch.clear();
        due_at.clear();
        while batch.len() < max_batch && done + (batch.len() as u64) < total {
            let i = done + batch.len() as u64;
            let at = scheduled(i);
            if at > now && !batch.is_empty() {
                break;
            }
            let item = filled_rx.recv().context("the producer stopped early")?;
            batch.push(item);
            due_at.push(at);
        }
        let work_started = Instant::now();
        {
            let yaml_frames: Vec<&[u8]> = batch
                .iter()
                .filter(|b| !b.proto)
                .map(|b| b.bytes.as_slice())
                .collect();
            let proto_frames: Vec<&[u8]> = batch
                .iter()
                .filter(|b| b.proto)
                .map(|b| b.bytes.as_slice())
                .collect();
            if !yaml_frames.is_empty() {
                router
                    .route_batch(&mut yaml_decoder, &yaml_frames)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            if !proto_frames.is_empty() {
                router
                    .route_batch(&mut proto_decoder, &proto_frames)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        let completed = Instant::now();
        busy += completed - work_started;
        for at in &due_at {
            let ns = completed
                .saturating_duration_since(*at)
                .as_nanos()
                .min(u128::from(u64::MAX)) as u64;
            all.saturating_record(ns.max(1_000));
            second.saturating_record(ns.max(1_000));
        }
        done += batch.len() as u64;
        events_in_second += batch.len() as u64;
        last_completion = completed;
        for item in batch.drain(..) {
            // The producer may have finished; its buffers are then simply dropped.
            let _ = empty_tx.try_send(item.bytes);
        }
        if completed >= next_tick || done == total {
            if let Some(q) = router
                .router_mut()
                .handler_mut::<MatchmakingQueue>("matchmaking")
            {
                matches_formed += q.take_matches().len() as u64;
            }
            if let Some(s) = router.router_mut().handler_mut::<Scoreboard>("scoreboard") {
                matches_scored += s.take_finished().len() as u64;
            }
            seconds.push(Second {
                t: completed.duration_since(start).as_secs_f64(),
                events: events_in_second,
                p50_us: us(second.value_at_quantile(0.5)),
                p99_us: us(second.value_at_quantile(0.99)),
                max_us: us(second.max()),
                rss_bytes: rss_bytes().map_or(0, |r| r.0),
            });
            second.reset();
            events_in_second = 0;
            next_tick += Duration::from_secs(1);
        }
    }
    drop(empty_tx);
    let _ = producer.join();

    let elapsed = last_completion
        .duration_since(start)
        .as_secs_f64()
        .max(1e-9);
    let cpu_per_wall_second = cpu_start.zip(cpu_seconds()).map(|(a, b)| (b - a) / elapsed);
    let rss_end = rss_bytes().map_or(0, |r| r.0);
    let rss_max = seconds
        .iter()
        .map(|s| s.rss_bytes)
        .chain([rss_start, rss_end])
        .max()
        .unwrap_or(0);
    let at_10 = seconds
        .iter()
        .find(|s| s.t >= 10.0)
        .or(seconds.first())
        .map_or(rss_start, |s| s.rss_bytes);
    let growth = rss_end as i64 - at_10 as i64;
    let latency = Latency {
        p50_us: us(all.value_at_quantile(0.5)),
        p90_us: us(all.value_at_quantile(0.9)),
        p99_us: us(all.value_at_quantile(0.99)),
        p999_us: us(all.value_at_quantile(0.999)),
        max_us: us(all.max()),
    };
    let c = router.counters();
    Ok(Summary {
        machine,
        players: args.players,
        target_rate: args.rate,
        achieved_rate: done as f64 / elapsed,
        duration_s: args.duration,
        proto_percent: args.proto_percent,
        events: c.events(),
        routed: c.routed(),
        dead_letter: c.dead_letter(),
        decode_errors: c.decode_errors(),
        matches_formed,
        matches_scored,
        p99_target_met: latency.p99_us < 1_000.0,
        latency,
        service_us_per_event: busy.as_secs_f64() * 1e6 / (done.max(1) as f64),
        busy_fraction: busy.as_secs_f64() / elapsed,
        cpu_per_wall_second,
        rss_start_bytes: rss_start,
        rss_max_bytes: rss_max,
        rss_end_bytes: rss_end,
        rss_growth_after_10s_bytes: growth,
        rss_target_met: rss_max < 36_000_000 && growth < 1_000_000,
        seconds,
    })
}

/// User + system CPU seconds of this process (`/proc/self/stat`, 100 ticks a second).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: f64 = fields.next()?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn mb(b: u64) -> f64 {
    b as f64 / 1e6
}

/// The summary as a Markdown table.
pub fn markdown(s: &Summary) -> String {
    let yes = |b: bool| if b { "met" } else { "MISSED" };
    let mut out = format!(
        "Soak, {} ({} cores), {}, allocator {}; {} (shared machine: figures are noisy).\n\n",
        s.machine.cpu, s.machine.cores, s.machine.rustc, s.machine.allocator, s.machine.date
    );
    out.push_str("| metric | value |\n|---|---:|\n");
    let rows: Vec<(String, String)> = vec![
        ("players".into(), s.players.to_string()),
        ("target rate (events/s)".into(), s.target_rate.to_string()),
        (
            "achieved rate (events/s)".into(),
            format!("{:.0}", s.achieved_rate),
        ),
        ("duration (s)".into(), s.duration_s.to_string()),
        ("protobuf share".into(), format!("{}%", s.proto_percent)),
        ("events".into(), s.events.to_string()),
        (
            "routed / dead-lettered / decode errors".into(),
            format!("{} / {} / {}", s.routed, s.dead_letter, s.decode_errors),
        ),
        (
            "matches formed / scored".into(),
            format!("{} / {}", s.matches_formed, s.matches_scored),
        ),
        (
            "latency p50 (µs)".into(),
            format!("{:.1}", s.latency.p50_us),
        ),
        (
            "latency p90 (µs)".into(),
            format!("{:.1}", s.latency.p90_us),
        ),
        (
            "latency p99 (µs)".into(),
            format!(
                "{:.1} (target < 1000: {})",
                s.latency.p99_us,
                yes(s.p99_target_met)
            ),
        ),
        (
            "latency p99.9 (µs)".into(),
            format!("{:.1}", s.latency.p999_us),
        ),
        (
            "latency max (µs)".into(),
            format!("{:.1}", s.latency.max_us),
        ),
        (
            "RSS start / max / end (MB)".into(),
            format!(
                "{:.1} / {:.1} / {:.1}",
                mb(s.rss_start_bytes),
                mb(s.rss_max_bytes),
                mb(s.rss_end_bytes)
            ),
        ),
        (
            "RSS growth from 10 s to end (MB)".into(),
            format!(
                "{:+.2} (target: max < 36 MB, growth < 1 MB: {})",
                s.rss_growth_after_10s_bytes as f64 / 1e6,
                yes(s.rss_target_met)
            ),
        ),
    ];
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    out
}

/// Latency and RSS over time as SVG.
pub fn svg(s: &Summary) -> String {
    use crate::svg::{Line, line_panel, stack};
    let pts = |f: fn(&Second) -> f64| s.seconds.iter().map(|x| (x.t, f(x))).collect::<Vec<_>>();
    let latency = line_panel(
        &format!(
            "Decode + route latency per second ({} players, {} events/s target, {})",
            s.players, s.target_rate, s.machine.allocator
        ),
        "seconds",
        "µs from scheduled time",
        &[
            Line {
                name: "p50".into(),
                points: pts(|x| x.p50_us),
            },
            Line {
                name: "p99".into(),
                points: pts(|x| x.p99_us),
            },
            Line {
                name: "max".into(),
                points: pts(|x| x.max_us),
            },
        ],
        &[("p99 target 1 ms".into(), 1_000.0)],
    );
    let rss = line_panel(
        "Resident set size",
        "seconds",
        "MB",
        &[Line {
            name: "RSS".into(),
            points: pts(|x| x.rss_bytes as f64 / 1e6),
        }],
        &[("target 36 MB".into(), 36.0)],
    );
    stack(&[latency, rss])
}

/// `bench-harness soak`: runs, prints the table, writes JSON/SVG if asked.
pub fn main(args: &Args, probe: &AllocProbe) -> Result<()> {
    let summary = run(args, probe)?;
    print!("{}", markdown(&summary));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&summary)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, svg(&summary))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
