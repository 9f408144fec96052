//! Exact allocation counts, per thread, from `allocation-counter` (which
//! installs a counting global allocator in this test binary).

/// Runs `f` and reports what it allocated on this thread.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, allocation_counter::AllocationInfo) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(f()));
    (out.expect("closure ran"), info)
}
