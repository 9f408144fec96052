//! The baseline decoders: kept **only** to be compared against, by
//! `compare`, the criterion benches, event-decode's differential and
//! hostile-input tests and the differential fuzz targets. Use
//! `event_decode::yaml::YamlDecoder` and
//! `event_decode::protobuf::ZeroCopyDecoder` in production.
//!
//! Both implement [`event_decode::Decoder`] and borrow what they share with
//! the real decoders (document checks, YAML scalar resolution, error types)
//! from `event_decode::internals`, so that their results differ only where
//! their documentation says. Their modules say how each guards the hazards
//! of the approach it stands for.

pub mod dom;
pub mod prost;

pub use self::dom::DomDecoder;
pub use self::prost::ProstDecoder;
