//! [`Take`]: a reader adapter that stops after a byte limit.
//!
//! # Invariant
//!
//! `limit` is the number of bytes still allowed; it goes down by exactly what each
//! read or `consume` hands out, so the adapter never yields more than the limit it
//! was created with (plus whatever [`Take::set_limit`] adds).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use super::{AsyncBufRead, AsyncRead, ReadBuf};

pin_project! {
    /// Reads at most a fixed number of bytes from an inner reader, then reports end
    /// of file. Made by [`AsyncReadExt::take`](super::AsyncReadExt::take).
    ///
    /// ```
    /// use weft_io::io::{AsyncReadExt, Take};
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut take: Take<&[u8]> = (&b"hello"[..]).take(2);
    ///     let mut out = String::new();
    ///     take.read_to_string(&mut out).await.unwrap();
    ///     assert_eq!((out.as_str(), take.limit()), ("he", 0));
    ///     assert_eq!(take.into_inner(), b"llo");
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "readers do nothing unless read from"]
    pub struct Take<R> {
        #[pin]
        inner: R,
        limit: u64,
    }
}

impl<R> Take<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Take<R> {
        Take { inner, limit }
    }

    /// How many more bytes may be read.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// assert_eq!((&b""[..]).take(7).limit(), 7);
    /// ```
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Sets how many more bytes may be read.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// let mut t = (&b""[..]).take(7);
    /// t.set_limit(1);
    /// assert_eq!(t.limit(), 1);
    /// ```
    pub fn set_limit(&mut self, limit: u64) {
        self.limit = limit;
    }

    /// The inner reader.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// assert_eq!(*(&b"ab"[..]).take(1).get_ref(), b"ab");
    /// ```
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The inner reader, mutably. Reading from it directly bypasses the limit.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// let mut t = (&b"ab"[..]).take(1);
    /// *t.get_mut() = &b"z"[..];
    /// assert_eq!(*t.get_ref(), b"z");
    /// ```
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The pinned inner reader. Reading from it directly bypasses the limit.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// let mut t = Box::pin((&b"ab"[..]).take(1));
    /// assert_eq!(*t.as_mut().get_pin_mut(), b"ab");
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut R> {
        self.project().inner
    }

    /// Unwraps the inner reader.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// assert_eq!((&b"ab"[..]).take(1).into_inner(), b"ab");
    /// ```
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: AsyncRead> AsyncRead for Take<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.project();
        if *me.limit == 0 {
            return Poll::Ready(Ok(()));
        }
        let max = usize::try_from(*me.limit).unwrap_or(usize::MAX);
        let mut part = buf.take(max);
        // The (empty) filled part starts where the reader must write.
        let start = part.filled().as_ptr();
        ready!(me.inner.poll_read(cx, &mut part))?;
        // A reader that swapped in a buffer of its own did not write into ours.
        assert!(
            part.filled().as_ptr() == start,
            "AsyncRead::poll_read replaced the ReadBuf it was given with another buffer"
        );
        let n = part.filled().len();
        // SAFETY: `assume_init(n)` needs the first `n` unfilled bytes of `buf`
        // written. `part` is a view of exactly that region starting at the same
        // address (checked above), and its first `n` bytes are filled, hence
        // initialised (`ReadBuf` rules 1 and 2); `n <= part.capacity() <=
        // buf.remaining()`.
        unsafe { buf.assume_init(n) };
        buf.advance(n);
        *me.limit -= n as u64;
        Poll::Ready(Ok(()))
    }
}

impl<R: AsyncBufRead> AsyncBufRead for Take<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let me = self.project();
        if *me.limit == 0 {
            return Poll::Ready(Ok(&[]));
        }
        let available = ready!(me.inner.poll_fill_buf(cx))?;
        let max = usize::try_from(*me.limit).unwrap_or(usize::MAX);
        Poll::Ready(Ok(&available[..available.len().min(max)]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let me = self.project();
        let amt = amt.min(usize::try_from(*me.limit).unwrap_or(usize::MAX));
        *me.limit -= amt as u64;
        me.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{AsyncBufReadExt, AsyncReadExt};
    use std::future::Future;
    use std::task::Waker;

    fn ready<F: Future>(f: F) -> F::Output {
        match std::pin::pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("in-memory reads are always ready"),
        }
    }

    #[test]
    fn stops_at_limit_and_leaves_the_rest() {
        let mut t = (&b"abcdef"[..]).take(4);
        let mut buf = [0u8; 3];
        assert_eq!(ready(t.read(&mut buf)).unwrap(), 3);
        assert_eq!(ready(t.read(&mut buf)).unwrap(), 1);
        assert_eq!(ready(t.read(&mut buf)).unwrap(), 0);
        assert_eq!(t.into_inner(), b"ef");
    }

    #[test]
    fn buffered_reads_respect_limit() {
        let mut t = (&b"one\ntwo\n"[..]).take(6);
        let mut line = String::new();
        ready(t.read_line(&mut line)).unwrap();
        ready(t.read_line(&mut line)).unwrap();
        assert_eq!(line, "one\ntw");
        assert_eq!(t.limit(), 0);
    }
}
