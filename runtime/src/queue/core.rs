//! The one queue core behind [`Queue`](super::Queue), [`PriorityQueue`](super::PriorityQueue)
//! and [`LifoQueue`](super::LifoQueue), generic over the storage discipline.
//!
//! A core keeps its items one of two ways. A bounded FIFO queue of at most
//! [`MAX_RING`] items keeps them in a lock-free [`Ring`] (`ring.rs`): a put or get that
//! neither waits nor wakes anybody takes no lock. Every other queue (unbounded, LIFO,
//! priority, or a larger bound) keeps them in its storage discipline behind the lock,
//! with the protocol below. Both share the waiter lists, the lock that guards them, and
//! the counting of unfinished items (rule 4).
//!
//! # Protocol of the locked store
//!
//! Everything sits behind one `crate::loom::Mutex`: the items, the `closed` flag and
//! three waiter lists (getters, putters, joiners).
//!
//! 1. **Direct hand-off.** Waiting getters imply an empty store; waiting putters imply a
//!    full one (counting reserved slots). A `put` that finds a getter waiting gives the
//!    item straight to the first getter's node; a `get` that frees a slot reserves it for
//!    the first waiting putter (`reserved`), which moves its item in when it next runs.
//!    So waiters are served in arrival order, and a woken waiter never competes again.
//! 2. **Outcomes live in the nodes.** Whoever unlinks a waiter records its outcome in
//!    the node (item delivered, item accepted, closed) and takes its waker under the
//!    lock, then wakes it after dropping the lock. A woken `Get` reads its item through
//!    the node's `done` flag (waiters rule 4), without taking the lock again.
//! 3. **Cancel never loses an item.** A `Get` dropped after an item was delivered to it
//!    passes the item to the next waiting getter, or puts it back at the front of the
//!    store (which may leave a bounded store one over capacity until the next `get`). A
//!    `Put` keeps its item until it completes, so a dropped `Put` never put anything;
//!    a slot reserved for it passes to the next waiting putter or is freed.
//! 4. **Counting** (both stores). Two counters only grow: items *accepted* (the ring's
//!    claimed positions, or `accepted`, bumped under the lock before the item can be
//!    taken) and items *done* (`task_done` calls plus items `close_now` dropped). The
//!    unfinished count is their difference. A `task_done` that brings `done` up to
//!    `accepted` releases every joiner that linked while `done` was lower (`JoinSlot`);
//!    joiners link under the lock in order, so their `seen` values never decrease. A
//!    put that races the last `task_done` may be counted before it, and then the
//!    joiners wait for the next time the count reaches zero.
//! 5. **Close.** `close` sets `closed` and fails every waiting putter (item returned)
//!    and getter (the store is empty when getters wait). Later puts fail at once; gets
//!    drain the store, then fail. `close_now` also empties the store, counting each
//!    dropped item as done (asyncio's `shutdown(immediate=True)`), which releases
//!    `join` once the items already taken are done.
//!
//! # Protocol of the ring store
//!
//! The ring owns the items and two position words whose flags say who is lined up
//! (`ring.rs`, rules 4–6); the core keeps the waiter lists under its lock and sets
//! and clears those flags under the same lock, so that "a list is non-empty" and "its
//! flags are set" change together.
//!
//! 6. **Wake one, who looks again.** A put that claimed a position while a getter was
//!    lined up unlinks the first getter, marks it `Woken` and wakes it; a get likewise
//!    wakes the first putter. A woken waiter owns no item or slot: it tries the ring
//!    again, ahead of newcomers (`respect_line = false`). If it finds nothing (a
//!    newcomer got in while the line was empty), it links again at the *front*.
//! 7. **Only the first in line checks before sleeping.** A waiter that links as the
//!    first of its list lines up in the ring (ring rule 5) and sleeps only if the ring
//!    is still full (empty); otherwise it unlinks itself and tries again. A waiter
//!    that links behind others sleeps at once: the flags have been set since the
//!    first one lined up, so every claim since then wakes someone ahead of it.
//! 8. **Cancel passes the wake on.** A `Get` or `Put` dropped after it was woken and
//!    before it looked again wakes the next waiter in its place; one dropped while
//!    still linked unlinks itself, clearing the flags if its list is left empty. A
//!    dropped `Get` never took anything, a dropped `Put` never put anything.
//! 9. **Close.** `close` sets `closed`, closes the ring, then unlinks and wakes every
//!    waiter: woken putters fail, woken getters drain what is left and then fail.

use super::error::{GetError, PutError, TaskDoneError, TryGetError, TryPutError};
use super::ring::{Lined, MAX_RING, Pop, Push, Ring, Side};
use super::storage::Storage;
use crate::loom::atomic::{AtomicU64, Ordering};
use crate::loom::{Mutex, MutexGuard};
use crate::runtime::park;
use crate::sync::waiters::{WaitList, Waiter, WakeList};
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};

/// A getter's node: what it was handed.
#[derive(Debug)]
pub(crate) enum GetSlot<T> {
    Waiting,
    Item(T),
    Closed,
    /// Ring store: woken to look at the ring again (rule 6).
    Woken,
}

/// A putter's node; the item itself stays in the `Put` future.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PutSlot {
    Waiting,
    /// A slot is reserved for this putter (counted in `State::reserved`).
    Reserved,
    /// Closed while waiting.
    Closed,
    /// Ring store: woken to try the ring again (rule 6).
    Woken,
}

struct State<T, S> {
    /// The locked store's items (always empty with a ring).
    items: S,
    closed: bool,
    getters: WaitList<GetSlot<T>>,
    putters: WaitList<PutSlot>,
    /// Slots freed by a `get` and reserved for a woken putter (rule 1; locked store).
    reserved: usize,
    joiners: WaitList<JoinSlot>,
}

/// A joiner's node.
#[derive(Debug)]
pub(crate) struct JoinSlot {
    /// The `done` count when the joiner linked; a `task_done` that reaches zero at a
    /// higher count releases it (rule 4).
    seen: u64,
    released: bool,
}

impl<T, S: Storage<T>> State<T, S> {
    /// Accepts `item` (the queue is open and not full): counts it, then hands it to the
    /// first getter or stores it (rules 1, 4). Returns the getter's waker.
    fn accept(&mut self, item: T, accepted: &AtomicU64) -> Option<Waker> {
        accepted.fetch_add(1, Ordering::Release);
        let mut item = Some(item);
        match self
            .getters
            .pop_front_with(|slot| *slot = GetSlot::Item(item.take().unwrap()))
        {
            Some(waker) => waker,
            None => {
                self.items.push(item.take().unwrap());
                None
            }
        }
    }

    /// Takes the next item and reserves the freed slot for the first putter (rule 1).
    fn take(&mut self) -> Option<(T, Option<Waker>)> {
        let item = self.items.pop()?;
        let waker = self.reserve_for_next_putter();
        Some((item, waker))
    }

    /// Reserves a free slot for the first waiting putter, if any; returns its waker.
    fn reserve_for_next_putter(&mut self) -> Option<Waker> {
        let waker = self
            .putters
            .pop_front_with(|slot| *slot = PutSlot::Reserved)?;
        self.reserved += 1;
        waker
    }

