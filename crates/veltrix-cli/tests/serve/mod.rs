//! `veltrix serve` as a real process on real sockets (SPEC §6).

mod api;
mod faults;
mod harness;
mod jetstream;
