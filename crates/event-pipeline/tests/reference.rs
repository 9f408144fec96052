//! Property tests against a plain reference implementation of SPEC section
//! 4: random tables (written as YAML and parsed by the streaming decoder),
//! random event streams in every format with undecodable frames mixed in.

use std::cell::RefCell;
use std::rc::Rc;

use event_model::{Kind, OwnedEvent, Timestamp, strategies};
use event_pipeline::{OnReject, Pipeline, config_from_yaml_str, table_from_yaml_str};
use event_router::{DeadLetterReason, KeyField, RouteConfig, RouteSpec, Router, Unmatched, When};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::subsequence;

use crate::support::{ALL_FORMATS, Fmt, GARBAGE, decoder, encode, frames};

const REGIONS: &[&str] = &["eu-west", "us-east-1", "ap-south"];
const MATCHES: &[&str] = &["m-1", "m-2", "m-3", "m-4"];
const PLAYERS: &[&str] = &["plr_1", "plr_2", "plr_3", "plr_4", "plr_5"];
const ATTRS: &[(&str, &str)] = &[
    ("tier", "gold"),
    ("tier", "silver"),
    ("client", "ios"),
    ("client", "pc"),
];
const HANDLERS: &[&str] = &["scoring", "audit", "matchmaking", "presence", "telemetry"];

// ---------------------------------------------------------------- reference

/// What the specification says should happen, computed the obvious way.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expected {
    /// (handler, event index, partition), in delivery order.
    deliveries: Vec<(String, usize, u32)>,
    outcomes: Vec<&'static str>,
    events: u64,
    routed: u64,
    dead_letter: u64,
    dropped: u64,
    rejected: u64,
    routes: Vec<u64>,
    handlers: Vec<(String, u64)>,
    partitions: Vec<u64>,
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn route_matches(route: &RouteSpec, e: &OwnedEvent) -> bool {
    let Some(w) = &route.when else { return true };
    if let Some(kinds) = &w.kind {
        if !kinds.iter().any(|k| k == e.kind().name()) {
            return false;
        }
    }
    if let Some(regions) = &w.region {
        if !regions.contains(&e.region) {
            return false;
        }
    }
    if let Some(attrs) = &w.attrs {
        for (k, v) in attrs {
            if !e.attrs.iter().any(|(ek, ev)| ek == k && ev == v) {
                return false;
            }
        }
    }
    if let Some(has) = w.has_match {
        if has != e.match_id.is_some() {
            return false;
        }
    }
    true
}

/// `None` stands for a frame that does not decode.
fn reference(cfg: &RouteConfig, stream: &[Option<OwnedEvent>]) -> Expected {
    let mut x = Expected {
        routes: vec![0; cfg.routes.len()],
        partitions: vec![0; cfg.partitions as usize],
        ..Expected::default()
    };
    for r in &cfg.routes {
        for h in &r.to {
            if !x.handlers.iter().any(|(n, _)| n == h) {
                x.handlers.push((h.clone(), 0));
            }
        }
    }
    for (i, e) in stream.iter().enumerate() {
        x.events += 1;
        // A bad event is rejected (SPEC section 4); the sink still gets it.
        let Some(e) = e else {
            x.rejected += 1;
            x.outcomes.push("rejected");
            continue;
        };
        let mut targets: Vec<String> = Vec::new();
        for (ri, r) in cfg.routes.iter().enumerate() {
            if route_matches(r, e) {
                x.routes[ri] += 1;
                for h in &r.to {
                    if !targets.contains(h) {
                        targets.push(h.clone());
                    }
                }
                if r.exclusive {
                    break;
                }
            }
        }
        let key = match cfg.key {
            KeyField::MatchId => e.match_id.as_deref().unwrap_or(&e.player_id),
            KeyField::PlayerId => &e.player_id,
        };
        let partition = (fnv(key.as_bytes()) % cfg.partitions) as u32;
        if targets.is_empty() {
            match cfg.unmatched {
                Unmatched::DeadLetter => {
                    x.dead_letter += 1;
                    x.outcomes.push("dead_letter");
                }
                Unmatched::Drop => {
                    x.dropped += 1;
                    x.outcomes.push("dropped");
                }
                Unmatched::Error => {
                    x.rejected += 1;
                    x.outcomes.push("rejected");
                }
            }
            continue;
        }
        x.routed += 1;
        x.outcomes.push("routed");
        x.partitions[partition as usize] += 1;
        for h in targets {
            if let Some(slot) = x.handlers.iter_mut().find(|(n, _)| *n == h) {
                slot.1 += 1;
            }
            x.deliveries.push((h, i, partition));
        }
    }
    x
}

