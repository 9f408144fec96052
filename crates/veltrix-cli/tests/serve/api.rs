//! Every content type, status code and endpoint of SPEC §6, on both kinds of
//! listener.

use serde_json::Value;

use super::harness::{Server, metric, unprefixed};
use crate::common::generated;

fn outcomes(reply: &Value) -> Vec<String> {
    reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_content_type_over_both_listeners() {
    let server = Server::start(&[]);
    let yaml = generated(5, 11, "yaml");
    let ndjson = generated(4, 12, "json");
    let one_json = generated(1, 13, "json");
    let delimited = generated(3, 14, "proto");
    let one_proto = unprefixed(&generated(1, 15, "proto"));
    let cases: [(&str, &[u8], usize); 6] = [
        ("application/yaml", &yaml, 5),
        ("text/yaml; charset=utf-8", &generated(2, 16, "yaml"), 2),
        ("application/x-ndjson", &ndjson, 4),
        ("application/json", &one_json, 1),
        ("application/x-protobuf-delimited", &delimited, 3),
        ("application/x-protobuf", &one_proto, 1),
    ];
    let mut sent = 0;
    for (i, (ct, body, n)) in cases.iter().enumerate() {
        let mut conn = if i % 2 == 0 {
            server.unix_conn()
        } else {
            server.tcp_conn()
        };
        let r = conn.request("POST", "/v1/events", Some(ct), body).unwrap();
        assert_eq!(r.status, 200, "{ct}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"));
        let v = r.json();
        assert_eq!(v["events"], *n, "{ct}");
        let routed = v["routed"].as_u64().unwrap() + v["dead_letter"].as_u64().unwrap();
        assert_eq!(routed, *n as u64, "{ct}: {v}");
        for (index, r) in v["results"].as_array().unwrap().iter().enumerate() {
            assert_eq!(r["index"], index);
            assert!(r["id"].is_string(), "{r}");
            if r["outcome"] == "routed" {
                assert!(r["partition"].as_u64().unwrap() < 16);
                assert!(!r["handlers"].as_array().unwrap().is_empty());
            }
        }
        sent += n;
    }
    let stats = server
        .unix_conn()
        .request("GET", "/v1/stats", None, b"")
        .unwrap()
        .json();
    assert_eq!(stats["events"], sent);
}

#[test]
fn a_bad_event_is_422_with_every_result_listed() {
    let server = Server::start(&[]);
    let good = String::from_utf8(generated(2, 21, "yaml")).unwrap();
    let good = good.strip_prefix("---\n").unwrap_or(&good);
    let body = format!("{good}---\nid: bad-1\nseq: 9\npayload: [\n---\n{good}");
    let mut conn = server.unix_conn();
    let r = conn
        .request(
            "POST",
            "/v1/events",
            Some("application/yaml"),
            body.as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 422, "{}", r.text());
    let v = r.json();
    assert_eq!(v["events"], 5);
    assert_eq!(v["rejected"], 1);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(results[2]["outcome"], "rejected");
    // It did not decode, but its id could be read (SPEC section 6).
    assert_eq!(results[2]["id"], "bad-1");
    let error = results[2]["error"].as_str().unwrap();
    assert!(
        error.starts_with("event 3, line "),
        "the error is positioned in the body: {error}"
    );
    assert!(!error.starts_with("error: "));
    // The same ids again: the routed ones are duplicates now; the
    // rejected one is rejected again (rejected ids are not remembered).
    let again = conn
        .request(
            "POST",
            "/v1/events",
            Some("application/yaml"),
            body.as_bytes(),
        )
        .unwrap();
    assert_eq!(
        outcomes(&again.json()),
        [
            "duplicate",
            "duplicate",
            "rejected",
            "duplicate",
            "duplicate"
        ]
    );
}

/// Method, path, content type, body, expected status.
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Vec<u8>,
    u16,
);

