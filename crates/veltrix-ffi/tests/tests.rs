//! The crate's integration tests: the committed header is what cbindgen
//! generates from the sources. The entry points themselves are tested by the
//! unit tests (`src/tests.rs`), which also run under Miri.

// cbindgen parses files and runs on the host toolchain's view of the
// sources: nothing of it is `unsafe` code for Miri to check.
#[cfg(not(miri))]
mod header;
