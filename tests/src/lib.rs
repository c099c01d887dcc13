//! Shared helpers of the weft integration tests.
pub mod process_support;
