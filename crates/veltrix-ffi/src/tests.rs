//! The entry points called as C calls them: real pointers, NULLs, small
//! buffers, poisoned routers. These tests also run under Miri (CI), which
//! checks every pointer access of the boundary; under Miri the batches are
//! small.
#![allow(unsafe_code)]

use std::ptr::{null, null_mut};

use event_decode::{Bump, Decoder};
use event_model::corpus::{REFERENCE_EVENT_YAML, corpus};
use event_pipeline::{OnReject, Pipeline, table_from_yaml_str};
use event_router::{Explanation, Outcome, Router, fnv1a64, infallible};

use crate::last_error::last_error;
use crate::*;

/// Handlers by first appearance: scoring 0, audit 1, matchmaking 2, presence 3.
const TABLE: &str = "\
key: match_id
partitions: 16
routes:
  - name: scoring
    when:
      kind: [clue_found, treasure_claimed]
    to: [scoring, audit]
  - name: matchmaking
    when:
      kind: [match_requested, match_started, match_ended]
    to: [matchmaking]
  - name: sessions
    when:
      kind: [player_joined, player_left]
    to: [presence, audit]
unmatched: dead_letter
";

/// A router over `table`, freed on drop.
struct Owned(*mut vx_router);

impl Owned {
    fn new(table: &str) -> Owned {
        let mut router = null_mut();
        // SAFETY: a valid table slice and a valid out pointer.
        let code = unsafe { vx_router_new(table.as_ptr(), table.len(), &mut router) };
        assert_eq!(code, VX_OK, "{}", last_error());
        assert!(!router.is_null());
        Owned(router)
    }

    fn route(&self, format: i32, events: &[&[u8]]) -> Vec<vx_result> {
        let (code, results) = self.try_route(format, events);
        assert_eq!(code, VX_OK, "{}", last_error());
        results
    }

    fn try_route(&self, format: i32, events: &[&[u8]]) -> (i32, Vec<vx_result>) {
        let bytes: Vec<vx_bytes> = events
            .iter()
            .map(|e| vx_bytes {
                ptr: e.as_ptr(),
                len: e.len(),
            })
            .collect();
        let mut results = vec![sentinel(); events.len().max(1)];
        // SAFETY: `bytes` and `results` hold `events.len()` valid elements.
        let code = unsafe {
            vx_route(
                self.0,
                format,
                bytes.as_ptr(),
                events.len(),
                results.as_mut_ptr(),
            )
        };
        results.truncate(events.len());
        (code, results)
    }

    fn stats(&self) -> serde_json::Value {
        let text = read_out(|out, cap, written| {
            // SAFETY: a live router and a valid output triple.
            unsafe { vx_stats_json(self.0, out, cap, written) }
        })
        .expect("stats");
        serde_json::from_slice(&text).expect("stats are JSON")
    }

    fn handler_name(&self, index: u32) -> Result<String, i32> {
        read_out(|out, cap, written| {
            // SAFETY: a live router and a valid output triple.
            unsafe { vx_handler_name(self.0, index, out, cap, written) }
        })
        .map(|b| String::from_utf8(b).expect("UTF-8"))
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: from `vx_router_new`, freed once.
        unsafe { vx_router_free(self.0) };
    }
}

/// A result no call writes, to see which ones were written.
fn sentinel() -> vx_result {
    vx_result {
        outcome: 99,
        kind: 99,
        partition: 99,
        handlers: u64::MAX,
    }
}

/// Asks for the size with a NULL buffer, then reads into one that fits
/// exactly, checking the `VX_ERR_BUFFER` protocol on the way.
fn read_out(mut call: impl FnMut(*mut u8, usize, *mut usize) -> i32) -> Result<Vec<u8>, i32> {
    let mut needed = usize::MAX;
    let code = call(null_mut(), 0, &mut needed);
    if code != VX_ERR_BUFFER {
        return Err(code);
    }
    assert!(needed > 0 && needed < 1 << 20, "size needed: {needed}");
    let mut small = vec![0u8; needed - 1];
    let mut written = 0;
    assert_eq!(
        call(small.as_mut_ptr(), small.len(), &mut written),
        VX_ERR_BUFFER
    );
    assert_eq!(written, needed);
    assert!(
        small.iter().all(|&b| b == 0),
        "nothing written on VX_ERR_BUFFER"
    );
    let mut buf = vec![0u8; needed];
    assert_eq!(call(buf.as_mut_ptr(), buf.len(), &mut written), VX_OK);
    assert_eq!(written, needed);
    Ok(buf)
}

