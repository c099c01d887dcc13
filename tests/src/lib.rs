//! Shared helpers of the weft integration tests.

pub mod combinators;
pub mod procfs;
pub mod sync_support;
