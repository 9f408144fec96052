//! Lists, built in the arena.

use super::*;

/// A list whose items are read by `S`, built in the arena. Null is empty.
pub(super) struct List<'a, 't, S> {
    pub(super) ctx: Ctx<'a, 't>,
    pub(super) item: fn(Ctx<'a, 't>) -> S,
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

pub(super) fn text_list<'de: 'a, 'a, 't, A: MapAccess<'de>>(
    ctx: Ctx<'a, 't>,
    map: &mut A,
    name: &'static str,
) -> Result<&'a [&'a str], A::Error> {
    ctx.field(map, name, List { ctx, item: Text })
}
