//! `run_load` against the stub.

use std::collections::HashSet;
use std::time::Duration;

use event_decode::{Bump, DecodeConfig, Format};
use event_model::OwnedEvent;
use veltrix_load::{LoadArgs, WireFormat, run_load};

use crate::stub::{Answer, Behaviour, Received, Stub};

/// The events of a received body, decoded by its content type.
fn events_of(post: &Received) -> Vec<OwnedEvent> {
    let arena = Bump::new();
    let (format, stream) = match post.content_type.as_deref() {
        Some("application/yaml") => (Format::Yaml, true),
        Some("application/json") => (Format::Json, false),
        Some("application/x-ndjson") => (Format::Json, true),
        Some("application/x-protobuf") => (Format::Protobuf, false),
        Some("application/x-protobuf-delimited") => (Format::Protobuf, true),
        other => panic!("unexpected content type {other:?}"),
    };
    if !stream {
        let event = event_decode::from_slice(format, &post.body, &arena)
            .unwrap_or_else(|e| panic!("{format:?} body does not decode: {e}"));
        return vec![event.to_owned()];
    }
    let cfg = DecodeConfig::new();
    let mut frames = format.frames(&post.body[..], &cfg);
    let mut events = Vec::new();
    while let Some(frame) = frames.next_frame().unwrap() {
        let event = event_decode::from_slice(format, frame.bytes, &arena)
            .unwrap_or_else(|e| panic!("{format:?} frame does not decode: {e}"));
        events.push(event.to_owned());
    }
    events
}

fn quiet(url: String, rate: f64, duration: f64) -> LoadArgs {
    let mut args = LoadArgs::new(url, rate, duration);
    args.quiet = true;
    args.connections = 4;
    args
}

