//! The zero-copy decoder: wire bytes straight into an [`Event`] view.

use bumpalo::Bump;
use bumpalo::collections::Vec as BVec;
use event_model::{
    Attr, Event, InventoryItem, Limit, MAX_ID_BYTES, MAX_REGION_BYTES, Payload, Score, Timestamp,
    Vec3,
};

use super::wire::{Cursor, I32, LEN, VARINT, check_key, error_at, limit_at, wire_type_name};
use crate::text::seed::MAX_DEPTH_CEILING;
use crate::{Category, DecodeConfig, DecodeError, Decoder, Format, Position};

/// Decodes protobuf `veltrix.events.v1.Event` bytes into a view whose strings
/// borrow from the input and whose lists live in the caller's arena.
///
/// It follows prost's reading of the wire format exactly (unknown fields of
/// every wire type skipped, last value wins, embedded messages and a repeated
/// oneof member merge, map entries last-wins) and then validates like
/// [`event_model::proto::Event::view`], so it accepts and rejects what
/// [`ProstDecoder`](super::ProstDecoder) does and yields the same event. Once
/// the arena has grown to fit, decoding allocates nothing on the heap.
///
/// `attrs` come out sorted by key with duplicate keys resolved last-wins, the
/// order prost's `BTreeMap` gives.
///
/// ```
/// use event_decode::{Bump, Decoder, protobuf::{ZeroCopyDecoder, encode}};
/// use event_model::corpus;
///
/// let event = &corpus::corpus(1, 1)[0];
/// let arena = Bump::new();
/// let mut bytes = Vec::new();
/// encode(&event.as_view(&arena), &mut bytes);
/// let view = ZeroCopyDecoder::new().decode(&bytes, &arena).unwrap();
/// assert_eq!(view.to_owned(), event.clone().with_sorted_attrs());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ZeroCopyDecoder {
    config: DecodeConfig,
}

impl ZeroCopyDecoder {
    /// A decoder with the default [`DecodeConfig`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder with `config`'s limits: `max_depth` bounds the nesting of
    /// messages and groups, the event being depth 1 (at most
    /// [`MAX_DEPTH_CEILING`] is followed); `max_items` each repeated field
    /// and the `attrs` entries, duplicates included; `max_string_bytes`
    /// every string, map keys included; `max_alias_*` never apply. Unknown
    /// fields are skipped under either [`UnknownFields`](crate::UnknownFields)
    /// policy, as proto3 requires.
    pub fn with_config(config: &DecodeConfig) -> Self {
        ZeroCopyDecoder { config: *config }
    }

    /// The configuration in force.
    pub fn config(&self) -> &DecodeConfig {
        &self.config
    }
}

impl Decoder for ZeroCopyDecoder {
    fn format(&self) -> Format {
        Format::Protobuf
    }

    fn decode<'a>(&mut self, input: &'a [u8], arena: &'a Bump) -> Result<Event<'a>, DecodeError> {
        let limits = &self.config.limits;
        if input.len() > limits.max_event_bytes {
            return Err(event_too_big(input.len(), limits.max_event_bytes));
        }
        let parser = Parser {
            arena,
            max_string: limits.max_string_bytes,
            max_items: limits.max_items,
            // Bounds the recursion of group skipping whatever the setting.
            max_depth: limits.max_depth.min(MAX_DEPTH_CEILING),
        };
        parser.event(Cursor::new(input))
    }
}

/// The limit error for an event of `len` bytes.
#[cold]
pub(crate) fn event_too_big(len: usize, max: usize) -> DecodeError {
    limit_at(
        Limit::EventBytes,
        0,
        format!("event is {len} bytes; max_event_bytes is {max}"),
    )
}

/// Validation failures concern the whole message: they point at its start.
#[cold]
pub(crate) fn invalid(path: &'static str, message: &str) -> DecodeError {
    DecodeError::new(Category::Data, message)
        .with_path(path)
        .with_position(Position::Byte { offset: 0 })
}

/// The decoding context of one event: arena and limits.
struct Parser<'a> {
    arena: &'a Bump,
    max_string: usize,
    max_items: usize,
    max_depth: usize,
}

