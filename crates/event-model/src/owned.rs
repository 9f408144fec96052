//! Owned events, for users who keep an event past its input buffer or arena.

use bumpalo::Bump;

use crate::schema::Field;
use crate::view::{self, Attr, Event, Payload};
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

/// Generates [`OwnedPayload`] and the payload conversions from the schema.
macro_rules! owned_payload {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        /// The owned form of [`Payload`]: each variant has the fields of the
        /// view payload of the same name, with `String`s and `Vec`s.
        #[derive(Debug, Clone, PartialEq)]
        pub enum OwnedPayload {
            $(
                $(#[doc = $kdoc])*
                $Kind {
                    $( $(#[doc = $fdoc])* $f: $ot, )*
                },
            )*
            $(#[doc = $udoc])*
            $Unit,
        }

        impl OwnedPayload {
            /// The kind this payload belongs to.
            pub fn kind(&self) -> Kind {
                match self {
                    $(OwnedPayload::$Kind { .. } => Kind::$Kind,)*
                    OwnedPayload::$Unit => Kind::$Unit,
                }
            }

            /// A view of this payload: strings borrow from `self`, list
            /// slices are built in `arena`.
            pub fn as_view<'a>(&'a self, arena: &'a Bump) -> Payload<'a> {
                match self {
                    $(OwnedPayload::$Kind { $($f),* } => Payload::$Kind(view::$Kind {
                        $($f: Field::from_owned($f, arena),)*
                    }),)*
                    OwnedPayload::$Unit => Payload::$Unit,
                }
            }
        }

        impl Payload<'_> {
            /// Copies the payload out of its buffer and arena.
            pub fn to_owned(&self) -> OwnedPayload {
                match self {
                    $(Payload::$Kind(p) => OwnedPayload::$Kind {
                        $($f: Field::to_owned_value(&p.$f),)*
                    },)*
                    Payload::$Unit => OwnedPayload::$Unit,
                }
            }
        }
    };
}

crate::with_payload_schema!(owned_payload);

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
            payload: self.payload.to_owned(),
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
            payload: self.payload.as_view(arena),
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
