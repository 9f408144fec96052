//! The payload schema, written once.
//!
//! [`with_payload_schema!`](crate::with_payload_schema) holds the fields of
//! every kind's payload, in the order and with the tags of
//! `proto/veltrix_events_v1.proto`. The view payload structs, [`Payload`],
//! [`OwnedPayload`](crate::OwnedPayload) and the conversions between them,
//! canonical serialization, the protobuf conversions, validation and the
//! decoders' and encoders' per-field code are all generated from it, each
//! written per field *type* (the [`Field`] trait here, and one trait per
//! encoding next to its code) rather than per field.
//!
//! Adding a field to a kind therefore touches the `.proto` (then
//! `VELTRIX_BLESS=1 cargo test -p event-model --test proto_generated`), the
//! schema, and the text decoders' union of payload keys
//! (`event-decode/src/text/seed/payload.rs`, whose build names a missing
//! one); literals of the kind's `OwnedPayload` in tests need the field too.
//! The corpus (`corpus.rs`) draws every field from its type, so it needs no
//! edit; an arm in its per-name match can make the new field's values look
//! like the game (without one, the type's generator still sets it). The
//! drift test of `event-decode` (`tests/contract.rs`) reads the `.proto`
//! with `protox` and fails when any generator, encoder, decoder or limit
//! misses a field; the generated protobuf conversions name every field of
//! the prost structs, so a field in the `.proto` that the schema lacks does
//! not even compile.

use bumpalo::Bump;

use crate::ValidationError;
use crate::validate::{check_float, check_vec3};
use crate::view::{InventoryItem, Payload, Score, Vec3};

/// Calls the macro `$callback` with the payload schema as its input, so
/// that each crate generates its per-field code from this one list.
///
/// The input reads, for every kind (in the order of [`Kind::ALL`](crate::Kind::ALL)):
///
/// ```text
/// /// docs of the kind
/// kind ViewStruct<'a> wire_name = oneof_tag {
///     /// docs of the field
///     field: ViewType => OwnedType = proto_tag, required;   // or `optional`
///     ...
/// }
/// ```
///
/// (`<'a>` is present when the view struct borrows), and last the kind with
/// no payload: `unit /// docs  Heartbeat heartbeat = 18;`. A field marked
/// `required` must be present in text encodings; `optional` fields default
/// (empty list, `None`). Types name `$crate` paths, so they resolve in any
/// crate. Field names become constants in the zero-copy protobuf reader, so
/// a field may not be called `at`, `wt`, `key`, `tag`, `b`, `c`, `p` or
/// `cursor` (the build says so if one is).
///
/// ```
/// macro_rules! field_names {
///     ($( $(#[doc = $kdoc:literal])* kind $kind:ident $(<$lt:lifetime>)? $name:ident = $ktag:literal {
///         $( $(#[doc = $fdoc:literal])* $field:ident : $view:ty => $owned:ty = $tag:literal, $req:ident; )*
///     } )* unit $(#[doc = $udoc:literal])* $unit:ident $uname:ident = $utag:literal;) => {
///         &[$( (stringify!($name), &[$(stringify!($field)),*]) ),*]
///     };
/// }
/// let kinds: &[(&str, &[&str])] = event_model::with_payload_schema!(field_names);
/// assert_eq!(kinds[1], ("player_left", &["reason"][..]));
/// ```
#[macro_export]
macro_rules! with_payload_schema {
    ($callback:ident) => {
        $callback! {
            /// `player_joined`: a player connected.
            kind PlayerJoined<'a> player_joined = 10 {
                /// Matchmaking skill rating.
                skill: u32 => u32 = 1, required;
                /// Client platform (`ios`, `pc`, ...).
                platform: &'a str => String = 2, required;
                /// Player ids of the party the player joined with.
                party: &'a [&'a str] => Vec<String> = 3, optional;
            }
            /// `player_left`: a player disconnected.
            kind PlayerLeft<'a> player_left = 11 {
                /// Why (`quit`, `timeout`, ...).
                reason: &'a str => String = 1, required;
            }
            /// `player_moved`: a player's position changed.
            kind PlayerMoved player_moved = 12 {
                /// Where the player is now.
                position: $crate::Vec3 => $crate::Vec3 = 1, required;
                /// Facing, in degrees.
                heading: f32 => f32 = 2, required;
                /// Speed, in units per second.
                speed: f32 => f32 = 3, required;
            }
            /// `clue_found`: a clue was found.
            kind ClueFound<'a> clue_found = 13 {
                /// The clue's id.
                clue_id: &'a str => String = 1, required;
                /// The zone it was found in.
                zone: &'a str => String = 2, required;
                /// Where it was found.
                position: $crate::Vec3 => $crate::Vec3 = 3, required;
                /// Free-form tags.
                tags: &'a [&'a str] => Vec<String> = 4, optional;
                /// Points awarded.
                points: u32 => u32 = 5, required;
                /// Whether a hint was used.
                hint_used: bool => bool = 6, required;
                /// An optional note from the player.
                note: Option<&'a str> => Option<String> = 7, optional;
            }
            /// `treasure_claimed`: a treasure was claimed.
            kind TreasureClaimed<'a> treasure_claimed = 14 {
                /// The treasure's id.
                treasure_id: &'a str => String = 1, required;
                /// Its value in points.
                value: u64 => u64 = 2, required;
                /// Where it was claimed.
                position: $crate::Vec3 => $crate::Vec3 = 3, required;
                /// What it contained (owned: `(item, qty)` stacks).
                inventory: &'a [$crate::InventoryItem<'a>] => Vec<(String, u32)> = 4, optional;
            }
            /// `match_requested`: a party asked for a match.
            kind MatchRequested<'a> match_requested = 15 {
                /// Skill rating of the party.
                skill: u32 => u32 = 1, required;
                /// Player ids of the party.
                party: &'a [&'a str] => Vec<String> = 2, optional;
                /// Acceptable game modes.
                modes: &'a [&'a str] => Vec<String> = 3, optional;
                /// The highest acceptable latency to a region's servers.
                max_latency_ms: u32 => u32 = 4, required;
            }
            /// `match_started`: a match began.
            kind MatchStarted<'a> match_started = 16 {
                /// The map played.
                map: &'a str => String = 1, required;
                /// The game mode.
                mode: &'a str => String = 2, required;
                /// Player ids in the match.
                players: &'a [&'a str] => Vec<String> = 3, optional;
            }
            /// `match_ended`: a match finished.
            kind MatchEnded<'a> match_ended = 17 {
                /// The winning player, if any.
                winner: Option<&'a str> => Option<String> = 1, optional;
                /// Final scores (owned: `(player_id, score)` pairs).
                scores: &'a [$crate::Score<'a>] => Vec<(String, i64)> = 2, optional;
            }
            unit
            /// A heartbeat carries no payload.
            Heartbeat heartbeat = 18;
        }
    };
}

