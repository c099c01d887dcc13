//! `race`: the first of many futures to finish wins; the others are dropped.

use super::children::Children;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs every future of `futures` concurrently in the caller's task and returns the
/// output of the first one to finish. The others are dropped before `race` returns
/// (a spawned task behind a dropped [`JoinHandle`](crate::task::JoinHandle) is
/// detached, not cancelled: abort it yourself if you need to).
///
/// When several children finish during the same poll, the one earliest in the
/// order they were woken wins. Only woken children are polled again.
///
/// # Panics
///
/// When polled, if `futures` was empty: there is nothing that could win.
///
/// ```
/// use std::future::{pending, ready};
/// use weft::future::race;
///
/// # weft::run(async {
/// let winner = race([
///     Box::pin(pending()) as std::pin::Pin<Box<dyn std::future::Future<Output = u8> + Send>>,
///     Box::pin(ready(7)),
/// ])
/// .await;
/// assert_eq!(winner, 7);
/// # });
/// ```
pub fn race<I>(futures: I) -> Race<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    Race {
        children: Children::new(futures.into_iter().map(IntoFuture::into_future)),
    }
}

/// The future returned by [`race`].
///
/// ```
/// # weft::run(async {
/// let r: weft::future::Race<_> = weft::future::race([async { 1 }]);
/// assert_eq!(r.await, 1);
/// # });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Race<F> {
    children: Children<F>,
}

// `Children` pins the futures in their own allocation, so `Race` may move.
impl<F> Unpin for Race<F> {}

impl<F: Future> Future for Race<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        assert!(
            this.children.live() > 0,
            "`weft::future::race` of no futures (or polled after it finished): \
             pass at least one future"
        );
        let mut winner = None;
        this.children.poll_woken(cx, |_, out| {
            winner = Some(out);
            ControlFlow::Break(())
        });
        match winner {
            Some(out) => {
                this.children.drop_all();
                Poll::Ready(out)
            }
            None => Poll::Pending,
        }
    }
}

impl<F> fmt::Debug for Race<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Race")
            .field("running", &self.children.live())
            .finish()
    }
}
