//! Decoding single documents: the reference fixture and the YAML features.

use bumpalo::Bump;
use event_decode::Decoder;
use event_decode::yaml::{YamlDecoder, dom::DomDecoder};
use event_model::corpus::REFERENCE_EVENT_YAML;
use event_model::{Payload, Timestamp};

#[test]
fn smoke() {
    let arena = Bump::new();
    let ev = YamlDecoder::new().decode(REFERENCE_EVENT_YAML.as_bytes(), &arena);
    println!("{ev:?}");
    let ev2 = DomDecoder::new().decode(REFERENCE_EVENT_YAML.as_bytes(), &arena);
    println!("{ev2:?}");
    assert_eq!(ev, ev2);
    let mut out = String::new();
    event_decode::yaml::encode(&ev.unwrap(), &mut out);
    println!("{out}");
    let _ = (Payload::Heartbeat, Timestamp(0));
}
