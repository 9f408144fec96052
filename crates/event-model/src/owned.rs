//! Owned events, for users who keep an event past its input buffer or arena.

use bumpalo::Bump;

use crate::view::{self, Attr, Event, Payload, Vec3};
use crate::{Kind, Timestamp};

/// An owned event: the same fields as [`Event`], with `String`s and `Vec`s.
///
/// To decode one, use `event_decode::from_slice_owned` (YAML, JSON or
/// protobuf bytes, the one `DecodeError` on failure), or decode a view with
/// `event_decode::from_slice` and call [`Event::to_owned`]. It serializes
/// (serde) in the canonical order of the specification.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedEvent {
    /// See [`Event::id`].
    pub id: String,
    /// See [`Event::seq`].
    pub seq: u64,
    /// See [`Event::ts`].
    pub ts: Timestamp,
    /// See [`Event::player_id`].
    pub player_id: String,
    /// See [`Event::match_id`].
    pub match_id: Option<String>,
    /// See [`Event::region`].
    pub region: String,
    /// See [`Event::attrs`]: `(key, value)` pairs in input order.
    pub attrs: Vec<(String, String)>,
    /// See [`Event::payload`].
    pub payload: OwnedPayload,
}

/// The owned form of [`Payload`].
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // Each variant mirrors the view payload of the same name.
pub enum OwnedPayload {
    PlayerJoined {
        skill: u32,
        platform: String,
        party: Vec<String>,
    },
    PlayerLeft {
        reason: String,
    },
    PlayerMoved {
        position: Vec3,
        heading: f32,
        speed: f32,
    },
    ClueFound {
        clue_id: String,
        zone: String,
        position: Vec3,
        tags: Vec<String>,
        points: u32,
        hint_used: bool,
        note: Option<String>,
    },
    TreasureClaimed {
        treasure_id: String,
        value: u64,
        position: Vec3,
        /// `(item, qty)` stacks.
        inventory: Vec<(String, u32)>,
    },
    MatchRequested {
        skill: u32,
        party: Vec<String>,
        modes: Vec<String>,
        max_latency_ms: u32,
    },
    MatchStarted {
        map: String,
        mode: String,
        players: Vec<String>,
    },
    MatchEnded {
        winner: Option<String>,
        /// `(player_id, score)` pairs.
        scores: Vec<(String, i64)>,
    },
    Heartbeat,
}

impl OwnedPayload {
    /// The kind this payload belongs to.
    pub fn kind(&self) -> Kind {
        match self {
            OwnedPayload::PlayerJoined { .. } => Kind::PlayerJoined,
            OwnedPayload::PlayerLeft { .. } => Kind::PlayerLeft,
            OwnedPayload::PlayerMoved { .. } => Kind::PlayerMoved,
            OwnedPayload::ClueFound { .. } => Kind::ClueFound,
            OwnedPayload::TreasureClaimed { .. } => Kind::TreasureClaimed,
            OwnedPayload::MatchRequested { .. } => Kind::MatchRequested,
            OwnedPayload::MatchStarted { .. } => Kind::MatchStarted,
            OwnedPayload::MatchEnded { .. } => Kind::MatchEnded,
            OwnedPayload::Heartbeat => Kind::Heartbeat,
        }
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn str_slice<'a>(arena: &'a Bump, list: &'a [String]) -> &'a [&'a str] {
    arena.alloc_slice_fill_iter(list.iter().map(String::as_str))
}

impl Event<'_> {
    /// Copies the event out of its buffer and arena.
    pub fn to_owned(&self) -> OwnedEvent {
        OwnedEvent {
            id: self.id.to_owned(),
            seq: self.seq,
            ts: self.ts,
            player_id: self.player_id.to_owned(),
            match_id: self.match_id.map(str::to_owned),
            region: self.region.to_owned(),
            attrs: self
                .attrs
                .iter()
                .map(|a| (a.key.to_owned(), a.value.to_owned()))
                .collect(),
            payload: match &self.payload {
                Payload::PlayerJoined(p) => OwnedPayload::PlayerJoined {
                    skill: p.skill,
                    platform: p.platform.to_owned(),
                    party: strings(p.party),
                },
                Payload::PlayerLeft(p) => OwnedPayload::PlayerLeft {
                    reason: p.reason.to_owned(),
                },
                Payload::PlayerMoved(p) => OwnedPayload::PlayerMoved {
                    position: p.position,
                    heading: p.heading,
                    speed: p.speed,
                },
                Payload::ClueFound(p) => OwnedPayload::ClueFound {
                    clue_id: p.clue_id.to_owned(),
                    zone: p.zone.to_owned(),
                    position: p.position,
                    tags: strings(p.tags),
                    points: p.points,
                    hint_used: p.hint_used,
                    note: p.note.map(str::to_owned),
                },
                Payload::TreasureClaimed(p) => OwnedPayload::TreasureClaimed {
                    treasure_id: p.treasure_id.to_owned(),
                    value: p.value,
                    position: p.position,
                    inventory: p
                        .inventory
                        .iter()
                        .map(|i| (i.item.to_owned(), i.qty))
                        .collect(),
                },
                Payload::MatchRequested(p) => OwnedPayload::MatchRequested {
                    skill: p.skill,
                    party: strings(p.party),
                    modes: strings(p.modes),
                    max_latency_ms: p.max_latency_ms,
                },
                Payload::MatchStarted(p) => OwnedPayload::MatchStarted {
                    map: p.map.to_owned(),
                    mode: p.mode.to_owned(),
                    players: strings(p.players),
                },
                Payload::MatchEnded(p) => OwnedPayload::MatchEnded {
                    winner: p.winner.map(str::to_owned),
                    scores: p
                        .scores
                        .iter()
                        .map(|s| (s.player_id.to_owned(), s.score))
                        .collect(),
                },
                Payload::Heartbeat => OwnedPayload::Heartbeat,
            },
        }
    }
}

impl OwnedEvent {
    /// The event's kind.
    pub fn kind(&self) -> Kind {
        self.payload.kind()
    }

