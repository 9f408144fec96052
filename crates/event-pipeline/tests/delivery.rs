//! Delivery semantics: union order, handler errors, rejections, dead
//! letters, explanations, pre-decoded events, handler access.

use std::cell::RefCell;
use std::rc::Rc;

use event_decode::{Category, DecodeError};
use event_model::bumpalo::Bump;
use event_model::corpus::corpus;
use event_model::{OwnedEvent, OwnedPayload, Timestamp};
use event_pipeline::{OnReject, Pipeline, RejectCause, table_from_yaml_str};
use event_router::{DeadLetterReason, HandlerError, Kind, Outcome, RouteTable, Router, infallible};
use game_handlers::Scoreboard;

use crate::support::{ALL_FORMATS, Fmt, GARBAGE, decoder, encode, frames};

fn event(kind: OwnedPayload, region: &str, match_id: Option<&str>) -> OwnedEvent {
    OwnedEvent {
        id: format!("e-{region}"),
        seq: 1,
        ts: Timestamp(1_715_954_400_000),
        player_id: "plr_1".into(),
        match_id: match_id.map(str::to_owned),
        region: region.into(),
        attrs: vec![("tier".into(), "gold".into())],
        payload: kind,
    }
}

fn left(region: &str) -> OwnedEvent {
    event(
        OwnedPayload::PlayerLeft {
            reason: "quit".into(),
        },
        region,
        Some("m-1"),
    )
}

type Log = Rc<RefCell<Vec<(String, u64)>>>;

fn logging(
    builder: event_router::RouterBuilder,
    names: &[&str],
    log: &Log,
) -> event_router::RouterBuilder {
    let mut b = builder;
    for name in names {
        let (log, name) = (Rc::clone(log), name.to_string());
        b = b.handler(
            name.clone(),
            infallible(move |_, ctx| log.borrow_mut().push((name.clone(), ctx.index()))),
        );
    }
    b
}

#[test]
fn union_of_matched_routes_in_route_order_each_handler_once() {
    let table = table_from_yaml_str(
        "key: player_id\npartitions: 2\nroutes:\n  - name: r1\n    to: [a, b]\n  - name: r2\n    to: [b, c]\n  - name: r3\n    when: {region: [nowhere]}\n    to: [d]\n  - name: r4\n    to: [c, a, e]\n",
    )
    .unwrap();
    let log: Log = Rc::default();
    let mut router = Pipeline::new(
        logging(Router::builder(table), &["a", "b", "c", "d", "e"], &log)
            .build()
            .unwrap(),
    );
    let buf = vec![encode(Fmt::Json, &left("eu-west"))];
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = Rc::clone(&seen);
    router
        .route_batch_explained(&mut decoder(Fmt::Json), &frames(&buf), move |x| {
            s.borrow_mut().push((
                x.route_names().map(str::to_owned).collect::<Vec<_>>(),
                x.handler_names().map(str::to_owned).collect::<Vec<_>>(),
                x.partition,
                x.outcome,
            ));
        })
        .unwrap();
    let order: Vec<String> = log.borrow().iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(order, ["a", "b", "c", "e"]);
    let p = (event_router::fnv1a64(b"plr_1") % 2) as u32;
    assert_eq!(
        *seen.borrow(),
        [(
            vec!["r1".to_owned(), "r2".into(), "r4".into()],
            vec!["a".to_owned(), "b".into(), "c".into(), "e".into()],
            Some(p),
            Outcome::Routed
        )]
    );
    let c = router.counters();
    // Handler ids number names in order of first mention: a, b, c, d, e.
    assert_eq!(c.per_handler(), [1, 1, 1, 0, 1]);
    assert_eq!(c.route("r3"), Some(0));
    assert_eq!(c.per_partition()[p as usize], 1);
}

