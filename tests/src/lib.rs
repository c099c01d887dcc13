//! Shared helpers of the weft integration tests.

pub mod procfs;
