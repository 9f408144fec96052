//! `Serialize` for views and owned events: the canonical field order of SPEC
//! section 2 (envelope in table order, `kind` as a string, `payload` omitted
//! for a heartbeat, absent optional fields omitted, `ts` in milliseconds).
//! Floats serialize as `f32`, so serde_json writes the shortest decimal that
//! reads back to the same `f32`.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, SerializeStruct, Serializer};

use crate::view::*;
use crate::{OwnedEvent, Timestamp};

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl Serialize for Vec3 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Vec3", 3)?;
        st.serialize_field("x", &self.x)?;
        st.serialize_field("y", &self.y)?;
        st.serialize_field("z", &self.z)?;
        st.end()
    }
}

struct Attrs<'a>(&'a [Attr<'a>]);

impl Serialize for Attrs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for a in self.0 {
            m.serialize_entry(a.key, a.value)?;
        }
        m.end()
    }
}

impl Serialize for Event<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Event", 9)?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("seq", &self.seq)?;
        st.serialize_field("ts", &self.ts)?;
        st.serialize_field("kind", self.kind().name())?;
        st.serialize_field("player_id", self.player_id)?;
        match self.match_id {
            Some(m) => st.serialize_field("match_id", m)?,
            None => st.skip_field("match_id")?,
        }
        st.serialize_field("region", self.region)?;
        if self.attrs.is_empty() {
            st.skip_field("attrs")?;
        } else {
            st.serialize_field("attrs", &Attrs(self.attrs))?;
        }
        match &self.payload {
            Payload::Heartbeat => st.skip_field("payload")?,
            p => st.serialize_field("payload", p)?,
        }
        st.end()
    }
}

struct Items<'a, T>(&'a [T]);

impl<T: Serialize> Serialize for Items<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

impl Serialize for InventoryItem<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("InventoryItem", 2)?;
        st.serialize_field("item", self.item)?;
        st.serialize_field("qty", &self.qty)?;
        st.end()
    }
}

impl Serialize for Score<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Score", 2)?;
        st.serialize_field("player_id", self.player_id)?;
        st.serialize_field("score", &self.score)?;
        st.end()
    }
}

/// How a payload field of each type is serialized (per type, not per field).
trait SerField {
    fn serialize_field<S: SerializeStruct>(
        &self,
        st: &mut S,
        name: &'static str,
    ) -> Result<(), S::Error>;
}

/// Fields that serialize as themselves.
macro_rules! ser_plain {
    ($($t:ty),*) => {$(
        impl SerField for $t {
            fn serialize_field<S: SerializeStruct>(
                &self,
                st: &mut S,
                name: &'static str,
            ) -> Result<(), S::Error> {
                st.serialize_field(name, self)
            }
        }
    )*};
}

ser_plain!(u32, u64, f32, bool, &str, Vec3);

/// Absent optional fields are omitted.
impl SerField for Option<&str> {
    fn serialize_field<S: SerializeStruct>(
        &self,
        st: &mut S,
        name: &'static str,
    ) -> Result<(), S::Error> {
        match self {
            Some(v) => st.serialize_field(name, v),
            None => st.skip_field(name),
        }
    }
}

impl<T: Serialize> SerField for &[T] {
    fn serialize_field<S: SerializeStruct>(
        &self,
        st: &mut S,
        name: &'static str,
    ) -> Result<(), S::Error> {
        st.serialize_field(name, &Items(self))
    }
}

/// Generates `Serialize for Payload` from the schema: fields in the order
/// of the `.proto`, a heartbeat as unit.
macro_rules! ser_payload {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        impl Serialize for Payload<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Payload::$Kind(p) => {
                        const FIELDS: &[&str] = &[$(stringify!($f)),*];
                        let mut st = s.serialize_struct(stringify!($Kind), FIELDS.len())?;
                        $(SerField::serialize_field(&p.$f, &mut st, stringify!($f))?;)*
                        st.end()
                    })*
                    Payload::$Unit => s.serialize_unit(),
                }
            }
        }
    };
}

crate::with_payload_schema!(ser_payload);

impl Serialize for OwnedEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let arena = bumpalo::Bump::new();
        self.as_view(&arena).serialize(s)
    }
}
