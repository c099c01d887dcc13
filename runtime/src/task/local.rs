//! `LocalSet` and `spawn_local`: tasks whose futures are not `Send`.
//!
//! A `LocalSet` is a scheduler of its own, run inside whichever task or `block_on`
//! awaits it (`run_until`, or the set itself as a future). Its tasks are polled only
//! while that future is polled, so only on the set's thread; wakes from other
//! threads queue the task and wake the set.
//!
//! # Invariants
//!
//! 1. Local tasks are polled and cancelled only on the thread that owns the set:
//!    `LocalSet` is `!Send`, tasks run only inside its `poll`, and abort only
//!    queues a task (the poll path then drops the future).
//! 2. Dropping the set cancels every task still in it, on the owning thread.

use super::{JoinHandle, Meta, Notified, OwnedTasks, Schedule, Task};
use crate::loom::Mutex;
use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// Tasks one `poll` of the set runs before yielding to its own runtime.
const MAX_TASKS_PER_POLL: usize = 61;

pub(super) const NO_LOCAL_SET: &str = "`spawn_local` was called outside a `LocalSet`: run \
     the code inside `LocalSet::run_until`, `LocalSet::block_on`, or a future awaited \
     by a `LocalSet`";

/// A set of `!Send` tasks that run on the thread that drives it.
///
/// ```
/// use std::rc::Rc;
/// use weft::task::{self, LocalSet};
///
/// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
/// let local = LocalSet::new();
/// let out = local.block_on(&rt, async {
///     let shared = Rc::new(21);
///     let s = shared.clone();
///     task::spawn_local(async move { *s * 2 }).await.unwrap()
/// });
/// assert_eq!(out, 42);
/// ```
pub struct LocalSet {
    shared: Arc<Shared>,
    _not_send: PhantomData<Rc<()>>,
}

/// The part tasks and wakers hold (it is `Send + Sync`; the tasks are not touched
/// through it except by the owning thread, invariant 1).
pub(crate) struct Shared {
    queue: Mutex<Option<VecDeque<Notified<Arc<Shared>>>>>,
    waker: Mutex<Option<Waker>>,
    owned: OwnedTasks<Arc<Shared>>,
}

thread_local! {
    static CURRENT: Cell<*const Shared> = const { Cell::new(std::ptr::null()) };
}

/// Sets `CURRENT` while a set is being polled.
struct Enter(*const Shared);

impl Enter {
    fn new(shared: &Arc<Shared>) -> Enter {
        Enter(CURRENT.with(|c| c.replace(Arc::as_ptr(shared))))
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        let prev = self.0;
        let _ = CURRENT.try_with(|c| c.set(prev));
    }
}

/// Spawns a `!Send` future on the current [`LocalSet`].
///
/// # Panics
///
/// Outside a `LocalSet`, with a message saying how to get one.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
/// weft::task::LocalSet::new().block_on(&rt, async {
///     let log = Rc::new(RefCell::new(Vec::new()));
///     let l = log.clone();
///     weft::task::spawn_local(async move { l.borrow_mut().push(1) }).await.unwrap();
///     assert_eq!(*log.borrow(), [1]);
/// });
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match try_spawn_local(future, None) {
        Some(join) => join,
        None => panic!("{NO_LOCAL_SET}"),
    }
}

#[track_caller]
pub(super) fn try_spawn_local<F>(future: F, name: Option<Box<str>>) -> Option<JoinHandle<F::Output>>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let meta = Meta::new(name);
    let ptr = CURRENT.try_with(|c| c.get()).ok()?;
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `CURRENT` is non-null only while `Enter` lives inside a poll (or the
    // drop) of the set that owns `*ptr`, which holds an `Arc` of it for that whole
    // time; `ptr` came from `Arc::as_ptr` of that Arc, so we may count a new one.
    let shared = unsafe {
        Arc::increment_strong_count(ptr);
        Arc::from_raw(ptr)
    };
    Some(shared.spawn(future, meta))
}

