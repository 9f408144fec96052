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

use crate::view::{
    self, Attr, Event as View, InventoryItem as ItemView, Payload, Score as ScoreView,
};
use crate::{Limit, LimitExceeded, Limits, OwnedEvent, Timestamp, ValidationError};

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
            payload: Some(payload_to_proto(&e.payload)),
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
        let payload = payload_view(payload, arena);
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

impl Event {
    /// Checks `limits.max_string_bytes` and `limits.max_items` over every
    /// string and list of the decoded message (`attrs` counts as a list,
    /// its keys and values as strings), in field order, before any copy is
    /// made. The payload's fields are walked from the schema, so a field
    /// added there is checked without further code.
    pub fn check_limits(&self, limits: &Limits) -> Result<(), LimitExceeded> {
        self.id.check_limits("id", limits)?;
        self.player_id.check_limits("player_id", limits)?;
        self.match_id.check_limits("match_id", limits)?;
        self.region.check_limits("region", limits)?;
        check_items("attrs", self.attrs.len(), limits)?;
        for (k, v) in &self.attrs {
            k.check_limits("attrs.key", limits)?;
            v.check_limits("attrs.value", limits)?;
        }
        match &self.payload {
            Some(payload) => payload_limits(payload, limits),
            None => Ok(()),
        }
    }
}

impl TryFrom<&Event> for OwnedEvent {
    type Error = ValidationError;

    fn try_from(msg: &Event) -> Result<Self, Self::Error> {
        let arena = Bump::new();
        Ok(msg.view(&arena)?.to_owned())
    }
}

/// How a payload field of each type maps to its prost type (per type, not
/// per field).
trait ProtoField<'a>: Sized {
    /// The prost type of the field.
    type Proto;
    fn to_proto(&self) -> Self::Proto;
    /// A view of the prost value: strings borrow from it, list slices are
    /// built in `arena`.
    fn from_proto(proto: &'a Self::Proto, arena: &'a Bump) -> Self;
}

/// Fields whose prost type is their own.
macro_rules! proto_plain {
    ($($t:ty),*) => {$(
        impl ProtoField<'_> for $t {
            type Proto = $t;

            fn to_proto(&self) -> $t {
                *self
            }

            fn from_proto(proto: &$t, _: &Bump) -> $t {
                *proto
            }
        }
    )*};
}

proto_plain!(u32, u64, f32, bool);

impl<'a> ProtoField<'a> for &'a str {
    type Proto = String;

    fn to_proto(&self) -> String {
        (*self).to_owned()
    }

    fn from_proto(proto: &'a String, _: &'a Bump) -> Self {
        proto
    }
}

impl<'a> ProtoField<'a> for Option<&'a str> {
    type Proto = Option<String>;

    fn to_proto(&self) -> Option<String> {
        self.map(str::to_owned)
    }

    fn from_proto(proto: &'a Option<String>, _: &'a Bump) -> Self {
        proto.as_deref()
    }
}

/// An embedded message: absent reads as its defaults.
impl ProtoField<'_> for view::Vec3 {
    type Proto = Option<Vec3>;

    fn to_proto(&self) -> Option<Vec3> {
        Some((*self).into())
    }

    fn from_proto(proto: &Option<Vec3>, _: &Bump) -> Self {
        proto
            .as_ref()
            .map(|v| view::Vec3 {
                x: v.x,
                y: v.y,
                z: v.z,
            })
            .unwrap_or_default()
    }
}

impl<'a> ProtoField<'a> for &'a [&'a str] {
    type Proto = Vec<String>;

    fn to_proto(&self) -> Vec<String> {
        self.iter().map(|s| (*s).to_owned()).collect()
    }

    fn from_proto(proto: &'a Vec<String>, arena: &'a Bump) -> Self {
        arena.alloc_slice_fill_iter(proto.iter().map(String::as_str))
    }
}