/// Reads every field of one message. Each entry is `key => tag: wire type =>
/// body`: a key in its usual form (one byte for tags up to 15) dispatches
/// straight to its body in one jump, with the wire type a constant, so the
/// body's wire-type check folds away. Anything else (another wire type,
/// a longer encoding of the key, unknown fields, bad keys) takes the general
/// path: key checked, then the same bodies by tag, or skipped at `$depth`.
///
/// Keys are literals or constants (the schema-generated readers name a
/// constant per field). An `else |tag| expr` arm takes the tags that no
/// entry names, instead of skipping them.
macro_rules! fields {
    ($self:ident, $c:ident, $depth:expr, |$at:ident, $wt:ident| {
        $($key:tt => $tag:literal : $expected:expr => $body:expr,)*
    } $(else |$t:ident| $by_tag:expr)?) => {
        loop {
            let $at = $c.offset();
            let key = match $c.peek() {
                None => break,
                Some(b) if b < 0x80 => {
                    $c.bump();
                    u32::from(b)
                }
                Some(_) => $c.long_key()?,
            };
            match key {
                $($key => {
                    const { assert!($key == ($tag << 3) | $expected as u32) };
                    let $wt = $expected;
                    $body
                })*
                _ => {
                    let (tag, $wt) = check_key(key, $at)?;
                    match tag {
                        $($tag => $body,)*
                        _ => fields!(@other $self, $c, tag, $wt, $at, $depth $(, |$t| $by_tag)?),
                    }
                }
            }
        }
    };
    (@other $self:ident, $c:ident, $tag:ident, $wt:ident, $at:ident, $depth:expr) => {
        $self.skip($c, $tag, $wt, $at, $depth)?
    };
    (@other $self:ident, $c:ident, $tag:ident, $wt:ident, $at:ident, $depth:expr, |$t:ident| $by_tag:expr) => {{
        let $t = $tag;
        $by_tag
    }};
}