// ---------------------------------------------------------------- strategies

fn event() -> impl Strategy<Value = OwnedEvent> {
    (
        strategies::payload(),
        proptest::sample::select(REGIONS),
        proptest::option::of(proptest::sample::select(MATCHES)),
        proptest::sample::select(PLAYERS),
        subsequence(ATTRS, 0..=2),
        any::<u64>(),
    )
        .prop_map(|(payload, region, match_id, player, attrs, seq)| {
            // Keys must be unique within an event.
            let mut unique: Vec<(String, String)> = Vec::new();
            for (k, v) in attrs {
                if !unique.iter().any(|(seen, _)| seen == k) {
                    unique.push((k.to_owned(), v.to_owned()));
                }
            }
            OwnedEvent {
                id: format!("e-{seq}"),
                seq,
                ts: Timestamp(1_715_954_400_000),
                player_id: player.to_owned(),
                match_id: match_id.map(str::to_owned),
                region: region.to_owned(),
                attrs: unique,
                payload,
            }
        })
}

fn names(pool: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<String>> {
    subsequence(pool, 1..=max)
        .prop_shuffle()
        .prop_map(|v| v.into_iter().map(str::to_owned).collect())
}

fn when() -> impl Strategy<Value = Option<When>> {
    let kinds: Vec<&'static str> = Kind::ALL.iter().map(|k| k.name()).collect();
    let kinds: &'static [&'static str] = Vec::leak(kinds);
    proptest::option::weighted(
        0.8,
        (
            proptest::option::of(names(kinds, 4)),
            // Sometimes a region no event has.
            proptest::option::of(names(&["eu-west", "us-east-1", "ap-south", "sa-east"], 2)),
            proptest::option::weighted(
                0.3,
                subsequence(ATTRS, 1..=2).prop_filter_map("unique keys", |pairs| {
                    let unique = pairs.len() < 2 || pairs[0].0 != pairs[1].0;
                    unique.then(|| {
                        pairs
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v.to_owned()))
                            .collect()
                    })
                }),
            ),
            proptest::option::of(any::<bool>()),
        )
            .prop_map(|(kind, region, attrs, has_match)| When {
                kind,
                region,
                attrs,
                has_match,
            }),
    )
}

fn table() -> impl Strategy<Value = RouteConfig> {
    (
        prop_oneof![Just(KeyField::MatchId), Just(KeyField::PlayerId)],
        prop_oneof![1u64..=8, Just(4096u64)],
        vec(
            (when(), names(HANDLERS, 3), proptest::bool::weighted(0.2)),
            0..=6,
        ),
        prop_oneof![
            Just(Unmatched::DeadLetter),
            Just(Unmatched::Drop),
            Just(Unmatched::Error)
        ],
    )
        .prop_map(|(key, partitions, routes, unmatched)| RouteConfig {
            key,
            partitions,
            routes: routes
                .into_iter()
                .enumerate()
                .map(|(i, (when, to, exclusive))| RouteSpec {
                    name: format!("route-{i}"),
                    when,
                    to,
                    exclusive,
                })
                .collect(),
            unmatched,
        })
}