    fn is_full(&self, capacity: Option<usize>) -> bool {
        capacity.is_some_and(|c| self.items.len() + self.reserved >= c)
    }
}

struct Core<T, S: Storage<T>> {
    capacity: Option<usize>,
    /// The lock-free store of a bounded FIFO queue of at most [`MAX_RING`] items.
    ring: Option<Ring<T>>,
    /// Items accepted by the locked store (rule 4); a ring counts its own.
    accepted: AtomicU64,
    /// Items marked done, or dropped by `close_now` (rule 4).
    done: AtomicU64,
    state: Mutex<State<T, S>>,
}

impl<T, S: Storage<T>> Core<T, S> {
    fn lock(&self) -> MutexGuard<'_, State<T, S>> {
        self.state.lock()
    }

    /// Items ever accepted (rule 4).
    fn accepted(&self) -> u64 {
        match &self.ring {
            Some(ring) => ring.claimed(),
            None => self.accepted.load(Ordering::Acquire),
        }
    }

    /// Items accepted and not yet done.
    fn unfinished(&self) -> u64 {
        // `done` first: `accepted` only grows and is never below `done`, so the
        // difference is one the queue really had at some instant.
        let done = self.done.load(Ordering::Acquire);
        self.accepted().saturating_sub(done)
    }

    /// Marks `n` items done; if that brings the count to zero, releases every joiner
    /// that linked while fewer were done (rule 4), batch by batch without the lock.
    fn finish(&self, n: u64) {
        if n != 0 {
            let done = self.done.fetch_add(n, Ordering::AcqRel) + n;
            self.release_if_idle(done);
        }
    }

    /// After `done` reached `done`: if that is every item accepted, releases the
    /// joiners that linked while fewer were done (rule 4).
    fn release_if_idle(&self, done: u64) {
        if self.accepted() != done {
            return;
        }
        let mut wakers = WakeList::new();
        let mut state = self.lock();
        loop {
            while !wakers.is_full() {
                let Some(front) = state.joiners.front() else {
                    break;
                };
                // SAFETY: `front` is linked in our list; we hold its lock.
                let seen = unsafe { state.joiners.with_node(front, |n| n.data.seen) };
                if seen >= done {
                    // Linked after the count reached zero: waits for the next time.
                    break;
                }
                wakers.push(
                    state
                        .joiners
                        .pop_front_with(|j| j.released = true)
                        .flatten(),
                );
            }
            if !wakers.is_full() {
                break;
            }
            drop(state);
            wakers.wake_all();
            state = self.lock();
        }
        drop(state);
        wakers.wake_all();
    }

    /// Ring store: wakes the first lined-up getter, because a put claimed a position
    /// while it was lined up (rule 6).
    fn wake_getter(&self, ring: &Ring<T>) {
        let waker = leave_line(
            ring,
            Side::Getters,
            &mut self.lock().getters,
            Some(GetSlot::Woken),
        );
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Ring store: wakes the first lined-up putter, because a get freed a slot while
    /// it was lined up (rule 6).
    fn wake_putter(&self, ring: &Ring<T>) {
        let waker = leave_line(
            ring,
            Side::Putters,
            &mut self.lock().putters,
            Some(PutSlot::Woken),
        );
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// Ring store: after a waiter left `list` (woken, retrying or dropped), unlinks the
/// first one and marks it `wake` if given (rule 6), and clears `side`'s flags if the
/// list is left empty. Returns the waker to wake once the lock is dropped.
fn leave_line<T, D>(
    ring: &Ring<T>,
    side: Side,
    list: &mut WaitList<D>,
    wake: Option<D>,
) -> Option<Waker> {
    let waker = wake.and_then(|woken| list.pop_front_with(|slot| *slot = woken).flatten());
    if list.is_empty() {
        ring.gone(side);
    }
    waker
}

/// Ring store (rule 7): links the node at `ptr` as `waiting` with `waker` — back at the
/// front if it was `in_line` — and, if it is now first, lines it up in the ring.
/// Returns `false` if the ring changed since the caller looked: the node is unlinked
/// again, and the caller tries the ring once more instead of sleeping.
///
/// # Safety
///
/// As for [`WaitList::push_back`]: the node is unlinked and pinned, and its owner
/// unlinks it under the same lock before it is freed.
unsafe fn line_up<T, D>(
    ring: &Ring<T>,
    side: Side,
    list: &mut WaitList<D>,
    ptr: NonNull<Waiter<D>>,
    waiting: D,
    waker: &Waker,
    in_line: bool,
) -> bool {
    // SAFETY: forwarded from the caller.
    unsafe {
        list.with_node(ptr, |n| {
            n.data = waiting;
            n.set_waker(waker);
        });
        if in_line {
            // Back to the front: it keeps its place in line (rule 6).
            list.push_front(ptr);
        } else {
            list.push_back(ptr);
        }
    }
    if list.front() != Some(ptr) || ring.line_up(side) == Lined::Wait {
        return true;
    }
    // Room, an item or a close since the caller looked: do not sleep.
    // SAFETY: linked just above; the caller holds the lock.
    unsafe { list.remove(ptr) };
    drop(leave_line(ring, side, list, None));
    false
}

/// An asyncio-style queue with storage discipline `S`; use it through the aliases
/// [`Queue`](super::Queue) (FIFO), [`LifoQueue`](super::LifoQueue) and
/// [`PriorityQueue`](super::PriorityQueue).
///
/// Handles are cheap to clone and all refer to the same queue: any number of producers
/// and consumers, tasks or plain threads, can share it. Waiting putters and getters
/// are let in in the order they started to wait, and a newcomer does not overtake
/// them.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// use weft::queue::Queue;
///
/// let q = Queue::bounded(8);
/// let producer = q.clone();
/// let t = std::thread::spawn(move || {
///     for i in 0..100 {
///         producer.put_blocking(i).unwrap();
///     }
/// });
/// let mut sum = 0;
/// block_on(async {
///     for _ in 0..100 {
///         sum += q.get().await.unwrap();
///         q.task_done().unwrap();
///     }
///     q.join().await;
/// });
/// t.join().unwrap();
/// assert_eq!(sum, 4950);
/// ```
pub struct GenericQueue<T, S: Storage<T>> {
    core: Arc<Core<T, S>>,
}

impl<T, S: Storage<T>> Clone for GenericQueue<T, S> {
    fn clone(&self) -> Self {
        Self {
            core: self.core.clone(),
        }
    }
}

impl<T, S: Storage<T>> GenericQueue<T, S> {
    fn with_capacity(capacity: Option<usize>) -> Self {
        let ring = capacity
            .filter(|&c| S::FIFO && c <= MAX_RING)
            .map(Ring::new);
        Self::with_store(capacity, ring)
    }

    /// A bounded queue that keeps the locked store whatever its discipline, so that
    /// tests can run one model on both stores.
    #[cfg(test)]
    pub(crate) fn bounded_locked(capacity: usize) -> Self {
        Self::with_store(Some(capacity), None)
    }

    fn with_store(capacity: Option<usize>, ring: Option<Ring<T>>) -> Self {
        Self {
            core: Arc::new(Core {
                capacity,
                ring,
                accepted: AtomicU64::new(0),
                done: AtomicU64::new(0),
                state: Mutex::new(State {
                    items: S::default(),
                    closed: false,
                    getters: WaitList::new(),
                    putters: WaitList::new(),
                    reserved: 0,
                    joiners: WaitList::new(),
                }),
            }),
        }
    }

    /// Creates an unbounded queue (same as [`unbounded`](Self::unbounded)).
    ///
    /// ```
    /// let q = weft::queue::Queue::<u8>::new();
    /// assert_eq!(q.capacity(), None);
    /// ```
    pub fn new() -> Self {
        Self::with_capacity(None)
    }

    /// Creates a queue with no capacity limit: `put` never waits.
    ///
    /// ```
    /// let q = weft::queue::Queue::unbounded();
    /// for i in 0..1000 {
    ///     q.try_put(i).unwrap();
    /// }
    /// assert_eq!(q.len(), 1000);
    /// ```
    pub fn unbounded() -> Self {
        Self::with_capacity(None)
    }

    /// Creates a queue holding at most `capacity` items: `put` waits while it is full.
    ///
    /// A FIFO [`Queue`](super::Queue) of at most 65 536 items allocates its slots up
    /// front and puts and gets without a lock; larger bounds, LIFO and priority queues
    /// keep their items behind a lock and grow as needed.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0 (use a `oneshot` or `Notify` for a rendezvous).
    ///
    /// ```
    /// let q = weft::queue::Queue::bounded(2);
    /// q.try_put(1).unwrap();
    /// q.try_put(2).unwrap();
    /// assert!(q.is_full());
    /// ```
    pub fn bounded(capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "a bounded queue needs a capacity of at least 1"
        );
        Self::with_capacity(Some(capacity))
    }

    /// The capacity limit, or `None` if unbounded.
    ///
    /// ```
    /// assert_eq!(weft::queue::Queue::<u8>::bounded(3).capacity(), Some(3));
    /// ```
    pub fn capacity(&self) -> Option<usize> {
        self.core.capacity
    }

    /// How many items are queued.
    ///
    /// ```
    /// let q = weft::queue::Queue::new();
    /// q.try_put('a').unwrap();
    /// assert_eq!(q.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        match &self.core.ring {
            Some(ring) => ring.len(),
            None => self.core.lock().items.len(),
        }
    }

    /// Whether no items are queued.
    ///
    /// ```
    /// assert!(weft::queue::Queue::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether a bounded queue is at capacity (never true when unbounded).
    ///
    /// ```
    /// let q = weft::queue::Queue::bounded(1);
    /// assert!(!q.is_full());
    /// q.try_put(()).unwrap();
    /// assert!(q.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        match &self.core.ring {
            Some(ring) => Some(ring.len()) >= self.core.capacity,
            None => self.core.lock().is_full(self.core.capacity),
        }
    }

    /// Whether [`close`](Self::close) or [`close_now`](Self::close_now) was called.
    ///
    /// ```
    /// let q = weft::queue::Queue::<u8>::new();
    /// q.close();
    /// assert!(q.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        match &self.core.ring {
            Some(ring) => ring.is_closed(),
            None => self.core.lock().closed,
        }
    }

    /// Puts `item` without waiting.
    ///
    /// ```
    /// use weft::queue::{Queue, TryPutError};
    /// let q = Queue::bounded(1);
    /// assert!(q.try_put(1).is_ok());
    /// assert_eq!(q.try_put(2), Err(TryPutError::Full(2)));
    /// ```
    pub fn try_put(&self, item: T) -> Result<(), TryPutError<T>> {
        if let Some(ring) = &self.core.ring {
            // Putters lined up count as full: a newcomer never overtakes them.
            return match ring.push(item, true) {
                Push::Stored { wake_getter } => {
                    if wake_getter {
                        self.core.wake_getter(ring);
                    }
                    Ok(())
                }
                Push::Full(item) => Err(TryPutError::Full(item)),
                Push::Closed(item) => Err(TryPutError::Closed(item)),
            };
        }
        let mut state = self.core.lock();
        if state.closed {
            return Err(TryPutError::Closed(item));
        }
        if state.is_full(self.core.capacity) {
            return Err(TryPutError::Full(item));
        }
        let waker = state.accept(item, &self.core.accepted);
        drop(state);
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Takes the next item without waiting.
    ///
    /// ```
    /// use weft::queue::{Queue, TryGetError};
    /// let q = Queue::new();
    /// q.try_put(1).unwrap();
    /// assert_eq!(q.try_get(), Ok(1));
    /// assert_eq!(q.try_get(), Err(TryGetError::Empty));
    /// ```
    pub fn try_get(&self) -> Result<T, TryGetError> {
        if let Some(ring) = &self.core.ring {
            // Getters lined up count as empty: a newcomer never overtakes them.
            return match ring.pop(true) {
                Pop::Item { value, wake_putter } => {
                    if wake_putter {
                        self.core.wake_putter(ring);
                    }
                    Ok(value)
                }
                Pop::Empty => Err(TryGetError::Empty),
                Pop::Closed => Err(TryGetError::Closed),
            };
        }
        let mut state = self.core.lock();
        match state.take() {
            Some((item, waker)) => {
                drop(state);
                if let Some(w) = waker {
                    w.wake();
                }
                Ok(item)
            }
            None if state.closed => Err(TryGetError::Closed),
            None => Err(TryGetError::Empty),
        }
    }

    /// Puts `item`, waiting while a bounded queue is full. Fails at once, returning the
    /// item, if the queue is closed (also while waiting).
    ///
    /// # Cancel safety
    ///
    /// The item is put exactly when the future returns `Ok`. Dropping the future
    /// earlier puts nothing and drops the item with it; a slot that was already freed
    /// for it passes to the next waiting putter, and the other waiters keep their order.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let q = weft::queue::Queue::bounded(1);
    /// block_on(q.put(5)).unwrap();
    /// assert_eq!(q.try_get(), Ok(5));
    /// ```
    pub fn put(&self, item: T) -> Put<'_, T, S> {
        Put {
            core: &self.core,
            item: Some(item),
            queued: false,
            waiter: Waiter::new(PutSlot::Waiting),
        }
    }

    /// Takes the next item, waiting while the queue is empty. After `close`, drains what
    /// is left, then fails with [`GetError`].
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: no item is lost. If the future is dropped after an item was handed
    /// to it, the item goes to the next waiting getter or back to the front of the
    /// queue; if it was only woken to take one, the next waiting getter is woken instead.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let q = weft::queue::PriorityQueue::new();
    /// q.try_put(3).unwrap();
    /// q.try_put(1).unwrap();
    /// assert_eq!(block_on(q.get()), Ok(1));
    /// ```
    pub fn get(&self) -> Get<'_, T, S> {
        Get {
            core: &self.core,
            queued: false,
            waiter: Waiter::new(GetSlot::Waiting),
        }
    }

    /// [`put`](Self::put) for plain threads: blocks the thread until there is room.
    ///
    /// # Panics
    ///
    /// If called on a thread that is running weft tasks (use `put().await` there).
    ///
    /// ```
    /// let q = weft::queue::Queue::bounded(1);
    /// let q2 = q.clone();
    /// let t = std::thread::spawn(move || q2.put_blocking(7).unwrap());
    /// t.join().unwrap();
    /// assert_eq!(q.try_get(), Ok(7));
    /// ```
    pub fn put_blocking(&self, item: T) -> Result<(), PutError<T>> {
        crate::runtime::context::assert_can_block("Queue::put_blocking");
        park::block_on(self.put(item))
    }

    /// [`get`](Self::get) for plain threads: blocks the thread until an item comes.
    ///
    /// # Panics
    ///
    /// If called on a thread that is running weft tasks (use `get().await` there).
    ///
    /// ```
    /// let q = weft::queue::LifoQueue::new();
    /// q.try_put(1).unwrap();
    /// q.try_put(2).unwrap();
    /// assert_eq!(q.get_blocking(), Ok(2));
    /// ```
    pub fn get_blocking(&self) -> Result<T, GetError> {
        crate::runtime::context::assert_can_block("Queue::get_blocking");
        park::block_on(self.get())
    }

    /// Marks one item taken with `get` as processed; when every item put has been
    /// marked, [`join`](Self::join) completes.
    ///
    /// ```
    /// let q = weft::queue::Queue::new();
    /// q.try_put(1).unwrap();
    /// q.try_get().unwrap();
    /// assert!(q.task_done().is_ok());
    /// assert!(q.task_done().is_err());
    /// ```
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        let core = &self.core;
        let mut done = core.done.load(Ordering::Acquire);
        // Count one more done, unless every item accepted is done already.
        loop {
            if done >= core.accepted() {
                return Err(TaskDoneError(()));
            }
            match core.done.compare_exchange_weak(
                done,
                done + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => done = actual,
            }
        }
        core.release_if_idle(done + 1);
        Ok(())
    }

    /// Waits until every item put has been marked done with
    /// [`task_done`](Self::task_done) (completes at once if none is unfinished).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future only gives up waiting.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let q = weft::queue::Queue::new();
    /// q.try_put(1).unwrap();
    /// let worker = q.clone();
    /// std::thread::spawn(move || {
    ///     worker.get_blocking().unwrap();
    ///     worker.task_done().unwrap();
    /// });
    /// block_on(q.join());
    /// ```
    pub fn join(&self) -> Join<'_, T, S> {
        Join {
            core: &self.core,
            queued: false,
            waiter: Waiter::new(JoinSlot {
                seen: 0,
                released: false,
            }),
        }
    }

    /// Closes the queue: puts fail at once (the item is returned), waiting putters fail
    /// likewise, gets drain what is queued and then fail.
    ///
    /// ```
    /// let q = weft::queue::Queue::new();
    /// q.try_put(1).unwrap();
    /// q.close();
    /// assert!(q.try_put(2).is_err());
    /// assert_eq!(q.try_get(), Ok(1));
    /// assert!(q.try_get().is_err());
    /// ```
    pub fn close(&self) {
        drop(self.close_inner(false));
    }

    /// Closes the queue like [`close`](Self::close) and drops every queued item; each
    /// dropped item counts as done, so [`join`](Self::join) completes once the items
    /// already taken are marked done.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let q = weft::queue::Queue::new();
    /// q.try_put(1).unwrap();
    /// q.try_put(2).unwrap();
    /// q.close_now();
    /// assert!(q.is_empty());
    /// block_on(q.join());
    /// ```
    pub fn close_now(&self) {
        drop(self.close_inner(true));
    }

    /// Rule 5; returns the dropped items so the caller drops them without the lock.
    fn close_inner(&self, now: bool) -> S {
        let core = &*self.core;
        let mut wakers = WakeList::new();
        let mut state = core.lock();
        state.closed = true;
        if let Some(ring) = &core.ring {
            ring.close();
        }
        // The ring's waiters look again when woken (rule 9); the locked store's fail.
        let (put_mark, get_mark): (PutSlot, fn() -> GetSlot<T>) = match core.ring {
            Some(_) => (PutSlot::Woken, || GetSlot::Woken),
            None => (PutSlot::Closed, || GetSlot::Closed),
        };
        let dropped = if now {
            std::mem::take(&mut state.items)
        } else {
            S::default()
        };
        loop {
            let putters_done = state
                .putters
                .drain_into(&mut wakers, |slot| *slot = put_mark);
            let getters_done = putters_done
                && state
                    .getters
                    .drain_into(&mut wakers, |slot| *slot = get_mark());
            if getters_done {
                break;
            }
            // `closed` is set, so no new waiter links while the lock is dropped (a
            // ring waiter that lines up sees the ring closed and does not sleep).
            drop(state);
            wakers.wake_all();
            state = core.lock();
        }
        if let Some(ring) = &core.ring {
            ring.putters_gone();
            ring.getters_gone();
        }
        drop(state);
        wakers.wake_all();
        if now {
            let mut n = dropped.len() as u64;
            if let Some(ring) = &core.ring {
                // No claim follows the close, so this ends once the ring is drained.
                while let Pop::Item { value, .. } = ring.pop(false) {
                    drop(value);
                    n += 1;
                }
            }
            core.finish(n);
        }
        dropped
    }
}

