//! `Runtime`: owns the worker threads and the blocking pool; dropping it cancels
//! every task and joins every thread.

use super::blocking;
use super::context;
use super::{Builder, EnterGuard, Handle};
use crate::task::JoinHandle;
use std::fmt;
use std::future::Future;
use std::io;
use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::Duration;

/// A running weft runtime.
///
/// ```
/// let rt = weft::runtime::Runtime::new().unwrap();
/// let answer = rt.block_on(async {
///     let handle = weft::spawn(async { 40 + 2 });
///     handle.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
pub struct Runtime {
    handle: Handle,
    threads: WorkerThreads,
    blocking: blocking::Spawner,
}

/// The runtime's worker threads, and a way to wait for them with a deadline (std has
/// no timed join): every thread holds a sender of `exited` until it ends, so the
/// channel disconnects exactly when the last one is done.
pub(super) struct WorkerThreads {
    joins: Vec<thread::JoinHandle<()>>,
    /// Behind a mutex only so `Runtime` stays `Sync` (a `Receiver` is not).
    exited: Mutex<mpsc::Receiver<()>>,
}

impl WorkerThreads {
    /// A set with no thread yet, and the sender each new thread must hold.
    pub(super) fn new() -> (WorkerThreads, mpsc::Sender<()>) {
        let (tx, exited) = mpsc::channel();
        let joins = Vec::new();
        let exited = Mutex::new(exited);
        (WorkerThreads { joins, exited }, tx)
    }

    pub(super) fn push(&mut self, join: thread::JoinHandle<()>) {
        self.joins.push(join);
    }

    /// Joins every thread, giving up (and leaving them to finish on their own) once
    /// `timeout` has passed.
    pub(super) fn join(&mut self, timeout: Option<Duration>) {
        if let Some(timeout) = timeout {
            // Nothing is ever sent: the wait ends when the last thread drops its
            // sender, or at the deadline.
            let exited = self.exited.get_mut().unwrap_or_else(|e| e.into_inner());
            if let Err(mpsc::RecvTimeoutError::Timeout) = exited.recv_timeout(timeout) {
                self.joins.clear();
                return;
            }
        }
        for join in self.joins.drain(..) {
            let _ = join.join();
        }
    }
}

impl Runtime {
    pub(super) fn from_parts(
        handle: Handle,
        threads: WorkerThreads,
        blocking: blocking::Spawner,
    ) -> Runtime {
        Runtime {
            handle,
            threads,
            blocking,
        }
    }

    /// A multi-thread runtime with default settings (one worker per core).
    ///
    /// # Errors
    ///
    /// As [`Builder::build`].
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new()?;
    /// # drop(rt);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().build()
    }

    /// Runs `future` to completion on this thread, with the runtime current.
    ///
    /// # Panics
    ///
    /// If called from a thread that is already running a weft runtime (that would
    /// block its tasks), or if `future` panics.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.block_on(async { 7 }), 7);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Spawns a task on this runtime; see [`crate::spawn`].
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let handle = rt.spawn(async { 5 });
    /// assert_eq!(rt.block_on(handle).unwrap(), 5);
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs a blocking closure on this runtime's blocking pool.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let handle = rt.spawn_blocking(|| std::fs::metadata(".").is_ok());
    /// assert!(rt.block_on(handle).unwrap());
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// A handle to this runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let handle = rt.handle().clone();
    /// std::thread::spawn(move || handle.block_on(async {})).join().unwrap();
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes this runtime current on this thread until the guard drops, so
    /// `weft::spawn` works in plain code.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let _guard = rt.enter();
    /// let handle = weft::spawn(async { 3 });
    /// assert_eq!(rt.block_on(handle).unwrap(), 3);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Shuts down: cancels every task, then waits up to `timeout` for the worker
    /// threads and the running blocking tasks (queued blocking tasks are cancelled).
    /// Threads still busy after `timeout` are left to finish on their own.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.spawn_blocking(|| std::thread::sleep(Duration::from_millis(50)));
    /// rt.shutdown_timeout(Duration::from_millis(10));
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown(Some(timeout));
    }

    /// Shuts down without waiting for any thread.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.shutdown_background();
    /// ```
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }

    fn shutdown(&mut self, timeout: Option<Duration>) {
        self.handle.inner.shutdown();
        // Joining from a runtime thread would wait for ourselves (or block tasks):
        // the threads exit on their own once they see the shutdown.
        let can_join = !context::is_entered() && timeout != Some(Duration::ZERO);
        let start = std::time::Instant::now();
        if can_join {
            self.threads.join(timeout);
        } else {
            self.threads.joins.clear();
        }
        let left = timeout.map(|t| t.saturating_sub(start.elapsed()));
        self.blocking
            .shutdown(if can_join { left } else { Some(Duration::ZERO) });
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shutdown(None);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("workers", &self.threads.joins.len())
            .finish_non_exhaustive()
    }
}

// A runtime is shared across threads (behind an `Arc`, or by reference in scoped
// threads); keep it so.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Runtime>();
};
