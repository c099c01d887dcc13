//! `JoinSet`: a collection of spawned tasks, joined in the order they finish.
//!
//! # Invariant
//!
//! Every task in `tasks` has a slot of the same key in `ready`, and that slot is
//! queued whenever the task may have finished since it was last polled (its
//! `JoinHandle` holds the slot's waker). So `join_next` polls only the handles of
//! tasks that were woken: joining `n` tasks costs O(n), not O(n²).

use crate::future::{ReadySet, Repoll};
use crate::runtime::Handle;
use crate::task::{AbortHandle, JoinError, JoinHandle, coop};
use slab::Slab;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A set of spawned tasks whose outputs are collected as they finish.
///
/// All tasks must have the same output type `T`. Dropping the set **aborts** every
/// task still in it (unlike dropping a lone [`JoinHandle`], which detaches).
///
/// ```
/// use weft::task::JoinSet;
///
/// # weft::run(async {
/// let mut set = JoinSet::new();
/// for i in 0..5 {
///     set.spawn(async move { i * 2 });
/// }
/// let mut total = 0;
/// while let Some(res) = set.join_next().await {
///     total += res.unwrap();
/// }
/// assert_eq!(total, 20);
/// # });
/// ```
pub struct JoinSet<T> {
    tasks: Slab<JoinHandle<T>>,
    ready: ReadySet,
}

impl<T> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set = weft::task::JoinSet::<()>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            tasks: Slab::new(),
            ready: ReadySet::new(Repoll::Once),
        }
    }

    /// How many tasks are in the set (finished ones count until they are joined).
    ///
    /// ```
    /// # weft::run(async {
    /// let mut set = weft::task::JoinSet::new();
    /// set.spawn(async {});
    /// assert_eq!(set.len(), 1);
    /// set.join_next().await.unwrap().unwrap();
    /// assert_eq!(set.len(), 0);
    /// # });
    /// ```
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether the set holds no task.
    ///
    /// ```
    /// assert!(weft::task::JoinSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let key = self.tasks.insert(handle);
        self.ready.insert(key);
        abort
    }

    /// Aborts every task in the set. They stay in the set: joining them then gives
    /// a cancelled [`JoinError`] (or the output, for a task that had finished).
    ///
    /// ```
    /// # weft::run(async {
    /// let mut set = weft::task::JoinSet::new();
    /// set.spawn(std::future::pending::<()>());
    /// set.abort_all();
    /// assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn abort_all(&mut self) {
        for (_, handle) in &self.tasks {
            handle.abort();
        }
    }

    /// Waits for the next task to finish and removes it from the set; `None` once
    /// the set is empty. Cancel safe: if the future is dropped, no output is lost.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut set = weft::task::JoinSet::new();
    /// set.spawn(async { "done" });
    /// assert_eq!(set.join_next().await.unwrap().unwrap(), "done");
    /// assert!(set.join_next().await.is_none());
    /// # });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        std::future::poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Polls for the next finished task: `Ready(None)` when the set is empty,
    /// `Pending` (with `cx` registered) when no task has finished.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut set = weft::task::JoinSet::<u8>::new();
    /// let none = std::future::poll_fn(|cx| set.poll_join_next(cx)).await;
    /// assert!(none.is_none());
    /// # });
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.tasks.is_empty() {
            return Poll::Ready(None);
        }
        self.ready.begin_poll();
        loop {
            // With the budget spent, every handle would return `Pending` and queue
            // itself again: stop, and sweep the rest after the task has yielded.
            if self.ready.round_left() && !coop::has_budget_remaining() {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let Some(key) = self.ready.next(cx) else {
                return Poll::Pending;
            };
            // A key whose task was already joined is a stale wake; skip it.
            let Some(handle) = self.tasks.get_mut(key) else {
                continue;
            };
            // A finished task's handle gives its output without touching the waker,
            // so it is polled with none and its slot never needs one (`ReadySet`
            // invariant 1). Should it say `Pending` after all (the budget ran out in
            // between), it is polled again below with its own waker.
            let mut res = Poll::Pending;
            if handle.is_finished() {
                res = Pin::new(&mut *handle).poll(&mut Context::from_waker(Waker::noop()));
            }
            if res.is_pending() {
                res = Pin::new(handle).poll(&mut Context::from_waker(self.ready.waker(key)));
            }
            if let Poll::Ready(res) = res {
                self.tasks.remove(key);
                return Poll::Ready(Some(res));
            }
        }
    }

    /// Waits for every task and returns their outputs **in completion order**.
    ///
    /// # Panics
    ///
    /// If a task panicked, the panic resumes here (after the other tasks were
    /// aborted by dropping the set); if a task was cancelled, with its error.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut set = weft::task::JoinSet::new();
    /// set.spawn(async { 1 });
    /// set.spawn(async { 2 });
    /// let mut all = set.join_all().await;
    /// all.sort();
    /// assert_eq!(all, [1, 2]);
    /// # });
    /// ```
    pub async fn join_all(mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        while let Some(res) = self.join_next().await {
            match res {
                Ok(value) => out.push(value),
                Err(err) => match err.try_into_panic() {
                    Ok(payload) => {
                        drop(self);
                        std::panic::resume_unwind(payload)
                    }
                    Err(err) => panic!("`JoinSet::join_all`: {err}; use `join_next` to handle it"),
                },
            }
        }
        out
    }

    /// Aborts every task and waits until all have stopped, discarding their outputs.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut set = weft::task::JoinSet::new();
    /// set.spawn(std::future::pending::<()>());
    /// set.shutdown().await;
    /// assert!(set.is_empty());
    /// # });
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns `future` on the current runtime into the set, returning a handle that
    /// can abort it.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut set = weft::task::JoinSet::new();
    /// let abort = set.spawn(std::future::pending::<()>());
    /// abort.abort();
    /// assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(crate::spawn(future))
    }

    /// Spawns `future` on the runtime behind `handle` into the set.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let mut set = weft::task::JoinSet::new();
    /// set.spawn_on(async { 9 }, rt.handle());
    /// assert_eq!(rt.block_on(set.join_next()).unwrap().unwrap(), 9);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(&mut self, future: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(handle.spawn(future))
    }

    /// Runs the blocking closure `f` on the blocking pool, as part of the set.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut set = weft::task::JoinSet::new();
    /// set.spawn_blocking(|| 4 + 4);
    /// assert_eq!(set.join_next().await.unwrap().unwrap(), 8);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(crate::spawn_blocking(f))
    }
}

impl<T: 'static> JoinSet<T> {
    /// Spawns a `!Send` future on the current [`LocalSet`](crate::task::LocalSet)
    /// into the set.
    ///
    /// # Panics
    ///
    /// Outside a `LocalSet`.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = weft::task::LocalSet::new();
    /// local.block_on(&rt, async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     let shared = std::rc::Rc::new(5);
    ///     set.spawn_local(async move { *shared });
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 5);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(crate::task::spawn_local(future))
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}
