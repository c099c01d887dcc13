//! [`WakeBatch`]: wakers collected under a lock and woken after it is released.
//!
//! Waking runs foreign code (a scheduler's queue push, maybe a panic); doing it while
//! the reactor's locks are held would stretch critical sections and could deadlock a
//! waker that touches the same resource. The batch is small and fixed, so collecting
//! never allocates; a caller that fills it releases its locks, wakes, and goes on.

use std::task::Waker;

const CAPACITY: usize = 32;

/// Up to 32 wakers waiting to be woken.
pub(crate) struct WakeBatch {
    wakers: [Option<Waker>; CAPACITY],
    len: usize,
}

impl WakeBatch {
    pub(crate) fn new() -> WakeBatch {
        WakeBatch {
            wakers: [const { None }; CAPACITY],
            len: 0,
        }
    }

    /// Whether another waker fits.
    pub(crate) fn has_room(&self) -> bool {
        self.len < CAPACITY
    }

    /// Adds a waker; the caller checked [`WakeBatch::has_room`].
    pub(crate) fn push(&mut self, waker: Waker) {
        debug_assert!(self.has_room());
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    /// Wakes and forgets every collected waker. Call with no reactor lock held.
    pub(crate) fn wake_all(&mut self) {
        let len = std::mem::take(&mut self.len);
        for slot in &mut self.wakers[..len] {
            if let Some(waker) = slot.take() {
                waker.wake();
            }
        }
    }
}

impl Drop for WakeBatch {
    fn drop(&mut self) {
        self.wake_all();
    }
}
