//! Integration tests: every command of the built `veltrix` binary, every exit
//! status, broken pipes and flat memory on a long stream.

mod common;

mod convert;
mod generate;
mod hardening;
mod hostile;
mod memory;
mod pipe;
mod route;
mod serve;
mod usage;
mod validate;
