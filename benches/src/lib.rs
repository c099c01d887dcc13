//! Shared helpers of the weft benchmarks.