impl<T, S: Storage<T>> Default for GenericQueue<T, S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, S: Storage<T>> fmt::Debug for GenericQueue<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Queue")
            .field("len", &self.len())
            .field("capacity", &self.core.capacity)
            .field("closed", &self.is_closed())
            .field("unfinished", &self.core.unfinished())
            .finish()
    }
}

/// The future returned by [`GenericQueue::put`].
///
/// ```
/// let q = weft::queue::Queue::new();
/// let _fut: weft::queue::Put<'_, u8, weft::queue::Fifo<u8>> = q.put(1);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Put<'a, T, S: Storage<T>> {
    core: &'a Core<T, S>,
    /// The item, until the future completes (rule 3).
    item: Option<T>,
    queued: bool,
    /// # Invariant
    ///
    /// Linked in `core.state.putters` only while `queued` and `Waiting`.
    waiter: Waiter<PutSlot>,
}

impl<T, S: Storage<T>> fmt::Debug for Put<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put").field("queued", &self.queued).finish()
    }
}

impl<T, S: Storage<T>> Put<'_, T, S> {
    fn poll_put(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), PutError<T>>> {
        let core = self.core;
        if let Some(ring) = &core.ring {
            return self.poll_put_ring(ring, cx);
        }
        let mut state = core.lock();
        let ptr = self.waiter.as_ptr();
        let reserved = if self.queued {
            // SAFETY: our node is linked in `putters` or unlinked by a getter or `close`;
            // we hold the lock (waiters rule 1).
            let slot = unsafe {
                state.putters.with_node(ptr, |n| {
                    if n.data == PutSlot::Waiting {
                        n.set_waker(cx.waker());
                    }
                    n.data
                })
            };
            match slot {
                PutSlot::Waiting => return Poll::Pending,
                PutSlot::Reserved => {
                    self.queued = false;
                    state.reserved -= 1;
                    true
                }
                PutSlot::Closed => {
                    self.queued = false;
                    false
                }
                PutSlot::Woken => unreachable!("only the ring store wakes putters to retry"),
            }
        } else {
            false
        };
        let item = self.item.take().expect("`Put` polled after completion");
        if state.closed {
            // A slot reserved for us just goes unused: nobody may put any more.
            return Poll::Ready(Err(PutError(item)));
        }
        if reserved || !state.is_full(core.capacity) {
            let waker = state.accept(item, &core.accepted);
            drop(state);
            if let Some(w) = waker {
                w.wake();
            }
            return Poll::Ready(Ok(()));
        }
        self.item = Some(item);
        // SAFETY: the node is unlinked and pinned; `Drop` unlinks it under this lock.
        unsafe {
            state.putters.with_node(ptr, |n| {
                n.data = PutSlot::Waiting;
                n.set_waker(cx.waker());
            });
            state.putters.push_back(ptr);
        }
        self.queued = true;
        Poll::Pending
    }

    /// The ring store's put (rules 6–7).
    fn poll_put_ring(
        &mut self,
        ring: &Ring<T>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), PutError<T>>> {
        let core = self.core;
        let ptr = self.waiter.as_ptr();
        // A putter that was lined up tries ahead of newcomers (rule 6).
        let mut in_line = false;
        if self.queued {
            let woken = match self.waiter.done_node(|n| n.data) {
                Some(_) => true,
                None => {
                    let mut state = core.lock();
                    // SAFETY: our node is linked in `putters` or unlinked by a getter or
                    // `close`; we hold the lock (waiters rule 1).
                    unsafe {
                        state.putters.with_node(ptr, |n| {
                            if n.data == PutSlot::Waiting {
                                n.set_waker(cx.waker());
                            }
                            n.data != PutSlot::Waiting
                        })
                    }
                }
            };
            if !woken {
                return Poll::Pending;
            }
            self.queued = false;
            in_line = true;
        }
        loop {
            let item = self.item.take().expect("`Put` polled after completion");
            match ring.push(item, !in_line) {
                Push::Stored { wake_getter } => {
                    if wake_getter {
                        core.wake_getter(ring);
                    }
                    return Poll::Ready(Ok(()));
                }
                Push::Closed(item) => return Poll::Ready(Err(PutError(item))),
                Push::Full(item) => self.item = Some(item),
            }
            let mut state = core.lock();
            let list = &mut state.putters;
            // SAFETY: the node is unlinked and pinned; `Drop` unlinks it under this lock.
            let sleep = unsafe {
                line_up(
                    ring,
                    Side::Putters,
                    list,
                    ptr,
                    PutSlot::Waiting,
                    cx.waker(),
                    in_line,
                )
            };
            if !sleep {
                in_line = true;
                continue;
            }
            self.queued = true;
            return Poll::Pending;
        }
    }
}

