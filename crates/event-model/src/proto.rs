//! The protobuf wire contract, `veltrix.events.v1` (see `proto/veltrix_events_v1.proto`).
//!
//! The Rust types below are generated from the `.proto` file by
//! `prost-build`, fed by `protox` (a pure-Rust protobuf compiler), and
//! committed as `proto_generated.rs`, so that a build needs neither `protoc`
//! nor the generators. The test `tests/proto_generated.rs` regenerates them
//! and fails on any difference, so the types cannot drift from the contract
//! that a Go or Python producer compiles with stock `protoc`
//! (`VELTRIX_BLESS=1 cargo test -p event-model --test proto_generated`
//! rewrites the file after a change to the contract).

use bumpalo::Bump;

use crate::view::{self, Attr, Event as View, Payload};
use crate::{OwnedEvent, Timestamp, ValidationError};

#[allow(missing_docs, clippy::all, clippy::pedantic, rust_2018_idioms)]
#[path = "proto_generated.rs"]
mod generated;

pub use generated::*;

/// The `.proto` contract's text, for tools that want to ship it.
pub const PROTO_FILE: &str = include_str!("../proto/veltrix_events_v1.proto");

impl From<view::Vec3> for generated::Vec3 {
    fn from(v: view::Vec3) -> Self {
        generated::Vec3 {
            x: v.x,
            y: v.y,
            z: v.z,
        }
    }
}

fn vec3(v: Option<&generated::Vec3>) -> view::Vec3 {
    v.map(|v| view::Vec3 {
        x: v.x,
        y: v.y,
        z: v.z,
    })
    .unwrap_or_default()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn str_slice<'a>(arena: &'a Bump, list: &'a [String]) -> &'a [&'a str] {
    arena.alloc_slice_fill_iter(list.iter().map(String::as_str))
}

impl From<&View<'_>> for Event {
    /// The protobuf message for a view (prost encodes it).
    fn from(e: &View<'_>) -> Self {
        Event {
            id: e.id.to_owned(),
            seq: e.seq,
            ts: e.ts.0,
            player_id: e.player_id.to_owned(),
            match_id: e.match_id.map(str::to_owned),
            region: e.region.to_owned(),
            attrs: e
                .attrs
                .iter()
                .map(|a| (a.key.to_owned(), a.value.to_owned()))
                .collect(),
            payload: Some(match &e.payload {
                Payload::PlayerJoined(p) => event::Payload::PlayerJoined(PlayerJoined {
                    skill: p.skill,
                    platform: p.platform.to_owned(),
                    party: strings(p.party),
                }),
                Payload::PlayerLeft(p) => event::Payload::PlayerLeft(PlayerLeft {
                    reason: p.reason.to_owned(),
                }),
                Payload::PlayerMoved(p) => event::Payload::PlayerMoved(PlayerMoved {
                    position: Some(p.position.into()),
                    heading: p.heading,
                    speed: p.speed,
                }),
                Payload::ClueFound(p) => event::Payload::ClueFound(ClueFound {
                    clue_id: p.clue_id.to_owned(),
                    zone: p.zone.to_owned(),
                    position: Some(p.position.into()),
                    tags: strings(p.tags),
                    points: p.points,
                    hint_used: p.hint_used,
                    note: p.note.map(str::to_owned),
                }),
                Payload::TreasureClaimed(p) => event::Payload::TreasureClaimed(TreasureClaimed {
                    treasure_id: p.treasure_id.to_owned(),
                    value: p.value,
                    position: Some(p.position.into()),
                    inventory: p
                        .inventory
                        .iter()
                        .map(|i| InventoryItem {
                            item: i.item.to_owned(),
                            qty: i.qty,
                        })
                        .collect(),
                }),
                Payload::MatchRequested(p) => event::Payload::MatchRequested(MatchRequested {
                    skill: p.skill,
                    party: strings(p.party),
                    modes: strings(p.modes),
                    max_latency_ms: p.max_latency_ms,
                }),
                Payload::MatchStarted(p) => event::Payload::MatchStarted(MatchStarted {
                    map: p.map.to_owned(),
                    mode: p.mode.to_owned(),
                    players: strings(p.players),
                }),
                Payload::MatchEnded(p) => event::Payload::MatchEnded(MatchEnded {
                    winner: p.winner.map(str::to_owned),
                    scores: p
                        .scores
                        .iter()
                        .map(|s| Score {
                            player_id: s.player_id.to_owned(),
                            score: s.score,
                        })
                        .collect(),
                }),
                Payload::Heartbeat => event::Payload::Heartbeat(Heartbeat {}),
            }),
        }
    }
}