impl Shared {
    #[track_caller]
    fn spawn<F>(self: &Arc<Self>, future: F, meta: Meta) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let (task, notified, join) = super::new_task(future, self.clone(), meta);
        if let Some(notified) = self.owned.bind(task, notified) {
            self.schedule(notified);
        }
        join
    }

    fn pop(&self) -> Option<Notified<Arc<Shared>>> {
        self.queue.lock().as_mut()?.pop_front()
    }
}

impl Schedule for Arc<Shared> {
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }

    fn schedule(&self, task: Notified<Self>) {
        let mut queue = self.queue.lock();
        match queue.as_mut() {
            Some(q) => q.push_back(task),
            None => {
                // The set is gone; its drop already cancelled the task.
                drop(queue);
                drop(task);
                return;
            }
        }
        drop(queue);
        // Release the lock before waking (style rule 6).
        let waker = self.waker.lock().clone();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl LocalSet {
    /// An empty set.
    ///
    /// ```
    /// let local = weft::task::LocalSet::new();
    /// # drop(local);
    /// ```
    pub fn new() -> LocalSet {
        LocalSet {
            shared: Arc::new(Shared {
                queue: Mutex::new(Some(VecDeque::new())),
                waker: Mutex::new(None),
                owned: OwnedTasks::new(1),
            }),
            _not_send: PhantomData,
        }
    }

    /// Spawns a `!Send` task on this set; it runs when the set is driven.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = weft::task::LocalSet::new();
    /// let h = local.spawn_local(async { std::rc::Rc::new(1) });
    /// let rc = local.block_on(&rt, h).unwrap();
    /// assert_eq!(*rc, 1);
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.shared.spawn(future, Meta::new(None))
    }

    /// Runs `future` on `rt` while driving this set's tasks.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = weft::task::LocalSet::new();
    /// assert_eq!(local.block_on(&rt, async { 3 }), 3);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &crate::runtime::Runtime, future: F) -> F::Output {
        rt.block_on(self.run_until(future))
    }

    /// A future that drives this set's tasks until `future` completes.
    ///
    /// ```
    /// # weft::run(async {
    /// let local = weft::task::LocalSet::new();
    /// let out = local.run_until(async {
    ///     weft::task::spawn_local(async { 8 }).await.unwrap()
    /// }).await;
    /// assert_eq!(out, 8);
    /// # });
    /// ```
    pub fn run_until<F: Future>(&self, future: F) -> RunUntil<'_, F> {
        RunUntil { set: self, future }
    }

    /// Drives the set's tasks once; true if some are still queued.
    fn tick(&self, cx: &mut Context<'_>) -> bool {
        *self.shared.waker.lock() = Some(cx.waker().clone());
        for _ in 0..MAX_TASKS_PER_POLL {
            match self.shared.pop() {
                Some(task) => super::coop::with_budget(|| task.run()),
                None => return false,
            }
        }
        true
    }
}

impl Default for LocalSet {
    fn default() -> Self {
        LocalSet::new()
    }
}

pin_project_lite::pin_project! {
    /// The future returned by [`LocalSet::run_until`].
    #[must_use = "futures do nothing unless awaited"]
    pub struct RunUntil<'a, F> {
        set: &'a LocalSet,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for RunUntil<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _enter = Enter::new(&this.set.shared);
        if let Poll::Ready(out) = this.future.poll(cx) {
            return Poll::Ready(out);
        }
        if this.set.tick(cx) {
            // More queued than one turn allows: come back after the others ran.
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

/// Awaiting the set itself runs its tasks until all have finished.
impl Future for LocalSet {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _enter = Enter::new(&self.shared);
        if self.tick(cx) {
            cx.waker().wake_by_ref();
            Poll::Pending
        } else if self.shared.owned.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        // Invariant 2: cancel on this (the owning) thread.
        let _enter = Enter::new(&self.shared);
        self.shared.owned.close_and_shutdown_all();
        let queue = self.shared.queue.lock().take();
        drop(queue);
        self.shared.waker.lock().take();
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet")
            .field("tasks", &self.shared.owned.len())
            .finish()
    }
}
