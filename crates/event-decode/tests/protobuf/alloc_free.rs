//! The zero-copy decoder allocates nothing on the heap once its arena is warm.

use bench_harness::baselines::ProstDecoder;
use bumpalo::Bump;
use event_decode::Decoder;
use event_decode::protobuf::ZeroCopyDecoder;
use event_model::corpus::{self, SplitMix64};

use super::encoded;
use super::wire;
use crate::alloc;

/// Decodes every input into one arena, reset between events, and returns
/// the number of heap allocations of the second (measured) pass.
fn allocations_after_warm_up(inputs: &[Vec<u8>], decoder: &mut dyn Decoder) -> u64 {
    let mut arena = Bump::new();
    for bytes in inputs {
        arena.reset();
        decoder.decode(bytes, &arena).unwrap();
    }
    let (checksum, info) = alloc::measure(|| {
        let mut checksum = 0u64;
        for bytes in inputs {
            arena.reset();
            let event = decoder.decode(bytes, &arena).unwrap();
            checksum = checksum
                .wrapping_add(event.seq)
                .wrapping_add(event.attrs.len() as u64);
        }
        checksum
    });
    assert_ne!(checksum, 0);
    info.count_total
}

#[test]
fn zero_copy_decoding_allocates_nothing_per_event() {
    let inputs: Vec<Vec<u8>> = corpus::corpus(42, 2_000).iter().map(encoded).collect();
    assert_eq!(
        allocations_after_warm_up(&inputs, &mut ZeroCopyDecoder::new()),
        0
    );
    // The counter does count: prost allocates a String per field.
    assert!(
        allocations_after_warm_up(&inputs, &mut ProstDecoder::new()) > 10 * inputs.len() as u64
    );
}

/// The slow paths too: unsorted and duplicate `attrs` (sorted in the arena),
/// unknown fields and groups, split messages.
#[test]
fn zero_copy_decoding_of_odd_encodings_allocates_nothing() {
    let rng = &mut SplitMix64::new(7);
    let inputs: Vec<Vec<u8>> = corpus::corpus(43, 500)
        .iter()
        .map(|e| {
            let mut fields = wire::parse(&encoded(e));
            wire::for_each_message(&mut fields, &mut |m| {
                let n = rng.below(3);
                wire::insert_unknown(rng, m, n);
            });
            wire::shuffle(rng, &mut fields, false);
            if let Some(entry) = fields.iter().find(|f| f.tag == 7).cloned() {
                fields.push(entry);
            }
            wire::to_bytes(&fields)
        })
        .collect();
    assert_eq!(
        allocations_after_warm_up(&inputs, &mut ZeroCopyDecoder::new()),
        0
    );
}