/// What every payload field type provides, whatever the field: the owned
/// form and the validation rule. Encodings add their own per-type traits.
pub trait Field<'a>: Copy {
    /// The field's type in [`OwnedPayload`](crate::OwnedPayload).
    type Owned;

    /// Copies the value out of its buffer and arena.
    fn to_owned_value(&self) -> Self::Owned;

    /// A view of an owned value: strings borrow from it, list slices are
    /// built in `arena`.
    fn from_owned(owned: &'a Self::Owned, arena: &'a Bump) -> Self;

    /// True when the value keeps the rules of [`Event::validate`](crate::Event::validate)
    /// (floats finite); cheap, for decoders' fast checks.
    #[inline(always)]
    fn is_valid(&self) -> bool {
        true
    }

    /// The error for a value that is not [`is_valid`](Field::is_valid), naming `path`.
    fn check(&self, path: &str) -> Result<(), ValidationError> {
        let _ = path;
        Ok(())
    }
}

/// Fields whose owned form is the value itself.
macro_rules! plain_field {
    ($($t:ty),*) => {$(
        impl Field<'_> for $t {
            type Owned = $t;

            #[inline(always)]
            fn to_owned_value(&self) -> $t {
                *self
            }

            #[inline(always)]
            fn from_owned(owned: &$t, _: &Bump) -> $t {
                *owned
            }
        }
    )*};
}

plain_field!(u32, u64, bool);

impl Field<'_> for f32 {
    type Owned = f32;

    #[inline(always)]
    fn to_owned_value(&self) -> f32 {
        *self
    }

    #[inline(always)]
    fn from_owned(owned: &f32, _: &Bump) -> f32 {
        *owned
    }

    #[inline(always)]
    fn is_valid(&self) -> bool {
        self.is_finite()
    }

    fn check(&self, path: &str) -> Result<(), ValidationError> {
        check_float(path, *self)
    }
}

impl Field<'_> for Vec3 {
    type Owned = Vec3;

    #[inline(always)]
    fn to_owned_value(&self) -> Vec3 {
        *self
    }

    #[inline(always)]
    fn from_owned(owned: &Vec3, _: &Bump) -> Vec3 {
        *owned
    }

    #[inline(always)]
    fn is_valid(&self) -> bool {
        self.x.is_finite() & self.y.is_finite() & self.z.is_finite()
    }

    fn check(&self, path: &str) -> Result<(), ValidationError> {
        check_vec3(path, self)
    }
}

