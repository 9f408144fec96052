//! Deserialization of events into arena views, shared by every serde format.
//!
//! [`EventSeed`] is a [`DeserializeSeed`] that carries the arena: strings the
//! deserializer can lend for `'de` are kept as they are (zero copy), other
//! strings and every list are built in the arena. It is written by hand (not
//! derived) for three reasons that a derive cannot give: lists must land in the
//! arena, `payload` may come before `kind` (its fields are gathered into one
//! union of every kind's fields and checked once the kind is known), and every
//! collection, string and skipped value must count against [`Limits`] with the
//! field path recorded in a [`Trail`].

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;

use bumpalo::Bump;
use bumpalo::collections::Vec as BumpVec;
use serde::de::{self, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

use crate::path::{Fault, Segment, Trail};
use crate::view::*;
use crate::{Kind, Limit, Limits, OwnedEvent, Timestamp};

/// The message of every allocation the caller's arena refused.
const OUT_OF_MEMORY: &str = "the arena's allocation limit was reached";

/// How an [`EventSeed`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Limits on depth, string length and items (event size and alias budget
    /// are the deserializer's to enforce).
    pub limits: Limits,
    /// Unknown fields are errors instead of being skipped.
    pub strict: bool,
    /// Read string fields with `deserialize_any` and turn numbers and booleans
    /// into their text. Formats whose `deserialize_str` refuses non-strings
    /// (JSON) set this; the YAML deserializer hands out any scalar's text from
    /// `deserialize_str` itself and leaves it off.
    pub text_from_any_scalar: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            limits: Limits::DEFAULT,
            strict: false,
            text_from_any_scalar: false,
        }
    }
}

/// The deepest nesting any text decoder follows, whatever `max_depth` says:
/// skipping is recursive in serde, so this bounds the stack.
pub const MAX_DEPTH_CEILING: usize = 128;

#[derive(Clone, Copy)]
struct Ctx<'a, 't> {
    arena: &'a Bump,
    trail: &'t Trail<'a>,
    opts: &'t DecodeOptions,
    depth: usize,
}

impl<'a, 't> Ctx<'a, 't> {
    fn limit<E: de::Error>(&self, limit: Limit, what: fmt::Arguments<'_>) -> E {
        self.trail.set_fault(Fault::Limit(limit));
        E::custom(format_args!(
            "{what} exceeds limit {} ({})",
            limit.name(),
            limit.value_in(&self.opts.limits)
        ))
    }

    fn data<E: de::Error>(&self, msg: fmt::Arguments<'_>) -> E {
        self.trail.set_fault(Fault::Data);
        E::custom(msg)
    }

    /// The arena refused an allocation: a typed error, never a panic (the
    /// plain `alloc*` calls panic when an allocation limit is set).
    #[cold]
    fn oom<E: de::Error>(&self) -> E {
        self.trail.set_fault(Fault::OutOfMemory);
        E::custom(OUT_OF_MEMORY)
    }

    /// `s` copied into the arena.
    #[inline]
    fn alloc_str<E: de::Error>(&self, s: &str) -> Result<&'a str, E> {
        match self.arena.try_alloc_str(s) {
            Ok(v) => Ok(v),
            Err(_) => Err(self.oom()),
        }
    }

    /// An empty arena vector with room for `n` items.
    #[inline]
    fn vec<T, E: de::Error>(&self, n: usize) -> Result<BumpVec<'a, T>, E> {
        let mut v = BumpVec::new_in(self.arena);
        if n > 0 && v.try_reserve(n).is_err() {
            return Err(self.oom());
        }
        Ok(v)
    }

    /// Pushes `item` onto an arena vector, growing it with `try_reserve`.
    #[inline]
    fn push<T, E: de::Error>(&self, v: &mut BumpVec<'a, T>, item: T) -> Result<(), E> {
        if v.len() == v.capacity() && v.try_reserve(1).is_err() {
            return Err(self.oom());
        }
        v.push(item);
        Ok(())
    }

    fn enter<E: de::Error>(self) -> Result<Self, E> {
        let depth = self.depth + 1;
        let max = self.opts.limits.max_depth.min(MAX_DEPTH_CEILING);
        if depth > max {
            return Err(self.limit(Limit::Depth, format_args!("nesting of {depth} levels")));
        }
        Ok(Ctx { depth, ..self })
    }

    fn count<E: de::Error>(&self, n: &mut usize) -> Result<(), E> {
        *n += 1;
        if *n > self.opts.limits.max_items {
            return Err(self.limit(Limit::Items, format_args!("a collection of more items")));
        }
        Ok(())
    }

    fn check_str<E: de::Error>(&self, s: &str) -> Result<(), E> {
        if s.len() > self.opts.limits.max_string_bytes {
            return Err(self.limit(
                Limit::StringBytes,
                format_args!("a string of {} bytes", s.len()),
            ));
        }
        Ok(())
    }

    /// Reads one field's value with `seed`; an error leaving it records
    /// `name` on the trail.
    #[inline]
    fn field<'de, A, S>(
        &self,
        map: &mut A,
        name: &'static str,
        seed: S,
    ) -> Result<S::Value, A::Error>
    where
        A: MapAccess<'de>,
        S: DeserializeSeed<'de>,
    {
        map.next_value_seed(seed)
            .map_err(|e| self.leave(Segment::Field(name), e))
    }

    /// `e` leaves `segment`: the segment goes on the trail (the error path
    /// only; nothing is recorded while decoding succeeds).
    #[cold]
    #[inline(never)]
    fn leave<E>(&self, segment: Segment<'a>, e: E) -> E {
        self.trail.record(segment);
        e
    }

    fn duplicate<E: de::Error>(&self, name: &'static str) -> E {
        let e = self.data(format_args!("duplicate key {name:?}"));
        self.leave(Segment::Field(name), e)
    }

    fn missing<E: de::Error>(&self, name: &'static str) -> E {
        let e = self.data(format_args!("missing required field"));
        self.leave(Segment::Field(name), e)
    }

    fn unknown<E: de::Error>(&self, name: &str) -> E {
        self.data(format_args!("unknown field {name:?} (strict mode)"))
    }
}

