//! The example handlers: matchmaking queue and scoreboard, behaviour and
//! memory per player.

use event_model::bumpalo::Bump;
use event_model::{OwnedEvent, OwnedPayload, Timestamp, Vec3};
use event_pipeline::table_from_yaml_str;
use event_router::{HandlerFailure, Outcome, Router};
use game_handlers::{MatchmakingConfig, MatchmakingQueue, Scoreboard, key};

use crate::alloc::measure;

fn base(
    player: &str,
    region: &str,
    match_id: Option<&str>,
    ts: i64,
    payload: OwnedPayload,
) -> OwnedEvent {
    OwnedEvent {
        id: format!("e-{player}-{ts}"),
        seq: ts as u64,
        ts: Timestamp(ts),
        player_id: player.into(),
        match_id: match_id.map(str::to_owned),
        region: region.into(),
        attrs: vec![],
        payload,
    }
}

fn request(
    player: &str,
    region: &str,
    skill: u32,
    party: &[&str],
    max_latency_ms: u32,
    ts: i64,
) -> OwnedEvent {
    base(
        player,
        region,
        None,
        ts,
        OwnedPayload::MatchRequested {
            skill,
            party: party.iter().map(|p| p.to_string()).collect(),
            modes: vec!["squad".into()],
            max_latency_ms,
        },
    )
}

fn left(player: &str, region: &str, ts: i64) -> OwnedEvent {
    base(
        player,
        region,
        None,
        ts,
        OwnedPayload::PlayerLeft {
            reason: "quit".into(),
        },
    )
}

fn clue(player: &str, m: Option<&str>, points: u32) -> OwnedEvent {
    base(
        player,
        "eu-west",
        m,
        1,
        OwnedPayload::ClueFound {
            clue_id: "c".into(),
            zone: "harbor".into(),
            position: Vec3::default(),
            tags: vec![],
            points,
            hint_used: false,
            note: None,
        },
    )
}

fn treasure(player: &str, m: &str, value: u64) -> OwnedEvent {
    base(
        player,
        "eu-west",
        Some(m),
        1,
        OwnedPayload::TreasureClaimed {
            treasure_id: "t".into(),
            value,
            position: Vec3::default(),
            inventory: vec![],
        },
    )
}

fn ended(m: &str) -> OwnedEvent {
    base(
        "plr_host",
        "eu-west",
        Some(m),
        9,
        OwnedPayload::MatchEnded {
            winner: None,
            scores: vec![],
        },
    )
}

fn queue_router(match_size: usize) -> Router {
    let table = table_from_yaml_str(
        "key: player_id\npartitions: 4\nroutes:\n  - name: mm\n    when: {kind: [match_requested, player_left]}\n    to: [matchmaking]\n",
    )
    .unwrap();
    let queue = MatchmakingQueue::new(MatchmakingConfig {
        match_size,
        skill_band: 500,
        regions: vec![("eu-west".into(), 30), ("us-east-1".into(), 45)],
    });
    Router::builder(table)
        .handler("matchmaking", queue)
        .build()
        .unwrap()
}

/// What routing a list of events did.
#[derive(Debug, Default)]
struct Fed {
    routed: usize,
    handler_errors: Vec<HandlerFailure>,
}

fn feed(router: &mut Router, events: &[OwnedEvent]) -> Fed {
    let arena = Bump::new();
    let mut fed = Fed::default();
    for event in events {
        if router.route(&event.as_view(&arena)) == Outcome::Routed {
            fed.routed += 1;
        }
        fed.handler_errors.extend(router.take_handler_failures());
    }
    fed
}

fn queue(router: &mut Router) -> &mut MatchmakingQueue {
    router
        .handler_mut::<MatchmakingQueue>("matchmaking")
        .unwrap()
}

