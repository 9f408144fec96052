//! The game handlers' integration tests: one binary with a counting
//! allocator.

mod alloc;
mod handlers;
