//! The per-worker run queue: a fixed ring that its owner pushes to and pops from,
//! and that other workers steal half of.
//!
//! `head` packs two 32-bit indices: `real`, where the owner pops, and `steal`, the
//! start of a range a stealer has claimed but not finished copying. They are equal
//! when no steal is under way. `tail`, where the owner pushes, is written only by
//! the owner.
//!
//! ```text
//!   steal      real                 tail
//!     |  copying  |   poppable/stealable  |   free ...
//! ```
//!
//! # Invariants
//!
//! 1. Slots in `[steal, tail)` hold tasks; the owner writes only at `tail`, and only
//!    when `tail - steal < CAPACITY`, so a slot being copied by a stealer is never
//!    overwritten.
//! 2. At most one steal is under way per queue (`steal != real` makes others back
//!    off); the stealer ends it by setting `steal = real` in one CAS.
//! 3. A task index is claimed by exactly one party through a successful CAS on `head`
//!    (the owner's pop moves `real`; a stealer's claim moves `real` past its range),
//!    and only that party reads the slot.
//! 4. Indices wrap: all arithmetic is `wrapping_*` on `u32`, and `CAPACITY` divides
//!    `2^32`.

use crate::loom::Arc;
use crate::loom::UnsafeCell;
use crate::loom::atomic::{AtomicU32, AtomicU64, Ordering::*};
use crate::task::{Notified, NotifiedRaw};
use std::mem::MaybeUninit;

/// Slots per queue; shrunk under loom so models hit the overflow path.
const CAPACITY: usize = if crate::loom::LOOM { 4 } else { 256 };
const MASK: usize = CAPACITY - 1;

struct Inner {
    head: AtomicU64,
    tail: AtomicU32,
    buffer: Box<[UnsafeCell<MaybeUninit<NotifiedRaw>>]>,
}

// SAFETY: slots are accessed only by the party that claimed them (invariant 3), and
// the tasks they hold are `Send` handles.
unsafe impl Send for Inner {}
// SAFETY: as for `Send`.
unsafe impl Sync for Inner {}

/// The owner's end: push and pop.
pub(crate) struct Local<S: 'static> {
    inner: Arc<Inner>,
    _s: std::marker::PhantomData<S>,
}

/// The other workers' end: steal.
pub(crate) struct Steal<S: 'static> {
    inner: Arc<Inner>,
    _s: std::marker::PhantomData<S>,
}

// SAFETY: `Steal` only steals through atomic claims (invariant 3).
unsafe impl<S> Send for Steal<S> {}
// SAFETY: as for `Send`.
unsafe impl<S> Sync for Steal<S> {}
// SAFETY: the `Local` end moves with its worker's core; the tasks are `Send` handles.
unsafe impl<S> Send for Local<S> {}

/// Where the tasks that did not fit go.
pub(crate) trait Overflow<S: 'static> {
    /// Takes a batch of tasks the local queue could not hold.
    fn push_batch(&self, tasks: impl Iterator<Item = Notified<S>>);
}

fn pack(steal: u32, real: u32) -> u64 {
    (u64::from(steal) << 32) | u64::from(real)
}

fn unpack(head: u64) -> (u32, u32) {
    ((head >> 32) as u32, head as u32)
}

/// A new queue's two ends.
pub(crate) fn local<S: 'static>() -> (Steal<S>, Local<S>) {
    let buffer = (0..CAPACITY)
        .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
        .collect();
    let inner = Arc::new(Inner {
        head: AtomicU64::new(0),
        tail: AtomicU32::new(0),
        buffer,
    });
    (
        Steal {
            inner: inner.clone(),
            _s: std::marker::PhantomData,
        },
        Local {
            inner,
            _s: std::marker::PhantomData,
        },
    )
}

impl Inner {
    fn len(&self) -> u32 {
        let (steal, _) = unpack(self.head.load(Acquire));
        self.tail.load(Acquire).wrapping_sub(steal)
    }