impl<T, S: Storage<T>> Future for Put<'_, T, S> {
    type Output = Result<(), PutError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: we never move out of the future; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let budget = ready!(coop::poll_proceed(cx));
        let res = ready!(this.poll_put(cx));
        budget.made_progress();
        Poll::Ready(res)
    }
}

impl<T, S: Storage<T>> Drop for Put<'_, T, S> {
    fn drop(&mut self) {
        if !self.queued {
            // Our item (if any) drops with us: it was never put (rule 3).
            return;
        }
        let mut state = self.core.lock();
        let ptr = self.waiter.as_ptr();
        // SAFETY: our node is linked in `putters` or unlinked by a getter or `close`; we
        // hold the lock.
        let slot = unsafe {
            state.putters.remove(ptr);
            state.putters.with_node(ptr, |n| n.data)
        };
        if let Some(ring) = &self.core.ring {
            // Woken and gone before trying: wake the next in our place (rule 8).
            let wake = (slot == PutSlot::Woken).then_some(PutSlot::Woken);
            let waker = leave_line(ring, Side::Putters, &mut state.putters, wake);
            drop(state);
            if let Some(w) = waker {
                w.wake();
            }
            return;
        }
        let waker = if slot == PutSlot::Reserved {
            // Pass the slot reserved for us to the next putter, or free it (rule 3).
            state.reserved -= 1;
            state.reserve_for_next_putter()
        } else {
            None
        };
        drop(state);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The future returned by [`GenericQueue::get`].
///
/// ```
/// let q = weft::queue::Queue::<u8>::new();
/// let _fut: weft::queue::Get<'_, u8, weft::queue::Fifo<u8>> = q.get();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Get<'a, T, S: Storage<T>> {
    core: &'a Core<T, S>,
    queued: bool,
    /// # Invariant
    ///
    /// Linked in `core.state.getters` only while `queued` and `Waiting`.
    waiter: Waiter<GetSlot<T>>,
}