impl<'a> Field<'a> for &'a str {
    type Owned = String;

    fn to_owned_value(&self) -> String {
        (*self).to_owned()
    }

    #[inline(always)]
    fn from_owned(owned: &'a String, _: &'a Bump) -> Self {
        owned
    }
}

impl<'a> Field<'a> for Option<&'a str> {
    type Owned = Option<String>;

    fn to_owned_value(&self) -> Option<String> {
        self.map(str::to_owned)
    }

    #[inline(always)]
    fn from_owned(owned: &'a Option<String>, _: &'a Bump) -> Self {
        owned.as_deref()
    }
}

impl<'a> Field<'a> for &'a [&'a str] {
    type Owned = Vec<String>;

    fn to_owned_value(&self) -> Vec<String> {
        self.iter().map(|s| (*s).to_owned()).collect()
    }

    fn from_owned(owned: &'a Vec<String>, arena: &'a Bump) -> Self {
        arena.alloc_slice_fill_iter(owned.iter().map(String::as_str))
    }
}

impl<'a> Field<'a> for &'a [InventoryItem<'a>] {
    type Owned = Vec<(String, u32)>;

    fn to_owned_value(&self) -> Self::Owned {
        self.iter().map(|i| (i.item.to_owned(), i.qty)).collect()
    }

    fn from_owned(owned: &'a Self::Owned, arena: &'a Bump) -> Self {
        arena.alloc_slice_fill_iter(
            owned
                .iter()
                .map(|(item, qty)| InventoryItem { item, qty: *qty }),
        )
    }
}

impl<'a> Field<'a> for &'a [Score<'a>] {
    type Owned = Vec<(String, i64)>;

    fn to_owned_value(&self) -> Self::Owned {
        self.iter()
            .map(|s| (s.player_id.to_owned(), s.score))
            .collect()
    }

    fn from_owned(owned: &'a Self::Owned, arena: &'a Bump) -> Self {
        arena.alloc_slice_fill_iter(owned.iter().map(|(player_id, score)| Score {
            player_id,
            score: *score,
        }))
    }
}

/// The payload fields of one kind, as data: the tables that text decoders
/// check presence with, generated from the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindFields {
    /// The kind's wire name (`clue_found`).
    pub kind: &'static str,
    /// The protobuf tag of the kind's `payload` oneof member.
    pub tag: u32,
    /// The payload field names, in the order of the `.proto`.
    pub names: &'static [&'static str],
    /// The protobuf tag of each field, in the same order.
    pub tags: &'static [u32],
    /// Bit `i` set when field `names[i]` is required.
    pub required: u64,
}

impl KindFields {
    /// The position of field `name` in [`names`](KindFields::names).
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| *n == name)
    }
}

macro_rules! kind_tables {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        /// The payload fields of every kind, in the order of [`Kind::ALL`](crate::Kind::ALL)
        /// (the heartbeat last, with none).
        pub const KIND_FIELDS: &[KindFields] = &[
            $(KindFields {
                kind: stringify!($kind),
                tag: $ktag,
                names: &[$(stringify!($f)),*],
                tags: &[$($tag),*],
                required: required_mask(&[$(required!($req)),*]),
            },)*
            KindFields {
                kind: stringify!($unit),
                tag: $utag,
                names: &[],
                tags: &[],
                required: 0,
            },
        ];
    };
}

macro_rules! required {
    (required) => {
        true
    };
    (optional) => {
        false
    };
}

const fn required_mask(required: &[bool]) -> u64 {
    let mut mask = 0;
    let mut i = 0;
    while i < required.len() {
        if required[i] {
            mask |= 1 << i;
        }
        i += 1;
    }
    mask
}

crate::with_payload_schema!(kind_tables);

impl Payload<'_> {
    /// The schema's table of this payload's kind.
    pub fn fields(&self) -> &'static KindFields {
        &KIND_FIELDS[self.kind().index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kind;

    #[test]
    fn tables_follow_the_kinds() {
        assert_eq!(KIND_FIELDS.len(), Kind::ALL.len());
        for (k, t) in Kind::ALL.iter().zip(KIND_FIELDS) {
            assert_eq!(k.name(), t.kind);
            assert_eq!(t.names.len(), t.tags.len());
        }
        let clue = &KIND_FIELDS[Kind::ClueFound.index()];
        assert_eq!(clue.index("note"), Some(6));
        // clue_id, zone, position, points, hint_used.
        assert_eq!(clue.required, 0b11_0111);
    }
}