impl<'a> ProtoField<'a> for &'a [ItemView<'a>] {
    type Proto = Vec<InventoryItem>;

    fn to_proto(&self) -> Vec<InventoryItem> {
        self.iter()
            .map(|i| InventoryItem {
                item: i.item.to_owned(),
                qty: i.qty,
            })
            .collect()
    }

    fn from_proto(proto: &'a Vec<InventoryItem>, arena: &'a Bump) -> Self {
        arena.alloc_slice_fill_iter(proto.iter().map(|i| ItemView {
            item: &i.item,
            qty: i.qty,
        }))
    }
}

impl<'a> ProtoField<'a> for &'a [ScoreView<'a>] {
    type Proto = Vec<Score>;

    fn to_proto(&self) -> Vec<Score> {
        self.iter()
            .map(|s| Score {
                player_id: s.player_id.to_owned(),
                score: s.score,
            })
            .collect()
    }

    fn from_proto(proto: &'a Vec<Score>, arena: &'a Bump) -> Self {
        arena.alloc_slice_fill_iter(proto.iter().map(|s| ScoreView {
            player_id: &s.player_id,
            score: s.score,
        }))
    }
}

/// The limits a prost field type is subject to (per type, not per field).
/// `path` names the field; an item's index is added only on failure, so the
/// happy path does not allocate.
trait ProtoLimits {
    /// Checks `self` against `limits`' string and list limits.
    fn check_limits(&self, path: &str, limits: &Limits) -> Result<(), LimitExceeded> {
        let _ = (path, limits);
        Ok(())
    }
}

impl ProtoLimits for u32 {}
impl ProtoLimits for u64 {}
impl ProtoLimits for f32 {}
impl ProtoLimits for bool {}
impl ProtoLimits for Option<Vec3> {}

fn check_items(path: &str, len: usize, limits: &Limits) -> Result<(), LimitExceeded> {
    if len > limits.max_items {
        Err(LimitExceeded::new(
            Limit::Items,
            path,
            len,
            limits.max_items,
        ))
    } else {
        Ok(())
    }
}

/// The string limit, for a string at `path[index]` when `index` is given.
fn check_string(
    path: &str,
    index: Option<usize>,
    value: &str,
    limits: &Limits,
) -> Result<(), LimitExceeded> {
    if value.len() <= limits.max_string_bytes {
        return Ok(());
    }
    let path = match index {
        Some(i) => format!("{path}[{i}]"),
        None => path.to_owned(),
    };
    Err(LimitExceeded::new(
        Limit::StringBytes,
        path,
        value.len(),
        limits.max_string_bytes,
    ))
}

impl ProtoLimits for String {
    fn check_limits(&self, path: &str, limits: &Limits) -> Result<(), LimitExceeded> {
        check_string(path, None, self, limits)
    }
}

impl ProtoLimits for Option<String> {
    fn check_limits(&self, path: &str, limits: &Limits) -> Result<(), LimitExceeded> {
        match self {
            Some(s) => check_string(path, None, s, limits),
            None => Ok(()),
        }
    }
}

impl ProtoLimits for Vec<String> {
    fn check_limits(&self, path: &str, limits: &Limits) -> Result<(), LimitExceeded> {
        check_items(path, self.len(), limits)?;
        for (i, s) in self.iter().enumerate() {
            check_string(path, Some(i), s, limits)?;
        }
        Ok(())
    }
}

impl ProtoLimits for Vec<InventoryItem> {
    fn check_limits(&self, path: &str, limits: &Limits) -> Result<(), LimitExceeded> {
        check_items(path, self.len(), limits)?;
        for (i, item) in self.iter().enumerate() {
            if item.item.len() > limits.max_string_bytes {
                let path = format!("{path}[{i}].item");
                return check_string(&path, None, &item.item, limits);
            }
        }
        Ok(())
    }
}

