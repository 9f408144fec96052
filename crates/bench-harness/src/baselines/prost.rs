//! The reference decoder: prost's owned types, then validation.

use bumpalo::collections::Vec as BVec;
use bumpalo::{AllocErr, Bump};
use event_model::{
    Attr, ClueFound, Event, InventoryItem, Limit, Limits, MatchEnded, MatchRequested, MatchStarted,
    Payload, PlayerJoined, PlayerLeft, Score, TreasureClaimed, proto,
};
use prost::Message;

use event_decode::internals::protobuf::event_too_big;
use event_decode::{Category, DecodeConfig, DecodeError, Decoder, Format, Position};

/// Decodes with `prost::Message::decode` into [`proto::Event`], validates it
/// with [`proto::Event::view`] and copies the strings into the arena.
///
/// The reference implementation and the benchmark baseline: simple and
/// obviously right, at the cost of an owned `String` per field and a
/// `BTreeMap` for `attrs`. Its errors have the categories of
/// [`ZeroCopyDecoder`](event_decode::protobuf::ZeroCopyDecoder)'s, but prost reports no byte
/// offset for wire errors (validation errors point at byte 0, the message
/// start, as the zero-copy decoder's do), and a truncated varint is a
/// `Syntax` error here since prost does not tell it from an overlong one.
///
/// Limits: `max_event_bytes` is checked first, `max_string_bytes` and
/// `max_items` on the decoded message; nesting is bounded by prost's own
/// recursion limit (100) rather than `max_depth`.
#[derive(Debug, Clone, Default)]
pub struct ProstDecoder {
    limits: Limits,
    scratch: Scratch,
}

/// The decoder's own arena for the intermediate view of the prost message
/// (reset on every call): only the final copy goes to the caller's arena,
/// whose allocation limit it must respect without panicking.
#[derive(Debug, Default)]
struct Scratch(Bump);

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Scratch::default()
    }
}

impl ProstDecoder {
    /// A decoder with the default [`DecodeConfig`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder with `config`'s limits (`max_depth` is not one of them:
    /// prost applies its own recursion limit of 100; `max_alias_*` never
    /// apply). Unknown fields are skipped under either policy, as proto3
    /// requires.
    pub fn with_config(config: &DecodeConfig) -> Self {
        ProstDecoder {
            limits: config.limits,
            scratch: Scratch::default(),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }
}

impl Decoder for ProstDecoder {
    fn format(&self) -> Format {
        Format::Protobuf
    }

