//! The stream adapters `Map`, `Filter` and `Take`: each wraps a stream and changes
//! which items come out, never the order.

use futures_core::Stream;
use pin_project_lite::pin_project;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pin_project! {
    /// The stream returned by [`StreamExt::map`](super::StreamExt::map).
    ///
    /// ```
    /// use weft::stream::StreamExt;
    ///
    /// # weft::run(async {
    /// let m: weft::stream::Map<_, _> = weft::future::as_completed([async { 1 }]).map(|(_, x)| x);
    /// assert_eq!(m.collect::<Vec<_>>().await, [1]);
    /// # });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Map<S, F> {
        #[pin]
        stream: S,
        f: F,
    }
}

impl<S, F> Map<S, F> {
    pub(super) fn new(stream: S, f: F) -> Self {
        Map { stream, f }
    }
}

impl<S: Stream, T, F: FnMut(S::Item) -> T> Stream for Map<S, F> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.project();
        Poll::Ready(ready!(this.stream.poll_next(cx)).map(this.f))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

pin_project! {
    /// The stream returned by [`StreamExt::filter`](super::StreamExt::filter).
    ///
    /// ```
    /// use weft::stream::StreamExt;
    ///
    /// # weft::run(async {
    /// let f: weft::stream::Filter<_, _> =
    ///     weft::future::as_completed([std::future::ready(1), std::future::ready(2)]).filter(|(_, x)| *x > 1);
    /// assert_eq!(f.collect::<Vec<_>>().await, [(1, 2)]);
    /// # });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Filter<S, F> {
        #[pin]
        stream: S,
        predicate: F,
    }
}

impl<S, F> Filter<S, F> {
    pub(super) fn new(stream: S, predicate: F) -> Self {
        Filter { stream, predicate }
    }
}

impl<S: Stream, F: FnMut(&S::Item) -> bool> Stream for Filter<S, F> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let mut this = self.project();
        loop {
            match ready!(this.stream.as_mut().poll_next(cx)) {
                Some(item) if !(this.predicate)(&item) => continue,
                other => return Poll::Ready(other),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.stream.size_hint().1)
    }
}

pin_project! {
    /// The stream returned by [`StreamExt::take`](super::StreamExt::take).
    ///
    /// ```
    /// use weft::stream::StreamExt;
    ///
    /// # weft::run(async {
    /// let t: weft::stream::Take<_> = weft::future::as_completed([std::future::ready(1), std::future::ready(2)]).take(1);
    /// assert_eq!(t.collect::<Vec<_>>().await.len(), 1);
    /// # });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Take<S> {
        #[pin]
        stream: S,
        left: usize,
    }
}

impl<S> Take<S> {
    pub(super) fn new(stream: S, n: usize) -> Self {
        Take { stream, left: n }
    }
}

impl<S: Stream> Stream for Take<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        if *this.left == 0 {
            return Poll::Ready(None);
        }
        let item = ready!(this.stream.poll_next(cx));
        if item.is_some() {
            *this.left -= 1;
        } else {
            *this.left = 0;
        }
        Poll::Ready(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.left == 0 {
            return (0, Some(0));
        }
        let (lo, hi) = self.stream.size_hint();
        (
            lo.min(self.left),
            Some(hi.map_or(self.left, |h| h.min(self.left))),
        )
    }
}