fn convert(from: i32, to: i32, input: &[u8]) -> Result<Vec<u8>, i32> {
    read_out(|out, cap, written| {
        // SAFETY: `input` is a valid slice and the output triple is valid.
        unsafe { vx_convert(from, to, input.as_ptr(), input.len(), out, cap, written) }
    })
}

fn reference() -> &'static [u8] {
    REFERENCE_EVENT_YAML.as_bytes()
}

fn partition_of(key: &str, partitions: u64) -> u32 {
    (fnv1a64(key.as_bytes()) % partitions) as u32
}

#[test]
fn abi_version_is_one() {
    assert_eq!(vx_abi_version(), 1);
    assert_eq!(vx_abi_version(), VX_ABI_VERSION);
}

#[test]
fn routes_the_reference_event_in_every_format() {
    let router = Owned::new(TABLE);
    let yaml = reference();
    let json = convert(VX_FORMAT_YAML, VX_FORMAT_JSON, yaml).expect("to JSON");
    let protobuf = convert(VX_FORMAT_YAML, VX_FORMAT_PROTOBUF, yaml).expect("to protobuf");
    let expected = vx_result {
        outcome: VX_ROUTED,
        kind: 4, // clue_found
        partition: partition_of("m-20240528-5796", 16),
        handlers: 0b11, // scoring, audit
    };
    for (format, bytes) in [
        (VX_FORMAT_YAML, yaml),
        (VX_FORMAT_JSON, &json[..]),
        (VX_FORMAT_PROTOBUF, &protobuf[..]),
    ] {
        assert_eq!(
            router.route(format, &[bytes]),
            [expected],
            "format {format}"
        );
    }
    let stats = router.stats();
    assert_eq!(stats["events"], 3);
    assert_eq!(stats["routed"], 3);
    assert_eq!(stats["routes"]["scoring"], 3);
    assert_eq!(stats["routes"]["sessions"], 0);
    assert_eq!(stats["handlers"]["audit"], 3);
    assert_eq!(stats["handlers"]["presence"], 0);
    assert_eq!(
        stats["partitions"][expected.partition as usize], 3,
        "{stats}"
    );
}

#[test]
fn a_bad_event_is_a_rejected_result_with_its_message() {
    let router = Owned::new(TABLE);
    let bad = REFERENCE_EVENT_YAML.replace("points: 300", "points: lots");
    let results = router.route(
        VX_FORMAT_YAML,
        &[reference(), bad.as_bytes(), b"", reference()],
    );
    assert_eq!(results[0].outcome, VX_ROUTED);
    assert_eq!(results[3].outcome, VX_ROUTED);
    for r in &results[1..3] {
        assert_eq!(
            *r,
            vx_result {
                outcome: VX_REJECTED,
                ..vx_result::default()
            }
        );
    }
    // The first rejected event's message: its number in the batch, where, what.
    let message = last_error();
    assert!(message.starts_with("event 2, line "), "{message}");
    assert!(message.contains("payload.points"), "{message}");
    let stats = router.stats();
    assert_eq!(stats["events"], 4);
    assert_eq!(stats["routed"], 2);
    assert_eq!(stats["rejected"], 2, "{stats}");
    assert_eq!(stats["dead_letter"], 0, "{stats}");
}

#[test]
fn unmatched_events_follow_the_table() {
    let heartbeat = b"{\"id\":\"h-1\",\"seq\":1,\"ts\":5,\"kind\":\"heartbeat\",\"player_id\":\"p-9\",\"region\":\"eu\"}";
    for (policy, outcome, counter) in [
        ("dead_letter", VX_DEAD_LETTER, "dead_letter"),
        ("drop", VX_DROPPED, "dropped"),
        ("error", VX_REJECTED, "rejected"),
    ] {
        let table = TABLE.replace("unmatched: dead_letter", &format!("unmatched: {policy}"));
        let router = Owned::new(&table);
        let results = router.route(VX_FORMAT_JSON, &[heartbeat, heartbeat]);
        let expected = if outcome == VX_REJECTED {
            vx_result {
                outcome,
                ..vx_result::default()
            }
        } else {
            vx_result {
                outcome,
                kind: 9,
                partition: partition_of("p-9", 16),
                handlers: 0,
            }
        };
        assert_eq!(results, [expected, expected], "unmatched: {policy}");
        if policy == "error" {
            let message = last_error();
            assert!(
                message.starts_with("event 1 (id \"h-1\", kind heartbeat): no route matched"),
                "{message}"
            );
        }
        let stats = router.stats();
        assert_eq!(stats["events"], 2);
        assert_eq!(stats[counter], 2, "{stats}");
        assert_eq!(stats["routed"], 0);
    }
}

