//! Generates the owned protobuf types from `proto/veltrix_events_v1.proto`.
//!
//! The file is compiled by `protox` (a pure-Rust protobuf compiler) into a
//! descriptor set that `prost-build` turns into Rust, so building needs no
//! `protoc` on the machine, and the Rust types cannot drift from the contract.
fn main() {
    let proto = "proto/veltrix_events_v1.proto";
    println!("cargo:rerun-if-changed={proto}");
    let fds = protox::compile([proto], ["proto"]).expect("the .proto contract compiles");
    let mut config = prost_build::Config::new();
    // Deterministic attribute order for encoding and comparisons.
    config.btree_map(["."]);
    config
        .compile_fds(fds)
        .expect("prost-build generates the wire types");
}