// ---------------------------------------------------------------- strings

/// Any string value, borrowed from the input when possible.
#[derive(Clone, Copy)]
struct Text<'a, 't>(Ctx<'a, 't>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Text<'a, '_> {
    type Value = &'a str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        if self.0.opts.text_from_any_scalar {
            d.deserialize_any(self)
        } else {
            d.deserialize_str(self)
        }
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Text<'a, '_> {
    type Value = &'a str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<&'a str, E> {
        self.0.check_str(v)?;
        Ok(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<&'a str, E> {
        self.0.check_str(v)?;
        self.0.alloc_str(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<&'a str, E> {
        self.0.alloc_str(itoa::Buffer::new().format(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<&'a str, E> {
        self.0.alloc_str(itoa::Buffer::new().format(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<&'a str, E> {
        self.0.alloc_str(ryu::Buffer::new().format(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<&'a str, E> {
        Ok(if v { "true" } else { "false" })
    }

    fn visit_unit<E: de::Error>(self) -> Result<&'a str, E> {
        Err(self.0.data(format_args!("expected a string, found null")))
    }
}

/// An optional string: null (or absent) is `None`.
struct OptText<'a, 't>(Ctx<'a, 't>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for OptText<'a, '_> {
    type Value = Option<&'a str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for OptText<'a, '_> {
    type Value = Option<&'a str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Text(self.0).deserialize(d).map(Some)
    }
}

// ---------------------------------------------------------------- skipping

/// Skips any value, counting it against every limit. Mapping keys are kept
/// (in the arena) to refuse duplicates, as the specification asks.
#[derive(Clone, Copy)]
struct Skip<'a, 't>(Ctx<'a, 't>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Skip<'a, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Skip<'a, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.check_str(v)
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ctx = self.0.enter()?;
        let mut n = 0;
        while seq.next_element_seed(Skip(ctx))?.is_some() {
            ctx.count(&mut n)?;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.0.enter()?;
        let mut keys = KeySet::new(ctx.arena);
        let mut n = 0;
        while let Some(key) = map.next_key_seed(KeyText(ctx))? {
            ctx.count(&mut n)?;
            if let Some(k) = key {
                if !keys.insert(ctx, k)? {
                    return Err(ctx.data(format_args!("duplicate key {:?}", k.1)));
                }
            }
            map.next_value_seed(Skip(ctx))?;
        }
        Ok(())
    }
}

/// Skips a value like [`Skip`], but keeps the path on the trail (keys and
/// indices), so that an error inside it names where: for a `payload` read
/// before its `kind` is known.
#[derive(Clone, Copy)]
struct SkipTraced<'a, 't>(Ctx<'a, 't>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for SkipTraced<'a, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for SkipTraced<'a, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.check_str(v)
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ctx = self.0.enter()?;
        let mut n = 0;
        loop {
            match seq.next_element_seed(SkipTraced(ctx)) {
                Ok(Some(())) => {}
                Ok(None) => return Ok(()),
                Err(e) => return Err(ctx.leave(Segment::Index(n), e)),
            }
            ctx.count(&mut n)?;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.0.enter()?;
        let mut keys = KeySet::new(ctx.arena);
        let mut n = 0;
        while let Some(key) = map.next_key_seed(KeyText(ctx))? {
            ctx.count(&mut n)?;
            let segment = Segment::Field(key.map_or("?", |k| k.1));
            if let Some(k) = key {
                match keys.insert(ctx, k) {
                    Ok(true) => {}
                    Ok(false) => {
                        let e = ctx.data(format_args!("duplicate key {:?}", k.1));
                        return Err(ctx.leave(segment, e));
                    }
                    Err(e) => return Err(ctx.leave(segment, e)),
                }
            }
            map.next_value_seed(SkipTraced(ctx))
                .map_err(|e| ctx.leave(segment, e))?;
        }
        Ok(())
    }
}

/// What type a mapping key resolved to: keys are compared as values of
/// their type, so the string `'0'` and the integer `0` are different keys
/// (YAML compares nodes, not text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum KeyClass {
    Str,
    Int,
    Float,
    Bool,
    Null,
}

/// A scalar mapping key: its type and its text (canonical for numbers).
type ScalarKey<'a> = (KeyClass, &'a str);

/// The keys of one mapping, to refuse duplicates in linear time: a linear
/// scan while there are few (the ordinary case: nothing but the keys
/// vector, in the arena), an open-addressing index in the arena above
/// that. Hand-written because the index must live in the caller's arena
/// under its allocation limit (no per-event heap allocation) and be
/// seeded per mapping (`RandomState`: crafted keys cannot force collisions).
struct KeySet<'a> {
    keys: BumpVec<'a, ScalarKey<'a>>,
    /// Slots holding 1 + an index into `keys`, 0 when free; empty until
    /// there are more than [`KeySet::LINEAR`] keys.
    slots: &'a mut [u32],
    hasher: Option<RandomState>,
}

impl<'a> KeySet<'a> {
    /// Up to this many keys, a linear scan is cheaper than hashing.
    const LINEAR: usize = 8;

    fn new(arena: &'a Bump) -> Self {
        KeySet {
            keys: BumpVec::new_in(arena),
            slots: &mut [],
            hasher: None,
        }
    }

    /// Adds `key`; `false` when it was already there.
    fn insert<E: de::Error>(&mut self, ctx: Ctx<'a, '_>, key: ScalarKey<'a>) -> Result<bool, E> {
        if self.slots.is_empty() {
            if self.keys.contains(&key) {
                return Ok(false);
            }
            ctx.push(&mut self.keys, key)?;
            if self.keys.len() > Self::LINEAR {
                self.rebuild(ctx, 4 * Self::LINEAR)?;
            }
            return Ok(true);
        }
        let slot = match self.probe(&key) {
            Ok(_) => return Ok(false),
            Err(free) => free,
        };
        ctx.push(&mut self.keys, key)?;
        self.slots[slot] = self.keys.len() as u32;
        if self.keys.len() * 2 > self.slots.len() {
            self.rebuild(ctx, self.slots.len() * 2)?;
        }
        Ok(true)
    }

    /// The slot holding `key`, or the free slot where it would go.
    fn probe(&self, key: &ScalarKey<'a>) -> Result<usize, usize> {
        let hasher = self.hasher.as_ref().expect("hasher set with the slots");
        let mask = self.slots.len() - 1;
        let mut i = hasher.hash_one(key) as usize & mask;
        loop {
            match self.slots[i] {
                0 => return Err(i),
                n if self.keys[n as usize - 1] == *key => return Ok(i),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// A new index of `size` slots (a power of two) over every key.
    fn rebuild<E: de::Error>(&mut self, ctx: Ctx<'a, '_>, size: usize) -> Result<(), E> {
        let slots = ctx
            .arena
            .try_alloc_slice_fill_copy(size, 0u32)
            .map_err(|_| ctx.oom())?;
        self.hasher.get_or_insert_with(RandomState::new);
        self.slots = slots;
        for n in 0..self.keys.len() {
            if let Err(free) = self.probe(&self.keys[n]) {
                self.slots[free] = n as u32 + 1;
            }
        }
        Ok(())
    }
}

/// A mapping key as a typed scalar (`None` for a key that is itself a
/// collection, which cannot be compared for duplicates cheaply and is
/// skipped).
#[derive(Clone, Copy)]
struct KeyText<'a, 't>(Ctx<'a, 't>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for KeyText<'a, '_> {
    type Value = Option<ScalarKey<'a>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for KeyText<'a, '_> {
    type Value = Option<ScalarKey<'a>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some((KeyClass::Str, Text(self.0).visit_borrowed_str(v)?)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some((KeyClass::Str, Text(self.0).visit_str(v)?)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some((KeyClass::Int, Text(self.0).visit_u64(v)?)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some((KeyClass::Int, Text(self.0).visit_i64(v)?)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some((KeyClass::Float, Text(self.0).visit_f64(v)?)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some((KeyClass::Bool, Text(self.0).visit_bool(v)?)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Some((KeyClass::Null, "~")))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Skip(self.0).visit_seq(seq).map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Skip(self.0).visit_map(map).map(|()| None)
    }
}

/// The field names of a struct-like mapping: [`Fields::find`] is a
/// compiled `match` on the text (as a derived `Deserialize` matches), not a
/// scan of [`Fields::NAMES`] with a comparison per name.
trait Fields: Copy {
    /// The names, by field index.
    const NAMES: &'static [&'static str];
    /// The index of field `name`.
    fn find(name: &str) -> Option<usize>;
}

/// Declares a [`Fields`] type: `fields!(Type: "a", "b")`.
macro_rules! fields {
    ($ty:ident: $($name:expr),+ $(,)?) => {
        #[derive(Clone, Copy)]
        struct $ty;

        impl Fields for $ty {
            const NAMES: &'static [&'static str] = &[$($name),+];

            #[inline]
            fn find(name: &str) -> Option<usize> {
                let mut i = 0;
                $(
                    if name == $name {
                        return Some(i);
                    }
                    i += 1;
                )+
                let _ = i;
                None
            }
        }
    };
}

/// Keys of a struct-like mapping: a known field (by index into `N::NAMES`),
/// or an unknown one, refused at once in strict mode.
#[derive(Clone, Copy)]
struct FieldKey<'a, 't, N> {
    ctx: Ctx<'a, 't>,
    names: std::marker::PhantomData<N>,
}

enum Key<'a> {
    Known(usize),
    Unknown(Option<ScalarKey<'a>>),
}

impl<'de: 'a, 'a, N: Fields> DeserializeSeed<'de> for FieldKey<'a, '_, N> {
    type Value = Key<'a>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        // `any`, not `str`: an unknown key keeps its type (`0` is not `'0'`).
        d.deserialize_any(self)
    }
}

impl<'a, N: Fields> FieldKey<'a, '_, N> {
    #[inline]
    fn lookup<E: de::Error>(self, v: &str) -> Result<Result<usize, ()>, E> {
        self.ctx.check_str(v)?;
        match N::find(v) {
            Some(i) => Ok(Ok(i)),
            None if self.ctx.opts.strict => Err(self.ctx.unknown(v)),
            None => Ok(Err(())),
        }
    }

    /// A key that is not a string: never a known field.
    fn other<E: de::Error>(self, class: KeyClass, text: &str) -> Result<Key<'a>, E> {
        if self.ctx.opts.strict {
            return Err(self.ctx.unknown(text));
        }
        Ok(Key::Unknown(Some((class, self.ctx.alloc_str(text)?))))
    }
}

impl<'de: 'a, 'a, N: Fields> Visitor<'de> for FieldKey<'a, '_, N> {
    type Value = Key<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(match self.lookup(v)? {
            Ok(i) => Key::Known(i),
            Err(()) => Key::Unknown(Some((KeyClass::Str, v))),
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(match self.lookup(v)? {
            Ok(i) => Key::Known(i),
            Err(()) => Key::Unknown(Some((KeyClass::Str, self.ctx.alloc_str(v)?))),
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.other(KeyClass::Int, itoa::Buffer::new().format(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.other(KeyClass::Int, itoa::Buffer::new().format(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.other(KeyClass::Float, ryu::Buffer::new().format(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.other(KeyClass::Bool, if v { "true" } else { "false" })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.other(KeyClass::Null, "~")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        if self.ctx.opts.strict {
            return Err(self.ctx.unknown("<sequence>"));
        }
        Skip(self.ctx).visit_seq(seq).map(|()| Key::Unknown(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        if self.ctx.opts.strict {
            return Err(self.ctx.unknown("<mapping>"));
        }
        Skip(self.ctx).visit_map(map).map(|()| Key::Unknown(None))
    }
}

/// Tracks which keys of one mapping were seen: known ones by bit, unknown ones
/// in a [`KeySet`] (which allocates only when unknown keys occur), so
/// duplicates are refused.
struct Seen<'a> {
    known: u64,
    unknown: KeySet<'a>,
    items: usize,
}

impl<'a> Seen<'a> {
    fn new(arena: &'a Bump) -> Self {
        Seen {
            known: 0,
            unknown: KeySet::new(arena),
            items: 0,
        }
    }

    /// Handles the next key: `Some(i)` for a first sighting of known field
    /// `i`; `None` after skipping the value of an unknown field.
    #[inline]
    fn next<'de, A, N: Fields>(
        &mut self,
        ctx: Ctx<'a, '_>,
        map: &mut A,
        _names: N,
    ) -> Result<Option<Option<usize>>, A::Error>
    where
        'de: 'a,
        A: MapAccess<'de>,
    {
        let Some(key) = map.next_key_seed(FieldKey {
            ctx,
            names: std::marker::PhantomData::<N>,
        })?
        else {
            return Ok(None);
        };
        ctx.count(&mut self.items)?;
        match key {
            Key::Known(i) => {
                if self.known & (1 << i) != 0 {
                    return Err(ctx.duplicate(N::NAMES[i]));
                }
                self.known |= 1 << i;
                Ok(Some(Some(i)))
            }
            Key::Unknown(name) => {
                if let Some(name) = name {
                    if !self.unknown.insert(ctx, name)? {
                        return Err(ctx.data(format_args!("duplicate key {:?}", name.1)));
                    }
                }
                map.next_value_seed(Skip(ctx))?;
                Ok(Some(None))
            }
        }
    }
}

// ---------------------------------------------------------------- scalars

/// A primitive through its own `Deserialize` (the format checks type and range).
struct Prim<T>(std::marker::PhantomData<T>);

fn prim<T>() -> Prim<T> {
    Prim(std::marker::PhantomData)
}

impl<'de, T: de::Deserialize<'de>> DeserializeSeed<'de> for Prim<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::deserialize(d)
    }
}

/// `ts`: integer milliseconds or an RFC 3339 string.
#[derive(Clone, Copy)]
struct Ts<'a, 't>(Ctx<'a, 't>);

impl<'de> DeserializeSeed<'de> for Ts<'_, '_> {
    type Value = Timestamp;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Timestamp, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Ts<'_, '_> {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("integer unix milliseconds or an RFC 3339 timestamp")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
        Ok(Timestamp(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
        i64::try_from(v).map(Timestamp).map_err(|_| {
            self.0.data(format_args!(
                "timestamp {v} is out of range for i64 milliseconds"
            ))
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
        Timestamp::parse_rfc3339(v).map_err(|e| self.0.data(format_args!("{e}")))
    }
}

/// `kind`: one of the kind names.
#[derive(Clone, Copy)]
struct KindSeed<'a, 't>(Ctx<'a, 't>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for KindSeed<'a, '_> {
    type Value = Kind;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        let name = Text(self.0).deserialize(d)?;
        Kind::from_name(name).ok_or_else(|| {
            self.0.data(format_args!(
                "unknown kind {name:?} (expected one of: {})",
                Kind::NAMES
            ))
        })
    }
}

// ---------------------------------------------------------------- lists

/// A list whose items are read by `S`, built in the arena. Null is empty.
struct List<'a, 't, S> {
    ctx: Ctx<'a, 't>,
    item: fn(Ctx<'a, 't>) -> S,
}

impl<'de: 'a, 'a, 't, S> DeserializeSeed<'de> for List<'a, 't, S>
where
    S: DeserializeSeed<'de>,
    S::Value: 'a,
{
    type Value = &'a [S::Value];

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de: 'a, 'a, 't, S> Visitor<'de> for List<'a, 't, S>
where
    S: DeserializeSeed<'de>,
    S::Value: 'a,
{
    type Value = &'a [S::Value];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(&[])
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(&[])
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx.enter()?;
        let hint = seq
            .size_hint()
            .unwrap_or(4)
            .min(ctx.opts.limits.max_items)
            .min(64);
        let mut out = ctx.vec(hint)?;
        loop {
            let v = match seq.next_element_seed((self.item)(ctx)) {
                Ok(Some(v)) => v,
                Ok(None) => break,
                Err(e) => return Err(ctx.leave(Segment::Index(out.len()), e)),
            };
            ctx.push(&mut out, v)?;
            if out.len() > ctx.opts.limits.max_items {
                return Err(ctx.limit(Limit::Items, format_args!("a list of more items")));
            }
        }
        Ok(out.into_bump_slice())
    }
}

fn text_list<'de: 'a, 'a, 't, A: MapAccess<'de>>(
    ctx: Ctx<'a, 't>,
    map: &mut A,
    name: &'static str,
) -> Result<&'a [&'a str], A::Error> {
    ctx.field(map, name, List { ctx, item: Text })
}

// ---------------------------------------------------------------- records

/// Declares a seed for a small record with required fields.
macro_rules! record {
    ($seed:ident, $ty:ident $(<$lt:lifetime>)?, $expecting:literal, [$($field:ident : $fseed:expr),+ $(,)?]) => {
        #[derive(Clone, Copy)]
        struct $seed<'a, 't>(Ctx<'a, 't>);

        impl<'de: 'a, 'a> DeserializeSeed<'de> for $seed<'a, '_> {
            type Value = $ty$(<$lt>)?;

            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_map(self)
            }
        }

        impl<'de: 'a, 'a> Visitor<'de> for $seed<'a, '_> {
            type Value = $ty$(<$lt>)?;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($expecting)
            }

            #[allow(non_snake_case)]
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                fields!(Names: $(stringify!($field)),+);
                const NAMES: &[&str] = Names::NAMES;
                let ctx = self.0.enter()?;
                let mut seen = Seen::new(ctx.arena);
                $(let mut $field = None;)+
                while let Some(k) = seen.next(ctx, &mut map, Names)? {
                    let Some(i) = k else { continue };
                    let mut j = 0;
                    $(
                        if i == j {
                            #[allow(clippy::redundant_closure_call)]
                            let seed = ($fseed)(ctx);
                            $field = Some(ctx.field(&mut map, NAMES[i], seed)?);
                        }
                        j += 1;
                    )+
                    let _ = j;
                }
                Ok($ty {
                    $($field: match $field {
                        Some(v) => v,
                        None => return Err(ctx.missing(stringify!($field))),
                    },)+
                })
            }
        }
    };
}

record!(Vec3Seed, Vec3, "a mapping with x, y and z", [
    x: |_| prim::<f32>(),
    y: |_| prim::<f32>(),
    z: |_| prim::<f32>(),
]);

record!(ItemSeed, InventoryItem<'a>, "a mapping with item and qty", [
    item: Text,
    qty: |_| prim::<u32>(),
]);

record!(ScoreSeed, Score<'a>, "a mapping with player_id and score", [
    player_id: Text,
    score: |_| prim::<i64>(),
]);

/// `attrs`: a mapping of text to text, keys unique, null is empty.
#[derive(Clone, Copy)]
struct AttrsSeed<'a, 't>(Ctx<'a, 't>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for AttrsSeed<'a, '_> {
    type Value = &'a [Attr<'a>];

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for AttrsSeed<'a, '_> {
    type Value = &'a [Attr<'a>];

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of attribute names to text")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(&[])
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let ctx = self.0.enter()?;
        let hint = map.size_hint().unwrap_or(4).min(64);
        let mut out: BumpVec<'a, Attr<'a>> = ctx.vec(hint)?;
        // Attribute keys are compared by their text (SPEC section 3): by a
        // scan of the few entries an event has, hashed past that.
        let mut keys = KeySet::new(ctx.arena);
        while let Some(key) = map.next_key_seed(Text(ctx))? {
            if out.len() >= ctx.opts.limits.max_items {
                return Err(ctx.limit(Limit::Items, format_args!("a mapping of more items")));
            }
            let value = (|| {
                let duplicate = if out.len() < KeySet::LINEAR {
                    out.iter().any(|a| a.key == key)
                } else {
                    if out.len() == KeySet::LINEAR {
                        for a in out.iter() {
                            keys.insert(ctx, (KeyClass::Str, a.key))?;
                        }
                    }
                    !keys.insert(ctx, (KeyClass::Str, key))?
                };
                if duplicate {
                    return Err(ctx.data(format_args!("duplicate key {key:?}")));
                }
                map.next_value_seed(Text(ctx))
            })()
            .map_err(|e| ctx.leave(Segment::Field(key), e))?;
            ctx.push(&mut out, Attr { key, value })?;
        }
        Ok(out.into_bump_slice())
    }
}

// ---------------------------------------------------------------- payload

// Every payload field of every kind, by key index.
fields!(PayloadKeys:
    "skill", // 0
    "platform", // 1
    "party", // 2
    "reason", // 3
    "position", // 4
    "heading", // 5
    "speed", // 6
    "clue_id", // 7
    "zone", // 8
    "tags", // 9
    "points", // 10
    "hint_used", // 11
    "note", // 12
    "treasure_id", // 13
    "value", // 14
    "inventory", // 15
    "modes", // 16
    "max_latency_ms", // 17
    "map", // 18
    "mode", // 19
    "players", // 20
    "winner", // 21
    "scores", // 22
);

const PAYLOAD_KEYS: &[&str] = PayloadKeys::NAMES;

const fn bits(keys: &[usize]) -> u64 {
    let mut m = 0;
    let mut i = 0;
    while i < keys.len() {
        m |= 1 << keys[i];
        i += 1;
    }
    m
}

/// `(required, allowed)` payload keys of a kind.
const fn kind_keys(kind: Kind) -> (u64, u64) {
    match kind {
        Kind::PlayerJoined => (bits(&[0, 1]), bits(&[0, 1, 2])),
        Kind::PlayerLeft => (bits(&[3]), bits(&[3])),
        Kind::PlayerMoved => (bits(&[4, 5, 6]), bits(&[4, 5, 6])),
        Kind::ClueFound => (bits(&[7, 8, 4, 10, 11]), bits(&[7, 8, 4, 9, 10, 11, 12])),
        Kind::TreasureClaimed => (bits(&[13, 14, 4]), bits(&[13, 14, 4, 15])),
        Kind::MatchRequested => (bits(&[0, 17]), bits(&[0, 2, 16, 17])),
        Kind::MatchStarted => (bits(&[18, 19]), bits(&[18, 19, 20])),
        Kind::MatchEnded => (0, bits(&[21, 22])),
        Kind::Heartbeat => (0, 0),
    }
}

/// The fields of a payload, gathered before (or while) the kind is known.
#[derive(Default, Clone, Copy)]
struct PayloadFields<'a> {
    present: u64,
    skill: u32,
    platform: &'a str,
    party: &'a [&'a str],
    reason: &'a str,
    position: Vec3,
    heading: f32,
    speed: f32,
    clue_id: &'a str,
    zone: &'a str,
    tags: &'a [&'a str],
    points: u32,
    hint_used: bool,
    note: Option<&'a str>,
    treasure_id: &'a str,
    value: u64,
    inventory: &'a [InventoryItem<'a>],
    modes: &'a [&'a str],
    max_latency_ms: u32,
    map: &'a str,
    mode: &'a str,
    players: &'a [&'a str],
    winner: Option<&'a str>,
    scores: &'a [Score<'a>],
}

