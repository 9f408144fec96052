//! Events routed across instances: two instances sharing the partitions
//! in order (and a second publish all duplicates), the ingest tier
//! publishing for a consumer, and an event posted to one instance routed
//! once by its partition's owner.

use super::*;

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
fn the_ingest_tier_publishes_and_a_consumer_routes() {
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let events = corpus(dir.path(), 1000);
    let mut body = std::fs::read(&events).unwrap();
    body.extend_from_slice(b"{\"id\": \"not-an-event\", \"seq\": -1}\n");
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
    assert_eq!(v["results"][1000]["id"], "not-an-event", "{v}");
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