/// The table written as YAML, the way a user would.
fn render(cfg: &RouteConfig) -> String {
    fn list(items: &[String]) -> String {
        let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
        format!("[{}]", quoted.join(", "))
    }
    let mut y = format!("key: {}\npartitions: {}\n", cfg.key.name(), cfg.partitions);
    if cfg.routes.is_empty() {
        y.push_str("routes: []\n");
    } else {
        y.push_str("routes:\n");
    }
    for r in &cfg.routes {
        y.push_str(&format!("  - name: {}\n", r.name));
        if let Some(w) = &r.when {
            // A `when` with no condition is an empty mapping, not null.
            let empty = w == &When::default();
            y.push_str(if empty {
                "    when: {}\n"
            } else {
                "    when:\n"
            });
            if let Some(k) = &w.kind {
                y.push_str(&format!("      kind: {}\n", list(k)));
            }
            if let Some(reg) = &w.region {
                y.push_str(&format!("      region: {}\n", list(reg)));
            }
            if let Some(a) = &w.attrs {
                y.push_str("      attrs:\n");
                for (k, v) in a {
                    y.push_str(&format!("        {k}: {v}\n"));
                }
            }
            if let Some(h) = w.has_match {
                y.push_str(&format!("      has_match: {h}\n"));
            }
        }
        y.push_str(&format!("    to: {}\n", list(&r.to)));
        if r.exclusive {
            y.push_str("    exclusive: true\n");
        }
    }
    y.push_str(&format!("unmatched: {}\n", cfg.unmatched.name()));
    y
}

// ---------------------------------------------------------------- the router side

#[derive(Debug, Default, PartialEq, Eq)]
struct Observed {
    deliveries: Vec<(String, usize, u32)>,
    outcomes: Vec<&'static str>,
    dead_letter_indexes: Vec<usize>,
}

fn run(
    cfg: &RouteConfig,
    stream: &[Option<OwnedEvent>],
    fmt: Fmt,
    batch: usize,
) -> (Observed, Pipeline) {
    let yaml = render(cfg);
    assert_eq!(&config_from_yaml_str(&yaml).unwrap(), cfg, "{yaml}");
    let table = table_from_yaml_str(&yaml).unwrap();
    let observed = Rc::new(RefCell::new(Observed::default()));
    let mut builder = Router::builder(table.clone());
    for name in table.handler_names() {
        let log = Rc::clone(&observed);
        let name = name.to_string();
        builder = builder.handler_fn(name.clone(), move |event, ctx| {
            // The context agrees with the event and the table.
            assert_eq!(ctx.partition(), ctx.table().partition_of(event));
            assert!(ctx.route_names().count() >= 1);
            log.borrow_mut()
                .deliveries
                .push((name.clone(), ctx.index() as usize, ctx.partition()));
            Ok(())
        });
    }
    let log = Rc::clone(&observed);
    let router = builder
        .dead_letter_fn(move |letter| {
            if let DeadLetterReason::Bad(_) = letter.reason {
                assert_eq!(letter.raw, GARBAGE);
            }
            log.borrow_mut()
                .dead_letter_indexes
                .push(letter.index as usize);
        })
        .build()
        .unwrap();
    let mut router = Pipeline::new(router)
        .arena_cap(64 << 10)
        .on_reject(OnReject::Continue);
    let buffers: Vec<Vec<u8>> = stream
        .iter()
        .map(|e| {
            e.as_ref()
                .map_or_else(|| GARBAGE.to_vec(), |e| encode(fmt, e))
        })
        .collect();
    let all = frames(&buffers);
    let mut dec = decoder(fmt);
    let mut outcomes = Vec::new();
    // Batches of `batch` frames; indexes in the context count from the
    // router's first event, so they are stream positions.
    for chunk in all.chunks(batch.max(1)) {
        let report = router
            .route_batch_explained(&mut dec, chunk, |x| outcomes.push(x.outcome.name()))
            .unwrap();
        assert_eq!(report.events, chunk.len());
        assert_eq!(
            report.routed + report.dead_letter + report.dropped + report.rejected,
            chunk.len()
        );
    }
    let mut o = std::mem::take(&mut *observed.borrow_mut());
    o.outcomes = outcomes;
    (o, router)
}

fn per_partition(
    deliveries: &[(String, usize, u32)],
    partitions: u64,
) -> Vec<Vec<(String, usize)>> {
    let mut out = vec![Vec::new(); partitions as usize];
    for (h, i, p) in deliveries {
        out[*p as usize].push((h.clone(), *i));
    }
    out
}

