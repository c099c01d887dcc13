//! The intrusive, allocation-free waiter list that every primitive in `sync` and
//! `queue` parks its futures on.
//!
//! A [`Waiter`] lives *inside* the future that waits (an `Acquire`, a `Get`, a
//! `Recv`…), so waiting costs no allocation. The list links those nodes in a doubly
//! linked FIFO. The primitive owns the [`WaitList`] inside its own
//! `crate::loom::Mutex`; that one lock guards the list *and* every node that is, or
//! may become, linked in it.
//!
//! # Protocol
//!
//! 1. **One lock.** A node's fields (links, waker, data) are read or written only by
//!    a thread that holds the lock guarding the list the node belongs to. Every
//!    access goes through a `&mut WaitList` (so through the guard) — that is how the
//!    code proves rule 1.
//! 2. **Pinned while linked.** A node is linked only while the future that contains it
//!    is pinned; the future's `Drop` takes the lock and unlinks it (rule 1) before the
//!    memory goes away. A future that never linked its node skips the lock on drop.
//! 3. **Waking hands over.** Whoever unlinks a node on the waiter's behalf (a release,
//!    a put, a notify) first records the outcome in the node's data and takes its
//!    waker *under the lock*, then wakes it after dropping the lock ([`WakeList`]).
//!    Once the lock is dropped, the node may be freed at any moment, so nothing keeps
//!    a pointer to it.
//! 4. **The hand-over is announced.** As its very last touch of a node it unlinked
//!    (rule 3), the waker stores `done = true` with `Release`. The owner that loads
//!    `done == true` with `Acquire` knows that nobody else will touch the node again
//!    (it is unlinked, and only linked nodes are reachable), so it reads the outcome
//!    without taking the lock ([`Waiter::done_node`]). The owner clears `done` when it
//!    links the node again, under the lock.
//!
//! # Invariant
//!
//! `head`/`tail` and the `prev`/`next` links of linked nodes form a well-formed list
//! of `len` nodes whose `linked` flag is true; unlinked nodes have `linked == false`
//! and no links.

use crate::loom::UnsafeCell;
use crate::loom::atomic::{AtomicBool, Ordering};
use std::fmt;
use std::marker::PhantomPinned;
use std::mem::MaybeUninit;
use std::ptr::NonNull;
use std::task::Waker;

/// The fields of a waiter, guarded by the list's lock (protocol rule 1).
#[derive(Debug)]
pub(crate) struct Node<D> {
    prev: Option<NonNull<Waiter<D>>>,
    next: Option<NonNull<Waiter<D>>>,
    linked: bool,
    /// The waker of the task to wake when the node's outcome is decided.
    pub(crate) waker: Option<Waker>,
    /// What the primitive records for this waiter (needed permits, a delivered item…).
    pub(crate) data: D,
}

impl<D> Node<D> {
    /// Stores `waker` unless the stored one already wakes the same task.
    pub(crate) fn set_waker(&mut self, waker: &Waker) {
        match &self.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => self.waker = Some(waker.clone()),
        }
    }
}

/// One waiting future's node. Embed it in the future; it must not move while linked.
#[derive(Debug)]
pub(crate) struct Waiter<D> {
    node: UnsafeCell<Node<D>>,
    /// Set by whoever unlinked the node on the owner's behalf, after their last touch
    /// of it (rule 4); cleared by the owner when it links the node.
    done: AtomicBool,
    _pin: PhantomPinned,
}

// SAFETY: the node is only touched under the list's lock (protocol rule 1), so moving
// the future between threads, or sharing it, exposes no unsynchronised access; the
// raw links are plain addresses of other nodes guarded by that same lock.
unsafe impl<D: Send> Send for Waiter<D> {}
// SAFETY: as for `Send`: a `&Waiter` gives no access to the node without the lock.
unsafe impl<D: Send> Sync for Waiter<D> {}

impl<D> Waiter<D> {
    pub(crate) fn new(data: D) -> Self {
        Self {
            node: UnsafeCell::new(Node {
                prev: None,
                next: None,
                linked: false,
                waker: None,
                data,
            }),
            done: AtomicBool::new(false),
            _pin: PhantomPinned,
        }
    }