impl<'a> Parser<'a> {
    /// Opens an embedded message at nesting `depth`.
    #[inline(always)]
    fn sub(
        &self,
        c: &mut Cursor<'a>,
        wt: u8,
        at: usize,
        depth: usize,
    ) -> Result<Cursor<'a>, DecodeError> {
        if wt != LEN {
            return Err(wrong_wire_type(wt, LEN, at));
        }
        if depth > self.max_depth {
            return Err(too_deep(self.max_depth, at));
        }
        c.message()
    }

    #[inline(always)]
    fn string(&self, c: &mut Cursor<'a>, wt: u8, at: usize) -> Result<&'a str, DecodeError> {
        if wt != LEN {
            return Err(wrong_wire_type(wt, LEN, at));
        }
        let bytes = c.bytes()?;
        if bytes.len() > self.max_string {
            return Err(string_too_long(bytes.len(), self.max_string, at));
        }
        match ascii_str(bytes) {
            Some(s) => Ok(s),
            None => text(bytes, c.offset() - bytes.len()),
        }
    }

    /// Appends one occurrence of a repeated string field.
    #[inline(always)]
    fn push_string(
        &self,
        c: &mut Cursor<'a>,
        wt: u8,
        at: usize,
        list: &mut BVec<'a, &'a str>,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        let s = self.string(c, wt, at).within_item(name, list.len())?;
        if list.len() >= self.max_items {
            return Err(too_many_items(self.max_items, at)).within(name);
        }
        push(list, s, at)?;
        Ok(())
    }

    #[inline(always)]
    fn varint(&self, c: &mut Cursor<'a>, wt: u8, at: usize) -> Result<u64, DecodeError> {
        if wt != VARINT {
            return Err(wrong_wire_type(wt, VARINT, at));
        }
        c.varint()
    }

    #[inline(always)]
    fn float(&self, c: &mut Cursor<'a>, wt: u8, at: usize) -> Result<f32, DecodeError> {
        if wt != I32 {
            return Err(wrong_wire_type(wt, I32, at));
        }
        Ok(f32::from_le_bytes(c.fixed32()?))
    }

    /// Skips an unknown field of a message at `depth`.
    #[inline(always)]
    fn skip(
        &self,
        c: &mut Cursor<'a>,
        tag: u32,
        wt: u8,
        at: usize,
        depth: usize,
    ) -> Result<(), DecodeError> {
        c.skip_field(tag, wt, at, depth, self.max_depth)
    }

    fn event(&self, c: Cursor<'a>) -> Result<Event<'a>, DecodeError> {
        // A local copy, kept in registers (the argument lives in memory).
        let mut cursor = c;
        let c = &mut cursor;
        let arena = self.arena;
        let (mut id, mut seq, mut ts, mut player_id) = ("", 0u64, 0i64, "");
        let (mut match_id, mut region) = (None, "");
        let mut attrs: BVec<'a, Attr<'a>> = BVec::new_in(arena);
        let mut body = Body::None;
        fields!(self, c, 1, |at, wt| {
            0x0a => 1: LEN => id = self.string(c, wt, at).within("id")?,
            0x10 => 2: VARINT => seq = self.varint(c, wt, at).within("seq")?,
            0x18 => 3: VARINT => ts = self.varint(c, wt, at).within("ts")? as i64,
            0x22 => 4: LEN => player_id = self.string(c, wt, at).within("player_id")?,
            0x2a => 5: LEN => match_id = Some(self.string(c, wt, at).within("match_id")?),
            0x32 => 6: LEN => region = self.string(c, wt, at).within("region")?,
            0x3a => 7: LEN => {
                let n = attrs.len();
                // Entries count, duplicates included: they are held until
                // the end, so memory must not grow past the limit.
                if n >= self.max_items {
                    return Err(too_many_items(self.max_items, at)).within("attrs");
                }
                let mut m = self.sub(c, wt, at, 2).within_item("attrs", n)?;
                let attr = self.attr(&mut m).within_item("attrs", n)?;
                push(&mut attrs, attr, at)?;
            },
            // The payload oneof's members, read by the schema-generated
            // code (keys listed here so that they dispatch in one jump).
            0x52 => 10: LEN => self.payload_member(c, 10, wt, at, &mut body)?,
            0x5a => 11: LEN => self.payload_member(c, 11, wt, at, &mut body)?,
            0x62 => 12: LEN => self.payload_member(c, 12, wt, at, &mut body)?,
            0x6a => 13: LEN => self.payload_member(c, 13, wt, at, &mut body)?,
            0x72 => 14: LEN => self.payload_member(c, 14, wt, at, &mut body)?,
            0x7a => 15: LEN => self.payload_member(c, 15, wt, at, &mut body)?,
            0x82 => 16: LEN => self.payload_member(c, 16, wt, at, &mut body)?,
            0x8a => 17: LEN => self.payload_member(c, 17, wt, at, &mut body)?,
            0x92 => 18: LEN => self.payload_member(c, 18, wt, at, &mut body)?,
        } else |tag| self.payload_member(c, tag, wt, at, &mut body)?);
        // Proto3 defaults stand in for absence, as in `proto::Event::view`.
        if id.is_empty() {
            return Err(invalid("id", "missing required field"));
        }
        if player_id.is_empty() {
            return Err(invalid("player_id", "missing required field"));
        }
        if region.is_empty() {
            return Err(invalid("region", "missing required field"));
        }
        let Some(payload) = body.finish() else {
            return Err(invalid("payload", "missing required field"));
        };
        let attrs = self.finish_attrs(attrs)?;
        let event = Event {
            id,
            seq,
            ts: Timestamp(ts),
            player_id,
            match_id,
            region,
            attrs,
            payload,
        };
        // The rules of `Event::validate`, checked inline; on a failure
        // `validate` itself says which (the same error, the same path).
        if !plainly_valid(&event) {
            validate(&event)?;
        }
        Ok(event)
    }

    /// One `attrs` map entry; a missing key or value is "".
    #[inline(always)]
    fn attr(&self, c: &mut Cursor<'a>) -> Result<Attr<'a>, DecodeError> {
        let mut attr = Attr { key: "", value: "" };
        fields!(self, c, 2, |at, wt| {
            0x0a => 1: LEN => attr.key = self.string(c, wt, at).within("key")?,
            0x12 => 2: LEN => attr.value = self.string(c, wt, at).within("value")?,
        });
        Ok(attr)
    }

    /// Sorts `attrs` by key, the later of two equal keys winning (prost's
    /// `BTreeMap`), and checks the count of distinct keys.
    fn finish_attrs(&self, attrs: BVec<'a, Attr<'a>>) -> Result<&'a [Attr<'a>], DecodeError> {
        // Producers that encode a sorted map (prost, this crate) skip the sort.
        let attrs = if attrs.windows(2).all(|w| w[0].key < w[1].key) {
            attrs.into_bump_slice()
        } else {
            // Unstable sort on (key, position) is stable and allocates nothing.
            let mut indexed = BVec::new_in(self.arena);
            if indexed.try_reserve_exact(attrs.len()).is_err() {
                return Err(out_of_memory(0));
            }
            indexed.extend(attrs.iter().enumerate().map(|(i, a)| (*a, i)));
            indexed.sort_unstable_by(|a, b| a.0.key.cmp(b.0.key).then(a.1.cmp(&b.1)));
            let mut out = BVec::new_in(self.arena);
            if out.try_reserve_exact(indexed.len()).is_err() {
                return Err(out_of_memory(0));
            }
            for (i, (attr, _)) in indexed.iter().enumerate() {
                let superseded = indexed
                    .get(i + 1)
                    .is_some_and(|next| next.0.key == attr.key);
                if !superseded {
                    out.push(*attr);
                }
            }
            out.into_bump_slice()
        };
        if attrs.len() > self.max_items {
            return Err(limit_at(
                Limit::Items,
                0,
                format!(
                    "{} distinct keys; max_items is {}",
                    attrs.len(),
                    self.max_items
                ),
            )
            .with_path("attrs"));
        }
        Ok(attrs)
    }

    /// Skips every field of a message with no known fields (`Heartbeat`).
    fn skip_all(&self, c: &mut Cursor<'a>, depth: usize) -> Result<(), DecodeError> {
        while !c.is_empty() {
            let at = c.offset();
            let (tag, wt) = c.key()?;
            self.skip(c, tag, wt, at, depth)?;
        }
        Ok(())
    }
}

/// [`Event::validate`] as a decoding error at the start of the message.
#[cold]
#[inline(never)]
fn validate(event: &Event<'_>) -> Result<(), DecodeError> {
    event
        .validate()
        .map_err(|e| DecodeError::from(e).with_position(Position::Byte { offset: 0 }))
}

/// True when `event` keeps every rule of [`Event::validate`]: lengths of
/// 1..=max bytes, finite coordinates. Cheaper than `validate`, which is
/// left to build the error when this fails.
#[inline(always)]
fn plainly_valid(event: &Event<'_>) -> bool {
    let fits = |s: &str, max: usize| s.len().wrapping_sub(1) < max;
    let ids = fits(event.id, MAX_ID_BYTES)
        & fits(event.player_id, MAX_ID_BYTES)
        & event.match_id.is_none_or(|m| fits(m, MAX_ID_BYTES))
        & fits(event.region, MAX_REGION_BYTES);
    ids & payload_is_valid(&event.payload)
}

/// `bytes` as a `&str` when they are all ASCII (the usual case for ids,
/// names and tags), without a second pass over them: `std::str::from_utf8`
/// on short strings costs about five times this check (measured: 1,100 of
/// 3,400 instructions per reference event went to UTF-8 checking).
#[allow(unsafe_code)]
#[inline(always)]
pub(crate) fn ascii_str(bytes: &[u8]) -> Option<&str> {
    if is_ascii(bytes) {
        // SAFETY: every byte is below 0x80 (checked just above), and a
        // sequence of ASCII bytes is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        None
    }
}

/// True when every byte is below 0x80: eight bytes at a time (the last
/// eight overlapping the others), four, or one by one under four.
#[inline(always)]
fn is_ascii(bytes: &[u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if let Some(last) = bytes.last_chunk::<8>() {
        let mut all = u64::from_le_bytes(*last);
        let mut rest = bytes;
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            all |= u64::from_le_bytes(*word);
            rest = tail;
        }
        all & HIGH == 0
    } else if let (Some(first), Some(last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        (u32::from_le_bytes(*first) | u32::from_le_bytes(*last)) & 0x8080_8080 == 0
    } else {
        bytes.iter().all(u8::is_ascii)
    }
}

/// A string that is not all ASCII, checked in full; `start` is its offset.
#[inline(never)]
fn text(bytes: &[u8], start: usize) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|_| bad_utf8(bytes, start))
}

// After the macros, which they use.
mod fields;
mod payload;
use payload::{Body, payload_is_valid};

mod errors;
use errors::*;