#[derive(Clone, Copy)]
struct PayloadSeed<'a, 't> {
    ctx: Ctx<'a, 't>,
    /// The kind, when `kind` came before `payload`: fields of other kinds are
    /// then unknown fields (skipped, or refused in strict mode).
    kind: Option<Kind>,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for PayloadSeed<'a, '_> {
    type Value = PayloadFields<'a>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for PayloadSeed<'a, '_> {
    type Value = PayloadFields<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a payload mapping")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(PayloadFields::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(PayloadFields::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx.enter()?;
        let allowed = match self.kind {
            Some(k) => kind_keys(k).1,
            None => u64::MAX,
        };
        let mut f = PayloadFields::default();
        let mut seen = Seen::new(ctx.arena);
        while let Some(k) = seen.next(ctx, &mut map, PayloadKeys)? {
            let Some(i) = k else { continue };
            if allowed & (1 << i) == 0 {
                if ctx.opts.strict {
                    return Err(ctx.unknown(PAYLOAD_KEYS[i]));
                }
                map.next_value_seed(Skip(ctx))?;
                continue;
            }
            let name = PAYLOAD_KEYS[i];
            match i {
                0 => f.skill = ctx.field(&mut map, name, prim())?,
                1 => f.platform = ctx.field(&mut map, name, Text(ctx))?,
                2 => f.party = text_list(ctx, &mut map, name)?,
                3 => f.reason = ctx.field(&mut map, name, Text(ctx))?,
                4 => f.position = ctx.field(&mut map, name, Vec3Seed(ctx))?,
                5 => f.heading = ctx.field(&mut map, name, prim())?,
                6 => f.speed = ctx.field(&mut map, name, prim())?,
                7 => f.clue_id = ctx.field(&mut map, name, Text(ctx))?,
                8 => f.zone = ctx.field(&mut map, name, Text(ctx))?,
                9 => f.tags = text_list(ctx, &mut map, name)?,
                10 => f.points = ctx.field(&mut map, name, prim())?,
                11 => f.hint_used = ctx.field(&mut map, name, prim())?,
                12 => f.note = ctx.field(&mut map, name, OptText(ctx))?,
                13 => f.treasure_id = ctx.field(&mut map, name, Text(ctx))?,
                14 => f.value = ctx.field(&mut map, name, prim())?,
                15 => {
                    f.inventory = ctx.field(
                        &mut map,
                        name,
                        List {
                            ctx,
                            item: ItemSeed,
                        },
                    )?
                }
                16 => f.modes = text_list(ctx, &mut map, name)?,
                17 => f.max_latency_ms = ctx.field(&mut map, name, prim())?,
                18 => f.map = ctx.field(&mut map, name, Text(ctx))?,
                19 => f.mode = ctx.field(&mut map, name, Text(ctx))?,
                20 => f.players = text_list(ctx, &mut map, name)?,
                21 => f.winner = ctx.field(&mut map, name, OptText(ctx))?,
                _ => {
                    f.scores = ctx.field(
                        &mut map,
                        name,
                        List {
                            ctx,
                            item: ScoreSeed,
                        },
                    )?
                }
            }
            f.present |= 1 << i;
        }
        Ok(f)
    }
}

