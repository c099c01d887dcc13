//! The lock-free item store of a bounded FIFO [`Queue`](super::Queue): a fixed ring of
//! slots that many putters fill and many getters empty, with the flags that tell a
//! putter or a getter to wake a waiter riding in the two position words it claims
//! from anyway.
//!
//! The queue core (`core.rs`) owns the waiter lists and decides who sleeps; this file
//! owns the items and the two words. A put or get that neither waits nor wakes
//! anybody costs one CAS on its own end's word plus one stamp load and store: no lock,
//! no fence, and no look at the other end's word.
//!
//! # The two words
//!
//! `tail` is the next position a putter claims, shifted left by [`SHIFT`], with the
//! flags [`WAKE_GETTER`], [`PUTTERS_QUEUED`] and [`CLOSED`] in its low bits. `head` is
//! the next position a getter claims, with [`WAKE_PUTTER`] and [`GETTERS_QUEUED`].
//! Positions count every item ever put; they never wrap in practice (2^61 puts).
//!
//! # Protocol
//!
//! 1. **Stamps.** Slot `pos % cap` carries a stamp: `2 * pos` means "free for
//!    `pos`", `2 * pos + 1` means "holds the item of `pos`", and a getter that moved
//!    the item of `pos` out stores `2 * (pos + cap)`: free for position `pos + cap` of
//!    the next lap. (Doubling keeps "holds `pos`" and "free for `pos + 1`" apart when
//!    `cap` is 1.)
//! 2. **Look, claim, move.** A putter claims position `pos` by a CAS of `tail` after an
//!    `Acquire` load saw "free for `pos`"; then writes the item and stores "holds
//!    `pos`" with `Release`. A getter claims `pos` by a CAS of `head` after an
//!    `Acquire` load saw "holds `pos`"; then moves the item out and stores "free for
//!    `pos + cap`" with `Release`. So the stamp, not the CAS, orders every move after
//!    the previous one.
//! 3. **Full and empty.** A putter whose slot is not yet free for its position looks
//!    at `head`: if no getter has claimed the previous lap's item, the ring is full;
//!    otherwise that getter is moving it out. A getter whose slot does not hold its
//!    position's item looks at `tail`: equal to its position means empty; past it
//!    means a putter has claimed the position and not stored its item yet. Either
//!    side is then waiting for a few instructions of another thread, with no user code
//!    in between, so it spins (yielding its thread after a while, in case the other
//!    was preempted right there).
//! 4. **Flags ride on the claim.** A claiming CAS keeps the flags and returns them as
//!    they were: a putter that claimed with `WAKE_GETTER` set must wake a getter, a
//!    getter that claimed with `WAKE_PUTTER` set must wake a putter. Only the queue
//!    core sets or clears flags, under its waiter lock, always with an RMW on the same
//!    word as the claims: so each claim either sees a flag or happened before it was
//!    set, and then the RMW that set it returns the claim's position.
//! 5. **Lining up.** A putter about to sleep sets `PUTTERS_QUEUED`, then
//!    `WAKE_PUTTER` ([`Ring::line_up_putter`]), and sleeps only if the positions those
//!    two RMWs returned say "full": every getter that claims later sees the flag. A
//!    getter sets `GETTERS_QUEUED`, then `WAKE_GETTER` ([`Ring::line_up_getter`]) and
//!    sleeps only if they say "empty". No fence is needed: the RMWs on the claimed
//!    words order everything (rule 4).
//! 6. **Arrival order.** While `PUTTERS_QUEUED` (`GETTERS_QUEUED`) is set, a newcomer's
//!    `push` (`pop`) with `respect_line` fails as if full (empty), so it queues behind
//!    the waiters; a waiter the core woke passes `respect_line = false`.
//! 7. **Close freezes `tail`.** [`Ring::close`] sets `CLOSED`; no position is claimed
//!    after it, so once `head` reaches the frozen `tail` the ring stays empty and
//!    `pop` reports `Closed`.
//!
//! # Invariant
//!
//! Slot `pos % cap` holds an initialised item exactly when its stamp is `2 * pos + 1`.

use crate::loom::UnsafeCell;
use crate::loom::atomic::{AtomicU64, Ordering};
use std::fmt;
use std::mem::MaybeUninit;

/// Bounded FIFO queues of at most this many items use the ring (its slots are
/// allocated up front); larger ones keep the locked store.
pub(crate) const MAX_RING: usize = 1 << 16;

