//! The event-router integration tests: one binary sharing a counting
//! allocator and helpers.

mod alloc;
mod arena;
mod config;
mod delivery;
mod hostile_tables;
mod partition;
mod reference;
mod stream;
mod support;
