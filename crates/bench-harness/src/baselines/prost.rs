//! The reference decoder: prost's owned types, then validation.

use bumpalo::Bump;
use event_model::{Event, Limit, LimitExceeded, Limits, proto};
use prost::Message;

use event_decode::internals::protobuf::event_too_big;
use event_decode::{Category, DecodeConfig, DecodeError, Decoder, Format, Position};

/// Decodes with `prost::Message::decode` into [`proto::Event`], checks it
/// with [`proto::Event::check_limits`], validates it with
/// [`proto::Event::view`] and copies the view into the arena with
/// [`Event::copy_in`]: all three are generated from the schema, so this
/// decoder names no payload field.
///
/// The reference implementation and the benchmark baseline: simple and
/// obviously right, at the cost of an owned `String` per field and a
/// `BTreeMap` for `attrs`. Its errors have the categories of
/// [`ZeroCopyDecoder`](event_decode::protobuf::ZeroCopyDecoder)'s, but prost reports no byte
/// offset for wire errors (validation errors point at byte 0, the message
/// start, as the zero-copy decoder's do), and a truncated varint is a
/// `Syntax` error here since prost does not tell it from an overlong one.
///
/// Limits: `max_event_bytes` is checked first, `max_string_bytes` and
/// `max_items` on the decoded message; nesting is bounded by prost's own
/// recursion limit (100) rather than `max_depth`.
#[derive(Debug, Clone, Default)]
pub struct ProstDecoder {
    limits: Limits,
    scratch: Scratch,
}

/// The decoder's own arena for the intermediate view of the prost message
/// (reset on every call): only the final copy goes to the caller's arena,
/// whose allocation limit it must respect without panicking.
#[derive(Debug, Default)]
struct Scratch(Bump);

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Scratch::default()
    }
}

impl ProstDecoder {
    /// A decoder with the default [`DecodeConfig`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder with `config`'s limits (`max_depth` is not one of them:
    /// prost applies its own recursion limit of 100; `max_alias_*` never
    /// apply). Unknown fields are skipped under either policy, as proto3
    /// requires.
    pub fn with_config(config: &DecodeConfig) -> Self {
        ProstDecoder {
            limits: config.limits,
            scratch: Scratch::default(),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }
}

impl Decoder for ProstDecoder {
    fn format(&self) -> Format {
        Format::Protobuf
    }

    fn decode<'a>(&mut self, input: &'a [u8], arena: &'a Bump) -> Result<Event<'a>, DecodeError> {
        if input.len() > self.limits.max_event_bytes {
            return Err(event_too_big(input.len(), self.limits.max_event_bytes));
        }
        let msg = proto::Event::decode(input).map_err(from_prost)?;
        msg.check_limits(&self.limits).map_err(from_limit)?;
        self.scratch.0.reset();
        let view = msg
            .view(&self.scratch.0)
            .map_err(|e| DecodeError::from(e).with_position(Position::Byte { offset: 0 }))?;
        view.copy_in(arena)
            .map_err(|_| DecodeError::out_of_memory().with_position(Position::Byte { offset: 0 }))
    }
}

/// A prost error in this crate's terms: prost's `Message.field` stack becomes
/// the field path (`payload.position.x`), its description the category.
fn from_prost(e: prost::DecodeError) -> DecodeError {
    let text = e.to_string();
    let mut rest = text
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(&text);
    // The stack comes innermost first, each entry `Message.field: `.
    let mut fields = Vec::new();
    while let Some((entry, tail)) = rest.split_once(": ") {
        let Some((message, field)) = entry.split_once('.') else {
            break;
        };
        let is_ident =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
        if !message.starts_with(|c: char| c.is_ascii_uppercase())
            || !is_ident(message)
            || !is_ident(field)
        {
            break;
        }
        fields.push(field);
        rest = tail;
    }
    let path = fields.iter().rev().copied().collect::<Vec<_>>().join(".");
    let error = if rest.starts_with("buffer underflow") {
        DecodeError::new(Category::Eof, rest)
    } else if rest.starts_with("recursion limit reached") {
        DecodeError::limit_exceeded(Limit::Depth, rest)
    } else {
        DecodeError::new(Category::Syntax, rest)
    };
    error.with_path(path)
}

/// A limit error of the decoded message in this crate's terms, with the
/// messages of the zero-copy decoder (per limit, not per field).
#[cold]
fn from_limit(e: LimitExceeded) -> DecodeError {
    let LimitExceeded {
        limit,
        path,
        found,
        max,
    } = e;
    let message = match limit {
        Limit::StringBytes => {
            format!("string of {found} bytes is longer than max_string_bytes ({max})")
        }
        Limit::Items => format!("{found} items; max_items is {max}"),
        other => format!("{found} exceeds {other} ({max})"),
    };
    DecodeError::limit_exceeded(limit, message).with_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prost_stack_becomes_a_path() {
        // Field 13 (clue_found) holding field 4 (tags) with a bad UTF-8 byte.
        let bytes = [0x6a, 0x03, 0x22, 0x01, 0xff];
        let e = ProstDecoder::new()
            .decode(&bytes, &Bump::new())
            .unwrap_err();
        assert_eq!(e.category(), Category::Syntax);
        assert_eq!(e.path(), "payload.tags");
        assert!(e.message().contains("UTF-8"), "{e}");
    }
}
