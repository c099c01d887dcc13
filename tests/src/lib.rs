//! Shared helpers of the weft integration tests.

pub mod combinators;
pub mod process_support;
pub mod procfs;
pub mod sync_support;
