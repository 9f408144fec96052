//! FNV-1a 64 test vectors and the partition rule of SPEC section 4.

use event_model::bumpalo::Bump;
use event_model::corpus::corpus;
use event_router::{KeyField, RouteConfig, RouteTable, Unmatched, fnv1a64};

#[test]
fn fnv1a64_matches_published_vectors() {
    // Vectors from the FNV reference test suite (Fowler, Noll, Vo).
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64(b"b"), 0xaf63_df4c_8601_f1a5);
    assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    const AT_COMPILE_TIME: u64 = fnv1a64(b"a");
    assert_eq!(AT_COMPILE_TIME, 0xaf63_dc4c_8601_ec8c);
}

fn table(key: KeyField, partitions: u64) -> RouteTable {
    RouteTable::new(RouteConfig {
        key,
        partitions,
        routes: Vec::new(),
        unmatched: Unmatched::Drop,
    })
    .expect("valid table")
}

#[test]
fn partition_is_hash_of_key_modulo_partitions_with_player_fallback() {
    let arena = Bump::new();
    let by_match = table(KeyField::MatchId, 16);
    let by_player = table(KeyField::PlayerId, 4096);
    let events = corpus(11, 300);
    assert!(events.iter().any(|e| e.match_id.is_none()));
    for owned in &events {
        let e = owned.as_view(&arena);
        let match_key = e.match_id.unwrap_or(e.player_id);
        assert_eq!(by_match.key_of(&e), match_key);
        assert_eq!(
            u64::from(by_match.partition_of(&e)),
            fnv1a64(match_key.as_bytes()) % 16
        );
        assert_eq!(by_player.key_of(&e), e.player_id);
        assert_eq!(
            u64::from(by_player.partition_of(&e)),
            fnv1a64(e.player_id.as_bytes()) % 4096
        );
    }
    // The reference event's match id, a value a producer in another
    // language can check against its own FNV-1a.
    assert_eq!(fnv1a64(b"m-20240528-5796"), 0x3858_5645_5905_b302);
    assert_eq!(fnv1a64(b"m-20240528-5796") % 16, 2);
}
