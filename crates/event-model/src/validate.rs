//! Validation of the rules of SPEC section 2 that a decoder cannot see from
//! the syntax alone: string lengths and finite coordinates. (Presence of
//! required fields is checked by each decoder while it reads.)

use crate::schema::Field;
use crate::{Event, Payload, Vec3};

/// An event that breaks a rule of the schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ValidationError {
    /// The field that breaks the rule (`region`, `payload.position.x`).
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

impl ValidationError {
    /// A new error for `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Longest `id`, `player_id` and `match_id`, in bytes.
pub const MAX_ID_BYTES: usize = 64;
/// Longest `region`, in bytes.
pub const MAX_REGION_BYTES: usize = 32;

fn check_len(path: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    let n = value.len();
    if n == 0 {
        Err(ValidationError::new(path, "must not be empty"))
    } else if n > max {
        Err(ValidationError::new(
            path,
            format!("is {n} bytes long; at most {max} are allowed"),
        ))
    } else {
        Ok(())
    }
}

pub(crate) fn check_float(path: &str, v: f32) -> Result<(), ValidationError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(ValidationError::new(
            path,
            format!("must be finite, found {v}"),
        ))
    }
}

pub(crate) fn check_vec3(path: &str, v: &Vec3) -> Result<(), ValidationError> {
    // Paths are built only on failure, so the happy path does not allocate.
    for (axis, value) in [("x", v.x), ("y", v.y), ("z", v.z)] {
        if !value.is_finite() {
            return check_float(&format!("{path}.{axis}"), value);
        }
    }
    Ok(())
}

impl Event<'_> {
    /// Checks the rules of SPEC section 2: `id`, `player_id` and `match_id`
    /// are 1..=64 bytes, `region` 1..=32 bytes, floats are finite.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_len("id", self.id, MAX_ID_BYTES)?;
        check_len("player_id", self.player_id, MAX_ID_BYTES)?;
        if let Some(m) = self.match_id {
            check_len("match_id", m, MAX_ID_BYTES)?;
        }
        check_len("region", self.region, MAX_REGION_BYTES)?;
        check_payload(&self.payload)?;
        Ok(())
    }
}

/// Generates `check_payload`: every field's rule, from the schema.
macro_rules! check_payload {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        /// Checks the rule of each payload field (see [`Field::check`]).
        fn check_payload(payload: &Payload<'_>) -> Result<(), ValidationError> {
            match payload {
                $(Payload::$Kind(p) => {
                    $(Field::check(&p.$f, concat!("payload.", stringify!($f)))?;)*
                })*
                Payload::$Unit => {}
            }
            Ok(())
        }
    };
}

crate::with_payload_schema!(check_payload);
