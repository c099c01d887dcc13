//! weft: a work-stealing multi-core async runtime with the concurrency toolbox of
//! Python's asyncio, threading and concurrent.futures.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, unreachable_pub, missing_docs)]

pub(crate) mod loom;
pub mod queue;
pub mod runtime;
pub mod sync;

pub mod task {
    //! Tasks: spawning, joining, cancelling, and the cooperative budget.

    pub use weft_io::coop;
}
