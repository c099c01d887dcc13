//! Shared helpers of the weft examples.
