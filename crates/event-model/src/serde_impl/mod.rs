//! serde support: canonical serialization and arena deserialization.

mod de;
mod ser;

pub use de::{DecodeOptions, EventSeed, MAX_DEPTH_CEILING};
