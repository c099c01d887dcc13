//! `try_gather`: like `gather` for fallible futures, but the first error wins and
//! every other child is dropped at once.
//!
//! Invariant: once an error has been returned, no child is left alive.

use super::children::Children;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs every fallible future of `futures` concurrently in the caller's task and
/// returns all their `Ok` values in input order, or the **first** `Err` to occur (in
/// completion order). On an error the unfinished futures are dropped before the
/// error is returned, so none of them runs any further.
///
/// Like [`gather`](super::gather), it polls only the children that were woken.
///
/// ```
/// use weft::future::try_gather;
///
/// # weft::run(async {
/// let ok = try_gather((1..=3).map(|i| async move { Ok::<_, String>(i * 2) })).await;
/// assert_eq!(ok, Ok(vec![2, 4, 6]));
///
/// let err = try_gather((1..=3).map(|i| async move {
///     if i == 2 { Err(format!("{i} failed")) } else { Ok(i) }
/// }))
/// .await;
/// assert_eq!(err, Err("2 failed".to_string()));
/// # });
/// ```
pub fn try_gather<I, T, E>(futures: I) -> TryGather<<I::Item as IntoFuture>::IntoFuture, T>
where
    I: IntoIterator,
    I::Item: IntoFuture<Output = Result<T, E>>,
{
    let children = Children::new(futures.into_iter().map(IntoFuture::into_future));
    let outputs = std::iter::repeat_with(|| None)
        .take(children.len())
        .collect();
    TryGather { children, outputs }
}

/// The future returned by [`try_gather`].
///
/// ```
/// # weft::run(async {
/// let t: weft::future::TryGather<_, u8> =
///     weft::future::try_gather([async { Ok::<u8, ()>(1) }]);
/// assert_eq!(t.await, Ok(vec![1]));
/// # });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct TryGather<F, T> {
    children: Children<F>,
    outputs: Vec<Option<T>>,
}

// `Children` pins the futures in their own allocation, so `TryGather` may move.
impl<F, T> Unpin for TryGather<F, T> {}

impl<F, T, E> Future for TryGather<F, T>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let outputs = &mut this.outputs;
        let mut error = None;
        this.children.poll_woken(cx, |index, out| match out {
            Ok(value) => {
                outputs[index] = Some(value);
                ControlFlow::Continue(())
            }
            Err(e) => {
                error = Some(e);
                ControlFlow::Break(())
            }
        });
        if let Some(e) = error {
            this.children.drop_all();
            this.outputs = Vec::new();
            return Poll::Ready(Err(e));
        }
        if this.children.live() > 0 {
            return Poll::Pending;
        }
        let outputs = std::mem::take(&mut this.outputs);
        Poll::Ready(Ok(outputs
            .into_iter()
            .map(|o| o.expect("`TryGather` polled after it completed"))
            .collect()))
    }
}

impl<F, T> fmt::Debug for TryGather<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGather")
            .field("pending", &self.children.live())
            .finish()
    }
}
