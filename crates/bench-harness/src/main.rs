//! The decoder comparison and soak simulation (filled in by the benchmark work).
fn main() {}