#[test]
fn tcp_yaml_at_500_per_second_sends_the_schedule_paced_and_unique() {
    let stub = Stub::start(Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let mut args = LoadArgs::new(stub.url(), 500.0, 2.0);
    args.connections = 8;
    args.players = 1000;
    args.json = Some(dir.path().join("report.json"));
    args.svg = Some(dir.path().join("latency.svg"));
    let report = run_load(&args).unwrap();

    let posts = stub.posts();
    assert_eq!(report.requests, 1000);
    assert_eq!(posts.len() as u64, report.sent);
    assert_eq!((report.sent, report.ok, report.unsent), (1000, 1000, 0));
    assert_eq!(report.transport_errors, 0);
    assert!(report.http_errors.is_empty());
    assert_eq!((report.events_sent, report.outcomes.routed), (1000, 1000));
    assert_eq!(report.latency.count, 1000);
    assert!(report.is_clean());
    // Paced, not blasted: the last request is due 1.998 s after the first,
    // so it cannot arrive sooner.
    let spread = posts.last().unwrap().at - posts.first().unwrap().at;
    assert!(spread >= Duration::from_millis(1990), "{spread:?}");
    assert!(report.elapsed_s >= 2.0, "{}", report.elapsed_s);
    assert!(report.achieved_rate <= 500.0, "{}", report.achieved_rate);

    let mut ids = HashSet::new();
    for post in &posts {
        assert_eq!(post.path, "/v1/events");
        assert_eq!(post.host.as_deref(), Some(stub.addr.to_string().as_str()));
        assert_eq!(post.content_type.as_deref(), Some("application/yaml"));
        let events = events_of(post);
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert!(ids.insert(e.id.clone()), "id {} sent twice", e.id);
        assert!(e.id.starts_with(&report.id_prefix));
        let player: u32 = e.player_id["plr_".len()..].parse().unwrap();
        assert!(player < 1000, "{}", e.player_id);
    }

    assert_eq!(report.rss.start_bytes, Some(25_000_000));
    assert_eq!(report.rss.max_bytes, Some(25_000_000));
    assert_eq!(report.rss.end_bytes, Some(25_000_000));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["requests"], 1000);
    assert_eq!(json["rss"]["start_bytes"], 25_000_000);
    assert!(json["latency"]["p99_us"].as_f64().unwrap() > 0.0);
    let svg = std::fs::read_to_string(dir.path().join("latency.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("target 1 ms") && svg.contains("99.9%"));
    assert!(report.table().contains("p99"));
}

#[test]
fn every_format_and_batch_over_a_unix_socket() {
    let cases = [
        (WireFormat::Json, 1, "application/json"),
        (WireFormat::Json, 3, "application/x-ndjson"),
        (WireFormat::Proto, 1, "application/x-protobuf"),
        (WireFormat::Proto, 4, "application/x-protobuf-delimited"),
        (WireFormat::Yaml, 2, "application/yaml"),
    ];
    for (format, batch, content_type) in cases {
        let stub = Stub::start(Behaviour {
            metrics: None,
            ..Behaviour::default()
        });
        let mut args = quiet("http://veltrix.local/".to_owned(), 200.0, 0.5);
        args.unix = Some(stub.unix.clone());
        args.format = format;
        args.batch = batch;
        args.id_prefix = Some("t2".to_owned());
        let report = run_load(&args).unwrap();
        let what = format!("{format:?} x{batch}");
        assert_eq!(report.content_type, content_type, "{what}");
        assert_eq!((report.requests, report.ok), (100, 100), "{what}");
        assert_eq!(report.events_sent, 100 * u64::from(batch), "{what}");
        assert_eq!(report.outcomes.events, 100 * u64::from(batch), "{what}");
        assert_eq!(
            report.rss.start_bytes, None,
            "{what}: no metric is not an error"
        );

        let posts = stub.posts();
        assert_eq!(posts.len(), 100, "{what}");
        let mut ids = Vec::new();
        for post in &posts {
            assert_eq!(post.host.as_deref(), Some("veltrix.local"), "{what}");
            assert_eq!(post.content_type.as_deref(), Some(content_type), "{what}");
            let events = events_of(post);
            assert_eq!(events.len(), batch as usize, "{what}");
            ids.extend(events.into_iter().map(|e| e.id));
        }
        ids.sort();
        let expected: Vec<String> = (0..100 * u64::from(batch))
            .map(|n| format!("t2-{n:012}"))
            .collect();
        assert_eq!(ids, expected, "{what}: every id once");
    }
}

#[test]
fn a_slow_service_makes_requests_queue_and_the_queueing_is_measured() {
    let delay = Duration::from_millis(20);
    let stub = Stub::start(Behaviour {
        delay,
        ..Behaviour::default()
    });
    // Two connections of 20 ms each serve 100 requests/s; 200/s are due, so
    // by the end of the second a request waits about a second for a free
    // connection. A closed-loop client would report about 20 ms.
    let mut args = quiet(stub.url(), 200.0, 1.0);
    args.connections = 2;
    let report = run_load(&args).unwrap();
    assert_eq!((report.requests, report.ok), (200, 200));
    assert!(report.latency.p50_us >= 20_000.0, "{:?}", report.latency);
    assert!(report.latency.p99_us >= 300_000.0, "{:?}", report.latency);
    assert!(report.latency.max_us >= report.latency.p99_us);
    assert!(!report.p99_target_met);
    assert!(report.achieved_rate < 150.0, "{}", report.achieved_rate);
}

#[test]
fn statuses_and_broken_connections_are_counted_and_survived() {
    let stub = Stub::start(Behaviour {
        answer: Box::new(|n, _| match n % 10 {
            3 => Answer::Hang,
            5 => Answer::Status(422),
            7 => Answer::Busy,
            _ => Answer::Status(200),
        }),
        ..Behaviour::default()
    });
    let report = run_load(&quiet(stub.url(), 200.0, 1.0)).unwrap();
    assert_eq!(stub.posts().len(), 200);
    assert_eq!(stub.hung(), 20);
    assert_eq!(report.sent, 200);
    assert_eq!(report.transport_errors, 20, "{report:#?}");
    assert_eq!(report.transport_errors_by_kind.get("exchange"), Some(&20));
    assert!(report.reconnects >= 20, "{}", report.reconnects);
    assert_eq!(report.http_errors.get(&422), Some(&20));
    assert_eq!(report.http_errors.get(&503), Some(&20));
    assert_eq!((report.ok, report.responses), (140, 180));
    assert_eq!(report.outcomes.rejected, 20);
    // The 503 body carries no counts.
    assert_eq!(report.unreadable_bodies, 20);
    assert!(!report.is_clean());
}

#[test]
fn warmup_requests_are_sent_but_not_reported() {
    let stub = Stub::start(Behaviour::default());
    let mut args = quiet(stub.url(), 200.0, 0.5);
    args.warmup = 0.5;
    args.id_prefix = Some("warm".to_owned());
    let report = run_load(&args).unwrap();
    let posts = stub.posts();
    assert_eq!(posts.len(), 200);
    assert_eq!((report.requests, report.sent, report.ok), (100, 100, 100));
    assert_eq!(report.latency.count, 100);
    let ids: HashSet<String> = posts.iter().flat_map(events_of).map(|e| e.id).collect();
    assert_eq!(ids.len(), 200);
}

#[test]
fn a_target_that_is_not_there_is_an_error_not_a_report() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let e = run_load(&quiet(format!("http://127.0.0.1:{port}"), 10.0, 1.0)).unwrap_err();
    assert!(
        format!("{e:#}").contains("cannot open 4 connections"),
        "{e:#}"
    );

    let dir = tempfile::tempdir().unwrap();
    let mut args = quiet("http://h".to_owned(), 10.0, 1.0);
    args.unix = Some(dir.path().join("missing.sock"));
    let e = run_load(&args).unwrap_err();
    assert!(format!("{e:#}").contains("missing.sock"), "{e:#}");
}
