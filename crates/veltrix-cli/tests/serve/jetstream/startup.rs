//! Starting without `--create`: a missing stream or consumer stops `serve`
//! and `publish` with exit status 2 and a message naming it.

use super::*;

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
