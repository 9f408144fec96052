//! `run_replay` against the stub.

use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use veltrix_load::{ReplayArgs, run_replay};

use crate::stub::{Answer, Behaviour, Stub};

const YAML_EVENT: &str =
    "id: e-1\nseq: 1\nts: 1715954400000\nkind: heartbeat\nplayer_id: plr_000001\nregion: eu-west\n";
const JSON_EVENT: &str = r#"{"id":"e-2","seq":2,"ts":1715954400001,"kind":"heartbeat","player_id":"plr_000002","region":"eu-west"}"#;

fn record(outcome: &str, content_type: &str, event: &[u8]) -> String {
    serde_json::json!({
        "ts": "2026-12-02T03:00:00.123Z",
        "outcome": outcome,
        "reason": "no route matched",
        "content_type": content_type,
        "event": BASE64_STANDARD.encode(event),
    })
    .to_string()
}

#[test]
fn replay_sends_every_good_line_in_order_and_reports_the_bad_ones() {
    let busy_once = std::sync::atomic::AtomicBool::new(true);
    let stub = Stub::start(Behaviour {
        answer: Box::new(move |_, post| {
            if post.content_type.as_deref() == Some("application/json") {
                Answer::Status(422)
            } else if post.content_type.as_deref() == Some("application/x-protobuf")
                && busy_once.swap(false, std::sync::atomic::Ordering::Relaxed)
            {
                Answer::Busy
            } else {
                Answer::Status(200)
            }
        }),
        ..Behaviour::default()
    });
    let proto = b"\x0a\x03e-3";
    let lines = [
        record("dead_letter", "application/yaml", YAML_EVENT.as_bytes()),
        "{\"ts\": \"2026-12-02T03:00:00.200Z\", \"outcome\": \"rejected\", \"content_t".to_owned(),
        record("rejected", "application/json", JSON_EVENT.as_bytes()),
        r#"{"outcome":"rejected","content_type":"application/yaml","event":"not base64!"}"#
            .to_owned(),
        record("dead_letter", "application/yaml", b""),
        String::new(),
        record("dead_letter", "application/x-protobuf", proto),
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dead-letters.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();

    let summary = run_replay(&ReplayArgs::new(&file, stub.url())).unwrap();
    assert_eq!(summary.lines, 7);
    assert_eq!(summary.sent, 3);
    assert_eq!(summary.skipped, 4);
    assert_eq!(summary.skipped_lines, [2, 4, 5, 6]);
    assert_eq!(summary.ok, 2);
    assert_eq!(summary.http_errors.get(&422), Some(&1));
    assert_eq!(summary.transport_errors, 0);
    assert_eq!(summary.outcomes.events, 3);
    assert_eq!(summary.outcomes.routed, 2);
    assert_eq!(summary.outcomes.rejected, 1);
    assert!(!summary.is_clean());

    // The protobuf line was answered 503 once and sent again.
    let posts = stub.posts();
    let sent: Vec<(&str, &[u8])> = posts
        .iter()
        .map(|p| (p.content_type.as_deref().unwrap(), &p.body[..]))
        .collect();
    assert_eq!(
        sent,
        [
            ("application/yaml", YAML_EVENT.as_bytes()),
            ("application/json", JSON_EVENT.as_bytes()),
            ("application/x-protobuf", &proto[..]),
            ("application/x-protobuf", &proto[..]),
        ]
    );
    assert!(posts.iter().all(|p| p.path == "/v1/events"));

    // The summary's JSON form is flat, as the service's own counts are.
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["routed"], 2);
    assert_eq!(json["http_errors"]["422"], 1);
}

#[test]
fn replay_over_a_unix_socket_and_a_missing_file() {
    let stub = Stub::start(Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dl.jsonl");
    std::fs::write(
        &file,
        record("dead_letter", "application/yaml", YAML_EVENT.as_bytes()),
    )
    .unwrap();
    let mut args = ReplayArgs::new(&file, "http://veltrix.local");
    args.unix = Some(stub.unix.clone());
    let summary = run_replay(&args).unwrap();
    assert_eq!((summary.lines, summary.sent, summary.ok), (1, 1, 1));
    assert!(summary.is_clean());
    assert_eq!(stub.posts()[0].host.as_deref(), Some("veltrix.local"));

    let missing = ReplayArgs::new(dir.path().join("nope.jsonl"), stub.url());
    let e = run_replay(&missing).unwrap_err();
    assert!(format!("{e:#}").contains("nope.jsonl"), "{e:#}");
}
