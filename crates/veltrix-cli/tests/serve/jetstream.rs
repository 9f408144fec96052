//! SPEC §7 against a real `nats-server -js` that each test starts on a free
//! port with its own store, and stops: `veltrix publish`, and instances of
//! `veltrix serve --consume` sharing the 16 partitions of the example table.
//!
//! The test of two instances sharing the partitions publishes the issue's
//! 100,000 events; the others use 20,000 or fewer, as many as they need to
//! show their point, so that the whole file stays near a minute on the
//! 2-core CI machine.

//!
//! This module starts the servers and holds the helpers; the tests are in
//! [`routing`], [`recovery`] and [`startup`].

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use event_jetstream::async_nats;
use event_jetstream::async_nats::jetstream::consumer::{Info, pull};
use serde_json::Value;
use tempfile::TempDir;

use super::harness::{Server, routes_yaml};

mod recovery;
mod routing;
mod startup;

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
