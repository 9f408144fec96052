//! `Serialize` for views and owned events: the canonical field order of SPEC
//! section 2 (envelope in table order, `kind` as a string, `payload` omitted
//! for a heartbeat, absent optional fields omitted, `ts` in milliseconds).
//! Floats serialize as `f32`, so serde_json writes the shortest decimal that
//! reads back to the same `f32`.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, SerializeStruct, Serializer};

use crate::view::*;
use crate::{OwnedEvent, Timestamp};

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl Serialize for Vec3 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Vec3", 3)?;
        st.serialize_field("x", &self.x)?;
        st.serialize_field("y", &self.y)?;
        st.serialize_field("z", &self.z)?;
        st.end()
    }
}

struct Attrs<'a>(&'a [Attr<'a>]);

impl Serialize for Attrs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for a in self.0 {
            m.serialize_entry(a.key, a.value)?;
        }
        m.end()
    }
}

impl Serialize for Event<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Event", 9)?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("seq", &self.seq)?;
        st.serialize_field("ts", &self.ts)?;
        st.serialize_field("kind", self.kind().name())?;
        st.serialize_field("player_id", self.player_id)?;
        match self.match_id {
            Some(m) => st.serialize_field("match_id", m)?,
            None => st.skip_field("match_id")?,
        }
        st.serialize_field("region", self.region)?;
        if self.attrs.is_empty() {
            st.skip_field("attrs")?;
        } else {
            st.serialize_field("attrs", &Attrs(self.attrs))?;
        }
        match &self.payload {
            Payload::Heartbeat => st.skip_field("payload")?,
            p => st.serialize_field("payload", p)?,
        }
        st.end()
    }
}

struct Items<'a, T>(&'a [T]);

impl<T: Serialize> Serialize for Items<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

impl Serialize for InventoryItem<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("InventoryItem", 2)?;
        st.serialize_field("item", self.item)?;
        st.serialize_field("qty", &self.qty)?;
        st.end()
    }
}

impl Serialize for Score<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Score", 2)?;
        st.serialize_field("player_id", self.player_id)?;
        st.serialize_field("score", &self.score)?;
        st.end()
    }
}

impl Serialize for Payload<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Payload::PlayerJoined(p) => {
                let mut st = s.serialize_struct("PlayerJoined", 3)?;
                st.serialize_field("skill", &p.skill)?;
                st.serialize_field("platform", p.platform)?;
                st.serialize_field("party", &Items(p.party))?;
                st.end()
            }
            Payload::PlayerLeft(p) => {
                let mut st = s.serialize_struct("PlayerLeft", 1)?;
                st.serialize_field("reason", p.reason)?;
                st.end()
            }
            Payload::PlayerMoved(p) => {
                let mut st = s.serialize_struct("PlayerMoved", 3)?;
                st.serialize_field("position", &p.position)?;
                st.serialize_field("heading", &p.heading)?;
                st.serialize_field("speed", &p.speed)?;
                st.end()
            }
            Payload::ClueFound(p) => {
                let mut st = s.serialize_struct("ClueFound", 7)?;
                st.serialize_field("clue_id", p.clue_id)?;
                st.serialize_field("zone", p.zone)?;
                st.serialize_field("position", &p.position)?;
                st.serialize_field("tags", &Items(p.tags))?;
                st.serialize_field("points", &p.points)?;
                st.serialize_field("hint_used", &p.hint_used)?;
                match p.note {
                    Some(n) => st.serialize_field("note", n)?,
                    None => st.skip_field("note")?,
                }
                st.end()
            }
            Payload::TreasureClaimed(p) => {
                let mut st = s.serialize_struct("TreasureClaimed", 4)?;
                st.serialize_field("treasure_id", p.treasure_id)?;
                st.serialize_field("value", &p.value)?;
                st.serialize_field("position", &p.position)?;
                st.serialize_field("inventory", &Items(p.inventory))?;
                st.end()
            }
            Payload::MatchRequested(p) => {
                let mut st = s.serialize_struct("MatchRequested", 4)?;
                st.serialize_field("skill", &p.skill)?;
                st.serialize_field("party", &Items(p.party))?;
                st.serialize_field("modes", &Items(p.modes))?;
                st.serialize_field("max_latency_ms", &p.max_latency_ms)?;
                st.end()
            }
            Payload::MatchStarted(p) => {
                let mut st = s.serialize_struct("MatchStarted", 3)?;
                st.serialize_field("map", p.map)?;
                st.serialize_field("mode", p.mode)?;
                st.serialize_field("players", &Items(p.players))?;
                st.end()
            }
            Payload::MatchEnded(p) => {
                let mut st = s.serialize_struct("MatchEnded", 2)?;
                match p.winner {
                    Some(w) => st.serialize_field("winner", w)?,
                    None => st.skip_field("winner")?,
                }
                st.serialize_field("scores", &Items(p.scores))?;
                st.end()
            }
            Payload::Heartbeat => s.serialize_unit(),
        }
    }
}

impl Serialize for OwnedEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let arena = bumpalo::Bump::new();
        self.as_view(&arena).serialize(s)
    }
}