    /// Runs `f` on the node if another party unlinked it on our behalf and let go of
    /// it (rule 4); `None` if the node may still be linked. Needs no lock: the `&mut`
    /// proves the caller owns the future the node lives in.
    pub(crate) fn done_node<R>(&mut self, f: impl FnOnce(&mut Node<D>) -> R) -> Option<R> {
        if !self.done.load(Ordering::Acquire) {
            return None;
        }
        // SAFETY: `done` was stored (Release) by the party that unlinked the node, as its
        // last touch (rule 4), and we loaded it with Acquire: the node is unlinked, no
        // one else can reach it, and their writes are visible to us. `&mut self` rules
        // out a second owner-side access.
        Some(self.node.with_mut(|p| f(unsafe { &mut *p })))
    }

    /// The address that links this node; valid while the owner keeps it pinned.
    pub(crate) fn as_ptr(&self) -> NonNull<Waiter<D>> {
        NonNull::from(self)
    }
}

/// A FIFO of waiters; lives inside the primitive's lock.
#[derive(Debug)]
pub(crate) struct WaitList<D> {
    head: Option<NonNull<Waiter<D>>>,
    tail: Option<NonNull<Waiter<D>>>,
    len: usize,
}

// SAFETY: the list only holds addresses of nodes that are guarded by the same lock as
// the list itself (rule 1); sending the list (inside its lock) sends nothing else.
unsafe impl<D: Send> Send for WaitList<D> {}
// SAFETY: every method that follows a link takes `&mut self`.
unsafe impl<D: Send> Sync for WaitList<D> {}

impl<D> Default for WaitList<D> {
    fn default() -> Self {
        Self::new()
    }
}

