//! SPEC §7 against a real `nats-server -js` that each test starts on a free
//! port with its own store, and stops: `veltrix publish`, and instances of
//! `veltrix serve --consume` sharing the 16 partitions of the example table.
//!
//! The test of two instances sharing the partitions publishes the issue's
//! 100,000 events; the others use 20,000 or fewer, as many as they need to
//! show their point, so that the whole file stays near a minute on the
//! 2-core CI machine.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use event_jetstream::async_nats;
use event_jetstream::async_nats::jetstream::consumer::{Info, pull};
use serde_json::Value;
use tempfile::TempDir;

use super::harness::{Server, routes_yaml};

/// Events of the tests of a kill and of a server restart.
const EVENTS: u64 = 20_000;
/// Events of the test of two instances sharing the partitions (the issue's
/// figure).
const MANY_EVENTS: u64 = 100_000;

/// A `nats-server -js` on a free port, killed on drop.
struct Nats {
    child: Child,
    url: String,
    port: u16,
    store: TempDir,
}

impl Nats {
    fn start() -> Nats {
        let found = Command::new("nats-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        assert!(
            found.is_ok_and(|s| s.success()),
            "nats-server is not installed: these tests need a real NATS server with JetStream \
             (apt-get install nats-server, or any nats-server 2.9+ on PATH)"
        );
        let store = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = spawn_server(port, store.path());
        Nats {
            child,
            url: format!("nats://127.0.0.1:{port}"),
            port,
            store,
        }
    }

    /// Stops the server (SIGTERM) and waits for it to exit.
    fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same port and store.
    fn restart(&mut self) {
        self.child = spawn_server(self.port, self.store.path());
    }

