//! Exact allocation counts, per thread, from `allocation-counter` (which
//! installs a counting global allocator in this test binary), so tests that
//! run in parallel on other threads do not disturb a measurement.

pub use allocation_counter::AllocationInfo;

/// Runs `f` and reports what it allocated on this thread.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, AllocationInfo) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(f()));
    (out.expect("closure ran"), info)
}

#[test]
fn counts_a_box() {
    let (_, info) = measure(|| std::hint::black_box(Box::new([0u8; 100])));
    assert_eq!(info.count_total, 1);
    assert_eq!(info.bytes_total, 100);
}