#[test]
fn matchmaking_forms_matches_per_region_and_skill_band() {
    let mut r = queue_router(4);
    feed(
        &mut r,
        &[
            request("p1", "eu-west", 1000, &[], 100, 1),
            request("p2", "eu-west", 1499, &[], 100, 2),
            request("p3", "us-east-1", 1200, &[], 100, 3), // other region
            request("p4", "eu-west", 1500, &[], 100, 4),   // next band
            request("p5", "eu-west", 1100, &["p6"], 100, 5),
        ],
    );
    let q = queue(&mut r);
    let matches = q.take_matches();
    assert_eq!(matches.len(), 1);
    let m = &matches[0];
    assert_eq!(m.players, [key("p1"), key("p2"), key("p5"), key("p6")]);
    assert_eq!(
        (q.region_name(m.region), m.band, m.formed_at),
        (Some("eu-west"), 2, Timestamp(5))
    );
    assert_eq!(q.queued_players(), 2);
    assert!(q.is_queued("p3") && q.is_queued("p4") && !q.is_queued("p1"));
    let waiting: Vec<_> = q
        .waiting()
        .into_iter()
        .map(|w| (q.region_name(w.region), w.band, w.players))
        .collect();
    assert_eq!(
        waiting,
        [
            (Some("eu-west"), 3, vec![key("p4")]),
            (Some("us-east-1"), 2, vec![key("p3")]),
        ]
    );
    assert_eq!(q.stats().matches, 1);
    assert!(q.take_matches().is_empty());
}

#[test]
fn matchmaking_fills_first_fit_in_queue_order() {
    let mut r = queue_router(4);
    // A party of three waits; two solos arrive: only one of them fits.
    feed(
        &mut r,
        &[
            request("a", "eu-west", 1000, &["b", "c"], 100, 1),
            request("d", "eu-west", 1000, &[], 100, 2),
            request("e", "eu-west", 1000, &[], 100, 3),
        ],
    );
    let q = queue(&mut r);
    let matches = q.take_matches();
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0].players, [key("a"), key("b"), key("c"), key("d")]);
    assert!(q.is_queued("e"));
    assert_eq!(q.oldest_wait_ms(Timestamp(10)), Some(7));
}

#[test]
fn matchmaking_latency_is_a_region_filter() {
    let mut r = queue_router(2);
    feed(
        &mut r,
        &[
            request("p1", "eu-west", 1000, &[], 29, 1), // eu-west servers are at 30 ms
            request("p2", "us-east-1", 1000, &[], 44, 2), // us-east-1 at 45 ms
            request("p3", "ap-south", 1000, &[], 500, 3), // not served
            request("p4", "eu-west", 1000, &[], 30, 4), // exactly enough
        ],
    );
    let s = queue(&mut r).stats();
    assert_eq!((s.requests, s.refused_latency, s.refused_region), (4, 2, 1));
    assert!(queue(&mut r).is_queued("p4"));
    assert_eq!(queue(&mut r).queued_players(), 1);
}

#[test]
fn matchmaking_handles_leaves_duplicates_and_oversized_parties() {
    let mut r = queue_router(3);
    let report = feed(
        &mut r,
        &[
            request("p1", "eu-west", 1000, &["p2"], 100, 1),
            request("p2", "eu-west", 1000, &[], 100, 2), // already queued with p1
            left("p2", "eu-west", 3),                    // the party leaves
            request("p3", "eu-west", 1000, &[], 100, 4),
            request("p4", "eu-west", 1000, &["p5", "p6", "p7"], 100, 5), // 4 > 3
        ],
    );
    assert_eq!(report.handler_errors.len(), 1);
    assert_eq!(report.handler_errors[0].index, 4);
    assert_eq!(
        report.handler_errors[0].to_string(),
        "event 4: handler \"matchmaking\": party of 4 players is bigger than a match (3)"
    );
    let q = queue(&mut r);
    let s = q.stats();
    assert_eq!((s.duplicates, s.left, s.matches), (1, 1, 0));
    assert!(!q.is_queued("p1") && !q.is_queued("p2") && q.is_queued("p3"));
    assert_eq!(r.counters().handler_errors("matchmaking"), Some(1));
}

