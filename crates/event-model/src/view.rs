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

/// Generates [`Payload`], its `kind()` and the payload structs from the schema.
macro_rules! view_payloads {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        /// The kind-specific body of an event.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum Payload<'a> {
            $(
                #[doc = concat!("See [`", stringify!($Kind), "`].")]
                $Kind($Kind $(<$lt>)?),
            )*
            $(#[doc = $udoc])*
            $Unit,
        }

        impl Payload<'_> {
            /// The kind this payload belongs to.
            pub fn kind(&self) -> Kind {
                match self {
                    $(Payload::$Kind(_) => Kind::$Kind,)*
                    Payload::$Unit => Kind::$Unit,
                }
            }
        }

        $(
            $(#[doc = $kdoc])*
            #[derive(Debug, Clone, Copy, PartialEq, Default)]
            pub struct $Kind $(<$lt>)? {
                $( $(#[doc = $fdoc])* pub $f: $vt, )*
            }
        )*
    };
}

crate::with_payload_schema!(view_payloads);

/// One stack of items in a claimed treasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InventoryItem<'a> {
    /// The item's name.
    pub item: &'a str,
    /// How many.
    pub qty: u32,
}

/// One player's final score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score<'a> {
    /// The player.
    pub player_id: &'a str,
    /// Their score (may be negative).
    pub score: i64,
}

/// Compile-time proof that views are drop-free (safe to keep in an arena).
const _: () = {
    const fn assert_no_drop<T>() {
        assert!(!std::mem::needs_drop::<T>());
    }
    assert_no_drop::<Event<'static>>();
    assert_no_drop::<Payload<'static>>();
};
