//! The `serde_json, borrowed &str struct` baseline of `compare`: the
//! event as plain derived structs whose strings borrow from the input.
//!
//! It reads every field of the contract into a typed value, as Veltrix's
//! decoder does (the kind into an enum, numbers into their widths, lists
//! and the payload's fields), so both rows do the same decoding work on the
//! same bytes; it does not validate (no semantic checks, no limits), and a
//! payload is gathered as the union of every kind's fields. Strings are
//! [`Str`]: a `&str` into the input, or, for the rare string with escapes
//! (which cannot be lent), its unescaped copy (as Veltrix copies those into
//! the arena).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

/// One event, strings borrowed from the input.
#[derive(Debug, Deserialize)]
pub struct BorrowedEvent<'a> {
    /// `id`.
    #[serde(borrow)]
    pub id: Str<'a>,
    /// `seq`.
    pub seq: u64,
    /// `ts`, integer milliseconds.
    pub ts: i64,
    /// `kind`.
    pub kind: BorrowedKind,
    /// `player_id`.
    #[serde(borrow)]
    pub player_id: Str<'a>,
    /// `match_id`.
    #[serde(default, borrow)]
    pub match_id: Option<Str<'a>>,
    /// `region`.
    #[serde(borrow)]
    pub region: Str<'a>,
    /// `attrs`, in input order.
    #[serde(default, borrow, deserialize_with = "attrs")]
    pub attrs: Vec<(Str<'a>, Str<'a>)>,
    /// `payload`, every kind's fields in one struct.
    #[serde(default, borrow)]
    pub payload: Option<BorrowedPayload<'a>>,
}

/// The event kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum BorrowedKind {
    PlayerJoined,
    PlayerLeft,
    PlayerMoved,
    ClueFound,
    TreasureClaimed,
    MatchRequested,
    MatchStarted,
    MatchEnded,
    Heartbeat,
}

/// A position.
#[derive(Debug, Clone, Copy, Deserialize)]
#[allow(missing_docs)]
pub struct BorrowedVec3 {
    pub x: f32,
    pub y: f32,
    pub z: f32,
}

/// An inventory item.
#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct BorrowedItem<'a> {
    #[serde(borrow)]
    pub item: Str<'a>,
    pub qty: u32,
}

/// A player's score.
#[derive(Debug, Deserialize)]
#[allow(missing_docs)]
pub struct BorrowedScore<'a> {
    #[serde(borrow)]
    pub player_id: Str<'a>,
    pub score: i64,
}

/// The union of every kind's payload fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct BorrowedPayload<'a> {
    pub skill: Option<u32>,
    #[serde(borrow)]
    pub platform: Option<Str<'a>>,
    #[serde(borrow)]
    pub party: Vec<Str<'a>>,
    #[serde(borrow)]
    pub reason: Option<Str<'a>>,
    pub position: Option<BorrowedVec3>,
    pub heading: Option<f32>,
    pub speed: Option<f32>,
    #[serde(borrow)]
    pub clue_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub zone: Option<Str<'a>>,
    #[serde(borrow)]
    pub tags: Vec<Str<'a>>,
    pub points: Option<u32>,
    pub hint_used: Option<bool>,
    #[serde(borrow)]
    pub note: Option<Str<'a>>,
    #[serde(borrow)]
    pub treasure_id: Option<Str<'a>>,
    pub value: Option<u64>,
    #[serde(borrow)]
    pub inventory: Vec<BorrowedItem<'a>>,
    #[serde(borrow)]
    pub modes: Vec<Str<'a>>,
    pub max_latency_ms: Option<u32>,
    #[serde(borrow)]
    pub map: Option<Str<'a>>,
    #[serde(borrow)]
    pub mode: Option<Str<'a>>,
    #[serde(borrow)]
    pub players: Vec<Str<'a>>,
    #[serde(borrow)]
    pub winner: Option<Str<'a>>,
    #[serde(borrow)]
    pub scores: Vec<BorrowedScore<'a>>,
}

/// A string borrowed from the input (`&str`), or its unescaped copy when
/// the input holds it with escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str<'a>(pub Cow<'a, str>);

impl PartialEq<&str> for Str<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// `attrs` as key-value pairs in input order.
fn attrs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(Str<'de>, Str<'de>)>, D::Error> {
    struct Pairs;
    impl<'de> Visitor<'de> for Pairs {
        type Value = Vec<(Str<'de>, Str<'de>)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping of strings")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some(pair) = map.next_entry()? {
                out.push(pair);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_event_with_every_field() {
        let inputs = crate::inputs::Inputs::build(2, 7).unwrap();
        let json = &inputs.set(crate::inputs::InputSet::Reference).json[0];
        let e: BorrowedEvent<'_> = serde_json::from_slice(json).unwrap();
        assert_eq!(e.kind, BorrowedKind::ClueFound);
        assert_eq!(e.seq, 1004);
        assert_eq!(e.attrs[0], (Str("client".into()), Str("ios-5.2.1".into())));
        assert_eq!(e.attrs[1], (Str("build".into()), Str("4412".into())));
        let p = e.payload.unwrap();
        assert_eq!(p.tags, ["coastal", "riddle", "night", "bonus"]);
        assert_eq!(p.points, Some(300));
        assert_eq!(p.position.map(|v| v.z), Some(29.625));
        assert_eq!(
            p.note.unwrap(),
            "found under the fourth plank of the old pier at low tide."
        );
        assert!(matches!(e.id.0, Cow::Borrowed(_)));
    }

    #[test]
    fn escaped_strings_are_unescaped_copies() {
        let json =
            br#"{"id":"a\"b","seq":1,"ts":2,"kind":"heartbeat","player_id":"p","region":"r"}"#;
        let e: BorrowedEvent<'_> = serde_json::from_slice(json).unwrap();
        assert_eq!(e.id, "a\"b");
        assert!(matches!(e.id.0, Cow::Owned(_)));
        assert!(matches!(e.player_id.0, Cow::Borrowed("p")));
    }
}