/// How far the position is shifted left in each word, above the flags.
const SHIFT: u32 = 3;
/// One position, in word units.
const ONE: u64 = 1 << SHIFT;

/// In `tail`: at least one getter is lined up; a putter that claims while this is set
/// wakes the first one (rule 4). Set and cleared by the core under its lock.
const WAKE_GETTER: u64 = 1 << 0;
/// In `tail`: putters are lined up; a newcomer putter queues behind them (rule 6).
const PUTTERS_QUEUED: u64 = 1 << 1;
/// In `tail`: the queue is closed; no position is claimed any more (rule 7). Never
/// cleared.
const CLOSED: u64 = 1 << 2;
/// In `head`: at least one putter is lined up; a getter that claims while this is set
/// wakes the first one (rule 4).
const WAKE_PUTTER: u64 = 1 << 0;
/// In `head`: getters are lined up; a newcomer getter queues behind them (rule 6).
const GETTERS_QUEUED: u64 = 1 << 1;

fn position(word: u64) -> u64 {
    word >> SHIFT
}

/// The stamp of a slot free for `pos` (rule 1).
fn free_for(pos: u64) -> u64 {
    2 * pos
}

/// The stamp of a slot holding the item of `pos` (rule 1).
fn holds(pos: u64) -> u64 {
    2 * pos + 1
}

struct Slot<T> {
    /// Rule 1.
    stamp: AtomicU64,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// Keeps a word on a cache-line pair of its own, so that putters (`tail`) and getters
/// (`head`) do not bounce one line between cores.
#[repr(align(128))]
struct Padded(AtomicU64);

pub(crate) struct Ring<T> {
    slots: Box<[Slot<T>]>,
    /// `slots.len()`, the queue's capacity.
    cap: u64,
    tail: Padded,
    head: Padded,
}

// SAFETY: items move in from putters and out to getters; each slot's item is touched by
// one party at a time (rules 1–2), so sharing the ring sends `T`s across threads and
// nothing more.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as for `Send`.
unsafe impl<T: Send> Sync for Ring<T> {}

/// What [`Ring::push`] did.
#[must_use]
pub(crate) enum Push<T> {
    /// The item is stored; `wake_getter` says a getter is lined up (rule 4).
    Stored { wake_getter: bool },
    /// No free slot, or putters are lined up ahead (rules 3, 6).
    Full(T),
    /// The ring is closed (rule 7).
    Closed(T),
}

/// What [`Ring::pop`] found.
#[must_use]
pub(crate) enum Pop<T> {
    /// An item; `wake_putter` says a putter is lined up (rule 4).
    Item { value: T, wake_putter: bool },
    /// Nothing stored or on its way in, or getters are lined up ahead (rules 3, 6).
    Empty,
    /// Closed, and everything put has been taken (rule 7).
    Closed,
}

/// What a waiter saw when it lined up (rule 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub(crate) enum Lined {
    /// Full (for a putter) or empty (for a getter): sleep; a later claim wakes us.
    Wait,
    /// Room (or an item) is there or on its way: try again instead of sleeping.
    Retry,
    /// Closed (and, for a getter, drained).
    Closed,
}

/// Which waiters a line-up or a flag clearing is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Putters,
    Getters,
}

/// Waits a moment for another thread to finish a move it has started (rule 3).
fn backoff(spins: &mut u32) {
    if crate::loom::LOOM || *spins >= 6 {
        // The other side may have been preempted between its claim and its stamp.
        crate::loom::thread::yield_now();
    } else {
        for _ in 0..1 << *spins {
            std::hint::spin_loop();
        }
        *spins += 1;
    }
}

