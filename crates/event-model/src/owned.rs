//! Owned events, for users who keep an event past its input buffer or arena.

use bumpalo::collections::Vec as BVec;
use bumpalo::{AllocErr, Bump};

use crate::schema::Field;
use crate::view::{self, Attr, Event, InventoryItem, Payload, Score, Vec3};
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
            /// A copy of the payload whose strings and lists all live in
            /// `arena`, or the arena's refusal of an allocation.
            pub fn copy_in<'b>(&self, arena: &'b Bump) -> Result<Payload<'b>, AllocErr> {
                Ok(match self {
                    $(Payload::$Kind(p) => Payload::$Kind(view::$Kind {
                        $($f: CopyIn::copy_in(&p.$f, arena)?,)*
                    }),)*
                    Payload::$Unit => Payload::$Unit,
                })
            }

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

/// How a view field of each type is copied into another arena without
/// panicking when the arena refuses (per type, not per field).
trait CopyIn<'b> {
    /// The same type, borrowing from the new arena.
    type Out;

    fn copy_in(&self, arena: &'b Bump) -> Result<Self::Out, AllocErr>;
}

/// Fields that hold no borrowed data.
macro_rules! copy_plain {
    ($($t:ty),*) => {$(
        impl CopyIn<'_> for $t {
            type Out = $t;

            #[inline(always)]
            fn copy_in(&self, _: &Bump) -> Result<$t, AllocErr> {
                Ok(*self)
            }
        }
    )*};
}

copy_plain!(u32, u64, f32, bool, Vec3);

impl<'b> CopyIn<'b> for &str {
    type Out = &'b str;

    fn copy_in(&self, arena: &'b Bump) -> Result<&'b str, AllocErr> {
        Ok(arena.try_alloc_str(self)?)
    }
}

impl<'b> CopyIn<'b> for Option<&str> {
    type Out = Option<&'b str>;

    fn copy_in(&self, arena: &'b Bump) -> Result<Option<&'b str>, AllocErr> {
        self.map(|s| s.copy_in(arena)).transpose()
    }
}

/// A slice of `items` in `arena`, each copied in by `copy`.
fn copy_slice<'b, T, U>(
    items: &[T],
    arena: &'b Bump,
    mut copy: impl FnMut(&T) -> Result<U, AllocErr>,
) -> Result<&'b [U], AllocErr> {
    let mut out = BVec::new_in(arena);
    out.try_reserve_exact(items.len()).map_err(|_| AllocErr)?;
    for item in items {
        out.push(copy(item)?);
    }
    Ok(out.into_bump_slice())
}

impl<'b> CopyIn<'b> for &[&str] {
    type Out = &'b [&'b str];

    fn copy_in(&self, arena: &'b Bump) -> Result<&'b [&'b str], AllocErr> {
        copy_slice(self, arena, |s| s.copy_in(arena))
    }
}

impl<'b> CopyIn<'b> for &[InventoryItem<'_>] {
    type Out = &'b [InventoryItem<'b>];

    fn copy_in(&self, arena: &'b Bump) -> Result<Self::Out, AllocErr> {
        copy_slice(self, arena, |i| {
            Ok(InventoryItem {
                item: i.item.copy_in(arena)?,
                qty: i.qty,
            })
        })
    }
}

impl<'b> CopyIn<'b> for &[Score<'_>] {
    type Out = &'b [Score<'b>];

    fn copy_in(&self, arena: &'b Bump) -> Result<Self::Out, AllocErr> {
        copy_slice(self, arena, |s| {
            Ok(Score {
                player_id: s.player_id.copy_in(arena)?,
                score: s.score,
            })
        })
    }
}

impl Event<'_> {
    /// A copy of the event whose strings and lists all live in `arena`, or
    /// the arena's refusal of an allocation (an arena with an allocation
    /// limit never makes this panic). The payload is copied field by field
    /// as the schema lists them.
    pub fn copy_in<'b>(&self, arena: &'b Bump) -> Result<Event<'b>, AllocErr> {
        Ok(Event {
            id: self.id.copy_in(arena)?,
            seq: self.seq,
            ts: self.ts,
            player_id: self.player_id.copy_in(arena)?,
            match_id: self.match_id.copy_in(arena)?,
            region: self.region.copy_in(arena)?,
            attrs: copy_slice(self.attrs, arena, |a| {
                Ok(Attr {
                    key: a.key.copy_in(arena)?,
                    value: a.value.copy_in(arena)?,
                })
            })?,
            payload: self.payload.copy_in(arena)?,
        })
    }

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

#[cfg(test)]
mod tests {
    use crate::corpus::corpus;
    use bumpalo::Bump;

    #[test]
    fn copy_in_copies_every_field_or_reports_a_full_arena() {
        for ev in corpus(11, 200) {
            let source = Bump::new();
            let view = ev.as_view(&source);
            let arena = Bump::new();
            let copy = view.copy_in(&arena).unwrap();
            assert_eq!(copy, view);
            assert!(!std::ptr::eq(copy.id, view.id));
            let full = Bump::new();
            full.set_allocation_limit(Some(0));
            assert!(view.copy_in(&full).is_err());
        }
    }
}