    fn decode<'a>(&mut self, input: &'a [u8], arena: &'a Bump) -> Result<Event<'a>, DecodeError> {
        if input.len() > self.limits.max_event_bytes {
            return Err(event_too_big(input.len(), self.limits.max_event_bytes));
        }
        let msg = proto::Event::decode(input).map_err(from_prost)?;
        check_limits(&msg, &self.limits)?;
        self.scratch.0.reset();
        let view = msg
            .view(&self.scratch.0)
            .map_err(|e| DecodeError::from(e).with_position(Position::Byte { offset: 0 }))?;
        copy_into(&view, arena)
            .map_err(|_| DecodeError::out_of_memory().with_position(Position::Byte { offset: 0 }))
    }
}

/// A prost error in this crate's terms: prost's `Message.field` stack becomes
/// the field path (`payload.position.x`), its description the category.
fn from_prost(e: prost::DecodeError) -> DecodeError {
    let text = e.to_string();
    let mut rest = text
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(&text);
    // The stack comes innermost first, each entry `Message.field: `.
    let mut fields = Vec::new();
    while let Some((entry, tail)) = rest.split_once(": ") {
        let Some((message, field)) = entry.split_once('.') else {
            break;
        };
        let is_ident =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !message.starts_with(|c: char| c.is_ascii_uppercase())
            || !is_ident(message)
            || !is_ident(field)
        {
            break;
        }
        fields.push(field);
        rest = tail;
    }
    let path = fields.iter().rev().copied().collect::<Vec<_>>().join(".");
    let error = if rest.starts_with("buffer underflow") {
        DecodeError::new(Category::Eof, rest)
    } else if rest.starts_with("recursion limit reached") {
        DecodeError::limit_exceeded(Limit::Depth, rest)
    } else {
        DecodeError::new(Category::Syntax, rest)
    };
    error.with_path(path)
}

#[cold]
fn string_too_long(path: &str, len: usize, max: usize) -> DecodeError {
    DecodeError::limit_exceeded(
        Limit::StringBytes,
        format!("string of {len} bytes is longer than max_string_bytes ({max})"),
    )
    .with_path(path)
}

#[cold]
fn list_too_long(path: &str, len: usize, max: usize) -> DecodeError {
    DecodeError::limit_exceeded(Limit::Items, format!("{len} items; max_items is {max}"))
        .with_path(path)
}

/// `max_string_bytes` and `max_items` over a decoded message.
fn check_limits(msg: &proto::Event, limits: &Limits) -> Result<(), DecodeError> {
    let max_s = limits.max_string_bytes;
    let max_n = limits.max_items;
    let s = |path: &str, v: &str| {
        if v.len() > max_s {
            Err(string_too_long(path, v.len(), max_s))
        } else {
            Ok(())
        }
    };
    let list = |path: &str, v: &[String]| {
        if v.len() > max_n {
            return Err(list_too_long(path, v.len(), max_n));
        }
        for (i, item) in v.iter().enumerate() {
            s(&format!("{path}[{i}]"), item)?;
        }
        Ok(())
    };
    let n = |path: &str, len: usize| {
        if len > max_n {
            Err(list_too_long(path, len, max_n))
        } else {
            Ok(())
        }
    };
    s("id", &msg.id)?;
    s("player_id", &msg.player_id)?;
    if let Some(m) = &msg.match_id {
        s("match_id", m)?;
    }
    s("region", &msg.region)?;
    n("attrs", msg.attrs.len())?;
    for (k, v) in &msg.attrs {
        s("attrs.key", k)?;
        s("attrs.value", v)?;
    }
    use proto::event::Payload as P;
    match &msg.payload {
        Some(P::PlayerJoined(p)) => {
            s("payload.platform", &p.platform)?;
            list("payload.party", &p.party)?;
        }
        Some(P::PlayerLeft(p)) => s("payload.reason", &p.reason)?,
        Some(P::ClueFound(p)) => {
            s("payload.clue_id", &p.clue_id)?;
            s("payload.zone", &p.zone)?;
            list("payload.tags", &p.tags)?;
            if let Some(note) = &p.note {
                s("payload.note", note)?;
            }
        }
        Some(P::TreasureClaimed(p)) => {
            s("payload.treasure_id", &p.treasure_id)?;
            n("payload.inventory", p.inventory.len())?;
            for (i, item) in p.inventory.iter().enumerate() {
                s(&format!("payload.inventory[{i}].item"), &item.item)?;
            }
        }
        Some(P::MatchRequested(p)) => {
            list("payload.party", &p.party)?;
            list("payload.modes", &p.modes)?;
        }
        Some(P::MatchStarted(p)) => {
            s("payload.map", &p.map)?;
            s("payload.mode", &p.mode)?;
            list("payload.players", &p.players)?;
        }
        Some(P::MatchEnded(p)) => {
            if let Some(w) = &p.winner {
                s("payload.winner", w)?;
            }
            n("payload.scores", p.scores.len())?;
            for (i, score) in p.scores.iter().enumerate() {
                s(&format!("payload.scores[{i}].player_id"), &score.player_id)?;
            }
        }
        Some(P::PlayerMoved(_)) | Some(P::Heartbeat(_)) | None => {}
    }
    Ok(())
}

/// A copy of `e` whose strings and lists all live in `arena`, or an
/// error when the arena refuses an allocation.
fn copy_into<'a>(e: &Event<'_>, arena: &'a Bump) -> Result<Event<'a>, AllocErr> {
    let s = |v: &str| -> Result<&'a str, AllocErr> { Ok(&*arena.try_alloc_str(v)?) };
    let list = |v: &[&str]| -> Result<&'a [&'a str], AllocErr> {
        let mut out = BVec::new_in(arena);
        out.try_reserve_exact(v.len()).map_err(|_| AllocErr)?;
        for x in v {
            out.push(s(x)?);
        }
        Ok(out.into_bump_slice())
    };
    let opt = |v: Option<&str>| v.map(s).transpose();
    let mut attrs = BVec::new_in(arena);
    attrs
        .try_reserve_exact(e.attrs.len())
        .map_err(|_| AllocErr)?;
    for a in e.attrs {
        attrs.push(Attr {
            key: s(a.key)?,
            value: s(a.value)?,
        });
    }
    let payload = match &e.payload {
        Payload::PlayerJoined(p) => Payload::PlayerJoined(PlayerJoined {
            skill: p.skill,
            platform: s(p.platform)?,
            party: list(p.party)?,
        }),
        Payload::PlayerLeft(p) => Payload::PlayerLeft(PlayerLeft {
            reason: s(p.reason)?,
        }),
        Payload::PlayerMoved(p) => Payload::PlayerMoved(*p),
        Payload::ClueFound(p) => Payload::ClueFound(ClueFound {
            clue_id: s(p.clue_id)?,
            zone: s(p.zone)?,
            position: p.position,
            tags: list(p.tags)?,
            points: p.points,
            hint_used: p.hint_used,
            note: opt(p.note)?,
        }),
        Payload::TreasureClaimed(p) => {
            let mut inventory = BVec::new_in(arena);
            inventory
                .try_reserve_exact(p.inventory.len())
                .map_err(|_| AllocErr)?;
            for i in p.inventory {
                inventory.push(InventoryItem {
                    item: s(i.item)?,
                    qty: i.qty,
                });
            }
            Payload::TreasureClaimed(TreasureClaimed {
                treasure_id: s(p.treasure_id)?,
                value: p.value,
                position: p.position,
                inventory: inventory.into_bump_slice(),
            })
        }
        Payload::MatchRequested(p) => Payload::MatchRequested(MatchRequested {
            skill: p.skill,
            party: list(p.party)?,
            modes: list(p.modes)?,
            max_latency_ms: p.max_latency_ms,
        }),
        Payload::MatchStarted(p) => Payload::MatchStarted(MatchStarted {
            map: s(p.map)?,
            mode: s(p.mode)?,
            players: list(p.players)?,
        }),
        Payload::MatchEnded(p) => {
            let mut scores = BVec::new_in(arena);
            scores
                .try_reserve_exact(p.scores.len())
                .map_err(|_| AllocErr)?;
            for x in p.scores {
                scores.push(Score {
                    player_id: s(x.player_id)?,
                    score: x.score,
                });
            }
            Payload::MatchEnded(MatchEnded {
                winner: opt(p.winner)?,
                scores: scores.into_bump_slice(),
            })
        }
        Payload::Heartbeat => Payload::Heartbeat,
    };
    Ok(Event {
        id: s(e.id)?,
        seq: e.seq,
        ts: e.ts,
        player_id: s(e.player_id)?,
        match_id: opt(e.match_id)?,
        region: s(e.region)?,
        attrs: attrs.into_bump_slice(),
        payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prost_stack_becomes_a_path() {
        // Field 13 (clue_found) holding field 4 (tags) with a bad UTF-8 byte.
        let bytes = [0x6a, 0x03, 0x22, 0x01, 0xff];
        let e = ProstDecoder::new()
            .decode(&bytes, &Bump::new())
            .unwrap_err();
        assert_eq!(e.category(), Category::Syntax);
        assert_eq!(e.path(), "payload.tags");
        assert!(e.message().contains("UTF-8"), "{e}");
    }
}