impl<'a> PayloadFields<'a> {
    /// Checks the fields against `kind` and builds the payload.
    fn build<E: de::Error>(self, kind: Kind, ctx: Ctx<'a, '_>) -> Result<Payload<'a>, E> {
        let (required, allowed) = kind_keys(kind);
        let missing = required & !self.present;
        if missing != 0 {
            let i = missing.trailing_zeros() as usize;
            let e = ctx.missing(PAYLOAD_KEYS[i]);
            return Err(ctx.leave(Segment::Field("payload"), e));
        }
        let extra = self.present & !allowed;
        if extra != 0 && ctx.opts.strict {
            let e = ctx.unknown(PAYLOAD_KEYS[extra.trailing_zeros() as usize]);
            return Err(ctx.leave(Segment::Field("payload"), e));
        }
        let f = self;
        Ok(match kind {
            Kind::PlayerJoined => Payload::PlayerJoined(PlayerJoined {
                skill: f.skill,
                platform: f.platform,
                party: f.party,
            }),
            Kind::PlayerLeft => Payload::PlayerLeft(PlayerLeft { reason: f.reason }),
            Kind::PlayerMoved => Payload::PlayerMoved(PlayerMoved {
                position: f.position,
                heading: f.heading,
                speed: f.speed,
            }),
            Kind::ClueFound => Payload::ClueFound(ClueFound {
                clue_id: f.clue_id,
                zone: f.zone,
                position: f.position,
                tags: f.tags,
                points: f.points,
                hint_used: f.hint_used,
                note: f.note,
            }),
            Kind::TreasureClaimed => Payload::TreasureClaimed(TreasureClaimed {
                treasure_id: f.treasure_id,
                value: f.value,
                position: f.position,
                inventory: f.inventory,
            }),
            Kind::MatchRequested => Payload::MatchRequested(MatchRequested {
                skill: f.skill,
                party: f.party,
                modes: f.modes,
                max_latency_ms: f.max_latency_ms,
            }),
            Kind::MatchStarted => Payload::MatchStarted(MatchStarted {
                map: f.map,
                mode: f.mode,
                players: f.players,
            }),
            Kind::MatchEnded => Payload::MatchEnded(MatchEnded {
                winner: f.winner,
                scores: f.scores,
            }),
            Kind::Heartbeat => Payload::Heartbeat,
        })
    }
}

