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

use event_model::*;

use super::path::{Fault, Segment, Trail};

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

// The sections, in the order they build on each other (macros defined in
// one are used by the later ones).
mod strings;
#[macro_use]
mod skipping;
mod lists;
mod scalars;
#[macro_use]
mod records;
mod event;
mod payload;

pub use event::{EventSeed, OwnedEventSeed, SerdeOwnedEvent};
use lists::*;
use payload::*;
use records::*;
use scalars::*;
use skipping::*;
use strings::*;
