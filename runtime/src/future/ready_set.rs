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
//! 1. A child's index is in the ready list (shared or local batch) at most once.
//!    A slot gets its node (and waker) the first time its child is polled with a
//!    waker; until then nothing but the parent can queue it, which it does once,
//!    when a child is put in the slot. From then on the node's `queued` flag is set
//!    by whoever pushes the index and cleared by the parent just before it polls
//!    that child, so a wake that arrives during the poll queues it again and no
//!    wake-up is lost. (A `JoinSet` polls a finished task's handle with no waker at
//!    all, so a task that is done before it is joined never costs a node.)
//! 2. `next` takes the shared list only when the local batch has run dry, and only
//!    *after* registering the parent's waker, so a wake racing with a poll either
//!    lands in the batch or wakes the parent again. A parent returns `Pending` for
//!    want of work only after `next` said `None`, that is after this registration.
//! 3. `next` takes the shared list at most once per parent poll (`begin_poll` allows
//!    it again), so one poll of the parent always ends, even if a child wakes itself
//!    whenever polled. Under [`Repoll::Never`] (the combinators) a child is polled at
//!    most once per parent poll: if the list arrives after children were polled, it
//!    waits in the batch for the next poll, and the parent wakes itself so that there
//!    is one. Under [`Repoll::Once`] (`JoinSet`, whose children are join handles that
//!    wake themselves only when the budget is spent, which it checks first) the list
//!    is polled in the same poll, so a task that finished meanwhile is joined at once.
//!    A round cut short (an output ended it, or the budget ran out) keeps the rest of
//!    its batch for the next poll, and a parent that still has a batch to work
//!    through takes no lock at all.
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

/// The parent's side: each slot's waker (once it has one), plus the batch being
/// polled.
pub(crate) struct ReadySet {
    shared: Arc<Shared>,
    /// One per slot, `None` until the slot's child is first polled with a waker
    /// (invariant 1).
    slots: Vec<Option<SlotWaker>>,
    /// Indices to poll; those from `pos` on are not yet polled (invariant 3).
    batch: Vec<usize>,
    pos: usize,
    /// Whether this parent poll already took the shared list (invariant 2).
    refilled: bool,
    /// Whether this parent poll already polled a child.
    polled: bool,
    /// The owner's rule for children woken during a parent poll (invariant 3).
    repoll: Repoll,
}

/// Whether a child woken during a parent poll may be polled again in that same poll
/// (invariant 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repoll {
    /// At most one poll per child per parent poll (a child that yields lets the
    /// parent's task yield too).
    Never,
    /// Children woken during the poll are polled again once, in the same poll.
    Once,
}

/// A slot's node and the waker made from it.
struct SlotWaker {
    node: Arc<Node>,
    waker: Waker,
}

/// What the children's wakers share with the parent.
struct Shared {
    inner: Mutex<Inner>,
}

