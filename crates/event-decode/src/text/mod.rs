//! Text decoding shared by the YAML and JSON decoders: the serde seeds that
//! read an event into an arena view, and the trail that says where a decode
//! failed (built on the error path only, as prost does).

pub(crate) mod path;
// Built without the text formats too: the protobuf decoder shares
// `MAX_DEPTH_CEILING` and the configuration builds `DecodeOptions`.
#[cfg_attr(not(any(feature = "yaml", feature = "json")), allow(dead_code))]
pub(crate) mod seed;
