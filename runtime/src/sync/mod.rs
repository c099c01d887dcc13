//! Synchronisation primitives for tasks: semaphores, locks, notifications, events,
//! barriers, once-cells and channels.
//!
//! They need only wakers and the cooperative budget, never the scheduler, so they
//! also work when polled by hand or by another executor. Every waiting future parks an
//! intrusive node of [`waiters`] inside itself: waiting allocates nothing.
//!
//! Architecture Invariant: nothing under `sync` knows the scheduler; blocking methods
//! park the calling thread (`park`) after `runtime::context::assert_can_block`.

mod barrier;
pub mod broadcast;
mod event;
pub mod mpsc;
mod mutex;
mod notify;
mod once_cell;
pub mod oneshot;
mod rwlock;
mod semaphore;
#[cfg(test)]
pub(crate) mod test_util;
pub(crate) mod waiters;
pub mod watch;

pub use barrier::{Barrier, BarrierWait, BarrierWaitResult};
pub use event::{Event, EventWait};
pub use mutex::{MappedMutexGuard, Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use notify::{Notified, Notify};
pub use once_cell::{OnceCell, SetError};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::{
    Acquire, AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};

/// Compile-time proof that the primitives can be shared across threads and their
/// futures moved between worker threads.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn send<T: Send>() {}
    send_sync::<Semaphore>();
    send_sync::<Mutex<u8>>();
    send_sync::<RwLock<u8>>();
    send_sync::<Notify>();
    send_sync::<Event>();
    send_sync::<Barrier>();
    send_sync::<OnceCell<u8>>();
    send::<Acquire<'static>>();
    send::<Notified<'static>>();
    send::<EventWait<'static>>();
    send::<BarrierWait<'static>>();
    send::<mpsc::Sender<u8>>();
    send::<mpsc::Receiver<u8>>();
    send::<oneshot::Receiver<u8>>();
    send::<broadcast::Recv<'static, u8>>();
    send::<watch::Changed<'static, u8>>();
};
