//! Records: small fixed mappings (Vec3, inventory items, scores) and attributes.

use super::*;

/// Declares a seed for a small record with required fields.
macro_rules! record {
    ($seed:ident, $ty:ident $(<$lt:lifetime>)?, $expecting:literal, [$($field:ident : $fseed:expr),+ $(,)?]) => {
        #[derive(Clone, Copy)]
        pub(super) struct $seed<'a, 't>(pub(super) Ctx<'a, 't>);

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
pub(super) struct AttrsSeed<'a, 't>(pub(super) Ctx<'a, 't>);

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