// ---------------------------------------------------------------- event

fields!(EnvelopeKeys:
    "id", // 0
    "seq", // 1
    "ts", // 2
    "kind", // 3
    "player_id", // 4
    "match_id", // 5
    "region", // 6
    "attrs", // 7
    "payload", // 8
);

const ENVELOPE_KEYS: &[&str] = EnvelopeKeys::NAMES;

/// Reads one event into an arena view through any serde [`Deserializer`].
///
/// ```
/// use event_model::{DecodeOptions, EventSeed, Kind, Trail};
/// use serde::de::DeserializeSeed;
///
/// let json = br#"{"id":"e1","seq":1,"ts":5,"kind":"heartbeat","player_id":"p","region":"eu"}"#;
/// let arena = bumpalo::Bump::new();
/// let trail = Trail::new();
/// let options = DecodeOptions { text_from_any_scalar: true, ..DecodeOptions::default() };
/// let mut de = serde_json::Deserializer::from_slice(json);
/// let event = EventSeed::new(&arena, &trail, &options).deserialize(&mut de).unwrap();
/// assert_eq!(event.kind(), Kind::Heartbeat);
/// assert_eq!(event.id, "e1"); // borrowed from `json`, not copied
/// ```
///
/// ## A `payload` before `kind`
///
/// Keys may come in any order, and a payload is decoded exactly as if it
/// came after `kind` (fields of other kinds are unknown fields). A
/// streaming deserializer cannot go back, so by default the seed skips an
/// early payload (still counting it against every limit and checking its
/// syntax and keys), reads on, and then fails with
/// [`Trail::deferred`] set to the event's kind: the caller decodes the
/// same input again with [`EventSeed::payload_kind`]. Only events that put
/// `payload` first pay for a second pass. A caller that cannot decode
/// twice uses [`EventSeed::gather_early_payload`] instead.
#[derive(Clone, Copy)]
pub struct EventSeed<'a, 't> {
    ctx: Ctx<'a, 't>,
    early: EarlyPayload,
}

