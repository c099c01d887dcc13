//! Shared helpers of the weft integration tests.
pub mod sync_support;