/// A batch of the corpus through `vx_route` agrees, event by event, with
/// the router core used directly (what `veltrix route --explain` prints).
#[test]
fn a_corpus_batch_agrees_with_the_router_core() {
    let count = if cfg!(miri) { 4 } else { 300 };
    let arena = Bump::new();
    let events = corpus(7, count);
    let mut frames: Vec<Vec<u8>> = Vec::new();
    for e in &events {
        let mut text = String::new();
        event_decode::yaml::encode(&e.as_view(&arena), &mut text);
        frames.push(text.into_bytes());
    }
    let slices: Vec<&[u8]> = frames.iter().map(|f| &f[..]).collect();
    let router = Owned::new(TABLE);
    let results = router.route(VX_FORMAT_YAML, &slices);

    let table = table_from_yaml_str(TABLE).expect("table");
    let names: Vec<String> = table
        .handler_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut builder = Router::builder(table);
    for n in &names {
        builder = builder.handler(n.clone(), infallible(|_, _| {}));
    }
    let mut core = Pipeline::new(builder.build().expect("router")).on_reject(OnReject::Continue);
    let mut decoder = event_decode::yaml::YamlDecoder::new();
    let mut seen = 0;
    let _ = core.route_batch_explained(&mut decoder, &slices, |e: &Explanation<'_>| {
        let r = results[e.index as usize];
        assert_eq!(r.outcome == VX_ROUTED, e.outcome == Outcome::Routed);
        if e.outcome == Outcome::DeadLetter {
            assert_eq!(r.outcome, VX_DEAD_LETTER);
        }
        assert_eq!(Some(r.partition), e.partition, "event {}", e.index);
        let bits = e.handler_ids().iter().fold(0u64, |b, &h| b | 1 << h);
        assert_eq!(r.handlers, bits, "event {}", e.index);
        let kind = e.event.map(|ev| ev.kind().index() as u32 + 1);
        assert_eq!(Some(r.kind), kind);
        seen += 1;
    });
    assert_eq!(seen, count);
    let stats = router.stats();
    assert_eq!(stats["events"], count as u64);
    assert_eq!(stats["routed"], core.counters().routed());
    assert_eq!(stats["dead_letter"], core.counters().dead_letter());
    // The decoder used by the library agrees with a fresh one on the bytes.
    assert!(decoder.decode(slices[0], &arena).is_ok());
}

#[test]
fn bad_tables_are_config_errors() {
    let many: String = (0..65)
        .map(|i| format!("  - name: r{i}\n    to: [h{i}]\n"))
        .collect();
    let many = format!("key: player_id\npartitions: 4\nroutes:\n{many}");
    for (table, needle) in [
        (
            &b"key: match_id\npartitions: 0\nroutes: []\n"[..],
            "partitions",
        ),
        (b"key: [unclosed\n", "line 1"),
        (
            b"key: match_id\npartitions: 2\nroutes: []\nextra: 1\n",
            "extra",
        ),
        (b"key: \xff\n", "not UTF-8"),
        (many.as_bytes(), "at most 64"),
    ] {
        let mut router = std::ptr::NonNull::<vx_router>::dangling().as_ptr();
        // SAFETY: a valid slice and a valid out pointer.
        let code = unsafe { vx_router_new(table.as_ptr(), table.len(), &mut router) };
        assert_eq!(code, VX_ERR_CONFIG);
        assert!(router.is_null(), "*out is NULL on failure");
        let message = last_error();
        assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    }
    // 64 handlers is the most that fits the bits.
    let sixty_four = many.replace("  - name: r64\n    to: [h64]\n", "");
    let router = Owned::new(&sixty_four);
    assert_eq!(router.handler_name(63).as_deref(), Ok("h63"));
}