#[test]
fn exclusive_route_stops_evaluation() {
    let table = table_from_yaml_str(
        "key: match_id\npartitions: 1\nroutes:\n  - name: first\n    when: {kind: [player_left]}\n    to: [a]\n    exclusive: true\n  - name: second\n    to: [b]\n",
    )
    .unwrap();
    let log: Log = Rc::default();
    let mut router = Pipeline::new(
        logging(Router::builder(table), &["a", "b"], &log)
            .build()
            .unwrap(),
    );
    let heartbeat = event(OwnedPayload::Heartbeat, "eu-west", None);
    let buf = vec![
        encode(Fmt::Json, &left("eu-west")),
        encode(Fmt::Json, &heartbeat),
    ];
    router
        .route_batch(&mut decoder(Fmt::Json), &frames(&buf))
        .unwrap();
    assert_eq!(*log.borrow(), [("a".to_owned(), 0), ("b".to_owned(), 1)]);
    assert_eq!(router.counters().route("second"), Some(1));
}

#[test]
fn handler_error_is_reported_and_does_not_stop_the_others() {
    let table = table_from_yaml_str(
        "key: match_id\npartitions: 4\nroutes:\n  - name: all\n    to: [flaky, audit]\n",
    )
    .unwrap();
    let log: Log = Rc::default();
    let mut router = Pipeline::new(
        logging(Router::builder(table), &["audit"], &log)
            .handler_fn("flaky", |event, ctx| {
                if ctx.index() == 1 {
                    Err(HandlerError::new(format!("cannot score {}", event.id)))
                } else {
                    Ok(())
                }
            })
            .build()
            .unwrap(),
    );
    let buf: Vec<Vec<u8>> = ["eu-west", "us-east-1", "ap-south"]
        .iter()
        .map(|r| encode(Fmt::Proto, &left(r)))
        .collect();
    let report = router
        .route_batch(&mut decoder(Fmt::Proto), &frames(&buf))
        .unwrap();
    assert_eq!(report.routed, 3);
    assert_eq!(report.handler_errors.len(), 1);
    let failure = &report.handler_errors[0];
    assert_eq!((failure.index, failure.handler.as_str()), (1, "flaky"));
    assert_eq!(
        failure.to_string(),
        "event 1: handler \"flaky\": cannot score e-us-east-1"
    );
    assert_eq!(log.borrow().len(), 3, "audit still got every event");
    assert_eq!(router.counters().handler_errors("flaky"), Some(1));
    assert_eq!(router.counters().handler_errors("audit"), Some(0));
    assert_eq!(router.counters().handler("flaky"), Some(3));
}

fn rejecting_table() -> RouteTable {
    table_from_yaml_str(
        "key: match_id\npartitions: 4\nroutes:\n  - name: eu\n    when: {region: [eu-west]}\n    to: [a]\nunmatched: error\n",
    )
    .unwrap()
}

#[test]
fn rejection_stops_the_batch_and_the_tail_can_be_resubmitted() {
    let log: Log = Rc::default();
    let mut router = Pipeline::new(
        logging(Router::builder(rejecting_table()), &["a"], &log)
            .build()
            .unwrap(),
    );
    let buf: Vec<Vec<u8>> = ["eu-west", "us-east-1", "eu-west", "eu-west"]
        .iter()
        .map(|r| encode(Fmt::Yaml, &left(r)))
        .collect();
    let all = frames(&buf);
    let mut dec = decoder(Fmt::Yaml);
    let err = router.route_batch(&mut dec, &all).unwrap_err();
    assert_eq!(err.index, 1);
    assert!(
        matches!(&err.cause, RejectCause::Unmatched { kind: Kind::PlayerLeft, id } if id == "e-us-east-1"),
        "{:?}",
        err.cause
    );
    assert_eq!(
        err.to_string(),
        "event 1: kind player_left, id \"e-us-east-1\": no route matched and the table says `unmatched: error`"
    );
    assert_eq!(
        (err.report.events, err.report.routed, err.report.rejected),
        (2, 1, 1)
    );
    // Frames after the rejection were not touched or counted.
    assert_eq!(router.counters().events(), 2);
    assert_eq!(log.borrow().len(), 1);
    let report = router.route_batch(&mut dec, &all[err.index + 1..]).unwrap();
    assert_eq!(report.routed, 2);
    let c = router.counters();
    assert_eq!((c.events(), c.routed(), c.rejected()), (4, 3, 1));
}