#[test]
fn matchmaking_memory_per_player() {
    const PLAYERS: usize = 10_000;
    let mut r = queue_router(1000);
    // 20 skill bands of 500 players: no bucket fills a 1000-player match.
    let events: Vec<OwnedEvent> = (0..PLAYERS)
        .map(|i| {
            request(
                &format!("plr_{i}"),
                "eu-west",
                (i % 20) as u32 * 500,
                &[],
                100,
                i as i64,
            )
        })
        .collect();
    let arena = Bump::new();
    let views: Vec<_> = events.iter().map(|e| e.as_view(&arena)).collect();
    let ((), info) = measure(|| {
        for view in &views {
            r.route(view);
        }
    });
    assert_eq!(queue(&mut r).queued_players(), PLAYERS);
    let per_player = info.bytes_current as f64 / PLAYERS as f64;
    // Documented on `MatchmakingQueue` (69 bytes per queued player).
    println!("matchmaking: {per_player:.1} heap bytes per queued player");
    assert!(
        per_player > 40.0 && per_player < 120.0,
        "{per_player} bytes per player: {info:?}"
    );
}

#[test]
fn scoreboard_sums_points_per_match_and_closes_matches() {
    let table = table_from_yaml_str(
        "key: match_id\npartitions: 4\nroutes:\n  - name: s\n    when: {kind: [clue_found, treasure_claimed, match_ended]}\n    to: [scoring]\n",
    )
    .unwrap();
    let mut r = Router::builder(table)
        .handler("scoring", Scoreboard::new())
        .build()
        .unwrap();
    let report = feed(
        &mut r,
        &[
            clue("alice", Some("m1"), 300),
            clue("bob", Some("m1"), 100),
            treasure("bob", "m1", 5000),
            clue("alice", Some("m2"), 10),
            clue("carol", None, 50),
            clue("alice", Some("m1"), 20),
            ended("m1"),
        ],
    );
    assert_eq!(report.routed, 7);
    let board = r.handler_mut::<Scoreboard>("scoring").unwrap();
    assert_eq!(board.points("m2", "alice"), Some(10));
    assert_eq!(board.points("m1", "alice"), None, "m1 is closed");
    assert_eq!(board.live_matches(), 1);
    let finished = board.take_finished();
    assert_eq!(finished.len(), 1);
    assert_eq!(finished[0].match_key, key("m1"));
    assert_eq!(
        finished[0].standings,
        [(key("bob"), 5100), (key("alice"), 320)]
    );
    let s = board.stats();
    assert_eq!(
        (s.clues, s.treasures, s.unattributed, s.finished),
        (5, 1, 1, 1)
    );
    assert_eq!(board.standings("m2"), Some(vec![(key("alice"), 10)]));
}

#[test]
fn scoreboard_memory_per_player() {
    const MATCHES: usize = 1000;
    const PER_MATCH: usize = 8;
    let table = table_from_yaml_str(
        "key: match_id\npartitions: 1\nroutes:\n  - name: s\n    to: [scoring]\n",
    )
    .unwrap();
    let mut r = Router::builder(table)
        .handler("scoring", Scoreboard::new())
        .build()
        .unwrap();
    let events: Vec<OwnedEvent> = (0..MATCHES * PER_MATCH)
        .map(|i| {
            clue(
                &format!("plr_{i}"),
                Some(&format!("m-{}", i / PER_MATCH)),
                10,
            )
        })
        .collect();
    let arena = Bump::new();
    let views: Vec<_> = events.iter().map(|e| e.as_view(&arena)).collect();
    let ((), info) = measure(|| {
        for view in &views {
            r.route(view);
        }
    });
    let board = r.handler::<Scoreboard>("scoring").unwrap();
    assert_eq!(board.live_matches(), MATCHES);
    let per_player = info.bytes_current as f64 / (MATCHES * PER_MATCH) as f64;
    // Documented on `Scoreboard` (24.4 bytes per player).
    println!("scoreboard: {per_player:.1} heap bytes per player");
    assert!(
        per_player > 16.0 && per_player < 48.0,
        "{per_player} bytes per player: {info:?}"
    );
}