    /// # Safety
    ///
    /// The caller owns slot `idx` (invariant 1 or 3).
    unsafe fn read(&self, idx: u32) -> NotifiedRaw {
        // SAFETY: the slot was written before `tail` was published past it, and the
        // caller is its only reader.
        self.buffer[idx as usize & MASK].with(|p| unsafe { (*p).assume_init_read() })
    }

    /// # Safety
    ///
    /// The caller is the owner writing at `tail` under invariant 1.
    unsafe fn write(&self, idx: u32, task: NotifiedRaw) {
        // SAFETY: the slot is free and only the owner writes.
        self.buffer[idx as usize & MASK].with_mut(|p| unsafe { (*p).write(task) });
    }
}

impl<S: 'static> Local<S> {
    /// Whether there is anything to pop.
    pub(crate) fn is_empty(&self) -> bool {
        let (_, real) = unpack(self.inner.head.load(Acquire));
        self.inner.tail.load(Relaxed) == real
    }

    /// Pushes a task, moving half the queue to `overflow` if it is full.
    pub(crate) fn push_back_or_overflow(&mut self, task: Notified<S>, overflow: &impl Overflow<S>) {
        let mut task = task.into_raw();
        loop {
            let head = self.inner.head.load(Acquire);
            let (steal, real) = unpack(head);
            // Only we write `tail`.
            let tail = self.inner.tail.load(Relaxed);
            if (tail.wrapping_sub(steal) as usize) < CAPACITY {
                // SAFETY: invariant 1: the slot at `tail` is free.
                unsafe { self.inner.write(tail, task) };
                self.inner.tail.store(tail.wrapping_add(1), Release);
                return;
            }
            if steal != real {
                // A stealer is about to free slots; don't wait for it, overflow this one.
                // SAFETY: `task` came from `Notified<S>::into_raw`.
                overflow.push_batch(std::iter::once(unsafe { Notified::from_raw(task) }));
                return;
            }
            match self.push_overflow(task, real, tail, overflow) {
                Ok(()) => return,
                // A stealer took some tasks meanwhile: there may be room now.
                Err(t) => task = t,
            }
        }
    }

    /// Moves half the (full) queue plus `task` to `overflow` in one batch.
    fn push_overflow(
        &mut self,
        task: NotifiedRaw,
        head: u32,
        tail: u32,
        overflow: &impl Overflow<S>,
    ) -> Result<(), NotifiedRaw> {
        const HALF: u32 = (CAPACITY / 2) as u32;
        debug_assert_eq!(tail.wrapping_sub(head) as usize, CAPACITY);
        let prev = pack(head, head);
        let next_head = head.wrapping_add(HALF);
        // Claim the oldest half; fails if a stealer or nobody else moved `head`.
        if self
            .inner
            .head
            .compare_exchange(prev, pack(next_head, next_head), Release, Relaxed)
            .is_err()
        {
            return Err(task);
        }
        let inner = &self.inner;
        let batch = (0..HALF)
            // SAFETY: invariant 3: our CAS claimed these indices.
            .map(move |i| unsafe { Notified::from_raw(inner.read(head.wrapping_add(i))) })
            // SAFETY: `task` came from `Notified<S>::into_raw`.
            .chain(std::iter::once(unsafe { Notified::from_raw(task) }));
        overflow.push_batch(batch);
        Ok(())
    }

    /// Pops the oldest task.
    pub(crate) fn pop(&mut self) -> Option<Notified<S>> {
        let mut head = self.inner.head.load(Acquire);
        let idx = loop {
            let (steal, real) = unpack(head);
            if real == self.inner.tail.load(Relaxed) {
                return None;
            }
            let next_real = real.wrapping_add(1);
            // While a steal is under way, leave its `steal` mark in place.
            let next = if steal == real {
                pack(next_real, next_real)
            } else {
                pack(steal, next_real)
            };
            match self
                .inner
                .head
                .compare_exchange(head, next, AcqRel, Acquire)
            {
                Ok(_) => break real,
                Err(actual) => head = actual,
            }
        };
        // SAFETY: invariant 3: the CAS claimed `idx`; the task came from `Notified<S>`.
        Some(unsafe { Notified::from_raw(self.inner.read(idx)) })
    }

    /// How many tasks the queue holds.
    pub(crate) fn len(&self) -> usize {
        self.inner.len() as usize
    }

    /// Room left before a push overflows.
    pub(crate) fn remaining_slots(&self) -> usize {
        CAPACITY - self.len()
    }
}