impl<T, S: Storage<T>> fmt::Debug for Get<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get").field("queued", &self.queued).finish()
    }
}

impl<T, S: Storage<T>> Get<'_, T, S> {
    fn poll_get(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, GetError>> {
        let core = self.core;
        let ptr = self.waiter.as_ptr();
        let mut woken = false;
        if self.queued {
            // Served already? Read the outcome without the lock (waiters rule 4), or
            // under it if the waker has not let go of the node yet.
            let slot = match self
                .waiter
                .done_node(|n| std::mem::replace(&mut n.data, GetSlot::Waiting))
            {
                Some(slot) => slot,
                None => {
                    let mut state = core.lock();
                    // SAFETY: our node is linked in `getters` or unlinked by a putter or
                    // `close`; we hold the lock.
                    let slot = unsafe {
                        state.getters.with_node(ptr, |n| match n.data {
                            GetSlot::Waiting => {
                                n.set_waker(cx.waker());
                                None
                            }
                            _ => Some(std::mem::replace(&mut n.data, GetSlot::Waiting)),
                        })
                    };
                    match slot {
                        Some(slot) => slot,
                        None => return Poll::Pending,
                    }
                }
            };
            self.queued = false;
            match slot {
                GetSlot::Item(item) => return Poll::Ready(Ok(item)),
                GetSlot::Closed => return Poll::Ready(Err(GetError(()))),
                GetSlot::Woken => woken = true,
                GetSlot::Waiting => unreachable!("only a served getter is unlinked"),
            }
        }
        if let Some(ring) = &core.ring {
            return self.poll_get_ring(ring, woken, cx);
        }
        let mut state = core.lock();
        if let Some((item, waker)) = state.take() {
            drop(state);
            if let Some(w) = waker {
                w.wake();
            }
            return Poll::Ready(Ok(item));
        }
        if state.closed {
            return Poll::Ready(Err(GetError(())));
        }
        // SAFETY: the node is unlinked and pinned; `Drop` unlinks it under this lock.
        unsafe {
            state.getters.with_node(ptr, |n| n.set_waker(cx.waker()));
            state.getters.push_back(ptr);
        }
        self.queued = true;
        Poll::Pending
    }

    /// The ring store's get (rules 6–7); `in_line` if we were lined up and woken.
    fn poll_get_ring(
        &mut self,
        ring: &Ring<T>,
        mut in_line: bool,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, GetError>> {
        let core = self.core;
        let ptr = self.waiter.as_ptr();
        loop {
            match ring.pop(!in_line) {
                Pop::Item { value, wake_putter } => {
                    if wake_putter {
                        core.wake_putter(ring);
                    }
                    return Poll::Ready(Ok(value));
                }
                Pop::Closed => return Poll::Ready(Err(GetError(()))),
                Pop::Empty => {}
            }
            let mut state = core.lock();
            let list = &mut state.getters;
            // SAFETY: the node is unlinked and pinned; `Drop` unlinks it under this lock.
            let sleep = unsafe {
                line_up(
                    ring,
                    Side::Getters,
                    list,
                    ptr,
                    GetSlot::Waiting,
                    cx.waker(),
                    in_line,
                )
            };
            if !sleep {
                in_line = true;
                continue;
            }
            self.queued = true;
            return Poll::Pending;
        }
    }
}

impl<T, S: Storage<T>> Future for Get<'_, T, S> {
    type Output = Result<T, GetError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: we never move out of the future; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let budget = ready!(coop::poll_proceed(cx));
        let res = ready!(this.poll_get(cx));
        budget.made_progress();
        Poll::Ready(res)
    }
}