#[test]
fn status_codes() {
    let server = Server::start(&["--max-body", "2KiB"]);
    let yaml = generated(1, 31, "yaml");
    let cases: Vec<Case> = vec![
        (
            "POST",
            "/v1/events",
            Some("application/yaml"),
            yaml.clone(),
            200,
        ),
        (
            "POST",
            "/v1/events",
            Some("application/yaml"),
            Vec::new(),
            400,
        ),
        (
            "POST",
            "/v1/events",
            Some("application/yaml"),
            b"# only a comment\n".to_vec(),
            400,
        ),
        // A length prefix running past the end of the body.
        (
            "POST",
            "/v1/events",
            Some("application/x-protobuf-delimited"),
            vec![0x40, 1, 2],
            400,
        ),
        ("POST", "/v1/events", Some("text/plain"), yaml.clone(), 415),
        ("POST", "/v1/events", None, yaml.clone(), 415),
        ("GET", "/v1/events", None, Vec::new(), 405),
        ("POST", "/v1/stats", None, Vec::new(), 405),
        ("GET", "/nope", None, Vec::new(), 404),
        ("GET", "/v1/scoreboard/m-unknown", None, Vec::new(), 404),
        ("GET", "/healthz", None, Vec::new(), 200),
        ("GET", "/v1/matchmaking", None, Vec::new(), 200),
    ];
    for (method, path, ct, body, status) in cases {
        // A refusal that leaves the body unread closes the connection.
        let mut c = server.tcp_conn();
        let r = c.request(method, path, ct, &body).unwrap();
        assert_eq!(r.status, status, "{method} {path} {ct:?}: {}", r.text());
        if status == 405 {
            assert!(r.header("allow").is_some());
        }
        if status >= 400 && path != "/healthz" {
            assert!(r.json()["error"].is_string(), "{}", r.text());
        }
    }
    // Past --max-body: 413, and the connection is closed.
    let mut c = server.tcp_conn();
    let big = generated(10, 32, "yaml");
    assert!(big.len() > 2048);
    let r = c
        .request("POST", "/v1/events", Some("application/yaml"), &big)
        .unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(r.header("connection"), Some("close"));
    // Echoed input is escaped.
    let mut c = server.tcp_conn();
    let r = c
        .request("POST", "/v1/events", Some("text/x\"y"), b"x")
        .unwrap();
    assert_eq!(r.status, 415);
    let message = r.json()["error"].as_str().unwrap().to_owned();
    assert!(message.contains(r#""text/x\"y""#), "{message}");
}

#[test]
fn metrics_and_stats_count_what_was_sent() {
    let server = Server::start(&[]);
    let mut c = server.unix_conn();
    let body = generated(40, 41, "yaml");
    let r = c
        .request("POST", "/v1/events", Some("application/yaml"), &body)
        .unwrap()
        .json();
    let bad = c
        .request(
            "POST",
            "/v1/events",
            Some("application/json"),
            b"{\"id\": 1}",
        )
        .unwrap();
    assert_eq!(bad.status, 422);
    let again = c
        .request("POST", "/v1/events", Some("application/yaml"), &body)
        .unwrap()
        .json();
    assert_eq!(again["duplicate"], 40);
    let m = c.request("GET", "/metrics", None, b"").unwrap();
    assert_eq!(m.status, 200);
    let text = m.text();
    let get = |k: &str| metric(&text, k).unwrap_or_else(|| panic!("{k} missing:\n{text}"));
    assert_eq!(
        get("veltrix_events_total{outcome=\"routed\"}"),
        r["routed"].as_f64().unwrap()
    );
    assert_eq!(
        get("veltrix_events_total{outcome=\"dead_letter\"}"),
        r["dead_letter"].as_f64().unwrap()
    );
    assert_eq!(get("veltrix_events_total{outcome=\"rejected\"}"), 1.0);
    assert_eq!(get("veltrix_events_total{outcome=\"duplicate\"}"), 40.0);
    assert!(get("process_resident_memory_bytes") > 1e6);
    assert!(text.contains("veltrix_request_duration_seconds_bucket"));
    assert!(get("veltrix_request_duration_seconds_count") >= 3.0);
    let stats = c.request("GET", "/v1/stats", None, b"").unwrap().json();
    let n = |k: &str| stats[k].as_u64().unwrap();
    assert_eq!(n("events"), 81);
    assert_eq!(
        n("events"),
        n("routed") + n("dead_letter") + n("dropped") + n("rejected") + n("duplicate")
    );
    let per_route: f64 = stats["routes"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, v)| {
            let m = get(&format!("veltrix_route_events_total{{route=\"{name}\"}}"));
            assert_eq!(m, v.as_f64().unwrap(), "route {name}");
            m
        })
        .sum();
    assert!(per_route >= n("routed") as f64);
    for (name, v) in stats["handlers"].as_object().unwrap() {
        let m = get(&format!(
            "veltrix_handler_events_total{{handler=\"{name}\"}}"
        ));
        assert_eq!(m, v.as_f64().unwrap(), "handler {name}");
    }
    let partitions: u64 = stats["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap())
        .sum();
    assert_eq!(partitions, n("routed"), "partitions count routed events");
}

/// A `match_requested` event for `player` (solo, eu-west, skill 1000).
fn request(player: &str, seq: u32) -> String {
    format!(
        "id: req-{player}\nseq: {seq}\nts: 2026-01-01T00:00:{:02}Z\nkind: match_requested\n\
         player_id: {player}\nregion: eu-west\npayload:\n  skill: 1000\n  party: []\n  \
         modes: [solo]\n  max_latency_ms: 100\n",
        seq % 60
    )
}

#[test]
fn order_holds_across_two_connections_and_matches_show_players() {
    // One HTTP thread: the router runs on it.
    order_holds_across_two_connections(&[]);
}

#[test]
fn order_holds_with_the_router_on_its_own_thread() {
    // Several HTTP threads: the router has its own thread and queue.
    order_holds_across_two_connections(&["--http-threads", "2"]);
}

fn order_holds_across_two_connections(extra: &[&str]) {
    let server = Server::start(extra);
    let mut a = server.unix_conn();
    let mut b = server.tcp_conn();
    let mut expected = Vec::new();
    for i in 0..8u32 {
        let (conn, player) = if i % 2 == 0 {
            (&mut a, format!("plr_a{i}"))
        } else {
            (&mut b, format!("plr_b{i}"))
        };
        let r = conn
            .request(
                "POST",
                "/v1/events",
                Some("application/yaml"),
                request(&player, i).as_bytes(),
            )
            .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(outcomes(&r.json()), ["routed"]);
        expected.push(player);
    }
    let mm = a
        .request("GET", "/v1/matchmaking", None, b"")
        .unwrap()
        .json();
    let players: Vec<&str> = mm["matches"][0]["players"]
        .as_array()
        .unwrap_or_else(|| panic!("no match formed: {mm}"))
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        players, expected,
        "the handler saw the events in the order accepted"
    );
    assert_eq!(mm["matches_formed"], 1);
    assert_eq!(mm["matches"][0]["region"], "eu-west");
}

#[test]
fn scoreboard_of_a_live_match() {
    let server = Server::start(&[]);
    let clue = |id: &str, player: &str, points: u32| {
        format!(
            "id: {id}\nseq: 1\nts: 2026-01-01T00:00:00Z\nkind: clue_found\nplayer_id: {player}\n\
             match_id: m-77\nregion: eu-west\npayload:\n  clue_id: c1\n  zone: caves\n  \
             position: {{x: 1.0, y: 2.0, z: 0.0}}\n  tags: []\n  points: {points}\n  \
             hint_used: false\n"
        )
    };
    let body = format!(
        "{}---\n{}---\n{}",
        clue("e1", "plr_x", 10),
        clue("e2", "plr_y", 30),
        clue("e3", "plr_x", 5)
    );
    let mut c = server.unix_conn();
    let r = c
        .request(
            "POST",
            "/v1/events",
            Some("application/yaml"),
            body.as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let board = c.request("GET", "/v1/scoreboard/m-77", None, b"").unwrap();
    assert_eq!(board.status, 200);
    assert_eq!(
        board.json()["standings"],
        serde_json::json!([{"player": "plr_y", "points": 30}, {"player": "plr_x", "points": 15}])
    );
}

#[test]
fn dead_letters_are_kept_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dead.jsonl");
    let server = Server::start(&["--dead-letters", file.to_str().unwrap()]);
    let body = b"id: x-1\nseq: nope\n";
    let r = server
        .unix_conn()
        .request("POST", "/v1/events", Some("application/yaml"), body)
        .unwrap();
    assert_eq!(r.status, 422);
    let (status, _) = server.stop("TERM");
    assert!(status.success());
    let text = std::fs::read_to_string(&file).unwrap();
    let line: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["outcome"], "rejected");
    assert_eq!(line["content_type"], "application/yaml");
    assert!(
        line["error"]
            .as_str()
            .unwrap()
            .starts_with("event 1, line 2")
    );
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(line["event"].as_str().unwrap())
        .unwrap();
    assert_eq!(bytes, body);
}