#[test]
fn null_and_bad_arguments_are_argument_errors() {
    let mut router = null_mut();
    // SAFETY: every call below passes pointers that are NULL or valid.
    unsafe {
        assert_eq!(vx_router_new(null(), 3, &mut router), VX_ERR_ARGUMENT);
        assert_eq!(
            vx_router_new(TABLE.as_ptr(), TABLE.len(), null_mut()),
            VX_ERR_ARGUMENT
        );
    }
    assert!(last_error().contains("out"));
    let owned = Owned::new(TABLE);
    let event = vx_bytes {
        ptr: reference().as_ptr(),
        len: reference().len(),
    };
    let mut results = [sentinel(); 2];
    // SAFETY: every call below passes pointers that are NULL or valid for its count.
    unsafe {
        let r = results.as_mut_ptr();
        assert_eq!(
            vx_route(null_mut(), VX_FORMAT_YAML, &event, 1, r),
            VX_ERR_ARGUMENT
        );
        assert_eq!(
            vx_route(owned.0, VX_FORMAT_YAML, null(), 1, r),
            VX_ERR_ARGUMENT
        );
        assert_eq!(
            vx_route(owned.0, VX_FORMAT_YAML, &event, 1, null_mut()),
            VX_ERR_ARGUMENT
        );
        assert_eq!(vx_route(owned.0, 0, &event, 1, r), VX_ERR_ARGUMENT);
        assert!(last_error().contains("unknown format 0"));
        assert_eq!(vx_route(owned.0, 4, &event, 1, r), VX_ERR_ARGUMENT);
        // A NULL event pointer fails the whole call before anything is routed.
        let events = [
            event,
            vx_bytes {
                ptr: null(),
                len: 0,
            },
        ];
        assert_eq!(
            vx_route(owned.0, VX_FORMAT_YAML, events.as_ptr(), 2, r),
            VX_ERR_ARGUMENT
        );
        assert!(last_error().contains("events[1].ptr is NULL"));
        // A count past what memory can hold.
        assert_eq!(
            vx_route(owned.0, VX_FORMAT_YAML, &event, usize::MAX / 2, r),
            VX_ERR_ARGUMENT
        );
        // Misaligned arrays.
        let misaligned = (r as *mut u8).wrapping_add(1).cast::<vx_result>();
        assert_eq!(
            vx_route(owned.0, VX_FORMAT_YAML, &event, 1, misaligned),
            VX_ERR_ARGUMENT
        );
        // An empty batch is fine.
        assert_eq!(vx_route(owned.0, VX_FORMAT_YAML, &event, 0, r), VX_OK);
    }
    assert_eq!(results, [sentinel(); 2], "no result written on failure");
    assert_eq!(owned.stats()["events"], 0, "nothing routed on failure");

    let mut written = 7usize;
    let mut buf = [0u8; 8];
    // SAFETY: every call below passes pointers that are NULL or valid for its count.
    unsafe {
        assert_eq!(
            vx_stats_json(null(), buf.as_mut_ptr(), 8, &mut written),
            VX_ERR_ARGUMENT
        );
        assert_eq!(
            vx_stats_json(owned.0, buf.as_mut_ptr(), 8, null_mut()),
            VX_ERR_ARGUMENT
        );
        assert_eq!(
            vx_stats_json(owned.0, null_mut(), 8, &mut written),
            VX_ERR_ARGUMENT
        );
        assert!(last_error().contains("pass cap 0"));
        assert_eq!(
            vx_handler_name(null(), 0, buf.as_mut_ptr(), 8, &mut written),
            VX_ERR_ARGUMENT
        );
        assert_eq!(
            vx_handler_name(owned.0, 0, buf.as_mut_ptr(), 8, null_mut()),
            VX_ERR_ARGUMENT
        );
        assert_eq!(
            vx_handler_name(owned.0, 4, buf.as_mut_ptr(), 8, &mut written),
            VX_ERR_ARGUMENT
        );
        assert!(last_error().contains("index 4 is out of range (the table has 4 handlers)"));
        let input = reference();
        assert_eq!(
            vx_convert(
                VX_FORMAT_YAML,
                9,
                input.as_ptr(),
                input.len(),
                buf.as_mut_ptr(),
                8,
                &mut written
            ),
            VX_ERR_ARGUMENT
        );
        assert_eq!(
            vx_convert(
                VX_FORMAT_YAML,
                VX_FORMAT_JSON,
                null(),
                5,
                buf.as_mut_ptr(),
                8,
                &mut written
            ),
            VX_ERR_ARGUMENT
        );
        assert_eq!(
            vx_convert(
                VX_FORMAT_YAML,
                VX_FORMAT_JSON,
                input.as_ptr(),
                input.len(),
                buf.as_mut_ptr(),
                8,
                null_mut()
            ),
            VX_ERR_ARGUMENT
        );
        vx_router_free(null_mut());
    }
    assert_eq!(written, 7, "written untouched on VX_ERR_ARGUMENT");
}

#[test]
fn handler_names_are_numbered_by_first_appearance() {
    let router = Owned::new(TABLE);
    let names: Vec<String> = (0..4)
        .map(|i| router.handler_name(i).expect("name"))
        .collect();
    assert_eq!(names, ["scoring", "audit", "matchmaking", "presence"]);
    assert_eq!(router.handler_name(4), Err(VX_ERR_ARGUMENT));
}

