//! Whole streams through the pipeline: positions, rejections, policies,
//! a stream cut short, an observer that stops, bounded memory.

use event_decode::{Category, DecodeConfig, DecodeError, EventReader, Format};
use event_model::corpus::corpus;
use event_pipeline::{Delivery, OnReject, Pipeline, RejectCause, table_from_yaml_str};
use event_router::{Outcome, Router, infallible};

use crate::support::{ALL_FORMATS, Fmt, encode};

const TABLE: &str = "key: match_id\npartitions: 4\nroutes:\n  - name: all\n    when: {region: [eu-west, us-east-1, ap-south, sa-east, eu-central, us-west-2, ap-northeast]}\n    to: [a]\nunmatched: dead_letter\n";

fn pipeline(policy: OnReject) -> Pipeline {
    let router = Router::builder(table_from_yaml_str(TABLE).unwrap())
        .handler("a", infallible(|_, _| {}))
        .build()
        .unwrap();
    Pipeline::new(router).on_reject(policy)
}

fn format(fmt: Fmt) -> Format {
    match fmt {
        Fmt::Yaml => Format::Yaml,
        Fmt::Json => Format::Json,
        Fmt::Proto => Format::Protobuf,
    }
}

/// A stream of `events` in `fmt`, with one undecodable frame after the
/// second event (a YAML document or JSON line of garbage; for protobuf, a
/// length-delimited message that is not an event).
fn stream(fmt: Fmt, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, e) in corpus(9, n).iter().enumerate() {
        let frame = encode(fmt, e);
        match fmt {
            Fmt::Yaml => {
                if !frame.starts_with(b"---") {
                    out.extend_from_slice(b"---\n");
                }
                out.extend_from_slice(&frame);
            }
            Fmt::Json => {
                out.extend_from_slice(&frame);
                out.push(b'\n');
            }
            Fmt::Proto => {
                // The length as a varint, then the message.
                let mut len = frame.len();
                while len >= 0x80 {
                    out.push((len as u8 & 0x7f) | 0x80);
                    len >>= 7;
                }
                out.push(len as u8);
                out.extend_from_slice(&frame);
            }
        }
        if i == 1 {
            match fmt {
                Fmt::Yaml => out.extend_from_slice(b"---\nid: [unclosed\n"),
                Fmt::Json => out.extend_from_slice(b"{\"id\": oops}\n"),
                Fmt::Proto => out.extend_from_slice(&[2, 0x0f, 0x01]),
            }
        }
    }
    out
}

#[test]
fn a_stream_is_routed_with_every_bad_frame_placed_and_counted() {
    for fmt in ALL_FORMATS {
        let bytes = stream(fmt, 5);
        let mut p = pipeline(OnReject::Continue);
        let mut reader = EventReader::new(format(fmt), &bytes[..], &DecodeConfig::new());
        let mut seen: Vec<(u64, Outcome, Option<u64>)> = Vec::new();
        let mut errors: Vec<DecodeError> = Vec::new();
        let end = p.route_stream(&mut reader, &mut |d: &Delivery<'_>| {
            seen.push((
                d.explanation.index,
                d.explanation.outcome,
                d.frame.map(|f| f.number),
            ));
            errors.extend(d.error.cloned());
        });
        assert!(
            end.rejected.is_none() && end.cut_short.is_none() && !end.stopped,
            "{fmt:?}: {end:?}"
        );
        assert_eq!(seen.len(), 6, "{fmt:?}");
        assert_eq!(seen[2].1, Outcome::Rejected, "{fmt:?}");
        assert_eq!(seen[2].2, Some(3), "{fmt:?}: the bad frame is the third");
        for (i, s) in seen.iter().enumerate() {
            assert_eq!(s.0, i as u64);
            assert_eq!(
                s.2,
                Some(i as u64 + 1),
                "{fmt:?}: frame numbers follow the stream"
            );
        }
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].event_number(), Some(3), "{fmt:?}: {}", errors[0]);
        let c = p.counters();
        assert_eq!(
            (c.events(), c.rejected(), c.decode_errors()),
            (6, 1, 1),
            "{fmt:?}"
        );
        assert_eq!(c.routed() + c.dead_letter(), 5);
    }
}

#[test]
fn under_stop_the_first_bad_frame_ends_the_stream() {
    for fmt in ALL_FORMATS {
        let bytes = stream(fmt, 5);
        let mut p = pipeline(OnReject::Stop);
        let mut reader = EventReader::new(format(fmt), &bytes[..], &DecodeConfig::new());
        let end = p.route_stream(&mut reader, &mut |_: &Delivery<'_>| {});
        let Some((number, RejectCause::Bad(error))) = end.rejected else {
            panic!("{fmt:?}: {end:?}")
        };
        assert_eq!(number, 3);
        assert_ne!(error.category(), Category::Io);
        // Nothing after the rejected frame was read or counted.
        assert_eq!(p.counters().events(), 3, "{fmt:?}");
    }
}

#[test]
fn a_broken_length_prefix_cuts_the_stream_short() {
    let mut bytes = stream(Fmt::Proto, 2);
    // A varint prefix that never ends.
    bytes.extend_from_slice(&[0xff; 12]);
    let mut p = pipeline(OnReject::Continue);
    let mut reader = EventReader::new(Format::Protobuf, &bytes[..], &DecodeConfig::new());
    let end = p.route_stream(&mut reader, &mut |_: &Delivery<'_>| {});
    let cut = end.cut_short.expect("cut short");
    assert!(cut.to_string().contains("event 4"), "{cut}");
    // Two events, the bad frame, and the broken prefix as one bad event.
    let c = p.counters();
    assert_eq!((c.events(), c.rejected()), (4, 2));
}

/// An observer that stops after `n` deliveries.
struct StopAfter(usize);

impl event_pipeline::StreamObserver for StopAfter {
    fn delivered(&mut self, _: &Delivery<'_>) {
        self.0 = self.0.saturating_sub(1);
    }

    fn should_stop(&mut self) -> bool {
        self.0 == 0
    }
}

#[test]
fn an_observer_can_stop_the_stream() {
    let bytes = stream(Fmt::Json, 50);
    let mut p = pipeline(OnReject::Continue);
    let mut reader = EventReader::new(Format::Json, &bytes[..], &DecodeConfig::new());
    let end = p.route_stream(&mut reader, &mut StopAfter(7));
    assert!(end.stopped);
    assert_eq!(p.counters().events(), 7);
    // The reader goes on where the pipeline stopped.
    let end = p.route_stream(&mut reader, &mut |_: &Delivery<'_>| {});
    assert!(!end.stopped);
    assert_eq!(p.counters().events(), 51);
}

#[test]
fn a_long_stream_keeps_the_arena_at_one_event() {
    let bytes = stream(Fmt::Yaml, 5000);
    let mut p = pipeline(OnReject::Continue);
    let mut reader = EventReader::new(Format::Yaml, &bytes[..], &DecodeConfig::new());
    let end = p.route_stream(&mut reader, &mut |_: &Delivery<'_>| {});
    assert!(end.cut_short.is_none());
    assert_eq!(p.counters().events(), 5001);
    let stats = p.arena_stats();
    // Reset between events: the arena holds one event's worth (its first
    // chunk), however long the stream (5000 events, about 2.5 MB).
    assert!(
        stats.allocated_bytes < 64 << 10,
        "{stats:?} for {} bytes",
        bytes.len()
    );
    assert_eq!(stats.replacements, 0);
}