impl<T> Ring<T> {
    /// A ring of exactly `capacity` slots (`1..=MAX_RING`).
    pub(crate) fn new(capacity: usize) -> Self {
        debug_assert!((1..=MAX_RING).contains(&capacity));
        let slots = (0..capacity as u64)
            .map(|i| Slot {
                stamp: AtomicU64::new(free_for(i)),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Self {
            slots,
            cap: capacity as u64,
            tail: Padded(AtomicU64::new(0)),
            head: Padded(AtomicU64::new(0)),
        }
    }

    fn slot(&self, pos: u64) -> &Slot<T> {
        &self.slots[(pos % self.cap) as usize]
    }

    /// Stores `value` at the next position (rule 2), unless the ring is full or closed,
    /// or (with `respect_line`) putters are lined up ahead (rule 6).
    pub(crate) fn push(&self, value: T, respect_line: bool) -> Push<T> {
        let mut word = self.tail.0.load(Ordering::Relaxed);
        let mut spins = 0;
        loop {
            if word & CLOSED != 0 {
                return Push::Closed(value);
            }
            if respect_line && word & PUTTERS_QUEUED != 0 {
                return Push::Full(value);
            }
            let pos = position(word);
            let slot = self.slot(pos);
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == free_for(pos) {
                // The slot is free for `pos`: claim the position, keeping the flags.
                match self.tail.0.compare_exchange_weak(
                    word,
                    word + ONE,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        slot.value.with_mut(|p| {
                            // SAFETY: position `pos` is ours alone (the CAS gave it to
                            // nobody else) and its stamp says the previous lap's item
                            // was moved out (rule 1, seen with `Acquire`), so nobody
                            // touches this cell until we store the stamp below.
                            unsafe { (*p).write(value) };
                        });
                        // Publish: a getter's `Acquire` load of the stamp sees the item.
                        slot.stamp.store(holds(pos), Ordering::Release);
                        return Push::Stored {
                            wake_getter: word & WAKE_GETTER != 0,
                        };
                    }
                    // Another putter claimed it, or a flag changed: look again.
                    Err(actual) => word = actual,
                }
            } else if stamp < free_for(pos) {
                // The previous lap's item is still on its way in, there, or on its way
                // out. Full, unless a getter has claimed it already (rule 3).
                let head = self.head.0.load(Ordering::Relaxed);
                if position(head) + self.cap == pos {
                    return Push::Full(value);
                }
                backoff(&mut spins);
                word = self.tail.0.load(Ordering::Relaxed);
            } else {
                // Our view of `tail` is stale: another putter claimed `pos` already.
                word = self.tail.0.load(Ordering::Relaxed);
            }
        }
    }

    /// Moves out the item at the next position (rule 2), unless there is none or (with
    /// `respect_line`) getters are lined up ahead (rule 6). Spins while the item at the
    /// next position is on its way in (rule 3).
    pub(crate) fn pop(&self, respect_line: bool) -> Pop<T> {
        let mut word = self.head.0.load(Ordering::Relaxed);
        let mut spins = 0;
        loop {
            if respect_line && word & GETTERS_QUEUED != 0 {
                return Pop::Empty;
            }
            let pos = position(word);
            let slot = self.slot(pos);
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == holds(pos) {
                // An item is there: claim its position, keeping the flags.
                match self.head.0.compare_exchange_weak(
                    word,
                    word + ONE,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        let value = slot.value.with(|p| {
                            // SAFETY: the stamp says the slot holds the item of `pos`
                            // (the invariant), our `Acquire` load made its write
                            // visible, and the CAS made the position ours alone.
                            unsafe { (*p).assume_init_read() }
                        });
                        // Free the slot for the next lap (rule 1).
                        slot.stamp
                            .store(free_for(pos + self.cap), Ordering::Release);
                        return Pop::Item {
                            value,
                            wake_putter: word & WAKE_PUTTER != 0,
                        };
                    }
                    Err(actual) => word = actual,
                }
            } else if stamp < holds(pos) {
                // No item at `pos` yet. `tail` never trails `head`, so `tail == pos`
                // means `head == tail` at this load: empty (rule 3).
                let tail = self.tail.0.load(Ordering::Acquire);
                if position(tail) == pos {
                    return if tail & CLOSED != 0 {
                        Pop::Closed
                    } else {
                        Pop::Empty
                    };
                }
                // A putter claimed `pos` and has not stamped it yet.
                backoff(&mut spins);
                word = self.head.0.load(Ordering::Relaxed);
            } else {
                // Our view of `head` is stale: another getter took `pos` already.
                word = self.head.0.load(Ordering::Relaxed);
            }
        }
    }

    /// Lines a putter up (rule 5): sets `PUTTERS_QUEUED`, then `WAKE_PUTTER`, and says
    /// whether the ring was full at that moment. Call under the core's waiter lock,
    /// with the putter linked as the first in line.
    pub(crate) fn line_up_putter(&self) -> Lined {
        let tail = self.tail.0.fetch_or(PUTTERS_QUEUED, Ordering::Relaxed);
        let head = self.head.0.fetch_or(WAKE_PUTTER, Ordering::Relaxed);
        if tail & CLOSED != 0 {
            Lined::Closed
        } else if position(tail).saturating_sub(position(head)) >= self.cap {
            // Full when `head` was read (which may already be past the `tail` we read: then
            // there is room); any getter claiming after that read sees the flag.
            Lined::Wait
        } else {
            Lined::Retry
        }
    }

