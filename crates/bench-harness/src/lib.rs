//! # bench-harness: the decoder comparison and the soak simulation
//!
//! `compare` answers "which format, which decoder" with numbers from one run:
//! every decoder gets the same inputs (the 512-byte reference event and a
//! generated corpus, in each format), the same warm-up, batching, timer and
//! sample count, and the same counting allocator. `soak` replays the game's
//! load open-loop through the decoders and the router and watches latency
//! and memory over time.
//!
//! [`baselines`] holds the decoders kept only to be compared against:
//! [`DomDecoder`](baselines::DomDecoder) (yaml-rust2's `YamlLoader` tree,
//! then converted, as the original service did) and
//! [`ProstDecoder`](baselines::ProstDecoder) (prost's owned types, then
//! validated). `compare`, the criterion benches, event-decode's differential
//! and hostile-input tests and the fuzz targets all run them. They are the
//! whole crate without its default `harness` feature, so those tests and
//! fuzz targets depend on `bench-harness` with `default-features = false`
//! and build none of the harness's dependencies.
//!
//! The binary owns the global allocator (system or jemalloc, counted or not);
//! this library reads the counters through an [`AllocProbe`] that the binary
//! hands in, so the library itself stays allocator-agnostic and free of
//! `unsafe`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod baselines;
#[cfg(feature = "harness")]
pub mod borrowed_json;
#[cfg(feature = "harness")]
pub mod compare;
#[cfg(feature = "harness")]
pub mod go;
#[cfg(feature = "harness")]
pub mod inputs;
#[cfg(feature = "harness")]
pub mod machine;
#[cfg(feature = "harness")]
pub mod measure;
#[cfg(feature = "harness")]
pub mod soak;
#[cfg(feature = "harness")]
pub mod styles;
#[cfg(feature = "harness")]
pub mod svg;

/// Process-wide heap counters at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllocTotals {
    /// Allocation calls so far (`alloc`, `alloc_zeroed`; reallocations not included).
    pub allocations: u64,
    /// Bytes requested so far (growth by `realloc` included).
    pub bytes: u64,
}

/// How the binary's global allocator is set up, and how to read its counters.
#[derive(Debug, Clone, Copy)]
pub struct AllocProbe {
    /// `"system"` or `"jemalloc"`.
    pub allocator: &'static str,
    /// Reads the counters; `None` when the binary was built without counting.
    pub totals: Option<fn() -> AllocTotals>,
}

impl AllocProbe {
    /// Counters now, if counted.
    pub fn read(&self) -> Option<AllocTotals> {
        self.totals.map(|f| f())
    }
}

/// The process's resident set size now and at its peak, in bytes, from
/// `/proc/self/status` (`VmRSS`, `VmHWM`); `None` off Linux.
pub fn rss_bytes() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status.lines().find_map(|l| {
            let rest = l.strip_prefix(name)?;
            let kb: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
            Some(kb * 1024)
        })
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}
