//! The committed wire types (`src/proto_generated.rs`) are exactly what
//! `prost-build`, fed by `protox`, generates from the `.proto` contract
//! today. After a change to the contract, regenerate them with
//! `VELTRIX_BLESS=1 cargo test -p event-model --test proto_generated`.

use std::path::Path;

#[test]
fn committed_wire_types_match_the_contract() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fds = protox::compile(
        [root.join("proto/veltrix_events_v1.proto")],
        [root.join("proto")],
    )
    .expect("the .proto contract compiles");
    let out = tempfile::tempdir().unwrap();
    let mut config = prost_build::Config::new();
    // Deterministic attribute order for encoding and comparisons.
    config.btree_map(["."]);
    config.out_dir(out.path());
    config
        .compile_fds(fds)
        .expect("prost-build generates the wire types");
    let generated = std::fs::read_to_string(out.path().join("veltrix.events.v1.rs")).unwrap();
    let committed_path = root.join("src/proto_generated.rs");
    if std::env::var_os("VELTRIX_BLESS").is_some() {
        std::fs::write(&committed_path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap();
    assert!(
        committed == generated,
        "src/proto_generated.rs is not what the .proto contract generates: \
         rerun with VELTRIX_BLESS=1 to regenerate it"
    );
}
