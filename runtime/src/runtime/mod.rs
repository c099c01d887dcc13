//! The runtime: builder, handle, schedulers and the per-thread context.

pub(crate) mod context;