impl<D> WaitList<D> {
    pub(crate) const fn new() -> Self {
        Self {
            head: None,
            tail: None,
            len: 0,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Runs `f` on the node at `w`.
    ///
    /// # Safety
    ///
    /// `w` points to a live waiter that is linked in this list or in no list, whose
    /// node is guarded by the lock that guards `self` (rule 1), and no reference to the
    /// node obtained from another call is alive.
    pub(crate) unsafe fn with_node<R>(
        &mut self,
        w: NonNull<Waiter<D>>,
        f: impl FnOnce(&mut Node<D>) -> R,
    ) -> R {
        // SAFETY: `w` points to a live waiter (caller's contract), so a shared reference
        // to it is valid for this call.
        let waiter = unsafe { w.as_ref() };
        waiter.node.with_mut(|p| {
            // SAFETY: we hold the lock through `&mut self`, so no other thread touches the
            // node (rule 1), and no other reference to it is alive (caller's contract):
            // this `&mut` is unique for the duration of `f`.
            f(unsafe { &mut *p })
        })
    }

    /// Links `w` at the back.
    ///
    /// # Safety
    ///
    /// As for [`with_node`](Self::with_node); moreover `w` is not linked, and its owner
    /// keeps it pinned and unlinks it before it is freed (rule 2).
    pub(crate) unsafe fn push_back(&mut self, w: NonNull<Waiter<D>>) {
        let old_tail = self.tail;
        // SAFETY: forwarded from the caller.
        unsafe {
            self.with_node(w, |n| {
                debug_assert!(!n.linked, "waiter linked twice");
                n.prev = old_tail;
                n.next = None;
                n.linked = true;
            });
        }
        // SAFETY: `w` is live (caller's contract). Only the owner links its node, so
        // this clears the flag of a node nobody else has unlinked yet (rule 4).
        unsafe { w.as_ref() }.done.store(false, Ordering::Relaxed);
        match old_tail {
            // SAFETY: the tail is linked here, so live (rule 2) and guarded by our lock.
            Some(t) => unsafe { self.with_node(t, |n| n.next = Some(w)) },
            None => self.head = Some(w),
        }
        self.tail = Some(w);
        self.len += 1;
    }

    /// Links `w` at the front (a waiter that keeps its place in line).
    ///
    /// # Safety
    ///
    /// As for [`push_back`](Self::push_back).
    pub(crate) unsafe fn push_front(&mut self, w: NonNull<Waiter<D>>) {
        let old_head = self.head;
        // SAFETY: forwarded from the caller.
        unsafe {
            self.with_node(w, |n| {
                debug_assert!(!n.linked, "waiter linked twice");
                n.prev = None;
                n.next = old_head;
                n.linked = true;
            });
        }
        // SAFETY: as in `push_back`: `w` is live, and only its owner links it (rule 4).
        unsafe { w.as_ref() }.done.store(false, Ordering::Relaxed);
        match old_head {
            // SAFETY: the head is linked here, so live (rule 2) and guarded by our lock.
            Some(h) => unsafe { self.with_node(h, |n| n.prev = Some(w)) },
            None => self.tail = Some(w),
        }
        self.head = Some(w);
        self.len += 1;
    }

    /// The first waiter, if any.
    pub(crate) fn front(&self) -> Option<NonNull<Waiter<D>>> {
        self.head
    }

    /// Unlinks and returns the first waiter.
    pub(crate) fn pop_front(&mut self) -> Option<NonNull<Waiter<D>>> {
        let head = self.head?;
        // SAFETY: `head` is linked in this list, hence live (rule 2) and ours to touch.
        unsafe { self.remove(head) };
        Some(head)
    }

    /// Unlinks `w` if it is linked; returns whether it was.
    ///
    /// # Safety
    ///
    /// As for [`with_node`](Self::with_node).
    pub(crate) unsafe fn remove(&mut self, w: NonNull<Waiter<D>>) -> bool {
        // SAFETY: forwarded from the caller.
        let links = unsafe {
            self.with_node(w, |n| {
                if !n.linked {
                    return None;
                }
                n.linked = false;
                Some((n.prev.take(), n.next.take()))
            })
        };
        let Some((prev, next)) = links else {
            return false;
        };
        match prev {
            // SAFETY: the neighbours of a linked node are linked, so live and ours.
            Some(p) => unsafe { self.with_node(p, |n| n.next = next) },
            None => self.head = next,
        }
        match next {
            // SAFETY: as above.
            Some(nx) => unsafe { self.with_node(nx, |n| n.prev = prev) },
            None => self.tail = prev,
        }
        self.len -= 1;
        true
    }

    /// Unlinks the first waiter, runs `f` on it and takes its waker (rule 3).
    pub(crate) fn pop_front_with(&mut self, f: impl FnOnce(&mut D)) -> Option<Option<Waker>> {
        let w = self.pop_front()?;
        // SAFETY: `w` was linked here a moment ago, and its owner can only free it after
        // taking our lock to unlink it (rule 2), which we still hold.
        let waker = unsafe {
            self.with_node(w, |n| {
                f(&mut n.data);
                n.waker.take()
            })
        };
        // SAFETY: as above, `w` is still live. This is our last touch of the node: after
        // this store its owner may read it without the lock and free it (rule 4).
        unsafe { w.as_ref() }.done.store(true, Ordering::Release);
        Some(waker)
    }

    /// Unlinks every waiter, runs `f` on each, and collects their wakers into `wakers`
    /// until it is full; returns whether the list is now empty.
    pub(crate) fn drain_into(&mut self, wakers: &mut WakeList, mut f: impl FnMut(&mut D)) -> bool {
        while !wakers.is_full() {
            match self.pop_front_with(&mut f) {
                Some(w) => wakers.push(w),
                None => return true,
            }
        }
        self.is_empty()
    }
}

/// Unlinks every waiter of the list that `list` picks out of the state behind `mutex`,
/// marking each with `mark`, and wakes them batch by batch without the lock (rule 3).
/// Waiters linked during an unlocked gap are woken too: callers use this only where a
/// spurious wake-up is harmless (the woken future re-checks and re-links).
pub(crate) fn wake_all_linked<'a, S, D>(
    mutex: &'a crate::loom::Mutex<S>,
    mut guard: crate::loom::MutexGuard<'a, S>,
    list: impl Fn(&mut S) -> &mut WaitList<D>,
    mut mark: impl FnMut(&mut D),
) {
    let mut wakers = WakeList::new();
    loop {
        let empty = list(&mut guard).drain_into(&mut wakers, &mut mark);
        drop(guard);
        wakers.wake_all();
        if empty {
            return;
        }
        guard = mutex.lock();
    }
}

/// How many wakers are collected before the lock is dropped to wake them.
const WAKE_BATCH: usize = 32;

/// A batch of wakers collected under a lock and woken after it is dropped (style
/// rule 6: a waker runs arbitrary code and must never run under our lock).
///
/// The slots start uninitialised, so a batch that collects one waker (the common case
/// of a release handing one permit on) costs no more than that one waker.
///
/// # Invariant
///
/// `wakers[woken..len]` are initialised and owned by the batch; every other slot is
/// uninitialised or was moved out.
pub(crate) struct WakeList {
    wakers: [MaybeUninit<Waker>; WAKE_BATCH],
    /// Wakers `0..woken` were already moved out and woken.
    woken: usize,
    len: usize,
}

impl WakeList {
    pub(crate) fn new() -> Self {
        Self {
            wakers: [const { MaybeUninit::uninit() }; WAKE_BATCH],
            woken: 0,
            len: 0,
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == WAKE_BATCH
    }

    /// Adds a waker (a `None` is ignored). The caller checks `is_full` first.
    pub(crate) fn push(&mut self, waker: Option<Waker>) {
        if let Some(w) = waker {
            assert!(
                !self.is_full(),
                "a WakeList holds at most {WAKE_BATCH} wakers"
            );
            self.wakers[self.len].write(w);
            self.len += 1;
        }
    }

    /// Wakes everything collected so far, in order, and empties the batch.
    pub(crate) fn wake_all(&mut self) {
        while self.woken < self.len {
            let slot = &self.wakers[self.woken];
            // Advance first: if the waker panics, `Drop` goes on with the next one and
            // never reads this slot again (the invariant).
            self.woken += 1;
            // SAFETY: slot `woken - 1` lies in `woken..len` as it was before the
            // increment, so it is initialised and ours; the increment moved it out of
            // that range, so it is read exactly once.
            let waker = unsafe { slot.assume_init_read() };
            waker.wake();
        }
        self.woken = 0;
        self.len = 0;
    }
}

impl Default for WakeList {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for WakeList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WakeList")
            .field("pending", &(self.len - self.woken))
            .finish()
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        // A batch dropped during unwinding still wakes what it holds: losing a wake-up
        // would hang a task that was already handed its outcome.
        self.wake_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::pin;

