//! Strings of every length class and alphabet through the zero-copy
//! decoder's ASCII fast path and its full UTF-8 check. Small enough for
//! Miri: `cargo +nightly miri test -p event-decode --test tests protobuf::strings`.

use bumpalo::Bump;
use event_decode::protobuf::ZeroCopyDecoder;
use event_decode::{Category, Decoder, Position};

use super::agree;

/// `id: "e"`, `player_id: "p"`, `region: "r"`, then `attrs { key: "k",
/// value: <value> }` and `heartbeat {}`. The value starts at byte 16.
fn event_with_attr_value(value: &[u8]) -> Vec<u8> {
    let mut v = vec![0x0a, 0x01, b'e', 0x22, 0x01, b'p', 0x32, 0x01, b'r'];
    let entry_len = u8::try_from(5 + value.len()).unwrap();
    v.extend_from_slice(&[0x3a, entry_len, 0x0a, 0x01, b'k', 0x12]);
    v.push(u8::try_from(value.len()).unwrap());
    v.extend_from_slice(value);
    v.extend_from_slice(&[0x92, 0x01, 0x00]);
    v
}

const VALUE_AT: usize = 16;

#[test]
fn ascii_and_utf8_strings_of_every_length_class_borrow_the_input() {
    // Lengths around 4 and 8 (the word sizes of the ASCII check) and past 16.
    for len in [0usize, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23] {
        let ascii: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
        // A two-byte character in the first, middle or last place.
        let mut variants = vec![ascii.clone()];
        for at in [0, len / 2, len.saturating_sub(2)] {
            if len >= 2 {
                let mut v = ascii.clone();
                v.splice(at..at + 2, "é".bytes());
                variants.push(v);
            }
        }
        for value in variants {
            let bytes = event_with_attr_value(&value);
            let arena = Bump::new();
            let event = ZeroCopyDecoder::new().decode(&bytes, &arena).unwrap();
            let got = event.attrs[0].value;
            assert_eq!(got.as_bytes(), &value[..], "len {len}");
            if !value.is_empty() {
                assert_eq!(got.as_ptr(), bytes[VALUE_AT..].as_ptr(), "borrowed");
            }
            agree(&bytes).unwrap();
        }
    }
}

#[test]
fn a_byte_past_0x7f_that_is_not_utf8_fails_where_it_is() {
    for len in [1usize, 4, 5, 8, 9, 17] {
        for bad in [0, len / 2, len - 1] {
            let mut value: Vec<u8> = vec![b'x'; len];
            value[bad] = 0x80;
            let bytes = event_with_attr_value(&value);
            let e = ZeroCopyDecoder::new()
                .decode(&bytes, &Bump::new())
                .map(|_| ())
                .unwrap_err();
            assert_eq!(e.category(), Category::Syntax, "{e}");
            assert_eq!(e.path(), "attrs[0].value");
            assert_eq!(
                e.position(),
                Some(Position::Byte {
                    offset: (VALUE_AT + bad) as u64
                }),
                "len {len}, bad byte at {bad}"
            );
            agree(&bytes).unwrap();
        }
    }
}
