//! The reference event, written out (as `benches/protobuf.rs` builds it),
//! against the YAML fixture, and through both protobuf decoders.

use event_model::corpus::REFERENCE_EVENT_YAML;
use event_model::{OwnedEvent, OwnedPayload, Timestamp, Vec3};

use super::{agree, encoded};

fn reference_event() -> OwnedEvent {
    OwnedEvent {
        id: "831c4e3b-114e-4738-8f0c-de7c849b35b8".into(),
        seq: 1004,
        ts: Timestamp(1_715_954_400_406),
        player_id: "plr_6826891".into(),
        match_id: Some("m-20240528-5796".into()),
        region: "us-east-1".into(),
        attrs: vec![
            ("client".into(), "ios-5.2.1".into()),
            ("build".into(), "4412".into()),
        ],
        payload: OwnedPayload::ClueFound {
            clue_id: "clue-harbor-17".into(),
            zone: "cliffside".into(),
            position: Vec3 {
                x: 1855.25,
                y: 1280.25,
                z: 29.625,
            },
            tags: vec![
                "coastal".into(),
                "riddle".into(),
                "night".into(),
                "bonus".into(),
            ],
            points: 300,
            hint_used: false,
            note: Some("found under the fourth plank of the old pier at low tide.".into()),
        },
    }
}

#[cfg(feature = "yaml")]
#[test]
fn the_written_out_reference_matches_the_yaml_fixture() {
    use event_decode::Decoder;
    let arena = bumpalo::Bump::new();
    let from_yaml = event_decode::yaml::YamlDecoder::new()
        .decode(REFERENCE_EVENT_YAML.as_bytes(), &arena)
        .unwrap();
    assert_eq!(from_yaml.to_owned(), reference_event());
}

#[test]
fn the_reference_event_round_trips_through_both_decoders() {
    assert_eq!(REFERENCE_EVENT_YAML.len(), 512);
    let bytes = encoded(&reference_event());
    assert_eq!(
        agree(&bytes).unwrap(),
        Some(reference_event().with_sorted_attrs())
    );
}
