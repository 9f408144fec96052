//! [`peek_id`]: the `id` of an event that did not decode, when it can be read.
//!
//! A rejected event is easier to trace back to its producer with its id
//! (SPEC section 6: a rejected result carries "`id` when it could be read").
//! The decoders stop at the first error and return no event, so this reads
//! the top level of the input again, looking for `id` only: it runs on the
//! error path, never on the hot path. It is written by hand per format
//! because it must stop at `id` and tolerate whatever comes after it (a bad
//! field later in the event is the usual reason for the rejection).

use bumpalo::Bump;

use crate::Format;

/// The top-level `id` of one event's bytes in `format`, if it can be read:
/// a string of 1 to [`event_model::MAX_ID_BYTES`] bytes, found before any
/// syntax error. Whatever else the input holds (wrong types, missing
/// fields, trailing garbage after the id) does not matter.
///
/// The id borrows from `input`, or from `arena` when it had to be unescaped.
/// Work and memory are linear in the input and bounded by the default
/// [`Limits`](crate::Limits) (nesting depth, aliases).
///
/// ```
/// use event_decode::{Bump, Format, peek_id};
///
/// let arena = Bump::new();
/// let bad = b"id: e-7\nseq: not-a-number\n";
/// assert_eq!(peek_id(Format::Yaml, bad, &arena), Some("e-7"));
/// assert_eq!(peek_id(Format::Json, br#"{"seq":"x","id":"e-8""#, &arena), Some("e-8"));
/// assert_eq!(peek_id(Format::Json, b"[1]", &arena), None);
/// ```
pub fn peek_id<'a>(format: Format, input: &'a [u8], arena: &'a Bump) -> Option<&'a str> {
    let id = match format {
        #[cfg(feature = "yaml")]
        Format::Yaml => yaml(input, arena),
        #[cfg(feature = "json")]
        Format::Json => json(input, arena),
        #[cfg(feature = "protobuf")]
        Format::Protobuf => protobuf(input),
        #[allow(unreachable_patterns)]
        _ => None,
    }?;
    (1..=event_model::MAX_ID_BYTES)
        .contains(&id.len())
        .then_some(id)
}

#[cfg(feature = "yaml")]
fn yaml<'a>(input: &'a [u8], arena: &'a Bump) -> Option<&'a str> {
    use crate::yaml::scanner::{ScannerBuffers, ScannerNodes};
    use crate::yaml::source::{Node, NodeSource};
    use std::borrow::Cow;

    let text = std::str::from_utf8(input).ok()?;
    let mut buffers = ScannerBuffers::default();
    let mut nodes = ScannerNodes::new(text, &event_model::Limits::DEFAULT, arena, &mut buffers);
    if nodes.next_event().ok()?.0 != Node::MappingStart {
        return None;
    }
    // Depth inside the root mapping's values; keys are read at depth 0.
    let mut depth = 0usize;
    let mut want_key = true;
    let mut value_of_id = false;
    loop {
        let (node, _) = nodes.next_event().ok()?;
        match node {
            Node::Scalar { text, .. } if depth == 0 => {
                if value_of_id {
                    return Some(match text {
                        Cow::Borrowed(s) => s,
                        Cow::Owned(s) => arena.alloc_str(&s),
                    });
                }
                if want_key && text == "id" {
                    value_of_id = true;
                }
                want_key = !want_key;
            }
            Node::Scalar { .. } => {}
            Node::MappingStart | Node::SequenceStart => {
                if value_of_id {
                    return None;
                }
                depth += 1;
            }
            Node::MappingEnd | Node::SequenceEnd => {
                if depth == 0 {
                    return None;
                }
                depth -= 1;
                if depth == 0 {
                    want_key = !want_key;
                }
            }
        }
    }
}

#[cfg(feature = "json")]
fn json<'a>(input: &'a [u8], arena: &'a Bump) -> Option<&'a str> {
    use serde::Deserializer as _;
    use serde::de::{IgnoredAny, MapAccess, Visitor};
    use std::borrow::Cow;
    use std::fmt;

    /// Writes the id to its slot as soon as it is read: serde_json checks
    /// for the object's `}` after the visitor returns, and this one returns
    /// early, so the call's own result is an error whenever the id was found
    /// before the end.
    struct Root<'a, 'o>(&'a Bump, &'o mut Option<&'a str>);

    impl<'de: 'a, 'a> Visitor<'de> for Root<'a, '_> {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key == "id" {
                    *self.1 = map.next_value_seed(Text(self.0)).ok();
                    return Ok(());
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }

    /// A string value: borrowed when the input holds it verbatim, else
    /// unescaped into the arena (serde's `Cow` always copies).
    struct Text<'a>(&'a Bump);

    impl<'de: 'a, 'a> serde::de::DeserializeSeed<'de> for Text<'a> {
        type Value = &'a str;

        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<&'a str, D::Error> {
            d.deserialize_str(self)
        }
    }

    impl<'de: 'a, 'a> Visitor<'de> for Text<'a> {
        type Value = &'a str;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_borrowed_str<E>(self, s: &'de str) -> Result<&'a str, E> {
            Ok(s)
        }

        fn visit_str<E>(self, s: &str) -> Result<&'a str, E> {
            Ok(self.0.alloc_str(s))
        }
    }

    // serde_json bounds its own recursion (128 levels) while skipping.
    let mut de = serde_json::Deserializer::from_slice(input);
    let mut id = None;
    let _ = (&mut de).deserialize_map(Root(arena, &mut id));
    id
}

