//! [`Split`]: a stream of the delimiter-separated segments of an [`AsyncBufRead`].
//!
//! # Invariant
//!
//! The segment being assembled lives in `buf`, inside the `Split` itself, until it
//! is complete, so dropping a [`NextSegment`] future loses nothing.

use std::future::Future;
use std::io;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use pin_project_lite::pin_project;

use super::AsyncBufRead;
use super::buf_read_ext::poll_read_until;

pin_project! {
    /// The segments of a reader separated by a delimiter byte, without the
    /// delimiter. Made by [`AsyncBufReadExt::split`](super::AsyncBufReadExt::split).
    ///
    /// Use [`next_segment`](Split::next_segment), or the [`Stream`] impl
    /// (`Item = io::Result<Vec<u8>>`).
    ///
    /// ```
    /// use weft_io::io::{AsyncBufReadExt, Split};
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut records: Split<&[u8]> = AsyncBufReadExt::split(&b"a\0b\0"[..], 0);
    ///     assert_eq!(records.next_segment().await.unwrap().unwrap(), b"a");
    ///     assert_eq!(records.next_segment().await.unwrap().unwrap(), b"b");
    ///     assert!(records.next_segment().await.unwrap().is_none());
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Split<R> {
        #[pin]
        reader: R,
        delim: u8,
        // The segment being assembled, kept across cancelled calls.
        buf: Vec<u8>,
        // Bytes of `buf` read by earlier polls of the current segment.
        read: usize,
    }
}

impl<R> Split<R> {
    pub(crate) fn new(reader: R, delim: u8) -> Split<R> {
        Split {
            reader,
            delim,
            buf: Vec::new(),
            read: 0,
        }
    }

    /// Unwraps the reader. A partly read segment is lost.
    ///
    /// ```
    /// use weft_io::io::AsyncBufReadExt;
    /// assert_eq!(AsyncBufReadExt::split(&b"x"[..], b',').into_inner(), b"x");
    /// ```
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl<R: AsyncBufRead> Split<R> {
    /// The next segment, or `None` at end of file.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a partly read segment stays inside the `Split`, and the next
    /// call returns it whole.
    ///
    /// ```
    /// use weft_io::io::AsyncBufReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut parts = AsyncBufReadExt::split(&b"1 2"[..], b' ');
    ///     assert_eq!(parts.next_segment().await.unwrap().unwrap(), b"1");
    /// });
    /// ```
    pub fn next_segment(&mut self) -> NextSegment<'_, R>
    where
        R: Unpin,
    {
        NextSegment { split: self }
    }

    /// Polls for the next segment; the poll form of
    /// [`next_segment`](Split::next_segment).
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use weft_io::io::AsyncBufReadExt;
    ///
    /// let mut parts = pin!(AsyncBufReadExt::split(&b"a,b"[..], b','));
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let Poll::Ready(Ok(Some(part))) = parts.as_mut().poll_next_segment(&mut cx) else { panic!() };
    /// assert_eq!(part, b"a");
    /// ```
    pub fn poll_next_segment(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Option<Vec<u8>>>> {
        let me = self.project();
        let n = ready!(poll_read_until(me.reader, cx, *me.delim, me.buf, me.read))?;
        if n == 0 && me.buf.is_empty() {
            return Poll::Ready(Ok(None));
        }
        let mut segment = mem::take(me.buf);
        if segment.last() == Some(me.delim) {
            segment.pop();
        }
        Poll::Ready(Ok(Some(segment)))
    }
}

impl<R: AsyncBufRead> Stream for Split<R> {
    type Item = io::Result<Vec<u8>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_next_segment(cx).map(Result::transpose)
    }
}

/// The future returned by [`Split::next_segment`]. Cancel-safe.
///
/// ```
/// use weft_io::io::{AsyncBufReadExt, NextSegment};
/// # use weft_io::doc_support::block_on;
///
/// let mut parts = AsyncBufReadExt::split(&b"z"[..], b',');
/// let fut: NextSegment<'_, &[u8]> = parts.next_segment();
/// assert_eq!(block_on(fut).unwrap().unwrap(), b"z");
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct NextSegment<'a, R> {
    split: &'a mut Split<R>,
}

impl<R: AsyncBufRead + Unpin> Future for NextSegment<'_, R> {
    type Output = io::Result<Option<Vec<u8>>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().split).poll_next_segment(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::AsyncBufReadExt;
    use std::task::Waker;

    #[test]
    fn trailing_delimiter_gives_no_empty_segment() {
        let mut parts = std::pin::pin!(AsyncBufReadExt::split(&b"a,,b,"[..], b','));
        let mut cx = Context::from_waker(Waker::noop());
        let mut got = Vec::new();
        while let Poll::Ready(Some(p)) = parts.as_mut().poll_next(&mut cx) {
            got.push(p.unwrap());
        }
        assert_eq!(got, [&b"a"[..], b"", b"b"]);
    }
}