/// What to do with a `payload` that comes before `kind`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EarlyPayload {
    /// Skip it and ask for a second pass ([`Trail::deferred`]).
    Defer,
    /// The kind is known from a first pass.
    Known(Kind),
    /// Read it as the union of every kind's fields (one pass; a field of
    /// another kind is then typed as that kind has it).
    Gather,
}

impl<'a, 't> EventSeed<'a, 't> {
    /// A seed that builds in `arena`, records its position in `trail` and
    /// reads as `options` say. The trail is cleared first.
    pub fn new(arena: &'a Bump, trail: &'t Trail<'a>, options: &'t DecodeOptions) -> Self {
        trail.clear();
        EventSeed {
            ctx: Ctx {
                arena,
                trail,
                opts: options,
                depth: 0,
            },
            early: EarlyPayload::Defer,
        }
    }

    /// The second pass over an event whose `payload` came before `kind`:
    /// the payload is read as `kind`'s (the kind a first pass recorded in
    /// [`Trail::deferred`]).
    pub fn payload_kind(mut self, kind: Kind) -> Self {
        self.early = EarlyPayload::Known(kind);
        self
    }

    /// One pass only: an early payload is read as the union of every
    /// kind's fields, each with its own type (for callers that cannot
    /// decode the input twice, such as [`OwnedEvent`]'s `Deserialize`).
    pub fn gather_early_payload(mut self) -> Self {
        self.early = EarlyPayload::Gather;
        self
    }
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for EventSeed<'a, '_> {
    type Value = Event<'a>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Event<'a>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for EventSeed<'a, '_> {
    type Value = Event<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event<'a>, A::Error> {
        let ctx = self.ctx.enter()?;
        let mut seen = Seen::new(ctx.arena);
        let (mut id, mut seq, mut ts, mut kind, mut player_id) = (None, None, None, None, None);
        let (mut match_id, mut region, mut attrs): (Option<&'a str>, _, &'a [Attr<'a>]) =
            (None, None, &[]);
        let mut payload: Option<PayloadFields<'a>> = None;
        let mut deferred = false;
        while let Some(k) = seen.next(ctx, &mut map, EnvelopeKeys)? {
            let Some(i) = k else { continue };
            let name = ENVELOPE_KEYS[i];
            match i {
                0 => id = Some(ctx.field(&mut map, name, Text(ctx))?),
                1 => seq = Some(ctx.field(&mut map, name, prim::<u64>())?),
                2 => ts = Some(ctx.field(&mut map, name, Ts(ctx))?),
                3 => kind = Some(ctx.field(&mut map, name, KindSeed(ctx))?),
                4 => player_id = Some(ctx.field(&mut map, name, Text(ctx))?),
                5 => match_id = ctx.field(&mut map, name, OptText(ctx))?,
                6 => region = Some(ctx.field(&mut map, name, Text(ctx))?),
                7 => attrs = ctx.field(&mut map, name, AttrsSeed(ctx))?,
                _ => {
                    let kind = match (kind, self.early) {
                        (Some(k), _) | (None, EarlyPayload::Known(k)) => Some(k),
                        (None, EarlyPayload::Gather) => None,
                        (None, EarlyPayload::Defer) => {
                            ctx.field(&mut map, name, SkipTraced(ctx))?;
                            deferred = true;
                            continue;
                        }
                    };
                    payload = Some(ctx.field(&mut map, name, PayloadSeed { ctx, kind })?);
                }
            }
        }
        macro_rules! required {
            ($v:ident) => {
                match $v {
                    Some(v) => v,
                    None => return Err(ctx.missing(stringify!($v))),
                }
            };
        }
        let id = required!(id);
        let seq = required!(seq);
        let ts = required!(ts);
        let kind = required!(kind);
        if deferred {
            ctx.trail.set_deferred(kind);
            return Err(A::Error::custom(
                "payload came before kind: decode again knowing the kind",
            ));
        }
        let player_id = required!(player_id);
        let region = required!(region);
        let payload = match payload {
            Some(fields) => fields.build(kind, ctx)?,
            None if kind == Kind::Heartbeat => Payload::Heartbeat,
            None => return Err(ctx.missing("payload")),
        };
        Ok(Event {
            id,
            seq,
            ts,
            player_id,
            match_id,
            region,
            attrs,
            payload,
        })
    }
}

impl<'de> de::Deserialize<'de> for OwnedEvent {
    /// Reads through [`EventSeed`] into a scratch arena, then copies out, so
    /// owned and borrowed decoding follow exactly the same rules.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let arena = Bump::new();
        let trail = Trail::new();
        let options = DecodeOptions {
            text_from_any_scalar: true,
            ..DecodeOptions::default()
        };
        let event = EventSeed::new(&arena, &trail, &options)
            .gather_early_payload()
            .deserialize(d)?;
        if let Err(e) = event.validate() {
            return Err(D::Error::custom(e));
        }
        Ok(event.to_owned())
    }
}
