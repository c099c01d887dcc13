//! `as_completed`: a stream of outputs in the order the futures finish.
//!
//! Invariant: the stream has yielded `len - live` items; it ends once no child is
//! left.

use super::children::Children;
use futures_core::Stream;
use futures_core::stream::FusedStream;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs every future of `futures` concurrently in the caller's task (while the
/// stream is polled) and yields `(index, output)` pairs **in completion order**;
/// `index` is the future's position in the input. The stream ends after the last
/// output.
///
/// Dropping the stream drops the futures that have not finished. Only woken
/// futures are polled again.
///
/// ```
/// use weft::future::as_completed;
/// use weft::stream::StreamExt;
///
/// # weft::run(async {
/// let slow = async {
///     weft::task::yield_now().await;
///     "slow"
/// };
/// let fast = async { "fast" };
/// let mut done = as_completed([
///     Box::pin(slow) as std::pin::Pin<Box<dyn std::future::Future<Output = &str> + Send>>,
///     Box::pin(fast),
/// ]);
/// assert_eq!(done.next().await, Some((1, "fast")));
/// assert_eq!(done.next().await, Some((0, "slow")));
/// assert_eq!(done.next().await, None);
/// # });
/// ```
pub fn as_completed<I>(futures: I) -> AsCompleted<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    AsCompleted {
        children: Children::new(futures.into_iter().map(IntoFuture::into_future)),
    }
}

/// The stream returned by [`as_completed`]: `(input index, output)` in completion
/// order.
///
/// ```
/// use weft::stream::StreamExt;
/// # weft::run(async {
/// let s: weft::future::AsCompleted<_> = weft::future::as_completed([async { 'a' }]);
/// assert_eq!(s.collect::<Vec<_>>().await, [(0, 'a')]);
/// # });
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<F> {
    children: Children<F>,
}

// `Children` pins the futures in their own allocation, so the stream may move.
impl<F> Unpin for AsCompleted<F> {}

impl<F: Future> Stream for AsCompleted<F> {
    type Item = (usize, F::Output);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.children.live() == 0 {
            return Poll::Ready(None);
        }
        let mut item = None;
        this.children.poll_woken(cx, |index, out| {
            item = Some((index, out));
            ControlFlow::Break(())
        });
        match item {
            Some(item) => Poll::Ready(Some(item)),
            None => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.children.live(), Some(self.children.live()))
    }
}

impl<F: Future> FusedStream for AsCompleted<F> {
    fn is_terminated(&self) -> bool {
        self.children.live() == 0
    }
}

impl<F> fmt::Debug for AsCompleted<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("running", &self.children.live())
            .finish()
    }
}
