//! The per-partition order chain (`partition_order` in `/v1/stats`).

/// The value of a partition's order chain before any event: FNV-1a's 64-bit
/// offset basis.
pub(crate) const ORDER_START: u64 = 0xcbf2_9ce4_8422_2325;

/// One step of a partition's order chain (`partition_order` in `/v1/stats`):
/// FNV-1a (64-bit) continued over the routed event's id and then one `0xff`
/// byte, which no UTF-8 id contains, so that `["ab","c"]` and `["a","bc"]`
/// differ. Two runs that routed the same ids in a partition in the same
/// order show the same chain; any change of order changes it (but for
/// collisions, 1 in 2^64). Hand-written rather than a hashing crate: it is
/// six lines, and clients (tests, operators' scripts) recompute it from the
/// published ids, so its definition must stay this one.
pub(crate) fn order_step(mut h: u64, id: &str) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    for &b in id.as_bytes().iter().chain(&[0xff]) {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

#[cfg(test)]
mod order_tests {
    use super::{ORDER_START, order_step};

    #[test]
    fn the_chain_depends_on_order_and_on_boundaries() {
        let ab = order_step(order_step(ORDER_START, "a"), "b");
        let ba = order_step(order_step(ORDER_START, "b"), "a");
        assert_ne!(ab, ba);
        let split = order_step(order_step(ORDER_START, "ab"), "c");
        let other = order_step(order_step(ORDER_START, "a"), "bc");
        assert_ne!(split, other);
        // FNV-1a of "a\xff" from the offset basis.
        let mut h = ORDER_START;
        for b in [b'a', 0xff] {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        assert_eq!(order_step(ORDER_START, "a"), h);
    }
}
