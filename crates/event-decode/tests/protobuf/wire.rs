//! A tiny model of the wire format for building odd but legal (or deliberately
//! broken) encodings: fields in any order, unknown fields of every wire type,
//! duplicates, split messages.

use event_model::corpus::SplitMix64;

/// One field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Varint(u64),
    I64(u64),
    I32(u32),
    Bytes(Vec<u8>),
    /// A length-delimited embedded message.
    Msg(Vec<Field>),
    /// A group (start-group ... end-group with the same field number).
    Group(Vec<Field>),
}

/// One field: number and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub tag: u32,
    pub value: Value,
}

pub fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub fn key(tag: u32, wt: u8, out: &mut Vec<u8>) {
    varint((u64::from(tag) << 3) | u64::from(wt), out);
}

/// Writes `fields` in order.
pub fn write(fields: &[Field], out: &mut Vec<u8>) {
    for f in fields {
        match &f.value {
            Value::Varint(v) => {
                key(f.tag, 0, out);
                varint(*v, out);
            }
            Value::I64(v) => {
                key(f.tag, 1, out);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::I32(v) => {
                key(f.tag, 5, out);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Bytes(b) => {
                key(f.tag, 2, out);
                varint(b.len() as u64, out);
                out.extend_from_slice(b);
            }
            Value::Msg(inner) => {
                let mut body = Vec::new();
                write(inner, &mut body);
                key(f.tag, 2, out);
                varint(body.len() as u64, out);
                out.extend_from_slice(&body);
            }
            Value::Group(inner) => {
                key(f.tag, 3, out);
                write(inner, out);
                key(f.tag, 4, out);
            }
        }
    }
}

pub fn to_bytes(fields: &[Field]) -> Vec<u8> {
    let mut out = Vec::new();
    write(fields, &mut out);
    out
}

/// Which length-delimited fields of `veltrix.events.v1` are messages, by the
/// path of field numbers from the event.
fn is_message(path: &[u32]) -> bool {
    matches!(
        path,
        [7] | [10..=18] | [12, 1] | [13, 3] | [14, 3] | [14, 4] | [17, 2]
    )
}

fn read_varint(bytes: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*pos];
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Parses a well-formed event encoding (no groups) into the model.
pub fn parse(bytes: &[u8]) -> Vec<Field> {
    parse_at(bytes, &mut Vec::new())
}

fn parse_at(bytes: &[u8], path: &mut Vec<u32>) -> Vec<Field> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < bytes.len() {
        let k = read_varint(bytes, &mut pos);
        let tag = (k >> 3) as u32;
        let value = match k & 7 {
            0 => Value::Varint(read_varint(bytes, &mut pos)),
            1 => {
                let v = u64::from_le_bytes(bytes[pos..pos + 8].try_into().unwrap());
                pos += 8;
                Value::I64(v)
            }
            5 => {
                let v = u32::from_le_bytes(bytes[pos..pos + 4].try_into().unwrap());
                pos += 4;
                Value::I32(v)
            }
            2 => {
                let len = read_varint(bytes, &mut pos) as usize;
                let body = &bytes[pos..pos + len];
                pos += len;
                path.push(tag);
                let v = if is_message(path) {
                    Value::Msg(parse_at(body, path))
                } else {
                    Value::Bytes(body.to_vec())
                };
                path.pop();
                v
            }
            wt => panic!("unexpected wire type {wt} in a test encoding"),
        };
        out.push(Field { tag, value });
    }
    out
}

/// Field numbers used by no message of the schema.
const UNKNOWN_TAGS: &[u32] = &[8, 9, 19, 25, 99, 2047, 536_870_911];

/// A random unknown field of any wire type (groups nest up to `depth` more).
pub fn unknown_field(rng: &mut SplitMix64, depth: u32) -> Field {
    let tag = UNKNOWN_TAGS[rng.below(UNKNOWN_TAGS.len() as u64) as usize];
    let kinds = if depth == 0 { 4 } else { 5 };
    let value = match rng.below(kinds) {
        0 => Value::Varint(match rng.below(3) {
            0 => rng.below(128),
            1 => rng.next_u64(),
            _ => u64::MAX,
        }),
        1 => Value::I64(rng.next_u64()),
        2 => Value::I32(rng.next_u64() as u32),
        3 => {
            // Arbitrary bytes: unknown fields are never checked for UTF-8.
            let n = rng.below(12) as usize;
            Value::Bytes((0..n).map(|_| rng.next_u64() as u8).collect())
        }
        _ => {
            let n = rng.below(4);
            Value::Group((0..n).map(|_| unknown_field(rng, depth - 1)).collect())
        }
    };
    Field { tag, value }
}

/// Inserts `n` random unknown fields at random places of `fields`.
pub fn insert_unknown(rng: &mut SplitMix64, fields: &mut Vec<Field>, n: u64) {
    for _ in 0..n {
        let at = rng.below(fields.len() as u64 + 1) as usize;
        let f = unknown_field(rng, 3);
        fields.insert(at, f);
    }
}

/// Shuffles `fields` (Fisher-Yates), keeping the relative order of fields
/// with the same number when `stable_tags` (so repeated fields keep their order).
pub fn shuffle(rng: &mut SplitMix64, fields: &mut [Field], stable_tags: bool) {
    let before = fields.to_vec();
    for i in (1..fields.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        fields.swap(i, j);
    }
    if stable_tags {
        // Hand each field number's values back out in their original order.
        let mut originals: std::collections::BTreeMap<u32, std::collections::VecDeque<Field>> =
            Default::default();
        for f in before {
            originals.entry(f.tag).or_default().push_back(f);
        }
        for slot in fields.iter_mut() {
            if let Some(f) = originals.get_mut(&slot.tag).and_then(|q| q.pop_front()) {
                *slot = f;
            }
        }
    }
}

/// Applies `f` to every message body in `fields`, recursively (not groups).
pub fn for_each_message(fields: &mut Vec<Field>, f: &mut dyn FnMut(&mut Vec<Field>)) {
    f(fields);
    for field in fields.iter_mut() {
        if let Value::Msg(inner) = &mut field.value {
            for_each_message(inner, f);
        }
    }
}
