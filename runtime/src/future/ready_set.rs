//! `ReadySet`: which children of a combinator were woken since it last polled them.
//!
//! Every child future of `gather`, `try_gather`, `race`, `wait`, `as_completed` and
//! `JoinSet` gets its own waker. Waking it records the child's index in a shared
//! ready list and wakes the task that owns the combinator (the *parent*). The
//! combinator then polls only the children on that list, so a set of `n` children
//! costs O(woken) per poll instead of O(n), and a whole run costs O(n + wakes).
//!
//! # Invariants
//!
//! 1. A child's index is in the ready list (shared or local batch) at most once:
//!    its node's `queued` flag is set by whoever pushes the index and cleared by the
//!    parent just before it polls that child. A wake that arrives while the child is
//!    being polled therefore queues it again, so no wake-up is lost.
//! 2. `start_poll` moves the shared list into the local batch *after* registering
//!    the parent's waker, so a wake racing with a poll either lands in this batch or
//!    wakes the parent again.
//! 3. `pop` serves only the local batch, which only `start_poll` and `insert` (never
//!    called during a poll) refill, so one poll of the parent polls each child at
//!    most once and always ends, even if a child wakes itself whenever polled. A
//!    round cut short (an output ended it, or the task's budget ran out) keeps the
//!    rest of its batch for the next poll.
//! 4. Indices are slots, not children: a slot can be reused for a new child (as
//!    `JoinSet` does). A stale wake from a slot's former occupant then only causes
//!    one spurious poll, which futures must tolerate anyway.
//!
//! The shared list is a `std::sync::Mutex`, held only to push or swap a `Vec`; wakers
//! are woken after it is released. Wakers are built with `std::task::Wake`, which
//! needs a `std::sync::Arc`, so this file does not go through `crate::loom`: it is
//! no part of the lock-free core and its only shared state is behind that lock.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Wake, Waker};

/// The parent's side: one node and one waker per slot, plus the batch being polled.
pub(crate) struct ReadySet {
    shared: Arc<Shared>,
    /// One per slot; `wakers[i]` wakes `nodes[i]`.
    nodes: Vec<Arc<Node>>,
    wakers: Vec<Waker>,
    /// Indices taken from the shared list; those from `pos` on are not yet polled
    /// (invariant 3).
    batch: Vec<usize>,
    pos: usize,
}

/// What the children's wakers share with the parent.
struct Shared {
    inner: Mutex<Inner>,
}

struct Inner {
    /// Indices woken since the parent last called `start_poll`.
    ready: Vec<usize>,
    /// The parent's waker; taken by the first wake so later ones cost no wake-up.
    parent: Option<Waker>,
}

