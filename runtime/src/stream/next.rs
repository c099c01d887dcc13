//! `Next`: the future of a stream's next item.

use futures_core::Stream;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The future returned by [`StreamExt::next`](super::StreamExt::next).
///
/// ```
/// use weft::stream::StreamExt;
///
/// # weft::run(async {
/// let mut s = weft::future::as_completed([async { 1 }]);
/// let next: weft::stream::Next<'_, _> = s.next();
/// assert_eq!(next.await, Some((0, 1)));
/// # });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Next<'a, S: ?Sized> {
    stream: &'a mut S,
}

impl<'a, S: ?Sized> Next<'a, S> {
    pub(super) fn new(stream: &'a mut S) -> Self {
        Next { stream }
    }
}

impl<S: Stream + Unpin + ?Sized> Future for Next<'_, S> {
    type Output = Option<S::Item>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.stream).poll_next(cx)
    }
}