impl ProtoLimits for Vec<Score> {
    fn check_limits(&self, path: &str, limits: &Limits) -> Result<(), LimitExceeded> {
        check_items(path, self.len(), limits)?;
        for (i, score) in self.iter().enumerate() {
            if score.player_id.len() > limits.max_string_bytes {
                let path = format!("{path}[{i}].player_id");
                return check_string(&path, None, &score.player_id, limits);
            }
        }
        Ok(())
    }
}

/// Generates the payload conversions both ways from the schema. The prost
/// structs are built without `..Default::default()`, so a field of the
/// `.proto` that the schema lacks is a compile error here.
macro_rules! proto_payload {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        /// The prost oneof member for a view payload.
        fn payload_to_proto(payload: &Payload<'_>) -> event::Payload {
            match payload {
                $(Payload::$Kind(p) => event::Payload::$Kind($Kind {
                    $($f: ProtoField::to_proto(&p.$f),)*
                }),)*
                Payload::$Unit => event::Payload::$Unit($Unit {}),
            }
        }

        /// The view payload of a prost oneof member.
        fn payload_view<'a>(payload: &'a event::Payload, arena: &'a Bump) -> Payload<'a> {
            match payload {
                $(event::Payload::$Kind(p) => Payload::$Kind(view::$Kind {
                    $($f: ProtoField::from_proto(&p.$f, arena),)*
                }),)*
                event::Payload::$Unit(_) => Payload::$Unit,
            }
        }

        /// Checks every string and list field of a prost oneof member
        /// against `limits` (see [`Event::check_limits`]).
        fn payload_limits(payload: &event::Payload, limits: &Limits) -> Result<(), LimitExceeded> {
            match payload {
                $(event::Payload::$Kind(p) => {
                    $(ProtoLimits::check_limits(&p.$f, concat!("payload.", stringify!($f)), limits)?;)*
                })*
                event::Payload::$Unit(_) => {}
            }
            Ok(())
        }
    };
}

crate::with_payload_schema!(proto_payload);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::corpus;

    fn match_ended(scores: Vec<Score>) -> Event {
        Event {
            id: "e1".into(),
            player_id: "p1".into(),
            region: "eu".into(),
            payload: Some(event::Payload::MatchEnded(MatchEnded {
                winner: None,
                scores,
            })),
            ..Event::default()
        }
    }

    #[test]
    fn limits_name_the_field_and_the_item() {
        let limits = Limits {
            max_string_bytes: 3,
            max_items: 2,
            ..Limits::DEFAULT
        };
        let score = |p: &str| Score {
            player_id: p.into(),
            score: 1,
        };
        let ok = match_ended(vec![score("abc"), score("d")]);
        assert_eq!(ok.check_limits(&limits), Ok(()));
        let e = match_ended(vec![score("a"), score("long")])
            .check_limits(&limits)
            .unwrap_err();
        assert_eq!(
            e,
            LimitExceeded::new(Limit::StringBytes, "payload.scores[1].player_id", 4, 3)
        );
        let e = match_ended(vec![score("a"); 3])
            .check_limits(&limits)
            .unwrap_err();
        assert_eq!(e, LimitExceeded::new(Limit::Items, "payload.scores", 3, 2));
        let mut msg = match_ended(vec![]);
        msg.payload = Some(event::Payload::MatchRequested(MatchRequested {
            modes: vec!["ffa".into(), "duel".into()],
            ..MatchRequested::default()
        }));
        let e = msg.check_limits(&limits).unwrap_err();
        assert_eq!(e.path, "payload.modes[1]");
        msg.attrs.insert("k".into(), "four".into());
        assert_eq!(msg.check_limits(&limits).unwrap_err().path, "attrs.value");
    }

    #[test]
    fn the_corpus_is_within_the_default_limits() {
        for ev in corpus(7, 200) {
            assert_eq!(Event::from(&ev).check_limits(&Limits::DEFAULT), Ok(()));
        }
    }
}
