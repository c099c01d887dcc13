//! [`BufReader`]: adds a read buffer to any [`AsyncRead`], making it an
//! [`AsyncBufRead`].
//!
//! # Invariant
//!
//! `pos <= filled <= buf.len()`, and `buf[pos..filled]` are the bytes read from the
//! inner reader but not yet handed out, in order. Bytes are handed out only from
//! there, or — when the buffer is empty and the caller's buffer is at least as big as
//! ours — straight from the inner reader, so order is always preserved.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use super::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};

/// The buffer size of [`BufReader::new`] and [`BufWriter::new`](super::BufWriter::new).
pub(crate) const DEFAULT_BUF_SIZE: usize = 8 * 1024;

pin_project! {
    /// Buffers reads from an inner reader, so that many small reads (or line-based
    /// reading through [`AsyncBufReadExt`](super::AsyncBufReadExt)) cost few calls to
    /// the inner reader.
    ///
    /// A read with an empty buffer into a caller's buffer at least as big as this
    /// one's skips the copy and reads straight from the inner reader. If the inner
    /// type is also a writer, writes pass through unbuffered.
    ///
    /// ```
    /// use weft_io::io::{AsyncBufReadExt, BufReader};
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut reader = BufReader::new(&b"line one\nline two\n"[..]);
    ///     let mut line = String::new();
    ///     reader.read_line(&mut line).await.unwrap();
    ///     assert_eq!(line, "line one\n");
    ///     assert_eq!(reader.buffer(), b"line two\n");
    /// });
    /// ```
    #[derive(Debug)]
    pub struct BufReader<R> {
        #[pin]
        inner: R,
        buf: Box<[u8]>,
        // Next byte to hand out.
        pos: usize,
        // End of the bytes read from `inner`.
        filled: usize,
    }
}

impl<R> BufReader<R> {
    /// Wraps `inner` with an 8 KiB buffer.
    ///
    /// ```
    /// let r = weft_io::io::BufReader::new(&b""[..]);
    /// assert_eq!(r.capacity(), 8 * 1024);
    /// ```
    pub fn new(inner: R) -> BufReader<R> {
        BufReader::with_capacity(DEFAULT_BUF_SIZE, inner)
    }

    /// Wraps `inner` with a buffer of `capacity` bytes.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0: such a reader could never buffer a byte.
    ///
    /// ```
    /// let r = weft_io::io::BufReader::with_capacity(16, &b""[..]);
    /// assert_eq!(r.capacity(), 16);
    /// ```
    pub fn with_capacity(capacity: usize, inner: R) -> BufReader<R> {
        assert!(
            capacity > 0,
            "BufReader::with_capacity(0): give the buffer at least one byte"
        );
        BufReader {
            inner,
            buf: vec![0; capacity].into_boxed_slice(),
            pos: 0,
            filled: 0,
        }
    }

    /// The size of the buffer.
    ///
    /// ```
    /// assert_eq!(weft_io::io::BufReader::with_capacity(3, &b""[..]).capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// The bytes buffered but not yet read.
    ///
    /// ```
    /// assert!(weft_io::io::BufReader::new(&b"x"[..]).buffer().is_empty());
    /// ```
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.pos..self.filled]
    }

    /// The inner reader.
    ///
    /// ```
    /// assert_eq!(*weft_io::io::BufReader::new(&b"x"[..]).get_ref(), b"x");
    /// ```
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The inner reader, mutably. Reading from it directly skips buffered bytes.
    ///
    /// ```
    /// let mut r = weft_io::io::BufReader::new(&b"x"[..]);
    /// *r.get_mut() = &b"y"[..];
    /// assert_eq!(*r.get_ref(), b"y");
    /// ```
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The pinned inner reader. Reading from it directly skips buffered bytes.
    ///
    /// ```
    /// let mut r = Box::pin(weft_io::io::BufReader::new(&b"x"[..]));
    /// assert_eq!(*r.as_mut().get_pin_mut(), b"x");
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut R> {
        self.project().inner
    }

    /// Unwraps the inner reader; buffered bytes are lost.
    ///
    /// ```
    /// assert_eq!(weft_io::io::BufReader::new(&b"x"[..]).into_inner(), b"x");
    /// ```
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: AsyncRead> AsyncRead for BufReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pos == self.filled && buf.remaining() >= self.capacity() {
            // Nothing buffered and the caller's buffer is big: copying through ours
            // would only cost time.
            return self.project().inner.poll_read(cx, buf);
        }
        let available = ready!(self.as_mut().poll_fill_buf(cx))?;
        let n = available.len().min(buf.remaining());
        buf.put_slice(&available[..n]);
        self.consume(n);
        Poll::Ready(Ok(()))
    }
}

impl<R: AsyncRead> AsyncBufRead for BufReader<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let me = self.project();
        if *me.pos >= *me.filled {
            let mut read_buf = ReadBuf::new(me.buf);
            ready!(me.inner.poll_read(cx, &mut read_buf))?;
            *me.filled = read_buf.filled().len();
            *me.pos = 0;
        }
        Poll::Ready(Ok(&me.buf[*me.pos..*me.filled]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let me = self.project();
        *me.pos = (*me.pos + amt).min(*me.filled);
    }
}

impl<R: AsyncWrite> AsyncWrite for BufReader<R> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::AsyncReadExt;
    use std::future::Future;
    use std::task::Waker;

    /// Counts the reads that reach it and how big the caller's buffer was.
    struct Counting<'a> {
        data: &'a [u8],
        calls: Vec<usize>,
    }

    impl AsyncRead for Counting<'_> {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let room = buf.remaining();
            self.calls.push(room);
            Pin::new(&mut self.data).poll_read(cx, buf)
        }
    }

    fn ready<F: Future>(f: F) -> F::Output {
        match std::pin::pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("in-memory reads are always ready"),
        }
    }

    #[test]
    fn small_reads_share_one_inner_read() {
        let mut r = BufReader::with_capacity(
            8,
            Counting {
                data: b"abcdefgh",
                calls: vec![],
            },
        );
        let mut one = [0u8; 1];
        for expected in b"abcd" {
            ready(r.read_exact(&mut one)).unwrap();
            assert_eq!(one[0], *expected);
        }
        assert_eq!(r.get_ref().calls, [8]);
        assert_eq!(r.buffer(), b"efgh");
    }

    #[test]
    fn big_read_with_empty_buffer_bypasses() {
        let mut r = BufReader::with_capacity(
            4,
            Counting {
                data: b"abcdefgh",
                calls: vec![],
            },
        );
        let mut big = [0u8; 6];
        assert_eq!(ready(r.read(&mut big)).unwrap(), 6);
        assert_eq!(&big, b"abcdef");
        // The inner reader saw the caller's 6-byte buffer, not our 4-byte one.
        assert_eq!(r.get_ref().calls, [6]);
    }

    #[test]
    fn buffered_bytes_come_before_a_big_read() {
        let mut r = BufReader::with_capacity(
            4,
            Counting {
                data: b"abcdefgh",
                calls: vec![],
            },
        );
        let mut one = [0u8; 1];
        ready(r.read(&mut one)).unwrap();
        let mut big = [0u8; 8];
        // Three bytes are buffered, so this read drains them instead of bypassing.
        assert_eq!(ready(r.read(&mut big)).unwrap(), 3);
        assert_eq!(&big[..3], b"bcd");
    }

    #[test]
    #[should_panic(expected = "at least one byte")]
    fn zero_capacity_is_refused() {
        let _ = BufReader::with_capacity(0, &b""[..]);
    }
}