impl<T, S: Storage<T>> Drop for Get<'_, T, S> {
    fn drop(&mut self) {
        if !self.queued {
            return;
        }
        // Unlink, and pass on an item that was handed to us (rule 3).
        let mut state = self.core.lock();
        let ptr = self.waiter.as_ptr();
        // SAFETY: our node is linked in `getters` or unlinked by a putter or `close`; we
        // hold the lock.
        let slot = unsafe {
            state.getters.remove(ptr);
            state
                .getters
                .with_node(ptr, |n| std::mem::replace(&mut n.data, GetSlot::Waiting))
        };
        if let Some(ring) = &self.core.ring {
            // Woken and gone before looking: wake the next in our place (rule 8).
            let wake = matches!(slot, GetSlot::Woken).then_some(GetSlot::Woken);
            let waker = leave_line(ring, Side::Getters, &mut state.getters, wake);
            drop(state);
            if let Some(w) = waker {
                w.wake();
            }
            return;
        }
        if let GetSlot::Item(item) = slot {
            let mut item = Some(item);
            let waker = state
                .getters
                .pop_front_with(|next| *next = GetSlot::Item(item.take().unwrap()));
            if let Some(item) = item {
                state.items.unpop(item);
            }
            drop(state);
            if let Some(w) = waker.flatten() {
                w.wake();
            }
        }
    }
}

/// The future returned by [`GenericQueue::join`].
///
/// ```
/// let q = weft::queue::Queue::<u8>::new();
/// let _fut: weft::queue::Join<'_, u8, weft::queue::Fifo<u8>> = q.join();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Join<'a, T, S: Storage<T>> {
    core: &'a Core<T, S>,
    queued: bool,
    /// # Invariant
    ///
    /// Linked in `core.state.joiners` only while `queued` and not woken.
    waiter: Waiter<JoinSlot>,
}

impl<T, S: Storage<T>> fmt::Debug for Join<'_, T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join")
            .field("queued", &self.queued)
            .finish()
    }
}

impl<T, S: Storage<T>> Future for Join<'_, T, S> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: we never move out of the future; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let budget = ready!(coop::poll_proceed(cx));
        let mut state = this.core.lock();
        let ptr = this.waiter.as_ptr();
        if this.queued {
            // SAFETY: our node is linked in `joiners` or unlinked by `task_done`; we hold
            // the lock.
            let woken = unsafe {
                state.joiners.with_node(ptr, |n| {
                    if !n.data.released {
                        n.set_waker(cx.waker());
                    }
                    n.data.released
                })
            };
            if !woken {
                return Poll::Pending;
            }
            this.queued = false;
        } else {
            // `done` first, then `accepted` (rule 4); under the lock, so joiners link
            // in the order of the `done` counts they saw.
            let done = this.core.done.load(Ordering::Acquire);
            if this.core.accepted() != done {
                // SAFETY: the node is unlinked and pinned; `Drop` unlinks it under this
                // lock.
                unsafe {
                    state.joiners.with_node(ptr, |n| {
                        n.data.seen = done;
                        n.set_waker(cx.waker());
                    });
                    state.joiners.push_back(ptr);
                }
                this.queued = true;
                return Poll::Pending;
            }
        }
        budget.made_progress();
        Poll::Ready(())
    }
}

