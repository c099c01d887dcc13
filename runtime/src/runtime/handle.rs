//! `Handle`: a cheap, cloneable reference to a runtime, usable from any thread.

use super::context;
use super::park;
use super::scheduler;
use crate::task::{self, JoinHandle, Meta};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::pin;

/// A reference to a runtime: spawn onto it, block on it, or enter it, from any
/// thread.
///
/// ```
/// let rt = weft::runtime::Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let out = std::thread::spawn(move || handle.block_on(async { 1 })).join().unwrap();
/// assert_eq!(out, 1);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// Makes a runtime current on this thread until dropped; see [`Handle::enter`].
#[must_use = "the runtime stays current only while the guard lives"]
pub struct EnterGuard<'a> {
    _guard: context::HandleGuard,
    _handle: PhantomData<(&'a Handle, *const ())>,
}

/// The error [`Handle::try_current`] returns outside a runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryCurrentError(());

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(context::NO_RUNTIME)
    }
}

impl std::error::Error for TryCurrentError {}

impl Handle {
    /// The runtime this thread is running or has entered.
    ///
    /// # Panics
    ///
    /// Outside a runtime; use [`Handle::try_current`] where that can happen.
    ///
    /// ```
    /// # weft::run(async {
    /// let handle = weft::runtime::Handle::current();
    /// let out = handle.spawn(async { 2 }).await.unwrap();
    /// assert_eq!(out, 2);
    /// # });
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(h) => h,
            Err(e) => panic!("{e}"),
        }
    }

    /// The current runtime, or an error outside one.
    ///
    /// ```
    /// assert!(weft::runtime::Handle::try_current().is_err());
    /// ```
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::with_current(|inner| Handle {
            inner: inner.clone(),
        })
        .ok_or(TryCurrentError(()))
    }

    /// Spawns a task on this runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().spawn(async { "hi" });
    /// assert_eq!(rt.block_on(handle).unwrap(), "hi");
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future, Meta::new(None))
    }

    #[track_caller]
    pub(crate) fn spawn_named<F>(&self, future: F, name: Option<Box<str>>) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future, Meta::new(name))
    }

    /// Runs a blocking closure on this runtime's blocking pool.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().spawn_blocking(|| 2 + 2);
    /// assert_eq!(rt.block_on(handle).unwrap(), 4);
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner
            .blocking_spawner()
            .spawn_blocking(f, Meta::new(None))
    }

    /// Runs `future` to completion on this thread with this runtime current.
    ///
    /// On a current-thread runtime this thread also runs the spawned tasks while it
    /// waits (unless another thread already does).
    ///
    /// # Panics
    ///
    /// If this thread is already running a weft runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.handle().block_on(async { 9 }), 9);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = context::enter_runtime(self.inner.clone());
        match &self.inner {
            scheduler::Handle::CurrentThread(h) => h.block_on(future),
            scheduler::Handle::MultiThread(_) => {
                // The future gets a fresh budget per poll, like a task's.
                let mut future = pin!(future);
                park::block_on(std::future::poll_fn(|cx| {
                    task::coop::with_budget(|| future.as_mut().poll(cx))
                }))
            }
        }
    }

    /// Makes this runtime current on this thread until the guard drops.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let _guard = rt.handle().enter();
    /// assert!(weft::runtime::Handle::try_current().is_ok());
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: context::enter_handle(self.inner.clone()),
            _handle: PhantomData,
        }
    }

    /// How many tasks spawned on this runtime have not finished.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async { weft::spawn(async {}).await.unwrap() });
    /// assert_eq!(rt.handle().num_alive_tasks(), 0);
    /// ```
    pub fn num_alive_tasks(&self) -> usize {
        self.inner.num_alive_tasks()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flavor = match self.inner {
            scheduler::Handle::CurrentThread(_) => "current_thread",
            scheduler::Handle::MultiThread(_) => "multi_thread",
        };
        f.debug_struct("Handle").field("flavor", &flavor).finish()
    }
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}
