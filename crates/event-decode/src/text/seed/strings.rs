//! Strings: any string value, borrowed from the input when possible.

use super::*;

/// Any string value, borrowed from the input when possible.
#[derive(Clone, Copy)]
pub(super) struct Text<'a, 't>(pub(super) Ctx<'a, 't>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Text<'a, '_> {
    type Value = &'a str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        if self.0.opts.text_from_any_scalar {
            d.deserialize_any(self)
        } else {
            d.deserialize_str(self)
        }
    }
}

impl<'de: 'a, 'a> Visitor<'de> for Text<'a, '_> {
    type Value = &'a str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<&'a str, E> {
        self.0.check_str(v)?;
        Ok(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<&'a str, E> {
        self.0.check_str(v)?;
        self.0.alloc_str(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<&'a str, E> {
        self.0.alloc_str(itoa::Buffer::new().format(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<&'a str, E> {
        self.0.alloc_str(itoa::Buffer::new().format(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<&'a str, E> {
        self.0.alloc_str(ryu::Buffer::new().format(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<&'a str, E> {
        Ok(if v { "true" } else { "false" })
    }

    fn visit_unit<E: de::Error>(self) -> Result<&'a str, E> {
        Err(self.0.data(format_args!("expected a string, found null")))
    }
}

/// An optional string: null (or absent) is `None`.
pub(super) struct OptText<'a, 't>(pub(super) Ctx<'a, 't>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for OptText<'a, '_> {
    type Value = Option<&'a str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for OptText<'a, '_> {
    type Value = Option<&'a str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Text(self.0).deserialize(d).map(Some)
    }
}
