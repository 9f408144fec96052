//! The payload: one union of every kind's fields, checked once the kind is known.

use super::*;

// Every payload field of every kind, by key index: each name once, with the
// type its kinds give it (read by the dispatch in `visit_map` below). The
// kinds' required and allowed fields come from the schema (`KIND_KEYS`), and
// so does the building of each kind's payload (`payload` below).
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

pub(super) const PAYLOAD_KEYS: &[&str] = PayloadKeys::NAMES;

/// Whether two names are equal, in a constant.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `(required, allowed)` payload keys of every kind, as bits of
/// [`PAYLOAD_KEYS`], computed from the schema's tables
/// ([`event_model::KIND_FIELDS`]) at compile time: a schema field missing
/// from the union above stops the build here.
const KIND_KEYS: [(u64, u64); Kind::ALL.len()] = {
    let mut out = [(0, 0); Kind::ALL.len()];
    let mut k = 0;
    while k < KIND_FIELDS.len() {
        let table = &KIND_FIELDS[k];
        let mut j = 0;
        while j < table.names.len() {
            let mut i = 0;
            while i < PAYLOAD_KEYS.len() && !same(PAYLOAD_KEYS[i], table.names[j]) {
                i += 1;
            }
            assert!(
                i < PAYLOAD_KEYS.len(),
                "a payload field of the schema is missing from the seed's union"
            );
            out[k].1 |= 1 << i;
            if table.required & (1 << j) != 0 {
                out[k].0 |= 1 << i;
            }
            j += 1;
        }
        k += 1;
    }
    out
};

/// `(required, allowed)` payload keys of a kind.
pub(super) const fn kind_keys(kind: Kind) -> (u64, u64) {
    KIND_KEYS[kind.index()]
}

/// The fields of a payload, gathered before (or while) the kind is known.
#[derive(Default, Clone, Copy)]
pub(super) struct PayloadFields<'a> {
    pub(super) present: u64,
    pub(super) skill: u32,
    pub(super) platform: &'a str,
    pub(super) party: &'a [&'a str],
    pub(super) reason: &'a str,
    pub(super) position: Vec3,
    pub(super) heading: f32,
    pub(super) speed: f32,
    pub(super) clue_id: &'a str,
    pub(super) zone: &'a str,
    pub(super) tags: &'a [&'a str],
    pub(super) points: u32,
    pub(super) hint_used: bool,
    pub(super) note: Option<&'a str>,
    pub(super) treasure_id: &'a str,
    pub(super) value: u64,
    pub(super) inventory: &'a [InventoryItem<'a>],
    pub(super) modes: &'a [&'a str],
    pub(super) max_latency_ms: u32,
    pub(super) map: &'a str,
    pub(super) mode: &'a str,
    pub(super) players: &'a [&'a str],
    pub(super) winner: Option<&'a str>,
    pub(super) scores: &'a [Score<'a>],
}

#[derive(Clone, Copy)]
pub(super) struct PayloadSeed<'a, 't> {
    pub(super) ctx: Ctx<'a, 't>,
    /// The kind, when `kind` came before `payload`: fields of other kinds are
    /// then unknown fields (skipped, or refused in strict mode).
    pub(super) kind: Option<Kind>,
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
    pub(super) fn build<E: de::Error>(
        self,
        kind: Kind,
        ctx: Ctx<'a, '_>,
    ) -> Result<Payload<'a>, E> {
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
        Ok(self.payload(kind))
    }
}

/// Generates `PayloadFields::payload` from the schema: each kind's payload
/// takes its fields from the union by name.
macro_rules! build_payload {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        impl<'a> PayloadFields<'a> {
            /// The payload of `kind` (fields already checked).
            fn payload(self, kind: Kind) -> Payload<'a> {
                match kind {
                    $(Kind::$Kind => Payload::$Kind($Kind {
                        $($f: self.$f,)*
                    }),)*
                    Kind::$Unit => Payload::$Unit,
                }
            }
        }
    };
}

event_model::with_payload_schema!(build_payload);
