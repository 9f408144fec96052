//! Clients of `veltrix serve`: the open-loop load generator and the
//! dead-letter replayer.
