//! `shield`: protect a future from its caller's cancellation by running it as its
//! own task (asyncio's `shield`).

use crate::task::{JoinError, JoinHandle};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// Starts `future` as a task of its own and returns a [`Shield`] that resolves to
/// its output.
///
/// Dropping the `Shield` (say, because the caller timed out or lost a `select!`)
/// does **not** stop the future: it runs to completion on its task and its output is
/// dropped. To give up waiting but still collect the output later, await
/// `&mut shield` (a `Shield` is `Unpin`) and keep the `Shield` itself.
///
/// Awaiting a `Shield` behaves like awaiting the future: if the future panicked, the
/// panic resumes in the awaiting task.
///
/// # Panics
///
/// Outside a runtime. When awaited, if the future panicked (with its payload), or
/// if its task was cancelled because the runtime shut down.
///
/// ```
/// use weft::future::shield;
///
/// # weft::run(async {
/// let (tx, rx) = std::sync::mpsc::channel();
/// let (go_tx, go_rx) = weft::sync::oneshot::channel::<()>();
/// let mut saved = shield(async move {
///     go_rx.await.unwrap(); // released only after the caller gave up below
///     tx.send("finished anyway").unwrap();
///     42
/// });
/// // Stop waiting: the other branch is ready at once, and the shielded work is
/// // not cancelled...
/// let _ = weft::future::race([
///     Box::pin(&mut saved) as std::pin::Pin<Box<dyn std::future::Future<Output = i32> + Send>>,
///     Box::pin(async { 0 }),
/// ])
/// .await;
/// go_tx.send(()).unwrap();
/// // ...and its output can still be collected.
/// assert_eq!(saved.await, 42);
/// assert_eq!(rx.recv().unwrap(), "finished anyway");
/// # });
/// ```
#[track_caller]
pub fn shield<F>(future: F) -> Shield<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Shield {
        handle: crate::spawn(future),
    }
}

/// The future returned by [`shield`]: the output of the shielded task.
///
/// ```
/// # weft::run(async {
/// let s: weft::future::Shield<u8> = weft::future::shield(async { 3 });
/// assert_eq!(s.await, 3);
/// # });
/// ```
#[must_use = "the shielded future runs anyway; await the Shield to get its output"]
pub struct Shield<T> {
    handle: JoinHandle<T>,
}

impl<T> Shield<T> {
    /// Whether the shielded future has finished.
    ///
    /// ```
    /// # weft::run(async {
    /// let s = weft::future::shield(std::future::pending::<()>());
    /// assert!(!s.is_finished());
    /// # });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }

    /// The underlying task's handle, to abort the shielded work after all or to see
    /// its [`JoinError`] instead of resuming a panic.
    ///
    /// ```
    /// # weft::run(async {
    /// let s = weft::future::shield(async { panic!("inner") });
    /// assert!(s.into_join_handle().await.unwrap_err().is_panic());
    /// # });
    /// ```
    pub fn into_join_handle(self) -> JoinHandle<T> {
        self.handle
    }
}

impl<T> Future for Shield<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match ready!(Pin::new(&mut self.handle).poll(cx)) {
            Ok(out) => Poll::Ready(out),
            Err(err) => Poll::Ready(resume(err)),
        }
    }
}

fn resume<T>(err: JoinError) -> T {
    match err.try_into_panic() {
        Ok(payload) => std::panic::resume_unwind(payload),
        Err(err) => panic!(
            "the shielded future was cancelled ({err}): its runtime shut down before it \
             finished, so there is no output to return"
        ),
    }
}

impl<T> fmt::Debug for Shield<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shield")
            .field("task", &self.handle.id())
            .finish()
    }
}