    #[test]
    fn fifo_and_remove_from_middle() {
        let a = pin!(Waiter::new(1));
        let b = pin!(Waiter::new(2));
        let c = pin!(Waiter::new(3));
        let mut list = WaitList::new();
        // SAFETY: the waiters are pinned on this stack frame and outlive `list`'s use;
        // the test is single-threaded, so `&mut list` is the lock.
        unsafe {
            list.push_back(a.as_ptr());
            list.push_back(b.as_ptr());
            list.push_back(c.as_ptr());
            assert_eq!(list.len(), 3);
            assert!(list.remove(b.as_ptr()));
            assert!(!list.remove(b.as_ptr()));
        }
        let mut seen = Vec::new();
        while let Some(w) = list.pop_front_with(|d| seen.push(*d)) {
            assert!(w.is_none());
        }
        assert_eq!(seen, [1, 3]);
        assert!(list.is_empty());
    }

    #[test]
    fn wake_list_wakes_everything() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        struct Count(AtomicUsize);
        impl std::task::Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let mut list = WakeList::new();
        for _ in 0..WAKE_BATCH {
            list.push(Some(Waker::from(count.clone())));
        }
        assert!(list.is_full());
        list.wake_all();
        assert_eq!(count.0.load(Ordering::SeqCst), WAKE_BATCH);
        list.push(Some(Waker::from(count.clone())));
        drop(list);
        assert_eq!(count.0.load(Ordering::SeqCst), WAKE_BATCH + 1);
    }

    #[test]
    fn a_panicking_waker_loses_no_other_wake_up() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        struct Count(AtomicUsize);
        impl std::task::Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        struct Panics;
        impl std::task::Wake for Panics {
            fn wake(self: Arc<Self>) {
                panic!("this waker panics");
            }
        }
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let mut list = WakeList::new();
        list.push(Some(Waker::from(count.clone())));
        list.push(Some(Waker::from(Arc::new(Panics))));
        list.push(Some(Waker::from(count.clone())));
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| list.wake_all()));
        assert!(res.is_err());
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        drop(list);
        assert_eq!(
            count.0.load(Ordering::SeqCst),
            2,
            "the one after the panic still wakes"
        );
        assert_eq!(
            Arc::strong_count(&count),
            1,
            "every waker was consumed once"
        );
    }
}
