//! `include/veltrix.h` is current: cbindgen regenerates it into a string
//! from `src/lib.rs` and `cbindgen.toml`, and the committed file must match.

use std::path::PathBuf;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn committed() -> String {
    let path = crate_dir().join("include/veltrix.h");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn generate() -> String {
    let dir = crate_dir();
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

/// Fails when the committed header is stale; with `VX_UPDATE_HEADER=1` it
/// rewrites the header instead.
#[test]
fn is_current() {
    let fresh = generate();
    if std::env::var_os("VX_UPDATE_HEADER").is_some() {
        std::fs::write(crate_dir().join("include/veltrix.h"), &fresh).expect("write the header");
        return;
    }
    let committed = committed();
    if committed != fresh {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "the end".to_owned(), |i| format!("line {}", i + 1));
        panic!(
            "include/veltrix.h is stale (first difference at {line}); regenerate it with \
             VX_UPDATE_HEADER=1 cargo test -p veltrix-ffi --test tests header"
        );
    }
}

/// The constants the header writes as SPEC section 8's anonymous enums (from
/// cbindgen.toml) have the values of the Rust constants.
#[test]
fn constants_match_the_library() {
    use veltrix::*;
    let header = committed();
    let expected = [
        format!("#define VX_ABI_VERSION {VX_ABI_VERSION}\n"),
        format!(
            "enum {{ VX_FORMAT_YAML = {VX_FORMAT_YAML}, VX_FORMAT_JSON = {VX_FORMAT_JSON}, VX_FORMAT_PROTOBUF = {VX_FORMAT_PROTOBUF} }};\n"
        ),
        format!(
            "enum {{ VX_ROUTED = {VX_ROUTED}, VX_DEAD_LETTER = {VX_DEAD_LETTER}, VX_DROPPED = {VX_DROPPED}, VX_REJECTED = {VX_REJECTED} }};\n"
        ),
        format!(
            "enum {{ VX_OK = {VX_OK}, VX_ERR_ARGUMENT = {VX_ERR_ARGUMENT}, VX_ERR_CONFIG = {VX_ERR_CONFIG}, VX_ERR_BUFFER = {VX_ERR_BUFFER},\n       VX_ERR_PANIC = {VX_ERR_PANIC} }};\n"
        ),
    ];
    for line in expected {
        assert!(header.contains(&line), "the header lacks {line:?}");
    }
    // No constant is emitted twice (once by cbindgen, once by hand).
    assert_eq!(header.matches("VX_ABI_VERSION 1").count(), 1);
}

/// Every entry point of SPEC section 8 is declared with its exact signature.
#[test]
fn declares_every_entry_point() {
    let header = without_comments(&committed());
    let flat = header.split_whitespace().collect::<Vec<_>>().join(" ");
    for signature in [
        "uint32_t vx_abi_version(void);",
        "int32_t vx_router_new(const uint8_t *table_yaml, size_t len, vx_router **out);",
        "void vx_router_free(vx_router *router);",
        "int32_t vx_route(vx_router *router, int32_t format, const vx_bytes *events, size_t n, vx_result *results);",
        "int32_t vx_convert(int32_t from, int32_t to, const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *written);",
        "int32_t vx_stats_json(const vx_router *router, uint8_t *out, size_t cap, size_t *written);",
        "int32_t vx_handler_name(const vx_router *router, uint32_t index, uint8_t *out, size_t cap, size_t *written);",
        "size_t vx_last_error(uint8_t *out, size_t cap);",
        "typedef struct vx_router vx_router;",
        "typedef struct { const uint8_t *ptr; size_t len; } vx_bytes;",
        "typedef struct { int32_t outcome; uint32_t kind; uint32_t partition; uint64_t handlers; } vx_result;",
    ] {
        assert!(flat.contains(signature), "the header lacks `{signature}`");
    }
}

/// The header without its `/* ... */` and `// ...` comments.
fn without_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out.lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}
