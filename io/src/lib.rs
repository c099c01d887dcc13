//! `weft-io`: the reactor, the async I/O traits and networking of the weft runtime.
//!
//! Architecture Invariant: this crate knows nothing of the scheduler. It exposes a
//! driver that a runtime parks and unparks, and a per-thread budget ([`coop`]) that
//! the runtime refreshes around each task poll.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, unreachable_pub, missing_docs)]

pub mod coop;
pub mod io;