/// Top-level fields of a protobuf `Event`, up to field 1 (`id`, a string).
#[cfg(feature = "protobuf")]
fn protobuf(input: &[u8]) -> Option<&str> {
    fn varint(buf: &mut &[u8]) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = buf.split_first()?;
            *buf = rest;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    let mut buf = input;
    while !buf.is_empty() {
        let key = varint(&mut buf)?;
        let skip = match key & 7 {
            0 => {
                varint(&mut buf)?;
                0
            }
            1 => 8,
            2 => {
                let len = usize::try_from(varint(&mut buf)?).ok()?;
                if key >> 3 == 1 {
                    return std::str::from_utf8(buf.get(..len)?).ok();
                }
                len
            }
            5 => 4,
            _ => return None,
        };
        buf = buf.get(skip..)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peek(format: Format, input: &[u8]) -> Option<String> {
        let arena = Bump::new();
        peek_id(format, input, &arena).map(str::to_owned)
    }

    #[test]
    fn yaml_id_before_and_after_nested_values_and_errors() {
        let doc = "kind: x\npayload:\n  id: nested\n  l: [1, {id: deeper}]\nid: \"e\\x41\"\n";
        assert_eq!(peek(Format::Yaml, doc.as_bytes()).as_deref(), Some("eA"));
        let doc = "id: e-1\nseq: [unclosed\n";
        assert_eq!(peek(Format::Yaml, doc.as_bytes()).as_deref(), Some("e-1"));
        // A value spelled `id` is not the key `id`.
        assert_eq!(peek(Format::Yaml, b"a: id\nb: c\n"), None);
        assert_eq!(peek(Format::Yaml, b"seq: [\nid: e-1\n"), None);
        assert_eq!(peek(Format::Yaml, b"- id\n- e-1\n"), None);
        assert_eq!(peek(Format::Yaml, b"id: {a: b}\n"), None);
        assert_eq!(peek(Format::Yaml, b"id: ''\n"), None);
        assert_eq!(peek(Format::Yaml, b"\xff"), None);
        let long = format!("id: {}\n", "x".repeat(event_model::MAX_ID_BYTES + 1));
        assert_eq!(peek(Format::Yaml, long.as_bytes()), None);
    }

    #[test]
    fn json_id_is_read_up_to_a_syntax_error() {
        let doc = br#"{"payload":{"id":"no"},"id":"e\u0041","seq":"bad"}"#;
        assert_eq!(peek(Format::Json, doc).as_deref(), Some("eA"));
        assert_eq!(
            peek(Format::Json, br#"{"id":"e-2", "#).as_deref(),
            Some("e-2")
        );
        assert_eq!(peek(Format::Json, br#"{"seq":1,,"id":"e"}"#), None);
        assert_eq!(peek(Format::Json, br#"{"id":7}"#), None);
        assert_eq!(peek(Format::Json, br#"["id","e"]"#), None);
    }

    #[test]
    fn protobuf_id_is_field_one_at_the_top_level() {
        // seq = 5 (field 2, varint), then id = "e-9" (field 1, bytes).
        let msg = [0x10, 5, 0x0a, 3, b'e', b'-', b'9', 0xff];
        assert_eq!(peek(Format::Protobuf, &msg).as_deref(), Some("e-9"));
        // A fixed64 and a fixed32 field are skipped.
        let mut msg = vec![0x19, 0, 0, 0, 0, 0, 0, 0, 0, 0x25, 0, 0, 0, 0];
        msg.extend_from_slice(&[0x0a, 1, b'x']);
        assert_eq!(peek(Format::Protobuf, &msg).as_deref(), Some("x"));
        // The length runs past the end; a group wire type; invalid UTF-8.
        assert_eq!(peek(Format::Protobuf, &[0x0a, 9, b'e']), None);
        assert_eq!(peek(Format::Protobuf, &[0x0b, 0x0a, 1, b'e']), None);
        assert_eq!(peek(Format::Protobuf, &[0x0a, 1, 0xff]), None);
        assert_eq!(peek(Format::Protobuf, &[0x80; 11]), None);
    }

    #[test]
    fn every_decodable_corpus_event_peeks_its_own_id() {
        let arena = Bump::new();
        for event in event_model::corpus::corpus(42, 64) {
            let view = event.as_view(&arena);
            let (mut yaml, mut json, mut proto) = (String::new(), Vec::new(), Vec::new());
            crate::yaml::encode(&view, &mut yaml);
            crate::json::encode(&view, &mut json);
            crate::protobuf::encode(&view, &mut proto);
            for (format, bytes) in [
                (Format::Yaml, yaml.as_bytes()),
                (Format::Json, &json[..]),
                (Format::Protobuf, &proto[..]),
            ] {
                assert_eq!(
                    peek_id(format, bytes, &arena),
                    Some(&*event.id),
                    "{format:?}"
                );
            }
        }
    }
}
