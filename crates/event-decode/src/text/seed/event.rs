//! The event envelope: the seed callers use.

use super::*;

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

pub(super) const ENVELOPE_KEYS: &[&str] = EnvelopeKeys::NAMES;

/// Reads one event into an arena view through any serde [`Deserializer`].
///
/// ```
/// use event_decode::internals::text::{DecodeOptions, EventSeed, Trail};
/// use event_model::Kind;
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
pub(super) enum EarlyPayload {
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
    /// decode the input twice, such as [`OwnedEventSeed`]).
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

/// Reads one event into an [`OwnedEvent`] through any serde
/// [`Deserializer`], in one pass: through [`EventSeed`] (with
/// [`EventSeed::gather_early_payload`]) into a scratch arena, then validated
/// and copied out, so owned and borrowed decoding follow exactly the same
/// rules. String fields accept any scalar's text, as the JSON decoder does.
///
/// For the project's comparisons of other serde formats (`serde_yaml`,
/// `serde-saphyr`, `serde_json`); users decode with
/// [`from_slice_owned`](crate::from_slice_owned).
#[derive(Debug, Clone, Copy, Default)]
pub struct OwnedEventSeed;

impl<'de> DeserializeSeed<'de> for OwnedEventSeed {
    type Value = OwnedEvent;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<OwnedEvent, D::Error> {
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

/// An [`OwnedEvent`] that implements `Deserialize` (through
/// [`OwnedEventSeed`]), for serde APIs that take a `T: Deserialize` only,
/// such as `serde_saphyr::from_slice`.
#[derive(Debug, Clone, PartialEq)]
pub struct SerdeOwnedEvent(pub OwnedEvent);

impl<'de> de::Deserialize<'de> for SerdeOwnedEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        OwnedEventSeed.deserialize(d).map(SerdeOwnedEvent)
    }
}
