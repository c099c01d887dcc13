//! `gather`: run many futures concurrently in the caller's task and collect their
//! outputs in input order (asyncio's `gather`).
//!
//! Invariant: `outputs[i]` is `Some` exactly when child `i` has finished; the future
//! completes when every child has.

use super::children::Children;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs every future of `futures` concurrently, inside the task that awaits the
/// result, and returns their outputs **in input order** (not completion order).
///
/// Nothing is spawned: the futures may borrow from the caller and need not be
/// `Send` or `'static`. To run them in parallel on several workers, spawn them and
/// gather the [`JoinHandle`](crate::task::JoinHandle)s, which gives one
/// `Result<T, JoinError>` per task.
///
/// Each child has its own waker, so after the first poll only the children that were
/// woken are polled again: gathering `n` futures costs O(n + wake-ups), and 100 000
/// futures are fine. Dropping the `Gather` drops every unfinished child.
///
/// ```
/// use weft::future::gather;
///
/// # weft::run(async {
/// let words = ["one", "two", "three"];
/// // Borrowed, non-`'static` futures:
/// let lens = gather(words.iter().map(|w| async move { w.len() })).await;
/// assert_eq!(lens, [3, 3, 5]);
///
/// // Spawned tasks run in parallel; their handles are futures too:
/// let handles = (0..4).map(|i| weft::spawn(async move { i * 10 }));
/// let outs: Vec<i32> = gather(handles).await.into_iter().map(Result::unwrap).collect();
/// assert_eq!(outs, [0, 10, 20, 30]);
/// # });
/// ```
pub fn gather<I>(futures: I) -> Gather<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    let children = Children::new(futures.into_iter().map(IntoFuture::into_future));
    let outputs = std::iter::repeat_with(|| None)
        .take(children.len())
        .collect();
    Gather { children, outputs }
}

/// The future returned by [`gather`]; resolves to the outputs in input order.
///
/// ```
/// # weft::run(async {
/// let g: weft::future::Gather<_> = weft::future::gather(vec![std::future::ready(1), std::future::ready(2)]);
/// assert_eq!(g.await, [1, 2]);
/// # });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Gather<F: Future> {
    children: Children<F>,
    outputs: Vec<Option<F::Output>>,
}

// `Children` pins the futures in their own allocation, so `Gather` itself may move.
impl<F: Future> Unpin for Gather<F> {}

impl<F: Future> Future for Gather<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let outputs = &mut this.outputs;
        this.children.poll_woken(cx, |index, out| {
            outputs[index] = Some(out);
            ControlFlow::Continue(())
        });
        if this.children.live() > 0 {
            return Poll::Pending;
        }
        let outputs = std::mem::take(&mut this.outputs);
        Poll::Ready(
            outputs
                .into_iter()
                .map(|o| o.expect("`Gather` polled after it completed"))
                .collect(),
        )
    }
}

impl<F: Future> fmt::Debug for Gather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("len", &self.children.len())
            .field("pending", &self.children.live())
            .finish()
    }
}
