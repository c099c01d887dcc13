//! `TaskGroup`: structured concurrency in the manner of asyncio's `TaskGroup`.
//!
//! # Protocol
//!
//! 1. Each child runs wrapped in a guard that reports a failure to the group's
//!    shared state: when the child returns `Err`, or when the guard is dropped while
//!    the child's task is unwinding from a panic. A child dropped because it was
//!    aborted reports nothing.
//! 2. The first failure marks the group failed and takes the list of children's
//!    abort handles (under the lock), then aborts every other child (after releasing
//!    it). A child spawned after that is aborted as soon as it is registered, so no
//!    child can escape cancellation however spawning and failing interleave.
//! 3. `join` waits for *every* child (the gather of their handles), so it never
//!    returns while a child still runs. Dropping the group, or the `join` future,
//!    aborts every child still running.

use crate::future::gather;
use crate::task::{AbortHandle, JoinError, JoinHandle};
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

/// A scope of tasks that succeed or fail together (asyncio's `TaskGroup`).
///
/// Children are spawned with [`spawn`](TaskGroup::spawn) and return
/// `Result<T, E>`. When a child fails — returns `Err` or panics — every other child
/// is cancelled. [`join`](TaskGroup::join) waits until all children have stopped and
/// returns either every value, in spawn order, or a [`TaskGroupError`] listing
/// **every** failure (children cancelled by the group are not failures).
///
/// Dropping the group without joining it aborts every child.
///
/// ```
/// use weft::task::TaskGroup;
///
/// # weft::run(async {
/// let mut group = TaskGroup::new();
/// for url in ["a", "b", "c"] {
///     group.spawn(async move { Ok::<_, String>(url.len()) });
/// }
/// assert_eq!(group.join().await.unwrap(), [1, 1, 1]);
///
/// // One failure cancels the sibling that would never finish, and is reported.
/// let mut group = TaskGroup::new();
/// group.spawn(async { std::future::pending::<Result<u8, String>>().await });
/// group.spawn(async { Err("disk full".to_string()) });
/// let err = group.join().await.unwrap_err();
/// assert_eq!(err.failures().len(), 1);
/// assert_eq!(err.to_string(), "1 task of the group failed; the first: task 1 returned an error: disk full");
/// # });
/// ```
pub struct TaskGroup<T, E> {
    children: Vec<Child<Result<T, E>>>,
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
}

struct State {
    failed: bool,
    /// The children's abort handles with their indices; emptied by the first
    /// failure (protocol step 2).
    aborts: Vec<(usize, AbortHandle)>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a flag and a list, consistent after every statement.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn failed(&self) -> bool {
        self.lock().failed
    }

    /// Protocol step 2: child `failing` failed; cancel the others.
    fn fail(&self, failing: usize) {
        let aborts = {
            let mut state = self.lock();
            if state.failed {
                return;
            }
            state.failed = true;
            std::mem::take(&mut state.aborts)
        };
        for (index, abort) in aborts {
            if index != failing {
                abort.abort();
            }
        }
    }

    fn register(&self, index: usize, abort: AbortHandle) {
        let mut state = self.lock();
        if state.failed {
            drop(state);
            abort.abort();
        } else {
            state.aborts.push((index, abort));
        }
    }
}

/// Protocol step 1: reports a panic of the child it lives in.
struct FailureGuard {
    shared: Arc<Shared>,
    index: usize,
    armed: bool,
}

impl Drop for FailureGuard {
    fn drop(&mut self) {
        if self.armed && std::thread::panicking() {
            self.shared.fail(self.index);
        }
    }
}

/// A child's handle, which aborts the child when dropped before it finished.
struct Child<T>(JoinHandle<T>);