    /// A view of this event. Strings borrow from `self`; only the slices of
    /// lists and attributes are built, in `arena`.
    pub fn as_view<'a>(&'a self, arena: &'a Bump) -> Event<'a> {
        Event {
            id: &self.id,
            seq: self.seq,
            ts: self.ts,
            player_id: &self.player_id,
            match_id: self.match_id.as_deref(),
            region: &self.region,
            attrs: arena.alloc_slice_fill_iter(self.attrs.iter().map(|(k, v)| Attr {
                key: k.as_str(),
                value: v.as_str(),
            })),
            payload: match &self.payload {
                OwnedPayload::PlayerJoined {
                    skill,
                    platform,
                    party,
                } => Payload::PlayerJoined(view::PlayerJoined {
                    skill: *skill,
                    platform,
                    party: str_slice(arena, party),
                }),
                OwnedPayload::PlayerLeft { reason } => {
                    Payload::PlayerLeft(view::PlayerLeft { reason })
                }
                OwnedPayload::PlayerMoved {
                    position,
                    heading,
                    speed,
                } => Payload::PlayerMoved(view::PlayerMoved {
                    position: *position,
                    heading: *heading,
                    speed: *speed,
                }),
                OwnedPayload::ClueFound {
                    clue_id,
                    zone,
                    position,
                    tags,
                    points,
                    hint_used,
                    note,
                } => Payload::ClueFound(view::ClueFound {
                    clue_id,
                    zone,
                    position: *position,
                    tags: str_slice(arena, tags),
                    points: *points,
                    hint_used: *hint_used,
                    note: note.as_deref(),
                }),
                OwnedPayload::TreasureClaimed {
                    treasure_id,
                    value,
                    position,
                    inventory,
                } => Payload::TreasureClaimed(view::TreasureClaimed {
                    treasure_id,
                    value: *value,
                    position: *position,
                    inventory: arena.alloc_slice_fill_iter(
                        inventory
                            .iter()
                            .map(|(item, qty)| view::InventoryItem { item, qty: *qty }),
                    ),
                }),
                OwnedPayload::MatchRequested {
                    skill,
                    party,
                    modes,
                    max_latency_ms,
                } => Payload::MatchRequested(view::MatchRequested {
                    skill: *skill,
                    party: str_slice(arena, party),
                    modes: str_slice(arena, modes),
                    max_latency_ms: *max_latency_ms,
                }),
                OwnedPayload::MatchStarted { map, mode, players } => {
                    Payload::MatchStarted(view::MatchStarted {
                        map,
                        mode,
                        players: str_slice(arena, players),
                    })
                }
                OwnedPayload::MatchEnded { winner, scores } => {
                    Payload::MatchEnded(view::MatchEnded {
                        winner: winner.as_deref(),
                        scores: arena.alloc_slice_fill_iter(scores.iter().map(
                            |(player_id, score)| view::Score {
                                player_id,
                                score: *score,
                            },
                        )),
                    })
                }
                OwnedPayload::Heartbeat => Payload::Heartbeat,
            },
        }
    }

    /// Checks the schema rules; see [`Event::validate`].
    pub fn validate(&self) -> Result<(), crate::ValidationError> {
        let arena = Bump::new();
        self.as_view(&arena).validate()
    }

    /// The same event with `attrs` sorted by key: the order-free form used to
    /// compare events across encodings whose maps are unordered (protobuf).
    pub fn with_sorted_attrs(mut self) -> Self {
        self.attrs.sort();
        self
    }
}
