//! Integration tests: `run_load` and `run_replay` against a stub service on
//! real sockets (a temporary Unix socket and 127.0.0.1:0).

mod load;
mod replay;
mod stub;
