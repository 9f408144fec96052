//! The routing table as written (SPEC section 4): plain serde structs, strict
//! about unknown keys, before validation and compilation into a
//! [`RouteTable`](crate::RouteTable).

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// Which envelope field feeds the partition hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyField {
    /// `match_id`, falling back to `player_id` when the event has none.
    MatchId,
    /// `player_id`.
    PlayerId,
}

impl KeyField {
    /// The name used in the table (`match_id`, `player_id`).
    pub const fn name(self) -> &'static str {
        match self {
            KeyField::MatchId => "match_id",
            KeyField::PlayerId => "player_id",
        }
    }
}

/// What happens to an event that no route matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmatched {
    /// Hand it to the dead-letter sink (the default: nothing is lost silently).
    #[default]
    DeadLetter,
    /// Count it as dropped and forget it.
    Drop,
    /// Reject it: the batch returns an error with the frame's index.
    Error,
}

impl Unmatched {
    /// The name used in the table (`dead_letter`, `drop`, `error`).
    pub const fn name(self) -> &'static str {
        match self {
            Unmatched::DeadLetter => "dead_letter",
            Unmatched::Drop => "drop",
            Unmatched::Error => "error",
        }
    }
}

/// A routing table as written, before validation.
///
/// `key` and `partitions` are required; `unmatched` defaults to
/// `dead_letter`. Unknown keys are errors at every level.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// The partition key.
    pub key: KeyField,
    /// Number of partitions, `1..=4096` (checked when compiled).
    pub partitions: u64,
    /// The routes, evaluated in order.
    pub routes: Vec<RouteSpec>,
    /// What happens to events no route matches.
    #[serde(default)]
    pub unmatched: Unmatched,
}

/// One route as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// Unique route name.
    pub name: String,
    /// Conditions that must all hold; absent matches every event.
    #[serde(default)]
    pub when: Option<When>,
    /// Handler names, `1..=16`, each at most once.
    pub to: Vec<String>,
    /// When true and this route matches, later routes are not evaluated.
    #[serde(default)]
    pub exclusive: bool,
}

/// The conditions of a route; each one given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// Any of these kind names.
    #[serde(default)]
    pub kind: Option<Vec<String>>,
    /// Any of these regions.
    #[serde(default)]
    pub region: Option<Vec<String>>,
    /// Each pair must be present in the event's `attrs` with an equal value.
    #[serde(default, deserialize_with = "ordered_pairs")]
    pub attrs: Option<Vec<(String, String)>>,
    /// `true`: the event has a `match_id`; `false`: it has none.
    #[serde(default)]
    pub has_match: Option<bool>,
}

/// Reads a mapping into pairs in written order, rejecting duplicate keys.
fn ordered_pairs<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<(String, String)>>, D::Error> {
    struct Pairs;

    impl<'de> Visitor<'de> for Pairs {
        type Value = Vec<(String, String)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping of attribute names to values")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: Vec<(String, String)> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            while let Some((k, v)) = map.next_entry::<String, String>()? {
                if !seen.insert(k.clone()) {
                    return Err(de::Error::custom(format_args!("duplicate attribute {k:?}")));
                }
                out.push((k, v));
            }
            Ok(out)
        }
    }

    d.deserialize_map(Pairs).map(Some)
}
