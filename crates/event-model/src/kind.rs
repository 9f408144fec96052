//! The event kinds and their names.

use std::fmt;

/// What happened: one of the kinds of SPEC section 2. The kind decides the
/// shape of the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A player connected.
    PlayerJoined,
    /// A player disconnected.
    PlayerLeft,
    /// A player's position changed.
    PlayerMoved,
    /// A clue was found in the treasure hunt.
    ClueFound,
    /// A treasure was claimed.
    TreasureClaimed,
    /// A party asked the matchmaker for a match.
    MatchRequested,
    /// A match began.
    MatchStarted,
    /// A match finished.
    MatchEnded,
    /// A keep-alive with no payload.
    Heartbeat,
}

impl Kind {
    /// Every kind, in the order of the specification (and of [`Kind::index`]).
    pub const ALL: [Kind; 9] = [
        Kind::PlayerJoined,
        Kind::PlayerLeft,
        Kind::PlayerMoved,
        Kind::ClueFound,
        Kind::TreasureClaimed,
        Kind::MatchRequested,
        Kind::MatchStarted,
        Kind::MatchEnded,
        Kind::Heartbeat,
    ];

    /// The kind's name on the wire (`clue_found`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Kind::PlayerJoined => "player_joined",
            Kind::PlayerLeft => "player_left",
            Kind::PlayerMoved => "player_moved",
            Kind::ClueFound => "clue_found",
            Kind::TreasureClaimed => "treasure_claimed",
            Kind::MatchRequested => "match_requested",
            Kind::MatchStarted => "match_started",
            Kind::MatchEnded => "match_ended",
            Kind::Heartbeat => "heartbeat",
        }
    }

    /// The kind with this wire name, if any.
    pub fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "player_joined" => Kind::PlayerJoined,
            "player_left" => Kind::PlayerLeft,
            "player_moved" => Kind::PlayerMoved,
            "clue_found" => Kind::ClueFound,
            "treasure_claimed" => Kind::TreasureClaimed,
            "match_requested" => Kind::MatchRequested,
            "match_started" => Kind::MatchStarted,
            "match_ended" => Kind::MatchEnded,
            "heartbeat" => Kind::Heartbeat,
            _ => return None,
        })
    }

    /// A dense index in `0..9`, usable as a bit position in a kind set.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The comma-separated list of every kind name, for error messages.
    pub const NAMES: &'static str = "player_joined, player_left, player_moved, clue_found, \
         treasure_claimed, match_requested, match_started, match_ended, heartbeat";
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Kind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::from_name(s).ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// A kind name that is not one of the specified kinds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind {0:?} (expected one of: {names})", names = Kind::NAMES)]
pub struct UnknownKind(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_index_is_dense() {
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i);
            assert_eq!(Kind::from_name(k.name()), Some(*k));
            assert!(Kind::NAMES.contains(k.name()));
        }
        assert_eq!(Kind::from_name("clue"), None);
        assert!(
            "nope"
                .parse::<Kind>()
                .unwrap_err()
                .to_string()
                .contains("heartbeat")
        );
    }
}
