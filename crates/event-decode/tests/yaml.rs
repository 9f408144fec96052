//! Tests of the streaming YAML decoder, its framing, encoder, `from_str`
//! and the DOM baseline.

#[path = "yaml/alloc.rs"]
mod alloc;
#[path = "yaml/decode.rs"]
mod decode;
#[path = "yaml/engines.rs"]
mod engines;
#[path = "yaml/errors.rs"]
mod errors;
#[path = "yaml/fast.rs"]
mod fast;
#[path = "yaml/frames.rs"]
mod frames;
#[path = "yaml/from_str.rs"]
mod from_str;
#[path = "yaml/roundtrip.rs"]
mod roundtrip;
#[path = "yaml/scanner.rs"]
mod scanner;
#[path = "yaml/suite.rs"]
mod suite;
