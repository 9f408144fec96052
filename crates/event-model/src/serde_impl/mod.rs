//! serde support: canonical serialization. Deserialization into views is
//! `event-decode`'s (its text decoders' seeds).

mod ser;