struct Inner {
    /// Indices woken since the parent last took the list.
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
    /// A set with no slots, polled under `repoll`.
    pub(crate) fn new(repoll: Repoll) -> ReadySet {
        ReadySet {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner {
                    ready: Vec::new(),
                    parent: None,
                }),
            }),
            slots: Vec::new(),
            batch: Vec::new(),
            pos: 0,
            refilled: false,
            polled: false,
            repoll,
        }
    }

    /// A set of `n` slots, all queued so that the first poll polls every child.
    pub(crate) fn with_len(n: usize, repoll: Repoll) -> ReadySet {
        let mut set = ReadySet::new(repoll);
        set.slots.resize_with(n, || None);
        set.batch.extend(0..n);
        set
    }

    /// Makes slot `index` ready to be polled (a new child was put there). Slots must
    /// be added in order: `index` is at most the number of slots so far.
    pub(crate) fn insert(&mut self, index: usize) {
        if index == self.slots.len() {
            self.slots.push(None);
            self.batch.push(index);
            return;
        }
        match &self.slots[index] {
            // A reused slot with a waker: queue it through the waker, which keeps
            // invariant 1 against a late wake of its former child.
            Some(slot) => slot.waker.wake_by_ref(),
            // Without one, nothing but this call can queue it, and its former child
            // left the batch when it was polled for the last time.
            None => self.batch.push(index),
        }
    }

    /// Starts a poll of the parent: the next `next` that finds the batch empty may
    /// take the shared list once more (invariants 2 and 3).
    pub(crate) fn begin_poll(&mut self) {
        self.refilled = false;
        self.polled = false;
    }

    /// The next child to poll, or `None` when nothing is left for this parent poll;
    /// the parent's waker is then registered. Clears the child's `queued` flag, so a
    /// wake during its poll queues it again.
    pub(crate) fn next(&mut self, cx: &Context<'_>) -> Option<usize> {
        if self.pos == self.batch.len() {
            if self.refilled {
                return None;
            }
            self.refill(cx);
            if self.polled && self.repoll == Repoll::Never && self.pos < self.batch.len() {
                // Some of these may have been polled in this poll already: they wait
                // for the next one, which this wake makes sure of.
                cx.waker().wake_by_ref();
                return None;
            }
        }
        let index = *self.batch.get(self.pos)?;
        self.pos += 1;
        self.polled = true;
        if let Some(slot) = &self.slots[index] {
            slot.node.queued.store(false, Ordering::Release);
        }
        Some(index)
    }

    /// Registers the parent's waker, then moves the shared list into the (empty)
    /// batch (invariant 2).
    fn refill(&mut self, cx: &Context<'_>) {
        self.refilled = true;
        let mut inner = self.shared.lock();
        match &inner.parent {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => inner.parent = Some(cx.waker().clone()),
        }
        // Swap buffers so neither side reallocates in the steady state.
        self.batch.clear();
        self.pos = 0;
        std::mem::swap(&mut self.batch, &mut inner.ready);
    }

    /// Whether children already in the batch are left to poll.
    pub(crate) fn round_left(&self) -> bool {
        self.pos < self.batch.len()
    }

    /// The waker to poll child `index` with, made the first time it is asked for.
    /// The child was just returned by `next`, so its flag starts cleared.
    pub(crate) fn waker(&mut self, index: usize) -> &Waker {
        let shared = &self.shared;
        let slot = self.slots[index].get_or_insert_with(|| {
            let node = Arc::new(Node {
                index,
                queued: AtomicBool::new(false),
                shared: shared.clone(),
            });
            SlotWaker {
                waker: Waker::from(node.clone()),
                node,
            }
        });
        &slot.waker
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

    fn drain(set: &mut ReadySet, cx: &Context<'_>) -> Vec<usize> {
        set.begin_poll();
        std::iter::from_fn(|| set.next(cx)).collect()
    }

    /// Counts its wakes.
    struct Count(std::sync::atomic::AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A parent waker and the count of its wakes.
    fn counting_waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(std::sync::atomic::AtomicUsize::new(0)));
        (count.clone(), Waker::from(count))
    }

    #[test]
    fn first_poll_sees_every_slot_then_only_woken_ones() {
        let mut set = ReadySet::with_len(3, Repoll::Once);
        let cx = Context::from_waker(Waker::noop());
        assert_eq!(drain(&mut set, &cx), [0, 1, 2]);

        set.waker(2).wake_by_ref();
        set.waker(2).wake_by_ref(); // a second wake before the poll is absorbed
        set.waker(0).wake_by_ref();
        assert_eq!(drain(&mut set, &cx), [2, 0]);
    }

    #[test]
    fn under_never_a_child_woken_during_the_poll_waits_for_the_next_one() {
        let (count, parent) = counting_waker();
        let cx = Context::from_waker(&parent);
        let mut set = ReadySet::with_len(1, Repoll::Never);
        set.begin_poll();
        assert_eq!(set.next(&cx), Some(0));
        set.waker(0).wake_by_ref(); // the child yielded: woke itself while polled
        assert_eq!(set.next(&cx), None);
        assert_eq!(count.0.load(Ordering::SeqCst), 1, "the parent woke itself");
        set.begin_poll();
        assert_eq!(set.next(&cx), Some(0));
        assert_eq!(set.next(&cx), None);
    }

    #[test]
    fn wake_during_poll_is_seen_once_more_in_this_poll_then_in_the_next() {
        let mut set = ReadySet::with_len(1, Repoll::Once);
        let cx = Context::from_waker(Waker::noop());
        set.begin_poll();
        assert_eq!(set.next(&cx), Some(0));
        set.waker(0).wake_by_ref(); // the child woke itself while being polled
        assert_eq!(set.next(&cx), Some(0)); // the batch ran dry: one refill
        set.waker(0).wake_by_ref(); // and again
        assert_eq!(set.next(&cx), None); // no second refill: the poll ends
        assert_eq!(drain(&mut set, &cx), [0]);
    }

    #[test]
    fn wake_wakes_the_parent_once() {
        let (count, parent) = counting_waker();
        let mut set = ReadySet::with_len(2, Repoll::Once);
        assert_eq!(drain(&mut set, &Context::from_waker(&parent)), [0, 1]);
        set.waker(0).wake_by_ref();
        set.waker(1).wake_by_ref();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn parent_waker_is_registered_only_once_the_batch_runs_dry() {
        let (count, parent) = counting_waker();
        let cx = Context::from_waker(&parent);
        let mut set = ReadySet::with_len(2, Repoll::Once);
        set.begin_poll();
        assert_eq!(set.next(&cx), Some(0));
        // Slot 0's child wakes before the parent has registered: the index waits in
        // the shared list and the refill at the end of the batch picks it up.
        set.waker(0).wake_by_ref();
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
        assert_eq!(set.next(&cx), Some(1));
        assert_eq!(set.next(&cx), Some(0));
        assert_eq!(set.next(&cx), None);
        set.waker(1).wake_by_ref();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn reused_slot_is_queued_again() {
        let mut set = ReadySet::new(Repoll::Once);
        let cx = Context::from_waker(Waker::noop());
        set.insert(0);
        assert_eq!(drain(&mut set, &cx), [0]);
        // Slot 0 never got a waker: reusing it queues it directly.
        set.insert(0);
        set.insert(1);
        assert_eq!(drain(&mut set, &cx), [0, 1]);
        // Slot 1 got one: reusing it goes through the shared list (a late wake of
        // its former child could be there too, and must not queue it twice).
        set.waker(1);
        set.insert(1);
        set.waker(1).wake_by_ref();
        set.insert(2);
        assert_eq!(drain(&mut set, &cx), [2, 1]);
    }
}