    /// Lines a getter up (rule 5): sets `GETTERS_QUEUED`, then `WAKE_GETTER`, and says
    /// whether the ring was empty at that moment. Same conditions as for putters.
    pub(crate) fn line_up_getter(&self) -> Lined {
        let head = self.head.0.fetch_or(GETTERS_QUEUED, Ordering::Relaxed);
        let tail = self.tail.0.fetch_or(WAKE_GETTER, Ordering::Relaxed);
        if position(tail) != position(head) {
            // An item is stored or on its way in at (or after) our position.
            Lined::Retry
        } else if tail & CLOSED != 0 {
            Lined::Closed
        } else {
            Lined::Wait
        }
    }

    /// [`line_up_putter`](Self::line_up_putter) or
    /// [`line_up_getter`](Self::line_up_getter).
    pub(crate) fn line_up(&self, side: Side) -> Lined {
        match side {
            Side::Putters => self.line_up_putter(),
            Side::Getters => self.line_up_getter(),
        }
    }

    /// [`putters_gone`](Self::putters_gone) or [`getters_gone`](Self::getters_gone).
    pub(crate) fn gone(&self, side: Side) {
        match side {
            Side::Putters => self.putters_gone(),
            Side::Getters => self.getters_gone(),
        }
    }

    /// Clears both putter flags: no putter is lined up any more. Under the core's lock.
    pub(crate) fn putters_gone(&self) {
        self.tail.0.fetch_and(!PUTTERS_QUEUED, Ordering::Relaxed);
        self.head.0.fetch_and(!WAKE_PUTTER, Ordering::Relaxed);
    }

    /// Clears both getter flags: no getter is lined up any more. Under the core's lock.
    pub(crate) fn getters_gone(&self) {
        self.head.0.fetch_and(!GETTERS_QUEUED, Ordering::Relaxed);
        self.tail.0.fetch_and(!WAKE_GETTER, Ordering::Relaxed);
    }

    /// Refuses every later claim (rule 7).
    pub(crate) fn close(&self) {
        self.tail.0.fetch_or(CLOSED, Ordering::Relaxed);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.tail.0.load(Ordering::Relaxed) & CLOSED != 0
    }

    /// How many positions putters have claimed: every item ever put, counting one whose
    /// `push` is still under way.
    pub(crate) fn claimed(&self) -> u64 {
        position(self.tail.0.load(Ordering::Acquire))
    }

    /// Positions claimed and not yet taken (an item may still be on its way in).
    pub(crate) fn len(&self) -> usize {
        loop {
            let tail = self.tail.0.load(Ordering::Acquire);
            let head = self.head.0.load(Ordering::Acquire);
            // Both words as they were at one instant (when `head` was loaded) only if
            // `tail` did not move meanwhile; otherwise the difference could exceed
            // the capacity.
            if self.tail.0.load(Ordering::Acquire) == tail {
                return position(tail).saturating_sub(position(head)) as usize;
            }
        }
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // `&mut self`: no push or pop is under way, so every claimed item is stored.
        while let Pop::Item { value, .. } = self.pop(false) {
            drop(value);
        }
    }
}

