//! [`Chain`]: a reader adapter that reads one reader to its end, then another.
//!
//! # Invariant
//!
//! `done_first` turns true once the first reader reports end of file with room in
//! the buffer, and never turns back: after that only the second reader is polled.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use super::{AsyncBufRead, AsyncRead, ReadBuf};

pin_project! {
    /// Reads all of one reader, then all of another. Made by
    /// [`AsyncReadExt::chain`](super::AsyncReadExt::chain).
    ///
    /// ```
    /// use weft_io::io::{AsyncReadExt, Chain};
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut both: Chain<&[u8], &[u8]> = (&b"head "[..]).chain(&b"tail"[..]);
    ///     let mut out = String::new();
    ///     both.read_to_string(&mut out).await.unwrap();
    ///     assert_eq!(out, "head tail");
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "readers do nothing unless read from"]
    pub struct Chain<A, B> {
        #[pin]
        first: A,
        #[pin]
        second: B,
        done_first: bool,
    }
}

impl<A, B> Chain<A, B> {
    pub(crate) fn new(first: A, second: B) -> Chain<A, B> {
        Chain {
            first,
            second,
            done_first: false,
        }
    }

    /// Both readers.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// let c = (&b"a"[..]).chain(&b"b"[..]);
    /// assert_eq!(c.get_ref(), (&&b"a"[..], &&b"b"[..]));
    /// ```
    pub fn get_ref(&self) -> (&A, &B) {
        (&self.first, &self.second)
    }

    /// Both readers, mutably. Reading from them directly skips the chain's order.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// let mut c = (&b"a"[..]).chain(&b"b"[..]);
    /// *c.get_mut().1 = &b"z"[..];
    /// assert_eq!(*c.get_ref().1, b"z");
    /// ```
    pub fn get_mut(&mut self) -> (&mut A, &mut B) {
        (&mut self.first, &mut self.second)
    }

    /// Unwraps both readers.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// let (a, b) = (&b"a"[..]).chain(&b"b"[..]).into_inner();
    /// assert_eq!((a, b), (&b"a"[..], &b"b"[..]));
    /// ```
    pub fn into_inner(self) -> (A, B) {
        (self.first, self.second)
    }
}

impl<A: AsyncRead, B: AsyncRead> AsyncRead for Chain<A, B> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.project();
        if !*me.done_first {
            let before = buf.filled().len();
            ready!(me.first.poll_read(cx, buf))?;
            if buf.filled().len() > before || buf.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            *me.done_first = true;
        }
        me.second.poll_read(cx, buf)
    }
}

impl<A: AsyncBufRead, B: AsyncBufRead> AsyncBufRead for Chain<A, B> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let me = self.project();
        if !*me.done_first {
            match ready!(me.first.poll_fill_buf(cx))? {
                [] => *me.done_first = true,
                available => return Poll::Ready(Ok(available)),
            }
        }
        me.second.poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let me = self.project();
        if *me.done_first {
            me.second.consume(amt)
        } else {
            me.first.consume(amt)
        }
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
    fn line_spanning_both_readers() {
        let mut c = (&b"one\ntw"[..]).chain(&b"o\nthree"[..]);
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            if ready(c.read_line(&mut line)).unwrap() == 0 {
                break;
            }
            lines.push(line);
        }
        assert_eq!(lines, ["one\n", "two\n", "three"]);
    }

    #[test]
    fn empty_first_reader_is_skipped() {
        let mut c = (&b""[..]).chain(&b"x"[..]);
        let mut buf = [0u8; 4];
        assert_eq!(ready(c.read(&mut buf)).unwrap(), 1);
        assert_eq!(ready(c.read(&mut buf)).unwrap(), 0);
    }
}
