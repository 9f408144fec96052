//! proptest strategies for valid events of every kind (feature `proptest`).
//!
//! Strings include the awkward cases every encoder must quote or escape:
//! unicode, quotes, `: `, `#`, newlines, leading and trailing spaces, control
//! characters, and text that looks like another type (`"4412"`, `"true"`,
//! `"null"`, `"~"`, `"1e3"`).

use proptest::collection::vec;
use proptest::prelude::*;

use crate::{OwnedEvent, OwnedPayload, Timestamp, Vec3};

const AWKWARD: &[&str] = &[
    "4412",
    "true",
    "false",
    "null",
    "Null",
    "~",
    "yes",
    "no",
    "1e3",
    "0x1F",
    "0o17",
    ".inf",
    "-.inf",
    ".nan",
    "+12",
    "-0",
    "1_000",
    " leading",
    "trailing ",
    "a: b",
    "a:b",
    "# hash",
    "hash #tag",
    "line\nbreak",
    "two\n\nlines",
    "quote\"s",
    "'single'",
    "back\\slash",
    "tab\there",
    "cr\rhere",
    "ünïcödé",
    "emoji 🎯",
    "日本語",
    "- dash",
    "[x]",
    "{y}",
    "*alias",
    "&anchor",
    "!tag",
    "%dir",
    "@at",
    "`tick`",
    "|",
    ">",
    "---",
    "...",
    "?",
    "a,b",
    "\u{7f}del",
    "\u{85}nel",
    "\u{feff}bom",
    "\u{2028}sep",
    "\u{1}ctl",
    " ",
    "x ",
    "2024-05-17T14:00:00Z",
];

/// A non-empty string: mostly plain identifiers, often an awkward case.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z][a-z0-9_-]{0,15}",
        2 => proptest::sample::select(AWKWARD).prop_map(str::to_owned),
        1 => "\\PC{1,12}",
    ]
}

/// A string that may be empty (payload text fields accept empty strings).
pub fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![9 => text(), 1 => Just(String::new())]
}

/// A string of `1..=max` bytes.
pub fn bounded_text(max: usize) -> impl Strategy<Value = String> {
    text().prop_map(move |mut s| {
        while s.len() > max {
            s.pop();
        }
        if s.is_empty() { "x".to_owned() } else { s }
    })
}

/// A finite `f32`, including negative zero, subnormals and extremes.
pub fn finite_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        3 => (-100_000i32..100_000).prop_map(|v| v as f32 / 8.0),
        1 => any::<f32>().prop_filter("finite", |f| f.is_finite()),
        1 => proptest::sample::select(&[0.0f32, -0.0, f32::MIN, f32::MAX, f32::MIN_POSITIVE, 1e-45, 0.1][..]),
    ]
}

/// A [`Vec3`] of finite coordinates.
pub fn vec3() -> impl Strategy<Value = Vec3> {
    (finite_f32(), finite_f32(), finite_f32()).prop_map(|(x, y, z)| Vec3 { x, y, z })
}

/// A strategy for each payload field *type*: every field of the schema gets
/// its values from its type, so a new field needs no change here.
pub trait FieldStrategy: Sized + std::fmt::Debug {
    /// Values of this type, awkward cases included.
    fn strategy() -> BoxedStrategy<Self>;
}

impl FieldStrategy for u32 {
    fn strategy() -> BoxedStrategy<Self> {
        any::<u32>().boxed()
    }
}

impl FieldStrategy for u64 {
    fn strategy() -> BoxedStrategy<Self> {
        any::<u64>().boxed()
    }
}

impl FieldStrategy for i64 {
    fn strategy() -> BoxedStrategy<Self> {
        any::<i64>().boxed()
    }
}

impl FieldStrategy for bool {
    fn strategy() -> BoxedStrategy<Self> {
        any::<bool>().boxed()
    }
}

impl FieldStrategy for f32 {
    fn strategy() -> BoxedStrategy<Self> {
        finite_f32().boxed()
    }
}

impl FieldStrategy for Vec3 {
    fn strategy() -> BoxedStrategy<Self> {
        vec3().boxed()
    }
}

impl FieldStrategy for String {
    fn strategy() -> BoxedStrategy<Self> {
        any_text().boxed()
    }
}

impl<T: FieldStrategy + 'static> FieldStrategy for Option<T> {
    fn strategy() -> BoxedStrategy<Self> {
        proptest::option::of(T::strategy()).boxed()
    }
}

impl<T: FieldStrategy + 'static> FieldStrategy for Vec<T> {
    fn strategy() -> BoxedStrategy<Self> {
        vec(T::strategy(), 0..=5).boxed()
    }
}

impl<A: FieldStrategy + 'static, B: FieldStrategy + 'static> FieldStrategy for (A, B) {
    fn strategy() -> BoxedStrategy<Self> {
        (A::strategy(), B::strategy()).boxed()
    }
}

/// Generates [`payload`] from the schema.
macro_rules! payload_strategy {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        /// A payload of any kind, each field from its type's [`FieldStrategy`].
        pub fn payload() -> impl Strategy<Value = OwnedPayload> {
            prop_oneof![
                $(
                    ($(<$ot as FieldStrategy>::strategy(),)*)
                        .prop_map(|($($f,)*)| OwnedPayload::$Kind { $($f),* }),
                )*
                Just(OwnedPayload::$Unit),
            ]
        }
    };
}

crate::with_payload_schema!(payload_strategy);

/// Attributes with unique keys, in arbitrary order.
pub fn attrs() -> impl Strategy<Value = Vec<(String, String)>> {
    vec((text(), any_text()), 0..4).prop_map(|pairs| {
        let mut out: Vec<(String, String)> = Vec::new();
        for (k, v) in pairs {
            if !out.iter().any(|(seen, _)| *seen == k) {
                out.push((k, v));
            }
        }
        out
    })
}

/// A valid event of any kind (it passes [`OwnedEvent::validate`]).
pub fn event() -> impl Strategy<Value = OwnedEvent> {
    (
        bounded_text(64),
        any::<u64>(),
        any::<i64>(),
        bounded_text(64),
        proptest::option::of(bounded_text(64)),
        bounded_text(32),
        attrs(),
        payload(),
    )
        .prop_map(
            |(id, seq, ts, player_id, match_id, region, attrs, payload)| OwnedEvent {
                id,
                seq,
                ts: Timestamp(ts),
                player_id,
                match_id,
                region,
                attrs,
                payload,
            },
        )
}