/// One slot's waker.
struct Node {
    index: usize,
    /// Set while `index` sits in a ready list (invariant 1).
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A poisoned lock only means a waker panicked elsewhere; the list itself is
        // always left consistent (a push or a swap), so keep going.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Wake for Node {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Only the wake that sets the flag pushes the index (invariant 1).
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let parent = {
            let mut inner = self.shared.lock();
            inner.ready.push(self.index);
            inner.parent.take()
        };
        // Woken after the lock is released: the parent may run at once, elsewhere.
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

impl ReadySet {
    /// A set with no slots.
    pub(crate) fn new() -> ReadySet {
        ReadySet {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner {
                    ready: Vec::new(),
                    parent: None,
                }),
            }),
            nodes: Vec::new(),
            wakers: Vec::new(),
            batch: Vec::new(),
            pos: 0,
        }
    }

    /// A set of `n` slots, all queued so that the first poll polls every child.
    pub(crate) fn with_len(n: usize) -> ReadySet {
        let mut set = ReadySet::new();
        set.nodes.reserve_exact(n);
        set.wakers.reserve_exact(n);
        for index in 0..n {
            set.add_node(index, true);
        }
        set.batch.extend(0..n);
        set
    }

    fn add_node(&mut self, index: usize, queued: bool) {
        let node = Arc::new(Node {
            index,
            queued: AtomicBool::new(queued),
            shared: self.shared.clone(),
        });
        self.wakers.push(Waker::from(node.clone()));
        self.nodes.push(node);
    }

    /// Makes slot `index` ready to be polled (a new child was put there). Slots must
    /// be added in order: `index` is at most the number of slots so far.
    pub(crate) fn insert(&mut self, index: usize) {
        if index == self.nodes.len() {
            self.add_node(index, true);
            self.batch.push(index);
        } else {
            // A reused slot: queue it through its waker, which keeps invariant 1.
            self.wakers[index].wake_by_ref();
        }
    }

    /// Registers the parent's waker and takes the children woken since the last
    /// call into the batch (invariant 2). Call at the start of every parent poll.
    pub(crate) fn start_poll(&mut self, cx: &Context<'_>) {
        let mut inner = self.shared.lock();
        match &inner.parent {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => inner.parent = Some(cx.waker().clone()),
        }
        if self.pos == self.batch.len() {
            // Swap buffers so neither side reallocates in the steady state.
            self.batch.clear();
            self.pos = 0;
            std::mem::swap(&mut self.batch, &mut inner.ready);
        } else {
            self.batch.append(&mut inner.ready);
        }
    }

    /// The next child to poll in this round, or `None` when the batch is done.
    /// Clears the child's `queued` flag, so a wake during its poll queues it again.
    pub(crate) fn pop(&mut self) -> Option<usize> {
        let index = *self.batch.get(self.pos)?;
        self.pos += 1;
        self.nodes[index].queued.store(false, Ordering::Release);
        Some(index)
    }

    /// Whether children of this round are left to pop.
    pub(crate) fn round_left(&self) -> bool {
        self.pos < self.batch.len()
    }

    /// The waker to poll child `index` with.
    pub(crate) fn waker(&self, index: usize) -> &Waker {
        &self.wakers[index]
    }

    /// Forgets the batch (the combinator finished and will not poll again).
    pub(crate) fn clear(&mut self) {
        self.batch.clear();
        self.pos = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_poll_sees_every_slot_then_only_woken_ones() {
        let mut set = ReadySet::with_len(3);
        let cx = Context::from_waker(Waker::noop());
        set.start_poll(&cx);
        let first: Vec<_> = std::iter::from_fn(|| set.pop()).collect();
        assert_eq!(first, [0, 1, 2]);

        set.waker(2).wake_by_ref();
        set.waker(2).wake_by_ref(); // a second wake before the poll is absorbed
        set.waker(0).wake_by_ref();
        set.start_poll(&cx);
        let second: Vec<_> = std::iter::from_fn(|| set.pop()).collect();
        assert_eq!(second, [2, 0]);
    }

    #[test]
    fn wake_during_poll_lands_in_the_next_round() {
        let mut set = ReadySet::with_len(1);
        let cx = Context::from_waker(Waker::noop());
        set.start_poll(&cx);
        assert_eq!(set.pop(), Some(0));
        set.waker(0).wake_by_ref(); // the child woke itself while being polled
        assert_eq!(set.pop(), None);
        set.start_poll(&cx);
        assert_eq!(set.pop(), Some(0));
    }

    #[test]
    fn wake_wakes_the_parent_once() {
        use std::sync::atomic::AtomicUsize;
        struct Count(AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let parent = Waker::from(count.clone());
        let mut set = ReadySet::with_len(2);
        set.start_poll(&Context::from_waker(&parent));
        while set.pop().is_some() {}
        set.waker(0).wake_by_ref();
        set.waker(1).wake_by_ref();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn reused_slot_is_queued_again() {
        let mut set = ReadySet::new();
        let cx = Context::from_waker(Waker::noop());
        set.insert(0);
        set.start_poll(&cx);
        assert_eq!(set.pop(), Some(0));
        assert_eq!(set.pop(), None);
        set.insert(0);
        set.insert(1);
        set.start_poll(&cx);
        let got: Vec<_> = std::iter::from_fn(|| set.pop()).collect();
        assert_eq!(got, [1, 0]);
    }
}
