//! Integration tests of the event model: protobuf round trips and the
//! wire contract.

use bumpalo::Bump;
use event_model::proto;
use event_model::strategies;
use event_model::{Kind, OwnedEvent};
use proptest::prelude::*;
use prost::Message;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_events_round_trip_through_prost(ev in strategies::event()) {
        let msg = proto::Event::from(&ev);
        let bytes = msg.encode_to_vec();
        let decoded = proto::Event::decode(bytes.as_slice()).unwrap();
        let back = OwnedEvent::try_from(&decoded).unwrap();
        prop_assert_eq!(back, ev.with_sorted_attrs());
    }
}

#[test]
fn proto_defaults_stand_in_for_absence() {
    let arena = Bump::new();
    let mut msg = proto::Event::from(&event_model::corpus::corpus(1, 1)[0]);
    msg.region.clear();
    assert_eq!(msg.view(&arena).unwrap_err().path, "region");
    msg.region = "r".into();
    msg.payload = None;
    let e = msg.view(&arena).unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.message.as_str()),
        ("payload", "missing required field")
    );
}

#[test]
fn the_proto_file_declares_what_the_types_carry() {
    let text = event_model::proto::PROTO_FILE;
    assert!(text.contains("package veltrix.events.v1;"));
    assert!(text.contains("oneof payload"));
    for kind in Kind::ALL {
        assert!(text.contains(&format!(" {} = ", kind.name())), "{kind}");
    }
}
