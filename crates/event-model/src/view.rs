//! Borrowed, drop-free views of an event.
//!
//! Every string is a `&'a str` and every list a `&'a [T]`: they point into the
//! input buffer (when the bytes can be used as they are) or into a caller-owned
//! [`bumpalo::Bump`] arena (when text had to be unescaped or a list built). No
//! type here implements `Drop` or owns heap memory, so a whole event can live in
//! an arena that is reset after each batch without leaking.

use crate::{Kind, Timestamp};

/// A point in game space.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Vec3 {
    /// East-west coordinate.
    pub x: f32,
    /// North-south coordinate.
    pub y: f32,
    /// Height.
    pub z: f32,
}

/// One `attrs` entry: a free-form key and its text value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attr<'a> {
    /// The attribute name.
    pub key: &'a str,
    /// The attribute value (any scalar's text).
    pub value: &'a str,
}

/// One event, borrowed from its input and/or an arena.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event<'a> {
    /// Producer-assigned unique id, 1..=64 bytes.
    pub id: &'a str,
    /// Producer sequence number.
    pub seq: u64,
    /// When it happened.
    pub ts: Timestamp,
    /// The player the event is about, 1..=64 bytes.
    pub player_id: &'a str,
    /// The match it belongs to, if any, 1..=64 bytes.
    pub match_id: Option<&'a str>,
    /// The region it came from, 1..=32 bytes.
    pub region: &'a str,
    /// Free-form attributes, in input order, keys unique.
    pub attrs: &'a [Attr<'a>],
    /// The kind-specific body; its variant is the event's kind.
    pub payload: Payload<'a>,
}

impl<'a> Event<'a> {
    /// The event's kind (implied by the payload variant).
    pub fn kind(&self) -> Kind {
        self.payload.kind()
    }

    /// The value of attribute `key`, if present.
    pub fn attr(&self, key: &str) -> Option<&'a str> {
        self.attrs.iter().find(|a| a.key == key).map(|a| a.value)
    }

    /// The routing key of SPEC section 4 for `match_id` partitioning: the
    /// match id, or the player id when the event has none.
    pub fn match_or_player_id(&self) -> &'a str {
        self.match_id.unwrap_or(self.player_id)
    }
}

/// The kind-specific body of an event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Payload<'a> {
    /// See [`PlayerJoined`].
    PlayerJoined(PlayerJoined<'a>),
    /// See [`PlayerLeft`].
    PlayerLeft(PlayerLeft<'a>),
    /// See [`PlayerMoved`].
    PlayerMoved(PlayerMoved),
    /// See [`ClueFound`].
    ClueFound(ClueFound<'a>),
    /// See [`TreasureClaimed`].
    TreasureClaimed(TreasureClaimed<'a>),
    /// See [`MatchRequested`].
    MatchRequested(MatchRequested<'a>),
    /// See [`MatchStarted`].
    MatchStarted(MatchStarted<'a>),
    /// See [`MatchEnded`].
    MatchEnded(MatchEnded<'a>),
    /// A heartbeat carries no payload.
    Heartbeat,
}

impl Payload<'_> {
    /// The kind this payload belongs to.
    pub fn kind(&self) -> Kind {
        match self {
            Payload::PlayerJoined(_) => Kind::PlayerJoined,
            Payload::PlayerLeft(_) => Kind::PlayerLeft,
            Payload::PlayerMoved(_) => Kind::PlayerMoved,
            Payload::ClueFound(_) => Kind::ClueFound,
            Payload::TreasureClaimed(_) => Kind::TreasureClaimed,
            Payload::MatchRequested(_) => Kind::MatchRequested,
            Payload::MatchStarted(_) => Kind::MatchStarted,
            Payload::MatchEnded(_) => Kind::MatchEnded,
            Payload::Heartbeat => Kind::Heartbeat,
        }
    }
}

/// `player_joined`: a player connected.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlayerJoined<'a> {
    /// Matchmaking skill rating.
    pub skill: u32,
    /// Client platform (`ios`, `pc`, ...).
    pub platform: &'a str,
    /// Player ids of the party the player joined with.
    pub party: &'a [&'a str],
}

/// `player_left`: a player disconnected.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlayerLeft<'a> {
    /// Why (`quit`, `timeout`, ...).
    pub reason: &'a str,
}

/// `player_moved`: a player's position changed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlayerMoved {
    /// Where the player is now.
    pub position: Vec3,
    /// Facing, in degrees.
    pub heading: f32,
    /// Speed, in units per second.
    pub speed: f32,
}

/// `clue_found`: a clue was found.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ClueFound<'a> {
    /// The clue's id.
    pub clue_id: &'a str,
    /// The zone it was found in.
    pub zone: &'a str,
    /// Where it was found.
    pub position: Vec3,
    /// Free-form tags.
    pub tags: &'a [&'a str],
    /// Points awarded.
    pub points: u32,
    /// Whether a hint was used.
    pub hint_used: bool,
    /// An optional note from the player.
    pub note: Option<&'a str>,
}

/// One stack of items in a claimed treasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InventoryItem<'a> {
    /// The item's name.
    pub item: &'a str,
    /// How many.
    pub qty: u32,
}

/// `treasure_claimed`: a treasure was claimed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TreasureClaimed<'a> {
    /// The treasure's id.
    pub treasure_id: &'a str,
    /// Its value in points.
    pub value: u64,
    /// Where it was claimed.
    pub position: Vec3,
    /// What it contained.
    pub inventory: &'a [InventoryItem<'a>],
}

/// `match_requested`: a party asked for a match.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MatchRequested<'a> {
    /// Skill rating of the party.
    pub skill: u32,
    /// Player ids of the party.
    pub party: &'a [&'a str],
    /// Acceptable game modes.
    pub modes: &'a [&'a str],
    /// The highest acceptable latency to a region's servers.
    pub max_latency_ms: u32,
}

/// `match_started`: a match began.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MatchStarted<'a> {
    /// The map played.
    pub map: &'a str,
    /// The game mode.
    pub mode: &'a str,
    /// Player ids in the match.
    pub players: &'a [&'a str],
}

/// One player's final score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score<'a> {
    /// The player.
    pub player_id: &'a str,
    /// Their score (may be negative).
    pub score: i64,
}

/// `match_ended`: a match finished.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MatchEnded<'a> {
    /// The winning player, if any.
    pub winner: Option<&'a str>,
    /// Final scores.
    pub scores: &'a [Score<'a>],
}

/// Compile-time proof that views are drop-free (safe to keep in an arena).
const _: () = {
    const fn assert_no_drop<T>() {
        assert!(!std::mem::needs_drop::<T>());
    }
    assert_no_drop::<Event<'static>>();
    assert_no_drop::<Payload<'static>>();
};
