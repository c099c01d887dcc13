//! Synchronisation primitives for tasks: semaphores, locks, notifications, events,
//! barriers, once-cells and channels.
//!
//! They need only wakers and the cooperative budget, never the scheduler, so they
//! also work when polled by hand or by another executor. Every waiting future parks an
//! intrusive node of [`waiters`] inside itself: waiting allocates nothing.
//!
//! Architecture Invariant: nothing under `sync` knows the scheduler; blocking methods
//! park the calling thread (`park`) after `runtime::context::assert_can_block`.

mod park;
mod semaphore;
#[cfg(test)]
pub(crate) mod test_util;
pub(crate) mod waiters;

pub use semaphore::{
    Acquire, AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};
