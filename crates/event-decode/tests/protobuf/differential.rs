//! Differential property tests: the zero-copy decoder against prost on
//! rewritten encodings of generated events.
//!
//! The schema has no repeated scalar fields, so there is no packed/unpacked
//! choice for a valid event; the packed form of a singular scalar is a wire
//! type error in both decoders, which `any_rewrite_both_agree` exercises.

use event_model::corpus::SplitMix64;
use event_model::{OwnedEvent, OwnedPayload, strategies};
use proptest::prelude::*;

use super::wire::{self, Field, Value};
use super::{agree, encoded, prost, zero_copy};

/// Boxed: two unboxed event strategies in one tuple overflow a test thread's
/// stack in debug builds (proptest builds value trees in deep generic frames).
fn event() -> BoxedStrategy<OwnedEvent> {
    strategies::event().boxed()
}

fn check(bytes: &[u8]) -> Result<Option<OwnedEvent>, TestCaseError> {
    agree(bytes).map_err(TestCaseError::fail)
}

/// A stale copy of a scalar field's value (a different value of the same wire type).
fn stale(value: &Value) -> Option<Value> {
    match value {
        Value::Varint(v) => Some(Value::Varint(v.wrapping_add(1))),
        Value::I32(v) => Some(Value::I32(v ^ 0x0040_0000)),
        Value::Bytes(b) => {
            let mut b = b.clone();
            b.extend_from_slice(b"-stale");
            Some(Value::Bytes(b))
        }
        _ => None,
    }
}

/// The repeated fields of each payload member, by member field number.
fn repeated_in(member: u32) -> &'static [u32] {
    match member {
        10 | 16 => &[3],
        13 | 14 => &[4],
        15 => &[2, 3],
        17 => &[2],
        _ => &[],
    }
}

/// Before each of up to two singular scalar fields of `fields`, inserts a
/// stale value for the same field number: the later one must win.
fn insert_stale_scalars(rng: &mut SplitMix64, fields: &mut Vec<Field>, repeated: &[u32]) {
    for _ in 0..2 {
        if fields.is_empty() {
            return;
        }
        let i = rng.below(fields.len() as u64) as usize;
        let tag = fields[i].tag;
        if repeated.contains(&tag) || fields.iter().filter(|f| f.tag == tag).count() != 1 {
            continue;
        }
        if let Some(value) = stale(&fields[i].value) {
            let at = rng.below(i as u64 + 1) as usize;
            fields.insert(at, Field { tag, value });
        }
    }
}

/// Splits the message at `fields[i]` into two occurrences of the same field
/// (the second placed anywhere after the first): embedded messages merge.
fn split_message(rng: &mut SplitMix64, fields: &mut Vec<Field>, i: usize) {
    let Value::Msg(inner) = &mut fields[i].value else {
        return;
    };
    let cut = rng.below(inner.len() as u64 + 1) as usize;
    let tail = inner.split_off(cut);
    let tag = fields[i].tag;
    let at = i + 1 + rng.below((fields.len() - i) as u64) as usize;
    fields.insert(
        at,
        Field {
            tag,
            value: Value::Msg(tail),
        },
    );
}

/// Rewrites an encoding without changing what it means.
fn preserving_rewrite(event: &OwnedEvent, seed: u64) -> Vec<u8> {
    let rng = &mut SplitMix64::new(seed);
    let mut fields = wire::parse(&encoded(event));
    // Inner messages first: shuffle (repeated fields keep their order),
    // unknown fields anywhere, stale values that a later one overrides.
    for field in fields.iter_mut() {
        if let Value::Msg(inner) = &mut field.value {
            wire::for_each_message(inner, &mut |m| {
                wire::shuffle(rng, m, true);
                let n = rng.below(3);
                wire::insert_unknown(rng, m, n);
            });
            if field.tag != 7 {
                insert_stale_scalars(rng, inner, repeated_in(field.tag));
                // `position` occurrences merge too.
                let repeated = repeated_in(field.tag);
                let positions: Vec<usize> = (0..inner.len())
                    .filter(|&i| {
                        matches!(inner[i].value, Value::Msg(_)) && !repeated.contains(&inner[i].tag)
                    })
                    .collect();
                if let Some(&p) = positions.first() {
                    if rng.chance(50) {
                        split_message(rng, inner, p);
                    }
                }
            }
        }
    }
    wire::shuffle(rng, &mut fields, true);
    insert_stale_scalars(rng, &mut fields, &[]);
    // A stale attrs entry for a key that comes again later.
    if let Some(i) = fields.iter().position(|f| f.tag == 7) {
        if let Value::Msg(entry) = &fields[i].value {
            let mut stale_entry = entry.clone();
            stale_entry.retain(|f| f.tag != 2);
            stale_entry.push(Field {
                tag: 2,
                value: Value::Bytes(b"stale".to_vec()),
            });
            let at = rng.below(i as u64 + 1) as usize;
            fields.insert(
                at,
                Field {
                    tag: 7,
                    value: Value::Msg(stale_entry),
                },
            );
        }
    }
    // The payload split in two occurrences of its member.
    if let Some(i) = fields.iter().position(|f| (10..=18).contains(&f.tag)) {
        if rng.chance(50) {
            split_message(rng, &mut fields, i);
        }
    }
    let n = rng.below(4);
    wire::insert_unknown(rng, &mut fields, n);
    wire::to_bytes(&fields)
}

