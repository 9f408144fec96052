//! Skipping unknown values (counted against the limits), and mapping keys: duplicate checks and field-name matching.

use super::*;

/// Skips any value, counting it against every limit. Mapping keys are kept
/// (in the arena) to refuse duplicates, as the specification asks.
#[derive(Clone, Copy)]
pub(super) struct Skip<'a, 't>(pub(super) Ctx<'a, 't>);

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
pub(super) struct SkipTraced<'a, 't>(pub(super) Ctx<'a, 't>);

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
pub(super) enum KeyClass {
    Str,
    Int,
    Float,
    Bool,
    Null,
}

/// A scalar mapping key: its type and its text (canonical for numbers).
pub(super) type ScalarKey<'a> = (KeyClass, &'a str);

/// The keys of one mapping, to refuse duplicates in linear time: a linear
/// scan while there are few (the ordinary case: nothing but the keys
/// vector, in the arena), an open-addressing index in the arena above
/// that. Hand-written because the index must live in the caller's arena
/// under its allocation limit (no per-event heap allocation) and be
/// seeded per mapping (`RandomState`: crafted keys cannot force collisions).
pub(super) struct KeySet<'a> {
    pub(super) keys: BumpVec<'a, ScalarKey<'a>>,
    /// Slots holding 1 + an index into `keys`, 0 when free; empty until
    /// there are more than [`KeySet::LINEAR`] keys.
    pub(super) slots: &'a mut [u32],
    pub(super) hasher: Option<RandomState>,
}

impl<'a> KeySet<'a> {
    /// Up to this many keys, a linear scan is cheaper than hashing.
    pub(super) const LINEAR: usize = 8;

    pub(super) fn new(arena: &'a Bump) -> Self {
        KeySet {
            keys: BumpVec::new_in(arena),
            slots: &mut [],
            hasher: None,
        }
    }

    /// Adds `key`; `false` when it was already there.
    pub(super) fn insert<E: de::Error>(
        &mut self,
        ctx: Ctx<'a, '_>,
        key: ScalarKey<'a>,
    ) -> Result<bool, E> {
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
    pub(super) fn probe(&self, key: &ScalarKey<'a>) -> Result<usize, usize> {
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
    pub(super) fn rebuild<E: de::Error>(&mut self, ctx: Ctx<'a, '_>, size: usize) -> Result<(), E> {
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
pub(super) struct KeyText<'a, 't>(pub(super) Ctx<'a, 't>);

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
pub(super) trait Fields: Copy {
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
pub(super) struct FieldKey<'a, 't, N> {
    pub(super) ctx: Ctx<'a, 't>,
    pub(super) names: std::marker::PhantomData<N>,
}

pub(super) enum Key<'a> {
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
    pub(super) fn lookup<E: de::Error>(self, v: &str) -> Result<Result<usize, ()>, E> {
        self.ctx.check_str(v)?;
        match N::find(v) {
            Some(i) => Ok(Ok(i)),
            None if self.ctx.opts.strict => Err(self.ctx.unknown(v)),
            None => Ok(Err(())),
        }
    }

    /// A key that is not a string: never a known field.
    pub(super) fn other<E: de::Error>(self, class: KeyClass, text: &str) -> Result<Key<'a>, E> {
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
pub(super) struct Seen<'a> {
    pub(super) known: u64,
    pub(super) unknown: KeySet<'a>,
    pub(super) items: usize,
}

impl<'a> Seen<'a> {
    pub(super) fn new(arena: &'a Bump) -> Self {
        Seen {
            known: 0,
            unknown: KeySet::new(arena),
            items: 0,
        }
    }

    /// Handles the next key: `Some(i)` for a first sighting of known field
    /// `i`; `None` after skipping the value of an unknown field.
    #[inline]
    pub(super) fn next<'de, A, N: Fields>(
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
