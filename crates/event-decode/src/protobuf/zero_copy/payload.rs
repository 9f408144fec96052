//! The payload oneof and the messages of its members, generated from the
//! schema (`event_model::with_payload_schema!`): one builder and one reader
//! per kind, each field read by its type's [`WireField`].

use event_model::Field;

use super::fields::{WireField, WireType};
use super::*;

/// Reads one occurrence of a oneof member: a fresh builder unless the same
/// member is already there (then the new occurrence merges into it).
macro_rules! member {
    ($self:ident, $c:ident, $wt:expr, $at:ident, $body:ident, $Kind:ident, $kind:ident) => {{
        let m = $self.sub($c, $wt, $at, 2).within("payload")?;
        if !matches!($body, Body::$Kind(_)) {
            *$body = Body::$Kind(build::$Kind::start($self.arena));
        }
        if let Body::$Kind(p) = $body {
            $self.$kind(m, p).within("payload")?;
        }
    }};
    ($self:ident, $c:ident, $wt:expr, $at:ident, $body:ident, $Unit:ident) => {{
        let mut m = $self.sub($c, $wt, $at, 2).within("payload")?;
        *$body = Body::$Unit;
        $self.skip_all(&mut m, 2).within("payload")?;
    }};
}

macro_rules! zero_copy_payload {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        /// The builders of the payload messages: the view's fields, lists
        /// still growing in the arena.
        mod build {
            use super::*;

            $(
                pub(in super::super) struct $Kind<'a> {
                    $(pub(in super::super) $f: <$vt as WireField<'a>>::Build,)*
                    pub(in super::super) _arena: std::marker::PhantomData<&'a ()>,
                }

                impl<'a> $Kind<'a> {
                    #[inline(always)]
                    pub(in super::super) fn start(arena: &'a Bump) -> Self {
                        let _ = arena;
                        $Kind {
                            $($f: <$vt as WireField<'a>>::start(arena),)*
                            _arena: std::marker::PhantomData,
                        }
                    }
                }
            )*
        }

        /// The payload read so far (a oneof: the last member wins, the same
        /// member merges).
        pub(super) enum Body<'a> {
            None,
            $($Kind(build::$Kind<'a>),)*
            $Unit,
        }

        impl<'a> Body<'a> {
            pub(super) fn finish(self) -> Option<Payload<'a>> {
                Some(match self {
                    Body::None => return None,
                    $(Body::$Kind(p) => {
                        let _ = &p;
                        Payload::$Kind(event_model::$Kind {
                            $($f: <$vt as WireField<'a>>::finish(p.$f),)*
                        })
                    })*
                    Body::$Unit => Payload::$Unit,
                })
            }
        }

        /// True when every payload field keeps its rule of `Event::validate`.
        #[inline(always)]
        pub(super) fn payload_is_valid(payload: &Payload<'_>) -> bool {
            match payload {
                $(Payload::$Kind(p) => {
                    let _ = p;
                    true $(& Field::is_valid(&p.$f))*
                })*
                Payload::$Unit => true,
            }
        }

        impl<'a> Parser<'a> {
            /// Reads one occurrence of field `tag` of `Event` that is no
            /// envelope field: a member of the payload oneof, or unknown.
            /// Called with a constant `tag` for each member's usual key (the
            /// match folds away), and with the tags of other keys.
            #[inline(always)]
            pub(super) fn payload_member(
                &self,
                c: &mut Cursor<'a>,
                tag: u32,
                wt: u8,
                at: usize,
                body: &mut Body<'a>,
            ) -> Result<(), DecodeError> {
                match tag {
                    $($ktag => member!(self, c, wt, at, body, $Kind, $kind),)*
                    $utag => member!(self, c, wt, at, body, $Unit),
                    _ => self.skip(c, tag, wt, at, 1)?,
                }
                Ok(())
            }

            $(
                #[doc = concat!("Merges one `", stringify!($kind), "` message into `p`.")]
                fn $kind(&self, c: Cursor<'a>, p: &mut build::$Kind<'a>) -> Result<(), DecodeError> {
                    // Each field's usual key: tag and wire type.
                    $(
                        #[allow(non_upper_case_globals)]
                        const $f: u32 = ($tag << 3) | <$ot as WireType>::WIRE as u32;
                    )*
                    // A local copy, kept in registers (the argument lives in memory).
                    let mut cursor = c;
                    let c = &mut cursor;
                    let _ = &p;
                    fields!(self, c, 2, |at, wt| {
                        $($f => $tag: <$ot as WireType>::WIRE => <$vt as WireField<'a>>::read(
                            self, c, wt, at, &mut p.$f, stringify!($f)
                        )?,)*
                    });
                    Ok(())
                }
            )*
        }
    };
}

event_model::with_payload_schema!(zero_copy_payload);
