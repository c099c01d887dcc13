//! `JoinHandle` and `AbortHandle`: the caller's side of a spawned task.

use super::error::JoinError;
use super::id::Id;
use super::raw::RawTask;
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// An owned permission to await a spawned task's output, or to cancel it.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked or was
/// cancelled. Dropping it *detaches* the task: it keeps running and its output is
/// dropped when it finishes.
///
/// Cancel safety: awaiting a `JoinHandle` is cancel safe; dropping the `await`
/// loses nothing, and the handle can be awaited again.
///
/// ```
/// # weft::run(async {
/// let handle = weft::spawn(async { 6 * 7 });
/// assert_eq!(handle.await.unwrap(), 42);
/// # });
/// ```
pub struct JoinHandle<T> {
    raw: RawTask,
    _output: PhantomData<T>,
}

// SAFETY: the handle gives access only to the output, which it moves out by value;
// sending the handle sends at most a `T`.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` allows only `abort`, `is_finished` and `id`, which touch the
// atomic state word alone.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> UnwindSafe for JoinHandle<T> {}
impl<T> RefUnwindSafe for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// # Safety
    ///
    /// `raw` is a task whose output type is `T`, and the caller transfers the join
    /// handle's reference and `JOIN_INTEREST` to the new handle.
    pub(super) unsafe fn new(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
    }

    /// Asks the task to stop. Its future is dropped by its scheduler the next time
    /// it would run (at once if idle), and awaiting this handle then gives a cancelled
    /// [`JoinError`] — unless the task had already finished, in which case the output
    /// is still returned.
    ///
    /// ```
    /// # weft::run(async {
    /// let handle = weft::spawn(std::future::pending::<()>());
    /// handle.abort();
    /// assert!(handle.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn abort(&self) {
        abort(self.raw);
    }

    /// Whether the task has finished (with output, panic or cancellation).
    ///
    /// ```
    /// # weft::run(async {
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let handle = weft::spawn(async move { tx.send(()).unwrap() });
    /// while !handle.is_finished() {
    ///     weft::task::yield_now().await;
    /// }
    /// rx.recv().unwrap();
    /// # });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// A handle that can abort the task but not await it.
    ///
    /// ```
    /// # weft::run(async {
    /// let handle = weft::spawn(std::future::pending::<()>());
    /// let abort = handle.abort_handle();
    /// abort.abort();
    /// assert!(handle.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        self.raw.ref_inc();
        AbortHandle { raw: self.raw }
    }

    /// The task's id.
    ///
    /// ```
    /// # weft::run(async {
    /// let a = weft::spawn(async {});
    /// let b = weft::spawn(async {});
    /// assert_ne!(a.id(), b.id());
    /// # });
    /// ```
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl<T> Unpin for JoinHandle<T> {}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = std::task::ready!(coop::poll_proceed(cx));
        let mut ret = Poll::Pending;
        // SAFETY: `ret` has the type the task's `try_read_output` writes, because this
        // handle was made for a task whose output is `T`, and we hold JOIN_INTEREST.
        unsafe {
            self.raw.try_read_output((&raw mut ret).cast(), cx.waker());
        }
        if ret.is_ready() {
            coop.made_progress();
        }
        ret
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // SAFETY: we own the join handle's reference and interest.
        unsafe { self.raw.drop_join_handle() }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}

fn abort(raw: RawTask) {
    if raw.header().state.transition_to_notified_and_cancel() {
        // SAFETY: the transition took a reference for the `Notified`.
        unsafe { raw.schedule() };
    }
}

/// A handle that can cancel a task but not await it. Dropping it does nothing to
/// the task.
///
/// ```
/// # weft::run(async {
/// let handle = weft::spawn(std::future::pending::<()>());
/// let abort = handle.abort_handle();
/// assert!(!abort.is_finished());
/// abort.abort();
/// assert!(handle.await.unwrap_err().is_cancelled());
/// # });
/// ```
pub struct AbortHandle {
    raw: RawTask,
}

// SAFETY: an `AbortHandle` touches only the atomic state word and, through
// `schedule`, the task's scheduler, which is itself `Send + Sync`.
unsafe impl Send for AbortHandle {}
// SAFETY: as for `Send`.
unsafe impl Sync for AbortHandle {}

impl UnwindSafe for AbortHandle {}
impl RefUnwindSafe for AbortHandle {}

impl AbortHandle {
    /// Asks the task to stop, as [`JoinHandle::abort`] does.
    ///
    /// ```
    /// # weft::run(async {
    /// let handle = weft::spawn(std::future::pending::<()>());
    /// handle.abort_handle().abort();
    /// assert!(handle.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn abort(&self) {
        abort(self.raw);
    }

    /// Whether the task has finished.
    ///
    /// ```
    /// # weft::run(async {
    /// let handle = weft::spawn(async {});
    /// let abort = handle.abort_handle();
    /// handle.await.unwrap();
    /// assert!(abort.is_finished());
    /// # });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// The task's id.
    ///
    /// ```
    /// # weft::run(async {
    /// let handle = weft::spawn(async {});
    /// assert_eq!(handle.abort_handle().id(), handle.id());
    /// # });
    /// ```
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        // SAFETY: the abort handle owns one reference.
        unsafe { self.raw.drop_reference() }
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}
