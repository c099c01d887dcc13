//! Shared helpers of the weft integration tests.
