//! How the zero-copy parser reads a payload field of each *type* (not each
//! field): its wire type, the builder it accumulates into while the message
//! is read (repeated fields merge, the last scalar wins), and the nested
//! messages (`Vec3`, `InventoryItem`, `Score`).

use super::*;

/// The protobuf wire type of a field, by its owned type (which has no
/// lifetime, so the keys can be constants of the schema-generated readers).
pub(super) trait WireType {
    /// The wire type a well-formed encoder uses.
    const WIRE: u8;
}

macro_rules! wire_type {
    ($wire:ident: $($t:ty),*) => {$(
        impl WireType for $t {
            const WIRE: u8 = $wire;
        }
    )*};
}

wire_type!(VARINT: u32, u64, bool);
wire_type!(I32: f32);
wire_type!(LEN: String, Option<String>, Vec<String>, Vec3, Vec<(String, u32)>, Vec<(String, i64)>);

/// Reads one occurrence of a payload field of this view type.
pub(super) trait WireField<'a>: Sized {
    /// What the field accumulates into while its message is read.
    type Build;

    /// The field's proto3 default.
    fn start(arena: &'a Bump) -> Self::Build;

    /// Reads one occurrence (of wire type `wt`, key at `at`) into `slot`;
    /// errors name `name`.
    fn read(
        p: &Parser<'a>,
        c: &mut Cursor<'a>,
        wt: u8,
        at: usize,
        slot: &mut Self::Build,
        name: &'static str,
    ) -> Result<(), DecodeError>;

    /// The value once the message is read.
    fn finish(build: Self::Build) -> Self;
}

/// Scalars: the last occurrence wins.
macro_rules! scalar_field {
    ($t:ty, $zero:expr, |$p:ident, $c:ident, $wt:ident, $at:ident, $name:ident| $read:expr) => {
        impl<'a> WireField<'a> for $t {
            type Build = $t;

            #[inline(always)]
            fn start(_: &'a Bump) -> $t {
                $zero
            }

            #[inline(always)]
            fn read(
                $p: &Parser<'a>,
                $c: &mut Cursor<'a>,
                $wt: u8,
                $at: usize,
                slot: &mut $t,
                $name: &'static str,
            ) -> Result<(), DecodeError> {
                *slot = $read;
                Ok(())
            }

            #[inline(always)]
            fn finish(build: $t) -> $t {
                build
            }
        }
    };
}

scalar_field!(
    u32,
    0,
    |p, c, wt, at, name| p.varint(c, wt, at).within(name)? as u32
);
scalar_field!(u64, 0, |p, c, wt, at, name| p
    .varint(c, wt, at)
    .within(name)?);
scalar_field!(bool, false, |p, c, wt, at, name| p
    .varint(c, wt, at)
    .within(name)?
    != 0);
scalar_field!(f32, 0.0, |p, c, wt, at, name| p
    .float(c, wt, at)
    .within(name)?);
scalar_field!(&'a str, "", |p, c, wt, at, name| p
    .string(c, wt, at)
    .within(name)?);
scalar_field!(Option<&'a str>, None, |p, c, wt, at, name| Some(
    p.string(c, wt, at).within(name)?
));

/// An embedded `Vec3` (depth 3): occurrences merge.
impl<'a> WireField<'a> for Vec3 {
    type Build = Vec3;

    #[inline(always)]
    fn start(_: &'a Bump) -> Vec3 {
        Vec3::default()
    }

    #[inline(always)]
    fn read(
        p: &Parser<'a>,
        c: &mut Cursor<'a>,
        wt: u8,
        at: usize,
        slot: &mut Vec3,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        let mut m = p.sub(c, wt, at, 3).within(name)?;
        p.vec3(&mut m, slot).within(name)
    }

    #[inline(always)]
    fn finish(build: Vec3) -> Vec3 {
        build
    }
}

/// A repeated string: each occurrence appends one.
impl<'a> WireField<'a> for &'a [&'a str] {
    type Build = BVec<'a, &'a str>;

    #[inline(always)]
    fn start(arena: &'a Bump) -> Self::Build {
        BVec::new_in(arena)
    }

    #[inline(always)]
    fn read(
        p: &Parser<'a>,
        c: &mut Cursor<'a>,
        wt: u8,
        at: usize,
        slot: &mut Self::Build,
        name: &'static str,
    ) -> Result<(), DecodeError> {
        p.push_string(c, wt, at, slot, name)
    }

    #[inline(always)]
    fn finish(build: Self::Build) -> Self {
        build.into_bump_slice()
    }
}

/// A repeated embedded message (depth 3): each occurrence appends one.
macro_rules! message_list {
    ($item:ident, $read:ident) => {
        impl<'a> WireField<'a> for &'a [$item<'a>] {
            type Build = BVec<'a, $item<'a>>;

            #[inline(always)]
            fn start(arena: &'a Bump) -> Self::Build {
                BVec::new_in(arena)
            }

            #[inline(always)]
            fn read(
                p: &Parser<'a>,
                c: &mut Cursor<'a>,
                wt: u8,
                at: usize,
                slot: &mut Self::Build,
                name: &'static str,
            ) -> Result<(), DecodeError> {
                let n = slot.len();
                let mut m = p.sub(c, wt, at, 3).within_item(name, n)?;
                let item = p.$read(&mut m).within_item(name, n)?;
                if n >= p.max_items {
                    return Err(too_many_items(p.max_items, at)).within(name);
                }
                push(slot, item, at)
            }

            #[inline(always)]
            fn finish(build: Self::Build) -> Self {
                build.into_bump_slice()
            }
        }
    };
}

message_list!(InventoryItem, inventory_item);
message_list!(Score, score);

impl<'a> Parser<'a> {
    #[inline(always)]
    pub(super) fn vec3(&self, c: &mut Cursor<'a>, v: &mut Vec3) -> Result<(), DecodeError> {
        fields!(self, c, 3, |at, wt| {
            0x0d => 1: I32 => v.x = self.float(c, wt, at).within("x")?,
            0x15 => 2: I32 => v.y = self.float(c, wt, at).within("y")?,
            0x1d => 3: I32 => v.z = self.float(c, wt, at).within("z")?,
        });
        Ok(())
    }

    #[inline(always)]
    pub(super) fn inventory_item(
        &self,
        c: &mut Cursor<'a>,
    ) -> Result<InventoryItem<'a>, DecodeError> {
        let mut item = InventoryItem::default();
        fields!(self, c, 3, |at, wt| {
            0x0a => 1: LEN => item.item = self.string(c, wt, at).within("item")?,
            0x10 => 2: VARINT => item.qty = self.varint(c, wt, at).within("qty")? as u32,
        });
        Ok(item)
    }

    #[inline(always)]
    pub(super) fn score(&self, c: &mut Cursor<'a>) -> Result<Score<'a>, DecodeError> {
        let mut score = Score::default();
        fields!(self, c, 3, |at, wt| {
            0x0a => 1: LEN => score.player_id = self.string(c, wt, at).within("player_id")?,
            // sint64: zigzag.
            0x10 => 2: VARINT => {
                let v = self.varint(c, wt, at).within("score")?;
                score.score = ((v >> 1) as i64) ^ -((v & 1) as i64);
            },
        });
        Ok(score)
    }
}
