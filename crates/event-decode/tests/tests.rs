//! The event-decode integration tests: one binary, one module per decoder
//! family, sharing a counting allocator and helpers.

mod alloc;
mod contract;
mod hardening;
mod hostile;
mod json;
mod protobuf;
mod reader;
mod seed;
mod yaml;