impl<S: 'static> Drop for Local<S> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert!(
                self.pop().is_none(),
                "run queue dropped while holding tasks"
            );
        }
    }
}

impl<S: 'static> Steal<S> {
    /// Whether the queue looks empty (a racy hint).
    pub(crate) fn is_empty(&self) -> bool {
        self.inner.len() == 0
    }

    /// Steals half of this queue into `dst`, returning one task to run at once.
    pub(crate) fn steal_into(&self, dst: &mut Local<S>) -> Option<Notified<S>> {
        // Only `dst`'s owner (us) writes its tail.
        let dst_tail = dst.inner.tail.load(Relaxed);
        let (dst_steal, _) = unpack(dst.inner.head.load(Acquire));
        if dst_tail.wrapping_sub(dst_steal) as usize > CAPACITY / 2 {
            // Not enough room for half of another queue; we have work anyway.
            return None;
        }
        let n = self.steal_into2(dst, dst_tail);
        if n == 0 {
            return None;
        }
        // Run the last stolen task now; publish the others.
        let n = n - 1;
        let last = dst_tail.wrapping_add(n);
        // SAFETY: we wrote this slot in `steal_into2` and have not published it.
        let task = unsafe { Notified::from_raw(dst.inner.read(last)) };
        if n > 0 {
            dst.inner.tail.store(last, Release);
        }
        Some(task)
    }

    /// Claims and copies up to half of this queue into `dst` at `dst_tail`; returns
    /// how many were copied (not yet published in `dst.tail`).
    fn steal_into2(&self, dst: &mut Local<S>, dst_tail: u32) -> u32 {
        let mut prev = self.inner.head.load(Acquire);
        let (first, n) = loop {
            let (steal, real) = unpack(prev);
            if steal != real {
                // Invariant 2: another stealer is at work here.
                return 0;
            }
            let tail = self.inner.tail.load(Acquire);
            let available = tail.wrapping_sub(real);
            let n = available - available / 2;
            if n == 0 {
                return 0;
            }
            // Claim `[real, real + n)` by moving `real` past it, keeping `steal`.
            let next = pack(steal, real.wrapping_add(n));
            match self
                .inner
                .head
                .compare_exchange(prev, next, AcqRel, Acquire)
            {
                Ok(_) => break (real, n),
                Err(actual) => prev = actual,
            }
        };
        debug_assert!(n as usize <= CAPACITY / 2);
        for i in 0..n {
            // SAFETY: invariant 3: our claim covers `first + i`; invariant 1 keeps the
            // owner from overwriting it until we end the steal. The destination
            // slots are free: `dst` has room for half a queue and only we write it.
            unsafe {
                let task = self.inner.read(first.wrapping_add(i));
                dst.inner.write(dst_tail.wrapping_add(i), task);
            }
        }
        // End the steal: `steal = real` (the owner may have moved `real` meanwhile).
        let mut prev = self.inner.head.load(Acquire);
        loop {
            let (_, real) = unpack(prev);
            match self
                .inner
                .head
                .compare_exchange(prev, pack(real, real), AcqRel, Acquire)
            {
                Ok(_) => return n,
                Err(actual) => prev = actual,
            }
        }
    }
}

impl<S: 'static> Clone for Steal<S> {
    fn clone(&self) -> Self {
        Steal {
            inner: self.inner.clone(),
            _s: std::marker::PhantomData,
        }
    }
}

/// Slots per queue, for tests that fill one.
#[cfg(test)]
pub(crate) const TEST_CAPACITY: usize = CAPACITY;