    /// The durable consumers' state, partition by partition.
    fn consumers(&self, partitions: std::ops::RangeInclusive<u32>) -> Vec<Info> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let client = async_nats::connect(&self.url).await.unwrap();
            let js = async_nats::jetstream::new(client);
            let stream = js.get_stream("VELTRIX_EVENTS").await.unwrap();
            let mut out = Vec::new();
            for k in partitions {
                let c: async_nats::jetstream::consumer::Consumer<pull::Config> =
                    stream.get_consumer(&format!("veltrix-p{k}")).await.unwrap();
                out.push(c.get_info().await.unwrap());
            }
            out
        })
    }

    /// How many messages a stream holds.
    fn stream_messages(&self, name: &str) -> u64 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let client = async_nats::connect(&self.url).await.unwrap();
            let js = async_nats::jetstream::new(client);
            let stream = js.get_stream(name).await.unwrap();
            stream.get_info().await.unwrap().state.messages
        })
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `nats-server -js` and waits until it listens.
fn spawn_server(port: u16, store: &Path) -> Child {
    let child = Command::new("nats-server")
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nats-server starts");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "nats-server did not listen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn veltrix() -> Command {
    Command::new(env!("CARGO_BIN_EXE_veltrix"))
}

/// `veltrix gen` into a file.
fn corpus(dir: &Path, count: u64) -> PathBuf {
    let path = dir.join("events.jsonl");
    let out = veltrix()
        .args(["gen", "--count", &count.to_string(), "--seed", "15"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(&path, out.stdout).unwrap();
    path
}

/// What `veltrix route` says of the file: the reference counts.
fn reference(events: &Path) -> Value {
    let out = veltrix()
        .args(["route", "--config"])
        .arg(routes_yaml())
        .args(["--format", "json"])
        .arg(events)
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The order chain of `veltrix serve`'s `partition_order` (see the
/// event-service crate's docs), recomputed here: FNV-1a 64 continued over
/// each id and one `0xff` byte.
fn order_step(mut h: u64, id: &str) -> u64 {
    for &b in id.as_bytes().iter().chain(&[0xff]) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// Per partition, the order chain of the events of `events` that the
/// router sends to handlers, in the file's order (the publish order): the
/// ids from the file, the partitions and outcomes from `veltrix route
/// --explain`.
fn expected_order(events: &Path) -> Vec<String> {
    expected_order_after(events, &[0; 16])
}

/// Per partition `k`, the order chain of the events after the first
/// `floors[k]` of the stream (the file published once: its `i`-th event
/// is the stream's message `i + 1`).
fn expected_order_after(events: &Path, floors: &[u64; 16]) -> Vec<String> {
    let out = veltrix()
        .args(["route", "--explain", "--config"])
        .arg(routes_yaml())
        .args(["--format", "json"])
        .arg(events)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(events).unwrap();
    let explained = String::from_utf8(out.stdout).unwrap();
    let mut chains = [0xcbf2_9ce4_8422_2325u64; 16];
    let mut count = 0u64;
    for (line, x) in text.lines().zip(explained.lines()) {
        let event: Value = serde_json::from_str(line).unwrap();
        let x: Value = serde_json::from_str(x).unwrap();
        count += 1;
        if x["outcome"] == "routed" {
            let k = x["partition"].as_u64().unwrap() as usize;
            if count <= floors[k] {
                continue;
            }
            chains[k] = order_step(chains[k], event["id"].as_str().unwrap());
        }
    }
    assert_eq!(
        count as usize,
        text.lines().count(),
        "--explain skipped events"
    );
    chains.iter().map(|h| format!("{h:016x}")).collect()
}

/// An instance's `partition_order`.
fn order(v: &Value) -> Vec<String> {
    v["partition_order"]
        .as_array()
        .unwrap_or_else(|| panic!("partition_order in {v}"))
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect()
}

/// `veltrix publish`, its summary.
fn publish(nats: &Nats, events: &Path) -> Value {
    let out = publisher(nats, events, &[]).wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "veltrix publish failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `veltrix publish` started, its output piped.
fn publisher(nats: &Nats, events: &Path, extra: &[&str]) -> Child {
    veltrix()
        .args(["publish", "--nats", &nats.url, "--create", "--config"])
        .arg(routes_yaml())
        .args(["--format", "json"])
        .args(extra)
        .arg(events)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn consumer(nats: &Nats, partitions: &str, extra: &[&str]) -> Server {
    let mut args = vec![
        "--consume",
        &nats.url,
        "--partitions",
        partitions,
        "--create",
    ];
    args.extend_from_slice(extra);
    Server::start(&args)
}

fn stats(server: &Server) -> Value {
    server
        .tcp_conn()
        .request("GET", "/v1/stats", None, b"")
        .unwrap()
        .json()
}

fn n(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// Events an instance handled: routed, dead-lettered or rejected.
fn handled(v: &Value) -> u64 {
    n(v, "routed") + n(v, "dead_letter") + n(v, "rejected")
}

/// Waits until `done` holds of the instances' stats, or fails after 120 s
/// (a generous bound for a loaded CI machine: the tests wait for an
/// outcome, they do not time anything).
fn wait_for(servers: &[&Server], done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let s: Vec<Value> = servers.iter().map(|s| stats(s)).collect();
        if done(&s) {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the consumers did not finish: {s:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn partitions(v: &Value) -> Vec<u64> {
    v["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap())
        .collect()
}

#[test]
fn two_instances_share_the_partitions_in_order_and_a_second_publish_is_all_duplicates() {
    const EVENTS: u64 = MANY_EVENTS;
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let events = corpus(dir.path(), EVENTS);
    let expected = reference(&events);
    let expected_order = expected_order(&events);

    let first = publish(&nats, &events);
    assert_eq!(n(&first, "published"), EVENTS, "{first}");
    assert_eq!(n(&first, "duplicates"), 0, "{first}");
    let again = publish(&nats, &events);
    assert_eq!(n(&again, "published"), 0, "{again}");
    assert_eq!(n(&again, "duplicates"), EVENTS, "{again}");
    assert_eq!(nats.stream_messages("VELTRIX_EVENTS"), EVENTS);

    let low = consumer(&nats, "0-7", &[]);
    let high = consumer(&nats, "8-15", &[]);
    let s = wait_for(&[&low, &high], |s| {
        s.iter().map(|v| n(v, "events")).sum::<u64>() >= EVENTS
    });
    // Every event handled once: no more arrive, none was a repeat.
    std::thread::sleep(Duration::from_millis(300));
    let s2 = [stats(&low), stats(&high)];
    assert_eq!(s, s2, "events kept arriving after all were handled");
    assert_eq!(handled(&s[0]) + handled(&s[1]), EVENTS);
    assert_eq!(n(&s[0], "duplicate") + n(&s[1], "duplicate"), 0);
    assert_eq!(
        n(&s[0], "routed") + n(&s[1], "routed"),
        n(&expected, "routed")
    );
    // Each instance routed exactly its partitions, as many events in each
    // as the router places there.
    let want = partitions(&expected);
    let (p0, p1) = (partitions(&s[0]), partitions(&s[1]));
    for k in 0..16 {
        let (mine, other) = if k < 8 { (&p0, &p1) } else { (&p1, &p0) };
        assert_eq!(mine[k], want[k], "partition {k}");
        assert_eq!(other[k], 0, "partition {k} routed by the wrong instance");
    }
    // Order, as the handlers saw it: in every partition, the chain of the
    // routed ids equals the one of the publish order.
    let (o0, o1) = (order(&s[0]), order(&s[1]));
    for k in 0..16 {
        let mine = if k < 8 { &o0 } else { &o1 };
        assert_eq!(
            mine[k], expected_order[k],
            "partition {k}: the handlers saw its events out of publish order"
        );
    }
    // And as the server saw it: each partition's consumer delivered the
    // stream once, with no redelivery, and every message was acknowledged.
    for info in nats.consumers(0..=15) {
        assert_eq!(info.num_redelivered, 0, "{}", info.name);
        assert_eq!(info.num_ack_pending, 0, "{}", info.name);
        assert_eq!(info.num_pending, 0, "{}", info.name);
        assert_eq!(
            info.ack_floor.consumer_sequence, info.delivered.consumer_sequence,
            "{}",
            info.name
        );
    }
    // Dead letters (and rejected events) went to VELTRIX_DEAD.
    assert_eq!(
        nats.stream_messages("VELTRIX_DEAD"),
        n(&expected, "dead_letter") + n(&expected, "rejected")
    );
}

#[test]
fn an_instance_killed_halfway_and_restarted_loses_nothing() {
    const MAX_ACK_PENDING: u64 = 64;
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let events = corpus(dir.path(), EVENTS);
    assert_eq!(n(&publish(&nats, &events), "published"), EVENTS);

    let flags = ["--max-ack-pending", "64", "--ack-wait", "2"];
    let high = consumer(&nats, "8-15", &flags);
    let low = consumer(&nats, "0-7", &flags);
    let before = wait_for(&[&low], |s| n(&s[0], "events") >= EVENTS / 8);
    low.stop("KILL");
    // Let the acks already on the wire reach the server.
    std::thread::sleep(Duration::from_millis(300));
    let at_kill = nats.consumers(0..=7);
    let acked: u64 = at_kill.iter().map(|i| i.ack_floor.consumer_sequence).sum();
    let pending: u64 = at_kill.iter().map(|i| i.num_ack_pending as u64).sum();
    let undelivered: u64 = at_kill.iter().map(|i| i.num_pending).sum();
    for i in &at_kill {
        assert!(i.num_ack_pending as u64 <= MAX_ACK_PENDING, "{}", i.name);
        assert_eq!(i.num_redelivered, 0, "{}", i.name);
        // Acks are sent in order: everything below the floor is acked.
        assert_eq!(
            i.delivered.consumer_sequence,
            i.ack_floor.consumer_sequence + i.num_ack_pending as u64,
            "{}",
            i.name
        );
    }
    assert!(
        undelivered > 0,
        "the instance had everything before it was killed"
    );
    // The killed instance handled at least what it acknowledged (acks go
    // out only after the handlers ran) and at most what it was delivered.
    let handled_before = handled(&before[0]);
    assert!(
        handled_before <= acked + pending,
        "{handled_before} > {acked} + {pending}"
    );

    let low = consumer(&nats, "0-7", &flags);
    let s = wait_for(&[&low, &high], |s| {
        handled(&s[0]) + handled(&s[1]) >= EVENTS - acked
    });
    std::thread::sleep(Duration::from_millis(300));
    let s2 = [stats(&low), stats(&high)];
    assert_eq!(s, s2, "events kept arriving after all were handled");
    // Nothing lost, nothing extra: the restarted instance and the other
    // one handled exactly what the killed one had not acknowledged. Its
    // window starts empty, so the events the killed one handled without
    // acking are handled again: at most the acks pending at the kill, at
    // most 8 partitions x --max-ack-pending.
    assert_eq!(handled(&s[0]) + handled(&s[1]), EVENTS - acked, "{s:?}");
    assert_eq!(n(&s[0], "duplicate") + n(&s[1], "duplicate"), 0);
    assert!(
        pending <= 8 * MAX_ACK_PENDING,
        "{pending} acks were pending"
    );
    eprintln!(
        "killed after {handled_before} events: {acked} acknowledged, {pending} pending \
         (handled twice at most), {undelivered} not yet delivered"
    );
    for info in nats.consumers(0..=15) {
        assert_eq!(info.num_ack_pending, 0, "{}", info.name);
        assert_eq!(info.num_pending, 0, "{}", info.name);
    }
    // The restarted instance routed its partitions' events from where the
    // killed one's acknowledgements stopped, in publish order.
    let mut floors = [0; 16];
    for (k, i) in at_kill.iter().enumerate() {
        floors[k] = i.ack_floor.stream_sequence;
    }
    let want = expected_order_after(&events, &floors);
    let got = order(&s[0]);
    for k in 0..8 {
        assert_eq!(
            got[k], want[k],
            "partition {k}: out of publish order after the restart"
        );
    }
}

#[test]
fn publishing_and_consuming_ride_out_a_server_restart() {
    let mut nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let events = corpus(dir.path(), EVENTS);
    // A lost ack is redelivered after 2 s, not the default 30.
    let flags = ["--ack-wait", "2"];
    let low = consumer(&nats, "0-7", &flags);
    let high = consumer(&nats, "8-15", &flags);
    // One publication in flight at a time: slow enough to stop the server
    // in the middle.
    let mut publishing = publisher(&nats, &events, &["--max-in-flight", "1"]);
    wait_for(&[&low, &high], |s| {
        s.iter().map(|v| n(v, "events")).sum::<u64>() >= EVENTS / 10
    });
    nats.stop();
    assert!(
        publishing.try_wait().unwrap().is_none(),
        "publishing finished before the server stopped"
    );
    std::thread::sleep(Duration::from_secs(2));
    nats.restart();
    let out = publishing.wait_with_output().unwrap();
    let summary: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("publish: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(out.status.success(), "{summary}");
    // A publication whose ack was lost is sent again: the server's
    // dedupe reports it as a duplicate, so nothing is stored twice.
    assert_eq!(
        n(&summary, "published") + n(&summary, "duplicates"),
        EVENTS,
        "{summary}"
    );
    assert_eq!(n(&summary, "failed"), 0, "{summary}");
    assert_eq!(nats.stream_messages("VELTRIX_EVENTS"), EVENTS);
    // Every event handled once in effect: a message whose ack was lost is
    // delivered again and recognised by its id (counted as duplicate).
    let s = wait_for(&[&low, &high], |s| {
        s.iter().map(handled).sum::<u64>() >= EVENTS && nats_drained(&nats)
    });
    assert_eq!(s.iter().map(handled).sum::<u64>(), EVENTS, "{s:?}");
    // The restart reordered nothing: a redelivery is recognised, never
    // routed ahead of what followed it.
    let want = expected_order(&events);
    let (o0, o1) = (order(&s[0]), order(&s[1]));
    for k in 0..16 {
        let mine = if k < 8 { &o0 } else { &o1 };
        assert_eq!(mine[k], want[k], "partition {k}: out of publish order");
    }
    eprintln!(
        "across the restart: publish {summary}; consumers saw {} redeliveries",
        s.iter().map(|v| n(v, "duplicate")).sum::<u64>()
    );
}

/// Whether every consumer has acknowledged everything.
fn nats_drained(nats: &Nats) -> bool {
    nats.consumers(0..=15)
        .iter()
        .all(|i| i.num_pending == 0 && i.num_ack_pending == 0)
}

#[test]
fn the_ingest_tier_publishes_and_a_consumer_routes() {
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let events = corpus(dir.path(), 1000);
    let mut body = std::fs::read(&events).unwrap();
    body.extend_from_slice(b"{\"not\": \"an event\"}\n");
    let ingest = Server::start(&["--publish-to", &nats.url, "--create"]);
    let mut conn = ingest.tcp_conn();
    let r = conn
        .request("POST", "/v1/events", Some("application/x-ndjson"), &body)
        .unwrap();
    assert_eq!(r.status, 422, "{}", r.text());
    let v = r.json();
    assert_eq!((n(&v, "published"), n(&v, "rejected")), (1000, 1), "{v}");
    assert_eq!(v["results"][0]["outcome"], "published");
    assert!(v["results"][0]["partition"].is_u64());
    assert_eq!(v["results"][1000]["outcome"], "rejected");
    assert!(
        v["results"][1000]["error"]
            .as_str()
            .unwrap()
            .contains("event 1001"),
        "{v}"
    );
    // The same body again: the server has every id.
    let again = conn
        .request("POST", "/v1/events", Some("application/x-ndjson"), &body)
        .unwrap()
        .json();
    assert_eq!((n(&again, "published"), n(&again, "duplicate")), (0, 1000));
    // The ingest tier routed nothing; a consumer routes what it published.
    assert_eq!(n(&stats(&ingest), "events"), 0);
    assert_eq!(nats.stream_messages("VELTRIX_EVENTS"), 1000);
    let all = consumer(&nats, "0-15", &[]);
    let s = wait_for(&[&all], |s| handled(&s[0]) >= 1000);
    assert_eq!(handled(&s[0]), 1000);
}

#[test]
fn an_event_posted_to_one_instance_is_routed_once_by_its_partitions_owner() {
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let events = corpus(dir.path(), 200);
    let low = consumer(&nats, "0-7", &[]);
    let high = consumer(&nats, "8-15", &[]);
    // An event the router sends to handlers, of a partition `high` owns.
    let explained = veltrix()
        .args(["route", "--explain", "--config"])
        .arg(routes_yaml())
        .args(["--format", "json"])
        .arg(&events)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&events).unwrap();
    let (line, k) = text
        .lines()
        .zip(String::from_utf8(explained.stdout).unwrap().lines())
        .find_map(|(line, x)| {
            let x: Value = serde_json::from_str(x).unwrap();
            let k = x["partition"].as_u64()?;
            (x["outcome"] == "routed" && k >= 8).then(|| (line.to_owned(), k as usize))
        })
        .expect("an event routed in partitions 8-15");
    let id = serde_json::from_str::<Value>(&line).unwrap()["id"].clone();

    let mut conn = low.tcp_conn();
    let r = conn
        .request(
            "POST",
            "/v1/events",
            Some("application/json"),
            line.as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["results"][0]["outcome"], "published", "{v}");
    assert_eq!(v["results"][0]["partition"], k as u64, "{v}");
    assert_eq!(v["results"][0]["id"], id, "{v}");
    // Posted again (a client's retry): the server already has the id.
    let again = conn
        .request(
            "POST",
            "/v1/events",
            Some("application/json"),
            line.as_bytes(),
        )
        .unwrap()
        .json();
    assert_eq!(again["results"][0]["outcome"], "duplicate", "{again}");

    let s = wait_for(&[&high], |s| n(&s[0], "routed") >= 1);
    std::thread::sleep(Duration::from_millis(500));
    let s2 = [stats(&low), stats(&high)];
    assert_eq!(s2[1], s[0], "the owner routed more than the one event");
    assert_eq!(n(&s2[1], "routed"), 1, "{}", s2[1]);
    assert_eq!(partitions(&s2[1])[k], 1, "{}", s2[1]);
    assert_eq!(n(&s2[1], "duplicate"), 0, "{}", s2[1]);
    // The instance it was posted to routed nothing.
    assert_eq!(n(&s2[0], "events"), 0, "{}", s2[0]);
    assert_eq!(nats.stream_messages("VELTRIX_EVENTS"), 1);
}

/// `veltrix serve` with `args`, expected to exit at once: (status, stderr).
fn serve_exits(args: &[&str]) -> (Option<i32>, String) {
    let mut child = veltrix()
        .args(["serve", "--config"])
        .arg(routes_yaml())
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("veltrix serve {args:?} did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (status.code(), err)
}

#[test]
fn without_create_a_missing_stream_or_consumer_stops_the_start_with_exit_2() {
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let events = corpus(dir.path(), 10);

    // Nothing exists yet.
    let (code, err) = serve_exits(&["--consume", &nats.url, "--partitions", "0-15"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("the stream VELTRIX_EVENTS") && err.contains("does not exist"),
        "{err}"
    );
    assert!(err.contains("--create"), "{err}");
    // `publish --create` makes VELTRIX_EVENTS; then `publish` without it
    // finds the stream and goes on.
    let out = publisher(&nats, &events, &[]).wait_with_output().unwrap();
    assert!(out.status.success());
    let out = veltrix()
        .args(["publish", "--nats", &nats.url, "--config"])
        .arg(routes_yaml())
        .args(["--format", "json"])
        .arg(&events)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The streams and the consumers of 0-7 made by one instance; 8-15 are
    // still missing, and named.
    let low = consumer(&nats, "0-7", &[]);
    drop(low);
    let (code, err) = serve_exits(&["--consume", &nats.url, "--partitions", "0-15"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("veltrix-p8") && err.contains("veltrix-p15"),
        "{err}"
    );
    assert!(!err.contains("veltrix-p7"), "{err}");
    assert!(err.contains("--create"), "{err}");
    // What exists is enough for 0-7: the instance starts and serves.
    let low = Server::start(&["--consume", &nats.url, "--partitions", "0-7"]);
    assert!(n(&stats(&low), "events") <= 10);
}

#[test]
fn publishing_without_create_to_a_server_without_the_stream_exits_2() {
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let events = corpus(dir.path(), 10);
    let out = veltrix()
        .args(["publish", "--nats", &nats.url, "--config"])
        .arg(routes_yaml())
        .args(["--format", "json"])
        .arg(&events)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the stream VELTRIX_EVENTS does not exist") && err.contains("--create"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}
