//! Nothing lost across failures: an instance killed halfway and restarted,
//! and publishing and consuming across a restart of the NATS server.

use super::*;

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
