//! `wait`: asyncio's `wait` — run futures until all, the first, or the first failed
//! one are done (or a timeout passes), and hand back both the finished outputs and
//! the futures still running.
//!
//! Invariant: every input future is in exactly one of the two returned lists: in
//! `done` (with its output) or in `pending` (boxed, untouched since its last poll,
//! so it can be awaited or waited on again).

use super::children::Children;
use crate::time::{Sleep, sleep};
use pin_project_lite::pin_project;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// When [`wait`] returns (asyncio's `return_when`).
///
/// ```
/// use weft::future::ReturnWhen;
///
/// assert_ne!(ReturnWhen::AllCompleted, ReturnWhen::FirstCompleted);
/// assert_eq!(ReturnWhen::default(), ReturnWhen::AllCompleted);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// When every future has finished.
    #[default]
    AllCompleted,
    /// As soon as at least one future has finished.
    FirstCompleted,
    /// As soon as a future finishes with a failure (see [`Outcome`]), or when every
    /// future has finished if none fails.
    FirstError,
}

/// Whether a future's output counts as a failure, for [`ReturnWhen::FirstError`].
///
/// `Result<T, E>` fails when it is an `Err`. This covers awaited
/// [`JoinHandle`](crate::task::JoinHandle)s: their `Err(JoinError)` means the task
/// panicked or was cancelled. For a task that itself returns a `Result`, only the
/// `JoinError` counts; flatten it first (`async { handle.await.map_err(..)? }`) to
/// count the task's own errors too. The unit type and `bool` never fail; implement
/// the trait for your own output types.
///
/// ```
/// use weft::future::Outcome;
///
/// assert!(Err::<(), _>("no").is_failure());
/// assert!(!Ok::<_, ()>(1).is_failure());
///
/// struct Reply { status: u16 }
/// impl Outcome for Reply {
///     fn is_failure(&self) -> bool {
///         self.status >= 500
///     }
/// }
/// assert!(Reply { status: 503 }.is_failure());
/// ```
pub trait Outcome {
    /// True if this output is a failure.
    fn is_failure(&self) -> bool;
}

impl<T, E> Outcome for Result<T, E> {
    fn is_failure(&self) -> bool {
        self.is_err()
    }
}

impl Outcome for () {
    fn is_failure(&self) -> bool {
        false
    }
}

impl Outcome for bool {
    fn is_failure(&self) -> bool {
        false
    }
}

/// The finished outputs, each with its future's input index, in the order they
/// finished.
pub type Done<T> = Vec<(usize, T)>;

/// The futures still running, each with its input index, in input order. Each is
/// pinned in its own box, so it can be awaited, passed to `wait` again, or dropped
/// (which cancels it, or detaches a `JoinHandle`).
pub type Pending<F> = Vec<(usize, Pin<Box<F>>)>;

/// Runs the futures concurrently in the caller's task until `return_when` is met or
/// `timeout` (if any) has passed, and returns `(done, pending)`: the outputs of the
/// futures that finished, with their input indices, in completion order, and the
/// futures still running, in input order.
///
/// Nothing is cancelled, not even on timeout: the pending futures are returned as
/// they are and can be awaited afterwards. An empty input returns at once with two
/// empty lists. With `FirstCompleted` or `FirstError`, every future that finishes
/// in the same round of polling is reported, so `done` may hold more than one.
/// Like [`gather`](super::gather), only woken futures are polled again.
///
/// ```
/// use std::time::Duration;
/// use weft::future::{ReturnWhen, wait};
///
/// # weft::run(async {
/// let tasks = vec![
///     weft::spawn(async { 1 }),
///     weft::spawn(async { std::future::pending::<i32>().await }),
/// ];
/// let (done, pending) = wait(tasks, ReturnWhen::FirstCompleted, None).await;
/// assert_eq!(done.len(), 1);
/// assert_eq!(done[0].0, 0);
/// assert_eq!(*done[0].1.as_ref().unwrap(), 1);
///
/// // The still-running task is handed back; wait a little longer, then stop it.
/// let (done, pending) = wait(
///     pending.into_iter().map(|(_, task)| task),
///     ReturnWhen::AllCompleted,
///     Some(Duration::from_millis(10)),
/// )
/// .await;
/// assert!(done.is_empty());
/// pending[0].1.abort();
/// # });
/// ```
pub fn wait<I>(
    futures: I,
    return_when: ReturnWhen,
    timeout: Option<Duration>,
) -> Wait<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    let children = Children::new(
        futures
            .into_iter()
            .map(|f| Box::pin(IntoFuture::into_future(f))),
    );
    Wait {
        done: Vec::new(),
        children,
        return_when,
        timeout,
        sleep: None,
    }
}

pin_project! {
    /// The future returned by [`wait`]: `(done, pending)`.
    ///
    /// ```
    /// use weft::future::{ReturnWhen, Wait, wait};
    ///
    /// # weft::run(async {
    /// let w: Wait<_> = wait([async { () }], ReturnWhen::AllCompleted, None);
    /// let (done, pending) = w.await;
    /// assert_eq!((done.len(), pending.len()), (1, 0));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct Wait<F: Future> {
        children: Children<Pin<Box<F>>>,
        done: Done<F::Output>,
        return_when: ReturnWhen,
        timeout: Option<Duration>,
        // Started on the first poll, so `wait` itself needs no runtime.
        #[pin]
        sleep: Option<Sleep>,
    }
}

impl<F> Future for Wait<F>
where
    F: Future,
    F::Output: Outcome,
{
    type Output = (Done<F::Output>, Pending<F>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let return_when = *this.return_when;
        let done = &mut *this.done;
        let mut failed = false;
        this.children.poll_woken(cx, |index, out| {
            failed |= out.is_failure();
            done.push((index, out));
            ControlFlow::Continue(())
        });
        let finished = match return_when {
            _ if this.children.live() == 0 => true,
            ReturnWhen::AllCompleted => false,
            ReturnWhen::FirstCompleted => !done.is_empty(),
            // An earlier failure would have ended the wait already.
            ReturnWhen::FirstError => failed,
        };
        if !finished {
            let timed_out = match this.timeout.take() {
                Some(after) => {
                    this.sleep.set(Some(sleep(after)));
                    this.sleep.as_mut().as_pin_mut().map(|s| s.poll(cx))
                }
                None => this.sleep.as_mut().as_pin_mut().map(|s| s.poll(cx)),
            };
            if !matches!(timed_out, Some(Poll::Ready(()))) {
                return Poll::Pending;
            }
        }
        this.sleep.set(None);
        Poll::Ready((std::mem::take(done), this.children.take_live()))
    }
}

impl<F: Future> fmt::Debug for Wait<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("done", &self.done.len())
            .field("pending", &self.children.live())
            .field("return_when", &self.return_when)
            .finish()
    }
}
