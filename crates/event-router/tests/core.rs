//! The router core on its own: events in, outcomes and counters out, no
//! decoder anywhere. Allocation counts are exact (`allocation-counter`
//! installs a counting global allocator in this test binary).

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::rc::Rc;

use event_model::bumpalo::Bump;
use event_model::corpus::corpus;
use event_model::{Event, OwnedEvent};
use event_router::{
    DeadLetterReason, HandlerError, KeyField, Outcome, RouteConfig, RouteSpec, RouteTable, Router,
    Unmatched, When, infallible,
};

fn spec(name: &str, regions: Option<&[&str]>, to: &[&str]) -> RouteSpec {
    RouteSpec {
        name: name.into(),
        when: regions.map(|r| When {
            region: Some(r.iter().map(|s| s.to_string()).collect()),
            ..When::default()
        }),
        to: to.iter().map(|s| s.to_string()).collect(),
        exclusive: false,
    }
}

fn table(unmatched: Unmatched) -> RouteTable {
    RouteTable::new(RouteConfig {
        key: KeyField::PlayerId,
        partitions: 8,
        routes: vec![
            spec("eu", Some(&["eu-west"]), &["a", "b"]),
            spec("eu-again", Some(&["eu-west"]), &["b"]),
        ],
        unmatched,
    })
    .unwrap()
}

fn in_region(region: &str) -> OwnedEvent {
    let mut e = corpus(11, 1).remove(0);
    e.region = region.into();
    e
}

/// A decode error as the pipeline would hand it over: any error type.
#[derive(Debug)]
struct Unreadable;

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("line 1, column 1: not an event")
    }
}

impl Error for Unreadable {}

#[test]
fn each_unmatched_policy_gives_its_outcome_and_count() {
    let arena = Bump::new();
    let eu = in_region("eu-west");
    let us = in_region("us-east-1");
    for (policy, outcome) in [
        (Unmatched::DeadLetter, Outcome::DeadLetter),
        (Unmatched::Drop, Outcome::Dropped),
        (Unmatched::Error, Outcome::Rejected),
    ] {
        let mut router = Router::builder(table(policy))
            .handler("a", infallible(|_, _| {}))
            .handler("b", infallible(|_, _| {}))
            .build()
            .unwrap();
        assert_eq!(router.route(&eu.as_view(&arena)), Outcome::Routed);
        assert_eq!(router.route(&us.as_view(&arena)), outcome, "{policy:?}");
        let c = router.counters();
        assert_eq!(c.events(), 2);
        assert_eq!(c.routed(), 1);
        assert_eq!(
            (c.dead_letter(), c.dropped(), c.rejected()),
            match policy {
                Unmatched::DeadLetter => (1, 0, 0),
                Unmatched::Drop => (0, 1, 0),
                Unmatched::Error => (0, 0, 1),
            }
        );
        // Unmatched under `error` is a rejection, not a decode error.
        assert_eq!(c.decode_errors(), 0);
        assert_eq!(c.route("eu"), Some(1));
        assert_eq!(c.route("eu-again"), Some(1));
        // Each handler once per event, though two routes name `b`.
        assert_eq!((c.handler("a"), c.handler("b")), (Some(1), Some(1)));
    }
}

#[test]
fn a_rejected_frame_is_counted_and_its_bytes_and_error_reach_the_sink() {
    let letters = Rc::new(RefCell::new(Vec::new()));
    let l = Rc::clone(&letters);
    let mut router = Router::builder(table(Unmatched::DeadLetter))
        .handler("a", infallible(|_, _| {}))
        .handler("b", infallible(|_, _| {}))
        .dead_letter_fn(move |letter| {
            let DeadLetterReason::Bad(e) = letter.reason else {
                panic!("not a bad frame: {letter:?}")
            };
            assert!(e.downcast_ref::<Unreadable>().is_some());
            l.borrow_mut()
                .push((letter.index, letter.raw.to_vec(), e.to_string()));
        })
        .build()
        .unwrap();
    let arena = Bump::new();
    router.route(&in_region("eu-west").as_view(&arena));
    let mut explained = None;
    let outcome = router.reject_frame(b"\xff garbage", &Unreadable, |x| {
        explained = Some((
            x.index,
            x.outcome,
            x.partition,
            x.error.map(|e| e.to_string()),
        ));
    });
    assert_eq!(outcome, Outcome::Rejected);
    assert_eq!(
        explained,
        Some((
            1,
            Outcome::Rejected,
            None,
            Some("line 1, column 1: not an event".to_owned())
        ))
    );
    assert_eq!(
        *letters.borrow(),
        [(
            1,
            b"\xff garbage".to_vec(),
            "line 1, column 1: not an event".to_owned()
        )]
    );
    let c = router.counters();
    assert_eq!(
        (c.events(), c.routed(), c.rejected(), c.decode_errors()),
        (2, 1, 1, 1)
    );
}

#[test]
fn handler_failures_are_counted_and_kept_until_the_next_event() {
    let mut router = Router::builder(table(Unmatched::Drop))
        .handler_fn("a", |event: &Event<'_>, _| {
            if event.seq % 2 == 0 {
                Err(HandlerError::new("even"))
            } else {
                Ok(())
            }
        })
        .handler("b", infallible(|_, _| {}))
        .build()
        .unwrap();
    let arena = Bump::new();
    let mut e = in_region("eu-west");
    e.seq = 2;
    assert_eq!(router.route(&e.as_view(&arena)), Outcome::Routed);
    let failures = router.handler_failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].to_string(), "event 0: handler \"a\": even");
    e.seq = 3;
    router.route(&e.as_view(&arena));
    assert!(router.handler_failures().is_empty());
    e.seq = 4;
    router.route(&e.as_view(&arena));
    assert_eq!(router.take_handler_failures().count(), 1);
    assert!(router.handler_failures().is_empty());
    let c = router.counters();
    assert_eq!(c.handler_errors("a"), Some(2));
    assert_eq!(c.handler("a"), Some(3));
    assert_eq!(c.handler("b"), Some(3), "an error does not stop delivery");
}

#[test]
fn routing_an_event_allocates_nothing() {
    let events = corpus(5, 1000);
    let arena = Bump::new();
    let views: Vec<_> = events.iter().map(|e| e.as_view(&arena)).collect();
    let seen = Rc::new(RefCell::new(0u64));
    let s = Rc::clone(&seen);
    let table = RouteTable::new(RouteConfig {
        key: KeyField::MatchId,
        partitions: 16,
        routes: vec![
            spec("all", None, &["a"]),
            spec("eu", Some(&["eu-west"]), &["b"]),
        ],
        unmatched: Unmatched::DeadLetter,
    })
    .unwrap();
    let mut router = Router::builder(table)
        .handler(
            "a",
            infallible(move |_, ctx| *s.borrow_mut() += 1 + u64::from(ctx.partition() > 16)),
        )
        .handler("b", infallible(|_, _| {}))
        .build()
        .unwrap();
    let info = allocation_counter::measure(|| {
        for view in &views {
            router.route(view);
        }
    });
    assert_eq!(*seen.borrow(), 1000);
    assert_eq!(router.counters().routed(), 1000);
    assert_eq!(info.count_total, 0, "{info:?}");
}