proptest! {
    // 256 cases by default; PROPTEST_CASES raises it.
    #[test]
    fn router_agrees_with_reference(
        cfg in table(),
        stream in vec(proptest::option::weighted(0.9, event()), 0..40),
        fmt in proptest::sample::select(&ALL_FORMATS[..]),
        batch in 1usize..16,
    ) {
        let expected = reference(&cfg, &stream);
        let (observed, router) = run(&cfg, &stream, fmt, batch);

        prop_assert_eq!(
            per_partition(&observed.deliveries, cfg.partitions),
            per_partition(&expected.deliveries, cfg.partitions)
        );
        // Delivery is synchronous, so even the global order agrees.
        prop_assert_eq!(&observed.deliveries, &expected.deliveries);
        prop_assert_eq!(&observed.outcomes, &expected.outcomes);
        let bad = stream.iter().filter(|e| e.is_none()).count() as u64;
        prop_assert_eq!(observed.dead_letter_indexes.len() as u64, expected.dead_letter + bad);

        let c = router.counters();
        prop_assert_eq!(c.events(), expected.events);
        prop_assert_eq!(c.routed(), expected.routed);
        prop_assert_eq!(c.dead_letter(), expected.dead_letter);
        prop_assert_eq!(c.dropped(), expected.dropped);
        prop_assert_eq!(c.rejected(), expected.rejected);
        prop_assert_eq!(c.events(), c.routed() + c.dead_letter() + c.dropped() + c.rejected());
        prop_assert_eq!(c.decode_errors(), stream.iter().filter(|e| e.is_none()).count() as u64);
        prop_assert_eq!(c.per_route(), &expected.routes[..]);
        let handlers: Vec<(String, u64)> = c.handlers().map(|(n, v)| (n.to_owned(), v)).collect();
        prop_assert_eq!(handlers, expected.handlers);
        prop_assert_eq!(c.per_partition(), &expected.partitions[..]);
        prop_assert!(c.per_handler_errors().iter().all(|&e| e == 0));
    }
}

#[test]
fn reference_sees_every_outcome_on_a_fixed_case() {
    // Guards the property test against a generator that never exercises
    // exclusivity, fallbacks or rejections.
    let cfg = config_from_yaml_str(
        "key: match_id\npartitions: 4\nroutes:\n  - name: hb\n    when: {kind: [heartbeat]}\n    to: [presence]\n    exclusive: true\n  - name: all-eu\n    when: {region: [eu-west]}\n    to: [audit, presence]\nunmatched: error\n",
    )
    .unwrap();
    let mk = |kind_payload: event_model::OwnedPayload, region: &str, m: Option<&str>| OwnedEvent {
        id: "e".into(),
        seq: 1,
        ts: Timestamp(0),
        player_id: "plr_1".into(),
        match_id: m.map(str::to_owned),
        region: region.into(),
        attrs: vec![],
        payload: kind_payload,
    };
    let stream = vec![
        Some(mk(
            event_model::OwnedPayload::Heartbeat,
            "eu-west",
            Some("m-1"),
        )),
        Some(mk(
            event_model::OwnedPayload::PlayerLeft {
                reason: "quit".into(),
            },
            "eu-west",
            None,
        )),
        None,
        Some(mk(
            event_model::OwnedPayload::PlayerLeft {
                reason: "quit".into(),
            },
            "us-east-1",
            None,
        )),
    ];
    let expected = reference(&cfg, &stream);
    assert_eq!(
        expected.outcomes,
        ["routed", "routed", "rejected", "rejected"]
    );
    let p_match = (fnv(b"m-1") % 4) as u32;
    let p_player = (fnv(b"plr_1") % 4) as u32;
    assert_eq!(
        expected.deliveries,
        [
            ("presence".into(), 0, p_match),
            ("audit".into(), 1, p_player),
            ("presence".into(), 1, p_player)
        ]
    );
    for fmt in ALL_FORMATS {
        let (observed, router) = run(&cfg, &stream, fmt, 3);
        assert_eq!(observed.deliveries, expected.deliveries, "{fmt:?}");
        assert_eq!(observed.outcomes, expected.outcomes, "{fmt:?}");
        assert_eq!(router.counters().rejected(), 2);
        assert_eq!(router.counters().decode_errors(), 1);
        assert_eq!(router.counters().route("hb"), Some(1));
        assert_eq!(router.counters().route("all-eu"), Some(1));
    }
}