/// Rewrites an encoding in ways that may change its meaning or break it.
fn any_rewrite(event: &OwnedEvent, other: &OwnedEvent, seed: u64) -> Vec<u8> {
    let rng = &mut SplitMix64::new(seed);
    let mut fields = wire::parse(&encoded(event));
    wire::for_each_message(&mut fields, &mut |m| {
        if rng.chance(30) {
            wire::shuffle(rng, m, false);
        }
        if !m.is_empty() && rng.chance(30) {
            // A duplicated field: a repeated item twice, a scalar again, a message merged with itself.
            let i = rng.below(m.len() as u64) as usize;
            let at = rng.below(m.len() as u64 + 1) as usize;
            let f = m[i].clone();
            m.insert(at, f);
        }
        if !m.is_empty() && rng.chance(10) {
            // The packed form of a scalar (legal only for repeated scalars).
            let i = rng.below(m.len() as u64) as usize;
            if let Value::Varint(v) = m[i].value {
                let mut packed = Vec::new();
                wire::varint(v, &mut packed);
                wire::varint(v / 2, &mut packed);
                m[i].value = Value::Bytes(packed);
            }
        }
        if rng.chance(20) {
            let n = rng.below(3) + 1;
            wire::insert_unknown(rng, m, n);
        }
    });
    if rng.chance(20) {
        // Another member of the oneof: the last one replaces the first.
        let mut theirs: Vec<Field> = wire::parse(&encoded(other))
            .into_iter()
            .filter(|f| (10..=18).contains(&f.tag))
            .collect();
        let at = rng.below(fields.len() as u64 + 1) as usize;
        for f in theirs.drain(..) {
            fields.insert(at, f);
        }
    }
    let mut bytes = wire::to_bytes(&fields);
    if rng.chance(20) {
        bytes.extend_from_slice(&encoded(other));
    }
    if !bytes.is_empty() && rng.chance(25) {
        // Corruption: a flipped byte, a truncation or an inserted byte.
        let i = rng.below(bytes.len() as u64) as usize;
        match rng.below(3) {
            0 => bytes[i] ^= 1 << rng.below(8),
            1 => bytes.truncate(i),
            _ => bytes.insert(i, rng.next_u64() as u8),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn round_trip_through_both_decoders(ev in strategies::event()) {
        let bytes = encoded(&ev);
        let decoded = check(&bytes)?;
        prop_assert_eq!(decoded, Some(ev.with_sorted_attrs()));
    }

    #[test]
    fn preserving_rewrites_decode_to_the_same_event(ev in strategies::event(), seed in any::<u64>()) {
        let bytes = preserving_rewrite(&ev, seed);
        let decoded = check(&bytes)?;
        prop_assert_eq!(decoded, Some(ev.with_sorted_attrs()));
    }

    #[test]
    fn any_rewrite_both_agree(a in event(), b in event(), seed in any::<u64>()) {
        let bytes = any_rewrite(&a, &b, seed);
        check(&bytes)?;
    }

    #[test]
    fn two_encodings_concatenated_merge(a in event(), b in event()) {
        let mut bytes = encoded(&a);
        bytes.extend_from_slice(&encoded(&b));
        let merged = check(&bytes)?;
        let merged = merged.ok_or_else(|| TestCaseError::fail("a merge of two valid events is valid"))?;
        prop_assert_eq!(&merged.id, &b.id);
        prop_assert_eq!(&merged.region, &b.region);
        prop_assert_eq!(merged.match_id.as_ref(), b.match_id.as_ref().or(a.match_id.as_ref()));
        prop_assert_eq!(merged.seq, if b.seq != 0 { b.seq } else { a.seq });
        prop_assert_eq!(merged.kind(), b.kind());
        // attrs: the union, b's value winning.
        let mut attrs: std::collections::BTreeMap<String, String> = a.attrs.iter().cloned().collect();
        attrs.extend(b.attrs.iter().cloned());
        prop_assert_eq!(merged.attrs, attrs.into_iter().collect::<Vec<_>>());
        // Same member: repeated fields append.
        if let (OwnedPayload::MatchStarted { players: pa, .. }, OwnedPayload::MatchStarted { players: pb, .. }, OwnedPayload::MatchStarted { players, .. }) = (&a.payload, &b.payload, &merged.payload) {
            prop_assert_eq!(players, &pa.iter().chain(pb).cloned().collect::<Vec<_>>());
        }
    }

    #[test]
    fn arbitrary_bytes_both_agree(bytes in proptest::collection::vec(any::<u8>(), 0..160)) {
        check(&bytes)?;
    }

    #[test]
    fn corrupted_encodings_both_agree(ev in strategies::event(), seed in any::<u64>()) {
        let rng = &mut SplitMix64::new(seed);
        let mut bytes = encoded(&ev);
        for _ in 0..=rng.below(3) {
            if bytes.is_empty() {
                break;
            }
            let i = rng.below(bytes.len() as u64) as usize;
            bytes[i] = rng.next_u64() as u8;
        }
        check(&bytes)?;
    }
}

/// A oneof member repeated: the same member merges, a different one replaces.
#[test]
fn oneof_same_member_merges_other_member_replaces() {
    let base = |payload| OwnedEvent {
        id: "e1".into(),
        seq: 1,
        ts: event_model::Timestamp(5),
        player_id: "p".into(),
        match_id: None,
        region: "eu".into(),
        attrs: vec![],
        payload,
    };
    let clue = |tags: &[&str], note: Option<&str>| OwnedPayload::ClueFound {
        clue_id: "c".into(),
        zone: "z".into(),
        position: event_model::Vec3 {
            x: 1.0,
            y: 2.0,
            z: 3.0,
        },
        tags: tags.iter().map(|s| s.to_string()).collect(),
        points: 7,
        hint_used: true,
        note: note.map(str::to_owned),
    };
    let a = base(clue(&["a"], Some("n")));
    let b = base(clue(&["b", "c"], None));
    let mut bytes = encoded(&a);
    bytes.extend_from_slice(&encoded(&b));
    let merged = zero_copy(&bytes).unwrap();
    assert_eq!(merged, prost(&bytes).unwrap());
    assert_eq!(merged.payload, clue(&["a", "b", "c"], Some("n")));

    let left = base(OwnedPayload::PlayerLeft {
        reason: "quit".into(),
    });
    let mut bytes = encoded(&a);
    bytes.extend_from_slice(&encoded(&left));
    bytes.extend_from_slice(&encoded(&b));
    let replaced = zero_copy(&bytes).unwrap();
    assert_eq!(replaced, prost(&bytes).unwrap());
    assert_eq!(replaced.payload, clue(&["b", "c"], None));
}

/// Duplicate map keys: the last value wins, whatever the order of key and value.
#[test]
fn attrs_entries_in_any_order_last_wins() {
    let mut fields = wire::parse(&encoded(&event_model::corpus::corpus(5, 1)[0]));
    let entry = |k: &str, v: &str, value_first: bool| {
        let mut e = vec![
            Field {
                tag: 1,
                value: Value::Bytes(k.as_bytes().to_vec()),
            },
            Field {
                tag: 2,
                value: Value::Bytes(v.as_bytes().to_vec()),
            },
        ];
        if value_first {
            e.reverse();
        }
        Field {
            tag: 7,
            value: Value::Msg(e),
        }
    };
    fields.retain(|f| f.tag != 7);
    fields.push(entry("zeta", "1", false));
    fields.push(entry("alpha", "1", true));
    fields.push(entry("zeta", "2", true));
    fields.push(Field {
        tag: 7,
        value: Value::Msg(vec![Field {
            tag: 1,
            value: Value::Bytes(b"nov".to_vec()),
        }]),
    });
    fields.push(Field {
        tag: 7,
        value: Value::Msg(vec![]),
    });
    let bytes = wire::to_bytes(&fields);
    let decoded = zero_copy(&bytes).unwrap();
    assert_eq!(decoded, prost(&bytes).unwrap());
    let pairs: Vec<(&str, &str)> = decoded
        .attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [("", ""), ("alpha", "1"), ("nov", ""), ("zeta", "2")]
    );
}