impl From<&OwnedEvent> for Event {
    fn from(e: &OwnedEvent) -> Self {
        let arena = Bump::new();
        Event::from(&e.as_view(&arena))
    }
}

fn required(path: &str, value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        Err(ValidationError::new(path, "missing required field"))
    } else {
        Ok(())
    }
}

impl Event {
    /// A validated view of this message: strings borrow from `self`, list
    /// slices are built in `arena`. Proto3 defaults stand in for absence, so
    /// an empty `id`, `player_id` or `region`, or no `payload` member, is an
    /// error that names the field, exactly as a missing YAML key is.
    pub fn view<'a>(&'a self, arena: &'a Bump) -> Result<View<'a>, ValidationError> {
        required("id", &self.id)?;
        required("player_id", &self.player_id)?;
        required("region", &self.region)?;
        let Some(payload) = &self.payload else {
            return Err(ValidationError::new("payload", "missing required field"));
        };
        let payload = match payload {
            event::Payload::PlayerJoined(p) => Payload::PlayerJoined(view::PlayerJoined {
                skill: p.skill,
                platform: &p.platform,
                party: str_slice(arena, &p.party),
            }),
            event::Payload::PlayerLeft(p) => {
                Payload::PlayerLeft(view::PlayerLeft { reason: &p.reason })
            }
            event::Payload::PlayerMoved(p) => Payload::PlayerMoved(view::PlayerMoved {
                position: vec3(p.position.as_ref()),
                heading: p.heading,
                speed: p.speed,
            }),
            event::Payload::ClueFound(p) => Payload::ClueFound(view::ClueFound {
                clue_id: &p.clue_id,
                zone: &p.zone,
                position: vec3(p.position.as_ref()),
                tags: str_slice(arena, &p.tags),
                points: p.points,
                hint_used: p.hint_used,
                note: p.note.as_deref(),
            }),
            event::Payload::TreasureClaimed(p) => Payload::TreasureClaimed(view::TreasureClaimed {
                treasure_id: &p.treasure_id,
                value: p.value,
                position: vec3(p.position.as_ref()),
                inventory: arena.alloc_slice_fill_iter(p.inventory.iter().map(|i| {
                    view::InventoryItem {
                        item: &i.item,
                        qty: i.qty,
                    }
                })),
            }),
            event::Payload::MatchRequested(p) => Payload::MatchRequested(view::MatchRequested {
                skill: p.skill,
                party: str_slice(arena, &p.party),
                modes: str_slice(arena, &p.modes),
                max_latency_ms: p.max_latency_ms,
            }),
            event::Payload::MatchStarted(p) => Payload::MatchStarted(view::MatchStarted {
                map: &p.map,
                mode: &p.mode,
                players: str_slice(arena, &p.players),
            }),
            event::Payload::MatchEnded(p) => Payload::MatchEnded(view::MatchEnded {
                winner: p.winner.as_deref(),
                scores: arena.alloc_slice_fill_iter(p.scores.iter().map(|s| view::Score {
                    player_id: &s.player_id,
                    score: s.score,
                })),
            }),
            event::Payload::Heartbeat(_) => Payload::Heartbeat,
        };
        let view = View {
            id: &self.id,
            seq: self.seq,
            ts: Timestamp(self.ts),
            player_id: &self.player_id,
            match_id: self.match_id.as_deref(),
            region: &self.region,
            attrs: arena.alloc_slice_fill_iter(self.attrs.iter().map(|(k, v)| Attr {
                key: k.as_str(),
                value: v.as_str(),
            })),
            payload,
        };
        view.validate()?;
        Ok(view)
    }
}

impl TryFrom<&Event> for OwnedEvent {
    type Error = ValidationError;

    fn try_from(msg: &Event) -> Result<Self, Self::Error> {
        let arena = Bump::new();
        Ok(msg.view(&arena)?.to_owned())
    }
}
