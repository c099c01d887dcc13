//! `Collect`: drain a stream into a collection.

use futures_core::Stream;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pin_project! {
    /// The future returned by [`StreamExt::collect`](super::StreamExt::collect).
    ///
    /// ```
    /// use weft::stream::StreamExt;
    ///
    /// # weft::run(async {
    /// let c: weft::stream::Collect<_, Vec<_>> = weft::future::as_completed([async { 5 }]).collect();
    /// assert_eq!(c.await, [(0, 5)]);
    /// # });
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless awaited"]
    pub struct Collect<S, C> {
        #[pin]
        stream: S,
        items: C,
    }
}

impl<S: Stream, C: Default + Extend<S::Item>> Collect<S, C> {
    pub(super) fn new(stream: S) -> Self {
        Collect {
            stream,
            items: C::default(),
        }
    }
}

impl<S: Stream, C: Default + Extend<S::Item>> Future for Collect<S, C> {
    type Output = C;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<C> {
        let mut this = self.project();
        loop {
            match ready!(this.stream.as_mut().poll_next(cx)) {
                Some(item) => this.items.extend(Some(item)),
                None => return Poll::Ready(std::mem::take(this.items)),
            }
        }
    }
}