impl<T> Future for Child<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for Child<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T, E> TaskGroup<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    /// An empty group.
    ///
    /// ```
    /// let group = weft::task::TaskGroup::<(), ()>::new();
    /// assert!(group.is_empty());
    /// ```
    pub fn new() -> TaskGroup<T, E> {
        TaskGroup {
            children: Vec::new(),
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    failed: false,
                    aborts: Vec::new(),
                }),
            }),
        }
    }

    /// Spawns `future` as a child of the group on the current runtime and returns
    /// its index (its position in `join`'s output). If the group has already
    /// failed, the child is cancelled at once.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut group = weft::task::TaskGroup::new();
    /// assert_eq!(group.spawn(async { Ok::<_, ()>('a') }), 0);
    /// assert_eq!(group.spawn(async { Ok('b') }), 1);
    /// assert_eq!(group.join().await.unwrap(), ['a', 'b']);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> usize
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let index = self.children.len();
        let shared = self.shared.clone();
        let handle = crate::spawn(async move {
            let mut guard = FailureGuard {
                shared,
                index,
                armed: true,
            };
            let out = future.await;
            guard.armed = false;
            if out.is_err() {
                guard.shared.fail(index);
            }
            out
        });
        self.shared.register(index, handle.abort_handle());
        self.children.push(Child(handle));
        index
    }

    /// How many children were spawned.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut group = weft::task::TaskGroup::<(), ()>::new();
    /// group.spawn(async { Ok(()) });
    /// assert_eq!(group.len(), 1);
    /// # group.join().await.unwrap();
    /// # });
    /// ```
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Whether no child was spawned.
    ///
    /// ```
    /// assert!(weft::task::TaskGroup::<u8, u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// Whether a child has failed (and the others were told to stop).
    ///
    /// ```
    /// # weft::run(async {
    /// let mut group = weft::task::TaskGroup::<(), &str>::new();
    /// group.spawn(async { Err("no") });
    /// while !group.has_failed() {
    ///     weft::task::yield_now().await;
    /// }
    /// assert!(group.join().await.is_err());
    /// # });
    /// ```
    pub fn has_failed(&self) -> bool {
        self.shared.failed()
    }

    /// Waits until every child has stopped; returns their values in spawn order, or
    /// every failure. Children cancelled by the group because a sibling failed are
    /// not failures; a child cancelled by anything else (its runtime shutting down)
    /// is.
    ///
    /// If this future is dropped before it finishes, every child still running is
    /// aborted.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut group = weft::task::TaskGroup::new();
    /// group.spawn(async { Err::<(), _>("first") });
    /// group.spawn(async { panic!("second") });
    /// let err = group.join().await.unwrap_err();
    /// // The first to fail cancels the other, which may not have run yet: one or two
    /// // failures are reported.
    /// assert!(!err.failures().is_empty());
    /// # });
    /// ```
    pub async fn join(mut self) -> Result<Vec<T>, TaskGroupError<E>> {
        let children = std::mem::take(&mut self.children);
        let outputs = gather(children).await;
        let cancelled_by_group = self.shared.failed();
        let mut values = Vec::with_capacity(outputs.len());
        let mut failures = Vec::new();
        for (index, out) in outputs.into_iter().enumerate() {
            match out {
                Ok(Ok(value)) => values.push(value),
                Ok(Err(error)) => failures.push(Failure::Error { index, error }),
                Err(error) if error.is_panic() => failures.push(Failure::Panic { index, error }),
                Err(_) if cancelled_by_group => {}
                Err(error) => failures.push(Failure::Cancelled { index, error }),
            }
        }
        if failures.is_empty() && !cancelled_by_group {
            Ok(values)
        } else {
            Err(TaskGroupError { failures })
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Default for TaskGroup<T, E> {
    fn default() -> Self {
        TaskGroup::new()
    }
}

impl<T, E> fmt::Debug for TaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("children", &self.children.len())
            .field("failed", &self.shared.failed())
            .finish()
    }
}

/// How one child of a [`TaskGroup`] failed; `index` is its spawn position.
///
/// ```
/// use weft::task::Failure;
///
/// # weft::run(async {
/// let mut group = weft::task::TaskGroup::<(), u8>::new();
/// group.spawn(async { Err(7) });
/// match &group.join().await.unwrap_err().failures()[0] {
///     Failure::Error { index: 0, error: 7 } => {}
///     other => panic!("unexpected {other:?}"),
/// }
/// # });
/// ```
#[derive(Debug)]
pub enum Failure<E> {
    /// The child returned `Err(error)`.
    Error {
        /// The child's spawn position.
        index: usize,
        /// What it returned.
        error: E,
    },
    /// The child panicked; `error` holds the payload.
    Panic {
        /// The child's spawn position.
        index: usize,
        /// The panic, as a `JoinError`.
        error: JoinError,
    },
    /// The child was cancelled by something other than the group (its runtime
    /// shut down).
    Cancelled {
        /// The child's spawn position.
        index: usize,
        /// The cancellation.
        error: JoinError,
    },
}

impl<E> Failure<E> {
    /// The failed child's spawn position.
    ///
    /// ```
    /// let f = weft::task::Failure::Error { index: 3, error: () };
    /// assert_eq!(f.index(), 3);
    /// ```
    pub fn index(&self) -> usize {
        match self {
            Failure::Error { index, .. }
            | Failure::Panic { index, .. }
            | Failure::Cancelled { index, .. } => *index,
        }
    }
}

impl<E: fmt::Display> fmt::Display for Failure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Error { index, error } => write!(f, "task {index} returned an error: {error}"),
            Failure::Panic { index, error } | Failure::Cancelled { index, error } => {
                write!(f, "task {index}: {error}")
            }
        }
    }
}

/// Every failure of a [`TaskGroup`], in spawn order.
///
/// ```
/// # weft::run(async {
/// let mut group = weft::task::TaskGroup::<(), String>::new();
/// group.spawn(async { Err("bad input".to_string()) });
/// let err = group.join().await.unwrap_err();
/// assert_eq!(err.failures()[0].index(), 0);
/// let failures: Vec<_> = err.into_failures();
/// assert_eq!(failures.len(), 1);
/// # });
/// ```
#[derive(Debug)]
pub struct TaskGroupError<E> {
    failures: Vec<Failure<E>>,
}

impl<E> TaskGroupError<E> {
    /// The failures, in spawn order; never empty, since the group fails only
    /// through a child's own failure.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut group = weft::task::TaskGroup::<(), ()>::new();
    /// group.spawn(async { Err(()) });
    /// assert_eq!(group.join().await.unwrap_err().failures().len(), 1);
    /// # });
    /// ```
    pub fn failures(&self) -> &[Failure<E>] {
        &self.failures
    }

    /// The failures, by value.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut group = weft::task::TaskGroup::<(), u8>::new();
    /// group.spawn(async { Err(1) });
    /// let f = group.join().await.unwrap_err().into_failures();
    /// assert!(matches!(f[0], weft::task::Failure::Error { error: 1, .. }));
    /// # });
    /// ```
    pub fn into_failures(self) -> Vec<Failure<E>> {
        self.failures
    }
}

impl<E: fmt::Display> fmt::Display for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.failures.len();
        write!(
            f,
            "{n} task{} of the group failed",
            if n == 1 { "" } else { "s" }
        )?;
        if let Some(first) = self.failures.first() {
            write!(f, "; the first: {first}")?;
        }
        Ok(())
    }
}

impl<E: fmt::Debug + fmt::Display> Error for TaskGroupError<E> {}