#[test]
fn rejection_with_continue_lists_every_rejected_index() {
    let log: Log = Rc::default();
    let mut router = Pipeline::new(
        logging(Router::builder(rejecting_table()), &["a"], &log)
            .build()
            .unwrap(),
    )
    .on_reject(OnReject::Continue);
    let buf: Vec<Vec<u8>> = ["us-east-1", "eu-west", "ap-south", "eu-west"]
        .iter()
        .map(|r| encode(Fmt::Json, &left(r)))
        .collect();
    let report = router
        .route_batch(&mut decoder(Fmt::Json), &frames(&buf))
        .unwrap();
    assert_eq!(report.rejections, [0, 2]);
    assert_eq!((report.events, report.routed, report.rejected), (4, 2, 2));
}

#[test]
fn dead_letters_carry_raw_bytes_and_the_typed_error_in_every_format() {
    for fmt in ALL_FORMATS {
        let table = table_from_yaml_str(
            "key: match_id\npartitions: 4\nroutes:\n  - name: eu\n    when: {region: [eu-west]}\n    to: [a]\n",
        )
        .unwrap();
        let letters = Rc::new(RefCell::new(Vec::new()));
        let l = Rc::clone(&letters);
        let router = Router::builder(table)
            .handler("a", infallible(|_, _| {}))
            .dead_letter_fn(move |letter| {
                let what = match letter.reason {
                    DeadLetterReason::Bad(e) => {
                        let e = e.downcast_ref::<DecodeError>().expect("a decode error");
                        format!("decode {:?}", e.category())
                    }
                    DeadLetterReason::Unmatched(e) => format!("unmatched {}", e.region),
                };
                l.borrow_mut()
                    .push((letter.index, letter.raw.to_vec(), what));
            })
            .build()
            .unwrap();
        let mut router = Pipeline::new(router).on_reject(OnReject::Continue);
        let unmatched = encode(fmt, &left("ap-south"));
        let buf = vec![
            encode(fmt, &left("eu-west")),
            GARBAGE.to_vec(),
            unmatched.clone(),
        ];
        let report = router
            .route_batch(&mut decoder(fmt), &frames(&buf))
            .unwrap();
        // The bad frame is rejected, the unmatched one dead-lettered; the
        // sink receives both.
        assert_eq!(
            (report.routed, report.dead_letter, report.rejected),
            (1, 1, 1)
        );
        let letters = letters.borrow();
        assert_eq!(letters.len(), 2);
        assert_eq!((letters[0].0, letters[0].1.as_slice()), (1, GARBAGE));
        assert!(
            // Protobuf reads 0xff as a truncated varint.
            ["decode Syntax", "decode Data", "decode Eof"].contains(&letters[0].2.as_str()),
            "{fmt:?}: {}",
            letters[0].2
        );
        assert_eq!(letters[1], (2, unmatched, "unmatched ap-south".to_owned()));
        assert_eq!(router.counters().decode_errors(), 1);
        assert_eq!(router.counters().dead_letter(), 1);
        assert_eq!(router.counters().rejected(), 1);
    }
}

#[test]
fn validation_failure_is_rejected_with_the_field_named() {
    let table =
        table_from_yaml_str("key: match_id\npartitions: 1\nroutes:\n  - name: all\n    to: [a]\n")
            .unwrap();
    let errors = Rc::new(RefCell::new(Vec::new()));
    let e = Rc::clone(&errors);
    let router = Router::builder(table)
        .handler("a", infallible(|_, _| {}))
        .dead_letter_fn(move |letter| {
            if let DeadLetterReason::Bad(err) = letter.reason {
                let err = err.downcast_ref::<DecodeError>().expect("a decode error");
                e.borrow_mut().push((err.category(), err.path().to_owned()));
            }
        })
        .build()
        .unwrap();
    let mut router = Pipeline::new(router);
    // A region longer than 32 bytes decodes but fails validation.
    let bad = format!(
        "id: e1\nseq: 1\nts: 1\nkind: heartbeat\nplayer_id: p\nregion: {}\n",
        "r".repeat(40)
    );
    let err = router
        .route_batch(&mut decoder(Fmt::Yaml), &[bad.as_bytes()])
        .unwrap_err();
    assert!(matches!(&err.cause, RejectCause::Bad(e) if e.path() == "region"));
    assert_eq!(router.counters().rejected(), 1);
    assert_eq!(*errors.borrow(), [(Category::Data, "region".to_owned())]);
}

