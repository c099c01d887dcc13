//! `Entry`: the intrusive timer node that lives inside a `Sleep`, and its state word.
//!
//! An entry is linked into exactly one list of the wheel (a slot, or the pending
//! list of entries due to fire) while it is registered, and into none otherwise. It
//! needs no allocation: the wheel stores pointers to entries that live in pinned
//! futures, and a future removes its entry before its memory goes away.
//!
//! # Protocol E: who may touch an entry
//!
//! 1. `node` (links, location, tick, waker) is touched only while holding the lock of
//!    the wheel the entry belongs to, *or* by the owning `Sleep` while `state` is
//!    `UNREGISTERED`, `FIRED` or `ERROR` (nobody else holds a pointer to it then).
//! 2. `state` moves `UNREGISTERED → REGISTERED` (owner, under the lock, after linking),
//!    `REGISTERED → FIRED | ERROR` (driver, under the lock, after unlinking and taking
//!    the waker: that store is the driver's last access to the entry), `REGISTERED →
//!    UNREGISTERED` (owner, under the lock, after unlinking), and `FIRED | ERROR →
//!    UNREGISTERED` (owner, by itself, on `reset`).
//! 3. Hence an owner that loads `FIRED` or `ERROR` with `Acquire` owns the entry
//!    outright and may drop or reuse it without the lock; one that loads
//!    `REGISTERED` must take the lock and look again, because the driver may fire it
//!    at any moment until then.
//!
//! The state is a handful of exclusive values rather than a bit set, so it stays in
//! this file instead of a `state.rs` of its own.

use crate::loom::UnsafeCell;
use crate::loom::atomic::{AtomicU32, Ordering};
use std::fmt;
use std::marker::PhantomPinned;
use std::ptr::NonNull;
use std::task::Waker;

/// Not in the wheel; only the owner touches the entry.
pub(crate) const UNREGISTERED: u32 = 0;
/// Linked into the wheel; the node belongs to whoever holds the wheel lock.
pub(crate) const REGISTERED: u32 = 1;
/// Unlinked by the driver because its deadline passed; the owner owns it again.
pub(crate) const FIRED: u32 = 2;
/// Unlinked by the driver because the runtime shut down; polling it again panics.
pub(crate) const ERROR: u32 = 3;

/// Where a registered entry is linked: `level * 64 + slot`, or [`PENDING`].
pub(crate) type Location = u8;
/// The location of an entry in the wheel's list of entries due to fire.
pub(crate) const PENDING: Location = u8::MAX;

/// The timer node; see protocol E in the module doc.
pub(crate) struct Entry {
    state: AtomicU32,
    node: UnsafeCell<Node>,
    /// The wheel holds pointers to this entry, so it must not move while registered.
    _pin: PhantomPinned,
}

/// The fields guarded by protocol E, rule 1.
pub(crate) struct Node {
    pub(crate) prev: Option<NonNull<Entry>>,
    pub(crate) next: Option<NonNull<Entry>>,
    /// The tick (milliseconds since the driver's origin) at which the entry is due.
    pub(crate) when: u64,
    pub(crate) location: Location,
    pub(crate) waker: Option<Waker>,
}

// SAFETY: the raw pointers and the waker in `node` are only touched under the wheel
// lock or by the sole owner (protocol E, rule 1), so sharing or sending an entry
// cannot race; `Waker` itself is `Send + Sync`.
unsafe impl Send for Entry {}
// SAFETY: as for `Send`: `&Entry` gives access to `node` only through protocol E.
unsafe impl Sync for Entry {}

impl Entry {
    pub(crate) fn new() -> Entry {
        Entry {
            state: AtomicU32::new(UNREGISTERED),
            node: UnsafeCell::new(Node {
                prev: None,
                next: None,
                when: 0,
                location: 0,
                waker: None,
            }),
            _pin: PhantomPinned,
        }
    }

    /// The state, read with `Acquire` so that `FIRED` hands over the node (rule 3).
    pub(crate) fn state(&self) -> u32 {
        self.state.load(Ordering::Acquire)
    }

    /// Publishes a new state; `Release` so a later `Acquire` load sees the node
    /// writes that came before it (rule 2).
    pub(crate) fn set_state(&self, state: u32) {
        self.state.store(state, Ordering::Release);
    }

    /// Runs `f` on the node.
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the wheel the entry is registered with, or owns
    /// the entry outright (protocol E, rule 1), and `f` does not reach this same node
    /// again through another pointer.
    pub(crate) unsafe fn with_node<R>(&self, f: impl FnOnce(&mut Node) -> R) -> R {
        self.node.with_mut(|node| {
            // SAFETY: exclusive access by the caller's contract (rule 1); the pointer
            // comes from the cell, so it is valid and aligned.
            f(unsafe { &mut *node })
        })
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state.load(Ordering::Relaxed) {
            UNREGISTERED => "UNREGISTERED",
            REGISTERED => "REGISTERED",
            FIRED => "FIRED",
            ERROR => "ERROR",
            _ => "?",
        };
        f.debug_struct("Entry")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}