impl<T, S: Storage<T>> Drop for Join<'_, T, S> {
    fn drop(&mut self) {
        if self.queued {
            let mut state = self.core.lock();
            // SAFETY: our node is linked in `joiners` or unlinked by `task_done`; we hold
            // the lock.
            unsafe { state.joiners.remove(self.waiter.as_ptr()) };
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::super::{LifoQueue, PriorityQueue, Queue};
    use super::*;
    use crate::sync::test_util::{CountWaker, Rng, block_on, iters, poll_once, poll_with};
    use std::pin::pin;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn disciplines_through_the_async_api() {
        let fifo = Queue::new();
        let lifo = LifoQueue::new();
        let prio = PriorityQueue::new();
        block_on(async {
            for i in [2, 3, 1] {
                fifo.put(i).await.unwrap();
                lifo.put(i).await.unwrap();
                prio.put(i).await.unwrap();
            }
            for expected in [[2, 1, 1], [3, 3, 2], [1, 2, 3]] {
                let got = [
                    fifo.get().await.unwrap(),
                    lifo.get().await.unwrap(),
                    prio.get().await.unwrap(),
                ];
                assert_eq!(got, expected);
            }
        });
    }

    #[test]
    fn full_queue_admits_putters_in_order() {
        let q = Queue::bounded(1);
        q.try_put(0).unwrap();
        let mut a = pin!(q.put(1));
        let mut b = pin!(q.put(2));
        assert!(poll_once(a.as_mut()).is_pending());
        assert!(poll_once(b.as_mut()).is_pending());
        assert!(q.try_put(9).is_err());
        assert_eq!(q.try_get(), Ok(0));
        // The freed slot went to `a`'s item, not to whoever came later.
        assert!(poll_once(b.as_mut()).is_pending());
        assert!(poll_once(a.as_mut()).is_ready());
        assert_eq!(q.try_get(), Ok(1));
        assert!(poll_once(b.as_mut()).is_ready());
        assert_eq!(q.try_get(), Ok(2));
    }

    #[test]
    fn put_hands_item_straight_to_waiting_getter() {
        let q = Queue::new();
        let count = CountWaker::new();
        let waker = Waker::from(count.clone());
        let mut g1 = pin!(q.get());
        let mut g2 = pin!(q.get());
        assert!(poll_with(g1.as_mut(), &waker).is_pending());
        assert!(poll_once(g2.as_mut()).is_pending());
        q.try_put('x').unwrap();
        assert_eq!(count.count(), 1);
        // `try_get` cannot steal it: it was handed to `g1`.
        assert_eq!(q.try_get(), Err(TryGetError::Empty));
        assert_eq!(poll_once(g1.as_mut()), Poll::Ready(Ok('x')));
        assert!(poll_once(g2.as_mut()).is_pending());
    }

    #[test]
    fn ring_wakes_waiting_getters_in_arrival_order() {
        let q = Queue::bounded(4);
        assert!(q.core.ring.is_some());
        let count = CountWaker::new();
        let waker = Waker::from(count.clone());
        let mut g1 = pin!(q.get());
        let mut g2 = pin!(q.get());
        assert!(poll_with(g1.as_mut(), &waker).is_pending());
        assert!(poll_once(g2.as_mut()).is_pending());
        q.try_put('x').unwrap();
        assert_eq!(count.count(), 1);
        // Neither `try_get` nor a new getter overtakes the two that wait.
        assert_eq!(q.try_get(), Err(TryGetError::Empty));
        let mut g3 = pin!(q.get());
        assert!(poll_once(g3.as_mut()).is_pending());
        assert!(poll_once(g2.as_mut()).is_pending());
        assert_eq!(poll_once(g1.as_mut()), Poll::Ready(Ok('x')));
        q.try_put('y').unwrap();
        q.try_put('z').unwrap();
        assert_eq!(poll_once(g2.as_mut()), Poll::Ready(Ok('y')));
        assert_eq!(poll_once(g3.as_mut()), Poll::Ready(Ok('z')));
    }

    #[test]
    fn dropped_getter_passes_its_item_on() {
        let q = Queue::new();
        let mut g1 = Box::pin(q.get());
        let mut g2 = pin!(q.get());
        assert!(poll_once(g1.as_mut()).is_pending());
        assert!(poll_once(g2.as_mut()).is_pending());
        q.try_put(1).unwrap();
        drop(g1);
        assert_eq!(poll_once(g2.as_mut()), Poll::Ready(Ok(1)));
        // With nobody waiting, it goes back to the front.
        let mut g3 = Box::pin(q.get());
        assert!(poll_once(g3.as_mut()).is_pending());
        q.try_put(2).unwrap();
        q.try_put(3).unwrap();
        drop(g3);
        assert_eq!(q.try_get(), Ok(2));
        assert_eq!(q.try_get(), Ok(3));
    }

    #[test]
    fn close_fails_waiters_and_drains() {
        let q = Queue::bounded(1);
        q.try_put(1).unwrap();
        let mut p = pin!(q.put(2));
        assert!(poll_once(p.as_mut()).is_pending());
        q.close();
        assert!(matches!(
            poll_once(p.as_mut()),
            Poll::Ready(Err(PutError(2)))
        ));
        assert_eq!(q.try_put(3), Err(TryPutError::Closed(3)));
        assert_eq!(block_on(q.get()), Ok(1));
        assert_eq!(block_on(q.get()), Err(GetError(())));

        let q = Queue::<u8>::new();
        let mut g = pin!(q.get());
        assert!(poll_once(g.as_mut()).is_pending());
        q.close();
        assert_eq!(poll_once(g.as_mut()), Poll::Ready(Err(GetError(()))));
    }

    #[test]
    fn close_now_drops_items_and_releases_join() {
        let marker = Arc::new(());
        let q = Queue::new();
        q.try_put(marker.clone()).unwrap();
        q.try_put(marker.clone()).unwrap();
        let taken = q.try_get().unwrap();
        let mut join = pin!(q.join());
        assert!(poll_once(join.as_mut()).is_pending());
        q.close_now();
        assert_eq!(Arc::strong_count(&marker), 2);
        assert!(q.is_empty() && q.is_closed());
        // One item was taken and is not done yet.
        assert!(poll_once(join.as_mut()).is_pending());
        drop(taken);
        q.task_done().unwrap();
        assert!(poll_once(join.as_mut()).is_ready());
        assert_eq!(q.task_done(), Err(TaskDoneError(())));
    }

    #[test]
    fn join_waits_for_the_last_task_done_across_threads() {
        let per_producer = iters(5_000, 20);
        let q = Queue::bounded(16);
        let processed = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::new();
        for p in 0..2 {
            let q = q.clone();
            handles.push(std::thread::spawn(move || {
                for i in 0..per_producer {
                    q.put_blocking(p * per_producer + i).unwrap();
                }
            }));
        }
        for _ in 0..2 {
            let q = q.clone();
            let processed = processed.clone();
            handles.push(std::thread::spawn(move || {
                while let Ok(_item) = q.get_blocking() {
                    processed.fetch_add(1, Ordering::SeqCst);
                    q.task_done().unwrap();
                }
            }));
        }
        // Wait for every producer first, so `join` cannot see an empty start.
        for h in handles.drain(..2) {
            h.join().unwrap();
        }
        block_on(q.join());
        assert_eq!(processed.load(Ordering::SeqCst), 2 * per_producer);
        q.close();
        for h in handles {
            h.join().unwrap();
        }
    }

    #[test]
    fn cancelled_puts_and_gets_never_lose_or_duplicate_items() {
        for q in [Queue::bounded(2), Queue::bounded_locked(2)] {
            cancel_at_random(q);
        }
    }

    fn cancel_at_random(q: Queue<u64>) {
        let rounds = iters(4_000, 30);
        let handles: Vec<_> = (0..3u64)
            .map(|t| {
                let q = q.clone();
                std::thread::spawn(move || {
                    let mut rng = Rng::new(t + 11);
                    let (mut put, mut got) = (Vec::new(), Vec::new());
                    for i in 0..rounds as u64 {
                        let id = t * 1_000_000 + i;
                        if rng.below(2) == 0 {
                            let mut f = Box::pin(q.put(id));
                            let mut res = poll_once(f.as_mut());
                            if res.is_pending() && rng.below(2) == 0 {
                                res = poll_once(f.as_mut());
                            }
                            if let Poll::Ready(r) = res {
                                r.unwrap();
                                put.push(id);
                            }
                        } else {
                            let mut f = Box::pin(q.get());
                            let mut res = poll_once(f.as_mut());
                            if res.is_pending() && rng.below(2) == 0 {
                                res = poll_once(f.as_mut());
                            }
                            if let Poll::Ready(r) = res {
                                got.push(r.unwrap());
                            }
                        }
                    }
                    (put, got)
                })
            })
            .collect();
        let (mut put, mut got) = (Vec::new(), Vec::new());
        for h in handles {
            let (p, g) = h.join().unwrap();
            put.extend(p);
            got.extend(g);
        }
        while let Ok(item) = q.try_get() {
            got.push(item);
        }
        put.sort_unstable();
        got.sort_unstable();
        assert_eq!(put, got, "every accepted item comes out exactly once");
    }

    #[test]
    fn ready_gets_spend_the_budget() {
        // The locked store and the ring.
        for q in [Queue::new(), Queue::bounded(200)] {
            for i in 0..200 {
                q.try_put(i).unwrap();
            }
            coop::with_budget(|| {
                for i in 0..coop::INITIAL_BUDGET as i32 {
                    assert_eq!(poll_once(pin!(q.get())), Poll::Ready(Ok(i)));
                }
                assert!(poll_once(pin!(q.get())).is_pending());
            });
            assert_eq!(q.len(), 200 - coop::INITIAL_BUDGET as usize);
        }
    }

    #[test]
    fn blocking_methods_refuse_runtime_threads() {
        let q = Queue::<u8>::new();
        let rt = crate::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let err = rt.block_on(async {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| q.get_blocking())).unwrap_err()
        });
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(msg.contains("Queue::get_blocking"), "{msg}");
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::super::Queue;
    use super::*;
    use crate::loom::thread;
    use crate::sync::test_util::block_on;

    /// Runs a model with at most two preemptions per execution: the ring store spins
    /// while another thread is between its claim and its stamp (ring rule 3), and
    /// without a bound loom explores such spins until it runs out of branches; with
    /// three, the three-thread models run for many minutes. The races checked here
    /// need one or two preemptions to show.
    fn model(f: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(2);
        builder.check(f);
    }

    /// Runs `model` on a bounded queue of capacity `cap` with each store.
    fn both_stores(cap: usize, body: impl Fn(Queue<i32>) + Sync + Send + 'static) {
        let body = std::sync::Arc::new(body);
        for ring in [false, true] {
            let body = body.clone();
            model(move || {
                let q = if ring {
                    Queue::bounded(cap)
                } else {
                    Queue::bounded_locked(cap)
                };
                assert_eq!(q.core.ring.is_some(), ring);
                body(q);
            });
        }
    }

    /// A blocked put, a get and a close race: every item ends up exactly once with a
    /// getter, back with its putter, or still in the queue.
    #[test]
    fn loom_put_get_close() {
        both_stores(1, |q| {
            q.try_put(1).unwrap();
            let (q1, q2) = (q.clone(), q.clone());
            let putter = thread::spawn(move || match block_on(q1.put(2)) {
                Ok(()) => None,
                Err(PutError(item)) => Some(item),
            });
            let getter = thread::spawn(move || block_on(q2.get()).ok());
            q.close();
            let mut seen: Vec<i32> = Vec::new();
            seen.extend(putter.join().unwrap());
            seen.extend(getter.join().unwrap());
            while let Ok(item) = q.try_get() {
                seen.push(item);
            }
            seen.sort_unstable();
            assert_eq!(seen, [1, 2]);
        });
    }

    /// A waiting get races a put and a close: the getter either gets the item or fails,
    /// and a failed getter leaves the item in the queue or with the putter.
    #[test]
    fn loom_get_vs_put_vs_close() {
        let body = |q: Queue<i32>| {
            let (q1, q2) = (q.clone(), q.clone());
            let getter = thread::spawn(move || block_on(q1.get()).ok());
            let putter = thread::spawn(move || q2.try_put(7).err().map(|e| e.into_inner()));
            q.close();
            let mut seen = Vec::new();
            seen.extend(getter.join().unwrap());
            seen.extend(putter.join().unwrap());
            while let Ok(item) = q.try_get() {
                seen.push(item);
            }
            assert_eq!(seen, [7]);
        };
        model(move || body(Queue::new()));
        model(move || body(Queue::bounded(1)));
    }

    /// A getter that lines up races a put (the ring's lost-wake-up window, ring rule
    /// 5): the getter always gets the item.
    #[test]
    fn loom_lined_up_getter_vs_put() {
        model(|| {
            let q = Queue::bounded(1);
            let q1 = q.clone();
            let getter = thread::spawn(move || block_on(q1.get()));
            block_on(q.put(5)).unwrap();
            assert_eq!(getter.join().unwrap(), Ok(5));
        });
    }

    /// A putter that lines up on a full ring races the get that frees the slot (the
    /// ring's other lost-wake-up window): the putter always gets in.
    #[test]
    fn loom_lined_up_putter_vs_get() {
        model(|| {
            let q = Queue::bounded(1);
            q.try_put(1).unwrap();
            let q1 = q.clone();
            let putter = thread::spawn(move || block_on(q1.put(2)).unwrap());
            assert_eq!(block_on(q.get()), Ok(1));
            assert_eq!(block_on(q.get()), Ok(2));
            putter.join().unwrap();
        });
    }

    /// A getter polled once and cancelled races a put: the item is never lost — it
    /// reaches the getter only if the getter returned it, else it stays queued.
    #[test]
    fn loom_cancelled_get_vs_put() {
        let body = |q: Queue<i32>| {
            let q1 = q.clone();
            let getter = thread::spawn(move || {
                let mut get = Box::pin(q1.get());
                let mut cx = Context::from_waker(Waker::noop());
                match get.as_mut().poll(&mut cx) {
                    Poll::Ready(res) => res.ok(),
                    Poll::Pending => None,
                }
            });
            q.try_put(1).unwrap();
            let got = getter.join().unwrap();
            let left = q.try_get().ok();
            assert_eq!(got.or(left), Some(1));
            assert!(got.is_none() || left.is_none());
        };
        model(move || body(Queue::new()));
        model(move || body(Queue::bounded(1)));
    }

    /// A woken getter that is dropped before it looks passes the wake to the getter
    /// behind it (ring rule 8), which then gets the item.
    #[test]
    fn loom_cancelled_woken_get_passes_the_wake() {
        model(|| {
            let q = Queue::bounded(1);
            let mut cancelled = Box::pin(q.get());
            let mut cx = Context::from_waker(Waker::noop());
            assert!(cancelled.as_mut().poll(&mut cx).is_pending());
            let q1 = q.clone();
            let waiting = thread::spawn(move || block_on(q1.get()));
            let q2 = q.clone();
            let putter = thread::spawn(move || q2.try_put(4).unwrap());
            drop(cancelled);
            putter.join().unwrap();
            assert_eq!(waiting.join().unwrap(), Ok(4));
        });
    }

    /// A waiting putter is woken (or given a reserved slot) and cancelled before it
    /// looks again, while another putter lines up behind it: the slot passes on.
    #[test]
    fn loom_cancelled_woken_put_passes_its_slot() {
        both_stores(1, |q| {
            q.try_put(1).unwrap();
            let mut cancelled = Box::pin(q.put(2));
            let mut cx = Context::from_waker(Waker::noop());
            assert!(cancelled.as_mut().poll(&mut cx).is_pending());
            let q1 = q.clone();
            let waiting = thread::spawn(move || block_on(q1.put(3)).unwrap());
            assert_eq!(block_on(q.get()), Ok(1));
            drop(cancelled);
            assert_eq!(block_on(q.get()), Ok(3));
            waiting.join().unwrap();
        });
    }

    /// A putter cancelled while a slot may be reserved for it: the slot passes on, so
    /// the other putter still gets in and no item is lost or invented. (Locked store
    /// only: with three threads the ring's spins make the model too large; the ring
    /// has the two-thread model above.)
    #[test]
    fn loom_cancelled_put_passes_its_slot() {
        loom::model(|| {
            let q = Queue::bounded_locked(1);
            q.try_put(1).unwrap();
            let (q1, q2) = (q.clone(), q.clone());
            let cancelled = thread::spawn(move || {
                let mut put = Box::pin(q1.put(2));
                let mut cx = Context::from_waker(Waker::noop());
                put.as_mut().poll(&mut cx).is_ready()
            });
            let waiting = thread::spawn(move || block_on(q2.put(3)).unwrap());
            let mut seen = vec![block_on(q.get()).unwrap(), block_on(q.get()).unwrap()];
            let put_two = cancelled.join().unwrap();
            waiting.join().unwrap();
            while let Ok(item) = q.try_get() {
                seen.push(item);
            }
            seen.sort_unstable();
            let expected: &[i32] = if put_two { &[1, 2, 3] } else { &[1, 3] };
            assert_eq!(seen, expected);
        });
    }

    /// `task_done` racing `join`: the joiner always returns.
    #[test]
    fn loom_join_vs_task_done() {
        let body = |q: Queue<()>| {
            q.try_put(()).unwrap();
            let q1 = q.clone();
            let worker = thread::spawn(move || {
                q1.try_get().unwrap();
                q1.task_done().unwrap();
            });
            block_on(q.join());
            worker.join().unwrap();
        };
        model(move || body(Queue::new()));
        model(move || body(Queue::bounded(1)));
    }
}