impl<T> fmt::Debug for Ring<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = self.tail.0.load(Ordering::Relaxed);
        let head = self.head.0.load(Ordering::Relaxed);
        let mut flags = Vec::new();
        for (word, bit, name) in [
            (tail, WAKE_GETTER, "WAKE_GETTER"),
            (tail, PUTTERS_QUEUED, "PUTTERS_QUEUED"),
            (tail, CLOSED, "CLOSED"),
            (head, WAKE_PUTTER, "WAKE_PUTTER"),
            (head, GETTERS_QUEUED, "GETTERS_QUEUED"),
        ] {
            if word & bit != 0 {
                flags.push(name);
            }
        }
        f.debug_struct("Ring")
            .field("head", &position(head))
            .field("tail", &position(tail))
            .field("cap", &self.cap)
            .field("flags", &flags)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn push(ring: &Ring<u64>, v: u64) -> bool {
        matches!(ring.push(v, true), Push::Stored { .. })
    }

    fn pop(ring: &Ring<u64>) -> Option<u64> {
        match ring.pop(true) {
            Pop::Item { value, .. } => Some(value),
            _ => None,
        }
    }

    #[test]
    fn items_come_out_in_order_across_laps() {
        for cap in [1, 2, 3, 8] {
            let ring = Ring::new(cap);
            for lap in 0..5 {
                for i in 0..cap as u64 {
                    assert!(push(&ring, lap * 10 + i));
                }
                assert_eq!(ring.len(), cap);
                assert!(matches!(ring.push(99, false), Push::Full(99)));
                for i in 0..cap as u64 {
                    assert_eq!(pop(&ring), Some(lap * 10 + i));
                }
                assert!(matches!(ring.pop(false), Pop::Empty));
            }
            assert_eq!(ring.claimed(), 5 * cap as u64);
        }
    }

    #[test]
    fn claims_report_the_wake_flags_and_the_line_holds_newcomers_back() {
        let ring = Ring::new(1);
        // A getter lines up on the empty ring: it must sleep.
        assert_eq!(ring.line_up_getter(), Lined::Wait);
        // A newcomer getter queues behind it; the put that follows must wake it.
        assert!(matches!(ring.pop(true), Pop::Empty));
        assert!(matches!(
            ring.push(1, true),
            Push::Stored { wake_getter: true }
        ));
        ring.getters_gone();
        // Full: a putter lines up and must sleep; a newcomer is held back even after
        // the get that frees the slot, which must wake the lined-up putter.
        assert_eq!(ring.line_up_putter(), Lined::Wait);
        assert!(matches!(ring.push(2, true), Push::Full(2)));
        assert!(matches!(
            ring.pop(true),
            Pop::Item {
                value: 1,
                wake_putter: true
            }
        ));
        assert!(matches!(ring.push(2, true), Push::Full(2)));
        assert!(matches!(
            ring.push(2, false),
            Push::Stored { wake_getter: false }
        ));
        ring.putters_gone();
        assert!(matches!(
            ring.pop(true),
            Pop::Item {
                value: 2,
                wake_putter: false
            }
        ));
    }

    #[test]
    fn lining_up_after_a_change_says_retry() {
        let ring = Ring::new(1);
        assert!(push(&ring, 1));
        // Not empty: a getter that lines up now must look again, not sleep.
        assert_eq!(ring.line_up_getter(), Lined::Retry);
        ring.getters_gone();
        assert_eq!(pop(&ring), Some(1));
        // Not full: likewise for a putter.
        assert_eq!(ring.line_up_putter(), Lined::Retry);
        ring.putters_gone();
    }

    #[test]
    fn close_refuses_pushes_and_drains() {
        let ring = Ring::new(2);
        assert!(push(&ring, 1));
        ring.close();
        assert!(ring.is_closed());
        assert!(matches!(ring.push(2, false), Push::Closed(2)));
        assert_eq!(ring.line_up_putter(), Lined::Closed);
        assert_eq!(ring.len(), 1);
        assert_eq!(pop(&ring), Some(1));
        assert!(matches!(ring.pop(false), Pop::Closed));
        assert_eq!(ring.line_up_getter(), Lined::Closed);
    }

    #[test]
    fn dropping_the_ring_drops_what_is_left() {
        let marker = Arc::new(());
        let ring = Ring::new(4);
        for _ in 0..3 {
            assert!(matches!(
                ring.push(marker.clone(), true),
                Push::Stored { .. }
            ));
        }
        drop(ring.pop(true));
        assert_eq!(Arc::strong_count(&marker), 3);
        drop(ring);
        assert_eq!(Arc::strong_count(&marker), 1);
    }

    #[test]
    fn many_putters_and_getters_move_each_item_once() {
        let per_thread = crate::sync::test_util::iters(20_000, 50) as u64;
        let ring = Arc::new(Ring::new(4));
        let putters: Vec<_> = (0..2)
            .map(|t| {
                let ring = ring.clone();
                std::thread::spawn(move || {
                    for i in 0..per_thread {
                        let mut v = t * per_thread + i;
                        loop {
                            match ring.push(v, false) {
                                Push::Stored { .. } => break,
                                Push::Full(back) => v = back,
                                Push::Closed(_) => unreachable!(),
                            }
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        let getters: Vec<_> = (0..2)
            .map(|_| {
                let ring = ring.clone();
                std::thread::spawn(move || {
                    let mut got = Vec::new();
                    loop {
                        match ring.pop(false) {
                            Pop::Item { value, .. } => got.push(value),
                            Pop::Empty => std::thread::yield_now(),
                            Pop::Closed => return got,
                        }
                    }
                })
            })
            .collect();
        for p in putters {
            p.join().unwrap();
        }
        ring.close();
        let mut all: Vec<u64> = getters
            .into_iter()
            .flat_map(|g| g.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..2 * per_thread).collect::<Vec<_>>());
    }
}
