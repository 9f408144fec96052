//! Faults: a signal under load, slow and idle clients, oversize bodies and
//! random bytes.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::harness::{Conn, Server};
use crate::common::generated;

/// SIGTERM while clients send: every event answered `routed` is in the
/// final summary, and nothing is counted that was not sent.
#[test]
fn sigterm_under_load_loses_nothing() {
    let server = Server::start(&["--drain-timeout", "10"]);
    let stop = Arc::new(AtomicBool::new(false));
    let answered_routed = Arc::new(AtomicU64::new(0));
    let answered_events = Arc::new(AtomicU64::new(0));
    let unanswered_events = Arc::new(AtomicU64::new(0));
    let mut clients = Vec::new();
    for t in 0..4u64 {
        let mut conn = if t % 2 == 0 {
            server.unix_conn()
        } else {
            server.tcp_conn()
        };
        conn.set_timeout(Duration::from_secs(20));
        let (stop, routed, events, lost) = (
            stop.clone(),
            answered_routed.clone(),
            answered_events.clone(),
            unanswered_events.clone(),
        );
        clients.push(std::thread::spawn(move || {
            let mut requests = 0u64;
            // Distinct seeds: distinct ids, so nothing is a duplicate.
            for seed in (t * 10_000).. {
                let body = generated(5, seed, "yaml");
                match conn.request("POST", "/v1/events", Some("application/yaml"), &body) {
                    Ok(r) if r.status == 200 => {
                        let v = r.json();
                        routed.fetch_add(v["routed"].as_u64().unwrap(), Ordering::Relaxed);
                        events.fetch_add(v["events"].as_u64().unwrap(), Ordering::Relaxed);
                        requests += 1;
                    }
                    Ok(r) => {
                        assert_eq!(r.status, 503, "{}", r.text());
                        break;
                    }
                    Err(_) => {
                        // Closed by the drain: this request may or may not
                        // have been received.
                        lost.fetch_add(5, Ordering::Relaxed);
                        break;
                    }
                }
                if stop.load(Ordering::Relaxed) && requests > 1000 {
                    break;
                }
            }
            requests
        }));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let (status, stdout) = server.stop("TERM");
    stop.store(true, Ordering::Relaxed);
    let requests: u64 = clients.into_iter().map(|c| c.join().unwrap()).sum();
    assert!(status.success(), "exit status {status}");
    assert!(requests > 10, "the load ran: {requests} requests");
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let routed = summary["routed"].as_u64().unwrap() + summary["dead_letter"].as_u64().unwrap();
    let answered = answered_events.load(Ordering::Relaxed);
    let lost = unanswered_events.load(Ordering::Relaxed);
    assert!(
        routed >= answered,
        "every event answered is in the summary: {routed} < {answered}"
    );
    assert!(
        routed <= answered + lost,
        "nothing counted twice or invented: {routed} > {answered} + {lost}"
    );
    assert_eq!(summary["rejected"], 0);
    assert!(answered_routed.load(Ordering::Relaxed) <= summary["routed"].as_u64().unwrap());
}

/// A client sending its headers one byte a second is dropped at the header
/// timeout; another client is served meanwhile.
#[test]
fn a_slow_client_is_dropped_without_affecting_others() {
    let server = Server::start(&["--header-timeout", "1"]);
    let mut slow = server.tcp_conn();
    slow.set_timeout(Duration::from_secs(10));
    let start = Instant::now();
    let slow_thread = std::thread::spawn(move || {
        for b in b"POST /v1/events HTTP/1.1\r\nHost: x\r\n" {
            if slow.write_all(&[*b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
            if start.elapsed() > Duration::from_secs(8) {
                break;
            }
        }
        let mut rest = Vec::new();
        let _ = slow.read_to_end(&mut rest);
        start.elapsed()
    });
    let mut fast = server.unix_conn();
    for seed in 0..20 {
        let r = fast
            .request(
                "POST",
                "/v1/events",
                Some("application/yaml"),
                &generated(1, seed, "yaml"),
            )
            .unwrap();
        assert_eq!(r.status, 200);
    }
    let dropped_after = slow_thread.join().unwrap();
    assert!(
        dropped_after < Duration::from_secs(6),
        "the slow client was dropped at the header timeout, not served: {dropped_after:?}"
    );
}

/// 2,000 idle connections against `--max-connections 100`: those past the
/// limit are closed at once, memory stays bounded, and once the idle ones
/// time out the service answers again.
#[test]
fn idle_connections_are_refused_past_the_limit() {
    let server = Server::start(&["--max-connections", "100", "--header-timeout", "2"]);
    let before = server.rss();
    let mut idle: Vec<Conn> = (0..2000).map(|_| server.tcp_conn()).collect();
    for c in &idle {
        c.set_nonblocking();
    }
    // Poll until the refusals have all arrived (a loaded machine may take
    // a moment to accept and close 1,900 connections).
    let mut closed = vec![false; idle.len()];
    let deadline = Instant::now() + Duration::from_secs(15);
    while closed.iter().filter(|c| **c).count() < 1800 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        for (c, done) in idle.iter_mut().zip(closed.iter_mut()) {
            if !*done {
                *done = is_closed(c);
            }
        }
    }
    let closed = closed.iter().filter(|c| **c).count();
    let during = server.rss();
    assert!(
        closed >= 1800,
        "connections past the limit are closed: {closed}"
    );
    assert!(
        during < before + (16 << 20),
        "memory bounded: {before} -> {during} bytes"
    );
    drop(idle);
    // The held ones time out (no headers); the service answers again.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut c = server.unix_conn();
        c.set_timeout(Duration::from_secs(5));
        if let Ok(r) = c.request("GET", "/healthz", None, b"") {
            assert_eq!(r.status, 200);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the service never answered again"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Whether the peer closed a non-blocking connection (a read returns 0 or
/// a reset rather than "would block").
fn is_closed(c: &mut Conn) -> bool {
    let mut b = [0u8; 1];
    match c.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

/// A 100 MB body is refused with 413 without being read whole, by its
/// Content-Length and, without one (chunked), by its bytes.
#[test]
fn a_100_mb_body_gets_413_without_being_read() {
    let server = Server::start(&[]);
    let before = server.rss();
    let mut c = server.tcp_conn();
    c.set_timeout(Duration::from_secs(10));
    c.write_all(
        b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\n\
          Content-Length: 100000000\r\n\r\n",
    )
    .unwrap();
    let chunk = vec![b'a'; 1 << 16];
    let mut written = 0usize;
    // Writing stops once the server closes; it must answer long before
    // 100 MB went through.
    while written < 100_000_000 {
        match c.write(&chunk) {
            Ok(n) => written += n,
            Err(_) => break,
        }
        if written >= 4 << 20 {
            break;
        }
    }
    let r = c.read_response().unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
    // Chunked, no length: refused once the bytes pass --max-body.
    let mut c = server.unix_conn();
    c.set_timeout(Duration::from_secs(10));
    c.write_all(
        b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\n\
          Transfer-Encoding: chunked\r\n\r\n",
    )
    .unwrap();
    let mut sent = 0usize;
    while sent < 100_000_000 {
        let ok = c.write_all(b"10000\r\n").is_ok()
            && c.write_all(&chunk).is_ok()
            && c.write_all(b"\r\n").is_ok();
        if !ok {
            break;
        }
        sent += chunk.len();
    }
    let r = c.read_response().unwrap();
    assert_eq!(r.status, 413);
    assert!(
        sent < 100_000_000,
        "the server stopped reading: {sent} bytes went through"
    );
    let after = server.rss();
    assert!(
        after < before + (32 << 20),
        "the body was not held whole: RSS {before} -> {after}"
    );
}

/// Random bytes on the socket get an error or a closed connection; the
/// service goes on serving.
#[test]
fn random_bytes_do_not_crash_it() {
    let server = Server::start(&[]);
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..50 {
        let mut c = if round % 2 == 0 {
            server.unix_conn()
        } else {
            server.tcp_conn()
        };
        c.set_timeout(Duration::from_secs(5));
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let _ = c.write_all(&bytes);
        let mut sink = Vec::new();
        let _ = c.read_to_end(&mut sink);
    }
    let r = server
        .unix_conn()
        .request("GET", "/healthz", None, b"")
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "ok\n");
}

/// After SIGTERM, `/healthz` is 503 for a connection that was already open,
/// and the socket file is removed on exit.
#[test]
fn draining_answers_503_and_removes_the_socket() {
    let server = Server::start(&["--drain-timeout", "2"]);
    let socket = server.unix.clone();
    let mut open = server.unix_conn();
    assert_eq!(
        open.request("GET", "/healthz", None, b"").unwrap().status,
        200
    );
    let (status, stdout) = server.stop("INT");
    assert!(status.success());
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    for key in [
        "events",
        "routed",
        "dead_letter",
        "dropped",
        "rejected",
        "duplicate",
        "routes",
        "handlers",
        "partitions",
    ] {
        assert!(summary.get(key).is_some(), "summary lacks {key}: {summary}");
    }
    assert!(!socket.exists(), "the socket file is removed on exit");
}

/// A request head past 16 KiB is refused (431, or the connection closed),
/// and the service goes on.
#[test]
fn an_oversize_header_is_refused() {
    let server = Server::start(&[]);
    let mut c = server.tcp_conn();
    c.set_timeout(Duration::from_secs(10));
    let huge = "a".repeat(64 << 10);
    let head = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {huge}\r\n\r\n");
    let _ = c.write_all(head.as_bytes());
    match c.read_response() {
        Ok(r) => assert_eq!(r.status, 431, "{}", r.text()),
        Err(e) => assert!(
            !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "neither refused nor closed: {e}"
        ),
    }
    let r = server
        .unix_conn()
        .request("GET", "/healthz", None, b"")
        .unwrap();
    assert_eq!(r.status, 200);
}