#[test]
fn convert_round_trips_and_rejects_bad_events() {
    let json = convert(VX_FORMAT_YAML, VX_FORMAT_JSON, reference()).expect("to JSON");
    assert!(json.starts_with(b"{\"id\":\"831c4e3b-114e-4738-8f0c-de7c849b35b8\",\"seq\":1004,"));
    assert!(json.ends_with(b"}\n"));
    let protobuf = convert(VX_FORMAT_JSON, VX_FORMAT_PROTOBUF, &json).expect("to protobuf");
    let yaml = convert(VX_FORMAT_PROTOBUF, VX_FORMAT_YAML, &protobuf).expect("to YAML");
    assert!(yaml.starts_with(b"---\nid: 831c4e3b-114e-4738-8f0c-de7c849b35b8\n"));
    let again = convert(VX_FORMAT_YAML, VX_FORMAT_JSON, &yaml).expect("to JSON again");
    // The same event; protobuf orders `attrs` by key.
    let value = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).expect("JSON");
    assert_eq!(value(&again), value(&json));

    let mut buf = [0u8; 16];
    let mut written = 0;
    let bad = b"id: x\nseq: -1\n";
    // SAFETY: valid slices and a valid output triple.
    let code = unsafe {
        vx_convert(
            VX_FORMAT_YAML,
            VX_FORMAT_JSON,
            bad.as_ptr(),
            bad.len(),
            buf.as_mut_ptr(),
            buf.len(),
            &mut written,
        )
    };
    assert_eq!(code, VX_REJECTED);
    assert!(last_error().contains("line 2"), "{}", last_error());
}

#[test]
fn last_error_truncates_reports_its_length_and_is_per_thread() {
    let mut router = null_mut();
    // SAFETY: a valid out pointer; the NULL table is the failure wanted.
    let code = unsafe { vx_router_new(null(), 0, &mut router) };
    assert_eq!(code, VX_ERR_ARGUMENT);
    let full = last_error();
    assert!(!full.is_empty());
    // SAFETY: NULL with any cap copies nothing.
    assert_eq!(unsafe { vx_last_error(null_mut(), 100) }, full.len());
    let mut small = [0u8; 5];
    // SAFETY: five writable bytes.
    assert_eq!(unsafe { vx_last_error(small.as_mut_ptr(), 5) }, full.len());
    assert_eq!(&small, &full.as_bytes()[..5]);
    let mut big = vec![0u8; full.len() + 10];
    // SAFETY: `big.len()` writable bytes.
    let n = unsafe { vx_last_error(big.as_mut_ptr(), big.len()) };
    assert_eq!(&big[..n], full.as_bytes());
    assert!(big[n..].iter().all(|&b| b == 0));
    // SAFETY: NULL with cap 0.
    let other = std::thread::spawn(|| unsafe { vx_last_error(null_mut(), 0) })
        .join()
        .expect("thread");
    assert_eq!(other, 0, "another thread has no last error");
}

#[test]
fn a_panic_is_caught_and_poisons_the_router() {
    let router = Owned::new(TABLE);
    assert_eq!(
        router.route(VX_FORMAT_YAML, &[reference()])[0].outcome,
        VX_ROUTED
    );
    let probe = REFERENCE_EVENT_YAML.replace(
        "id: 831c4e3b-114e-4738-8f0c-de7c849b35b8",
        &format!("id: {PANIC_PROBE_ID}"),
    );
    let (code, _) = router.try_route(VX_FORMAT_YAML, &[probe.as_bytes()]);
    assert_eq!(code, VX_ERR_PANIC);
    assert!(last_error().contains("panic probe"), "{}", last_error());
    // From then on the router answers VX_ERR_PANIC, without running anything.
    let (code, results) = router.try_route(VX_FORMAT_YAML, &[reference()]);
    assert_eq!(code, VX_ERR_PANIC);
    assert_eq!(results, [sentinel()]);
    assert!(last_error().contains("poisoned"));
    let mut written = 0;
    let mut buf = [0u8; 64];
    // SAFETY: a live (poisoned) router and valid output triples.
    unsafe {
        assert_eq!(
            vx_stats_json(router.0, buf.as_mut_ptr(), 64, &mut written),
            VX_ERR_PANIC
        );
        assert_eq!(
            vx_handler_name(router.0, 0, buf.as_mut_ptr(), 64, &mut written),
            VX_ERR_PANIC
        );
    }
    // Other routers are not affected.
    let healthy = Owned::new(TABLE);
    assert_eq!(
        healthy.route(VX_FORMAT_YAML, &[reference()])[0].outcome,
        VX_ROUTED
    );
}
