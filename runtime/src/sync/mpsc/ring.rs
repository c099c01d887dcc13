//! The lock-free message store of a bounded `mpsc` channel: a fixed ring of slots that
//! producers fill without a lock and the one receiver empties in order.
//!
//! # Protocol
//!
//! 1. **A permit is a free slot.** [`Ring::push`] is called only by a sender that holds
//!    one of the channel's `capacity` slot permits (and gives it up by pushing), and the
//!    receiver gives a permit back only after [`Ring::pop`] has moved the value out. So
//!    at most `capacity <= slots.len()` positions are claimed and not yet popped, and
//!    the slot of the position a sender claims was popped a full lap ago. The
//!    semaphore's release/acquire chain orders that pop before the new write.
//! 2. **Claim, write, publish.** A sender claims position `pos` with one `fetch_add` on
//!    `tail`, writes the value into slot `pos % len`, then stores `stamp = pos + 1`
//!    with `Release`. A stamp equal to `pos + 1` is the only sign that position `pos`
//!    holds a value; a stale stamp from an earlier lap never matches.
//! 3. **One reader.** Only the receiver calls `pop` (the channel's `&mut Receiver`
//!    proves it); it loads the stamp of position `head` with `Acquire`, moves the value
//!    out and advances `head`. A claimed slot whose stamp is not yet published reads as
//!    empty: the sender wakes the receiver once it publishes.
//!
//! # Invariant
//!
//! Slot `pos % len` holds an initialised value exactly when its stamp is `pos + 1` and
//! `head <= pos`.

use crate::loom::UnsafeCell;
use crate::loom::atomic::{AtomicUsize, Ordering};
use std::mem::MaybeUninit;

/// Rings this large or smaller are used; larger bounded channels keep a growable,
/// locked queue instead, so that a huge capacity does not allocate up front.
pub(crate) const MAX_RING: usize = 4096;

struct Slot<T> {
    /// `pos + 1` once the value of position `pos` is written (rule 2).
    stamp: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// Keeps a counter on a cache line (pair) of its own, so that the senders' `tail`
/// and the receiver's `head` do not bounce one line between cores.
#[repr(align(128))]
struct Padded<T>(T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

pub(crate) struct Ring<T> {
    slots: Box<[Slot<T>]>,
    /// `slots.len() - 1`; the length is a power of two.
    mask: usize,
    /// The next position a sender claims.
    tail: Padded<AtomicUsize>,
    /// The next position the receiver reads; written only by the receiver (rule 3).
    head: Padded<AtomicUsize>,
}

// SAFETY: values move in from senders and out to the receiver, each slot's value is
// touched by one party at a time (rules 1–3), so sharing the ring sends `T`s across
// threads and nothing more.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as for `Send`.
unsafe impl<T: Send> Sync for Ring<T> {}

impl<T> Ring<T> {
    /// A ring with room for at least `capacity` values.
    pub(crate) fn new(capacity: usize) -> Self {
        let len = capacity.max(1).next_power_of_two();
        let slots = (0..len)
            .map(|_| Slot {
                stamp: AtomicUsize::new(0),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Self {
            slots,
            mask: len - 1,
            tail: Padded(AtomicUsize::new(0)),
            head: Padded(AtomicUsize::new(0)),
        }
    }

    /// Stores `value` at the next position.
    ///
    /// # Safety
    ///
    /// The caller holds a slot permit that it gives up with this push (rule 1), so the
    /// slot it claims is free.
    pub(crate) unsafe fn push(&self, value: T) {
        // Atomicity is all the claim needs: the slot's freedom comes from the permit.
        let pos = self.tail.fetch_add(1, Ordering::Relaxed);
        let slot = &self.slots[pos & self.mask];
        slot.value.with_mut(|p| {
            // SAFETY: the position is ours alone (the `fetch_add` gave it to no one
            // else), and its slot was popped a lap ago (rule 1), so nobody reads or
            // writes this cell until we publish the stamp below.
            unsafe { (*p).write(value) };
        });
        // Publish: the receiver's Acquire load of the stamp sees the value (rule 2).
        slot.stamp.store(pos.wrapping_add(1), Ordering::Release);
    }

    /// Moves out the value at `head`, if it is published.
    ///
    /// # Safety
    ///
    /// Only the channel's one receiver calls this, never concurrently (rule 3).
    pub(crate) unsafe fn pop(&self) -> Option<T> {
        let head = self.head.load(Ordering::Relaxed);
        let slot = &self.slots[head & self.mask];
        if slot.stamp.load(Ordering::Acquire) != head.wrapping_add(1) {
            return None;
        }
        let value = slot.value.with(|p| {
            // SAFETY: the stamp says position `head` holds an initialised value (the
            // invariant), our Acquire load made its write visible, and we are the only
            // reader (caller's contract); advancing `head` below marks it moved out.
            unsafe { (*p).assume_init_read() }
        });
        self.head.store(head.wrapping_add(1), Ordering::Relaxed);
        Some(value)
    }

    /// Positions claimed and not yet popped (a claimed value may still be in flight).
    pub(crate) fn len(&self) -> usize {
        let head = self.head.load(Ordering::Relaxed);
        self.tail.load(Ordering::Relaxed).wrapping_sub(head)
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // `&mut self`: no sender or receiver is left, so popping is ours alone.
        // SAFETY: nobody else can call `pop` (rule 3) while we hold `&mut self`.
        while let Some(value) = unsafe { self.pop() } {
            drop(value);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn values_come_out_in_order_across_laps() {
        let ring = Ring::new(3);
        assert_eq!(ring.slots.len(), 4);
        for lap in 0..5 {
            for i in 0..3 {
                // SAFETY: at most 3 values are ever in the ring of 4 (rule 1).
                unsafe { ring.push(lap * 10 + i) };
            }
            assert_eq!(ring.len(), 3);
            for i in 0..3 {
                // SAFETY: this test is the only reader.
                assert_eq!(unsafe { ring.pop() }, Some(lap * 10 + i));
            }
            // SAFETY: as above.
            assert_eq!(unsafe { ring.pop() }, None);
        }
    }

    #[test]
    fn dropping_the_ring_drops_what_is_left() {
        let marker = Arc::new(());
        let ring = Ring::new(4);
        for _ in 0..3 {
            // SAFETY: 3 values in a ring of 4.
            unsafe { ring.push(marker.clone()) };
        }
        // SAFETY: the only reader.
        drop(unsafe { ring.pop() });
        assert_eq!(Arc::strong_count(&marker), 3);
        drop(ring);
        assert_eq!(Arc::strong_count(&marker), 1);
    }
}