#[test]
fn pre_decoded_events_route_like_frames() {
    let table = table_from_yaml_str(crate::support::EXAMPLE_TABLE).unwrap();
    let names: Vec<String> = table
        .handler_names()
        .iter()
        .map(|h| h.to_string())
        .collect();
    let build = || {
        let mut b = Router::builder(table.clone());
        for n in &names {
            b = b.handler(n.clone(), infallible(|_, _| {}));
        }
        Pipeline::new(b.build().unwrap())
    };
    let events = corpus(3, 500);
    let arena = Bump::new();
    let views: Vec<_> = events.iter().map(|e| e.as_view(&arena)).collect();
    let mut by_events = build();
    by_events.route_events(&views).unwrap();
    let buf: Vec<Vec<u8>> = events.iter().map(|e| encode(Fmt::Proto, e)).collect();
    let mut by_frames = build();
    by_frames
        .route_batch(&mut decoder(Fmt::Proto), &frames(&buf))
        .unwrap();
    assert_eq!(by_events.counters(), by_frames.counters());
    assert_eq!(by_events.counters().events(), 500);
    assert!(
        by_events.counters().dead_letter() > 0,
        "the example table leaves some kinds unrouted"
    );
}

#[test]
fn handlers_can_be_read_back_by_name_and_type() {
    let table = table_from_yaml_str(
        "key: match_id\npartitions: 1\nroutes:\n  - name: s\n    when: {kind: [clue_found]}\n    to: [scoring]\n",
    )
    .unwrap();
    let mut router = Pipeline::new(
        Router::builder(table)
            .handler("scoring", Scoreboard::new())
            .build()
            .unwrap(),
    );
    let clue = OwnedEvent {
        payload: OwnedPayload::ClueFound {
            clue_id: "c".into(),
            zone: "z".into(),
            position: Default::default(),
            tags: vec![],
            points: 40,
            hint_used: false,
            note: None,
        },
        ..left("eu-west")
    };
    let buf = vec![encode(Fmt::Proto, &clue), encode(Fmt::Proto, &clue)];
    router
        .route_batch(&mut decoder(Fmt::Proto), &frames(&buf))
        .unwrap();
    let board = router.router().handler::<Scoreboard>("scoring").unwrap();
    assert_eq!(board.points("m-1", "plr_1"), Some(80));
    assert!(router.router().handler::<Scoreboard>("nope").is_none());
    assert!(
        router
            .router_mut()
            .handler_mut::<Scoreboard>("scoring")
            .is_some()
    );
}

#[test]
fn counters_serialize_as_the_cli_summary() {
    let table = table_from_yaml_str(
        "key: match_id\npartitions: 2\nroutes:\n  - name: eu\n    when: {region: [eu-west]}\n    to: [a]\nunmatched: drop\n",
    )
    .unwrap();
    let mut router = Pipeline::new(
        Router::builder(table)
            .handler("a", infallible(|_, _| {}))
            .build()
            .unwrap(),
    );
    let buf = vec![
        encode(Fmt::Json, &left("eu-west")),
        encode(Fmt::Json, &left("ap-south")),
    ];
    router
        .route_batch(&mut decoder(Fmt::Json), &frames(&buf))
        .unwrap();
    let p = (event_router::fnv1a64(b"m-1") % 2) as usize;
    let mut parts = [0, 0];
    parts[p] = 1;
    let json = serde_json::to_string(router.counters()).unwrap();
    assert_eq!(
        json,
        format!(
            "{{\"events\":2,\"routed\":1,\"dead_letter\":0,\"dropped\":1,\"rejected\":0,\"routes\":{{\"eu\":1}},\"handlers\":{{\"a\":1}},\"partitions\":[{},{}]}}",
            parts[0], parts[1]
        )
    );
}
