//! [`BufWriter`]: adds a write buffer to any [`AsyncWrite`].
//!
//! # Invariant
//!
//! `buf[written..]` are the bytes accepted from callers but not yet taken by the
//! inner writer, in order; `written` counts the ones a partial flush already pushed
//! (they are dropped from `buf` when that flush ends). Any write that would not fit
//! flushes these first, so the inner writer sees bytes in exactly the order callers
//! wrote them. `buf.len() <= capacity` except while a flush is under way.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use pin_project_lite::pin_project;

use super::buf_reader::DEFAULT_BUF_SIZE;
use super::write_ext::write_zero;
use super::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};

pin_project! {
    /// Buffers writes to an inner writer, so that many small writes cost few calls
    /// to it.
    ///
    /// Bytes reach the inner writer when the buffer would overflow, on
    /// [`flush`](super::AsyncWriteExt::flush) and on
    /// [`shutdown`](super::AsyncWriteExt::shutdown). A write at least as big as the
    /// buffer skips it (after flushing what is buffered). **Dropping a `BufWriter`
    /// without flushing loses the buffered bytes**: there is no async drop. If the
    /// inner type is also a reader, reads pass through.
    ///
    /// ```
    /// use weft_io::io::{AsyncWriteExt, BufWriter};
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut w = BufWriter::with_capacity(16, Vec::new());
    ///     w.write_all(b"small").await.unwrap();
    ///     assert_eq!(w.buffer(), b"small");
    ///     w.flush().await.unwrap();
    ///     assert_eq!(w.get_ref(), b"small");
    /// });
    /// ```
    #[derive(Debug)]
    pub struct BufWriter<W> {
        #[pin]
        inner: W,
        buf: Vec<u8>,
        // Bytes at the front of `buf` already taken by `inner`.
        written: usize,
        capacity: usize,
    }
}

impl<W> BufWriter<W> {
    /// Wraps `inner` with an 8 KiB buffer.
    ///
    /// ```
    /// let w = weft_io::io::BufWriter::new(Vec::<u8>::new());
    /// assert_eq!(w.capacity(), 8 * 1024);
    /// ```
    pub fn new(inner: W) -> BufWriter<W> {
        BufWriter::with_capacity(DEFAULT_BUF_SIZE, inner)
    }

    /// Wraps `inner` with a buffer of `capacity` bytes. With 0, every write goes
    /// straight through.
    ///
    /// ```
    /// let w = weft_io::io::BufWriter::with_capacity(64, Vec::<u8>::new());
    /// assert_eq!(w.capacity(), 64);
    /// ```
    pub fn with_capacity(capacity: usize, inner: W) -> BufWriter<W> {
        BufWriter {
            inner,
            buf: Vec::with_capacity(capacity),
            written: 0,
            capacity,
        }
    }

    /// The size of the buffer.
    ///
    /// ```
    /// assert_eq!(weft_io::io::BufWriter::with_capacity(5, Vec::<u8>::new()).capacity(), 5);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The bytes buffered but not yet written to the inner writer.
    ///
    /// ```
    /// assert!(weft_io::io::BufWriter::new(Vec::<u8>::new()).buffer().is_empty());
    /// ```
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.written..]
    }

    /// The inner writer.
    ///
    /// ```
    /// assert!(weft_io::io::BufWriter::new(Vec::<u8>::new()).get_ref().is_empty());
    /// ```
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The inner writer, mutably. Writing to it directly jumps ahead of buffered
    /// bytes.
    ///
    /// ```
    /// let mut w = weft_io::io::BufWriter::new(Vec::<u8>::new());
    /// w.get_mut().push(1);
    /// assert_eq!(w.get_ref(), &[1]);
    /// ```
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The pinned inner writer. Writing to it directly jumps ahead of buffered bytes.
    ///
    /// ```
    /// let mut w = Box::pin(weft_io::io::BufWriter::new(Vec::<u8>::new()));
    /// assert!(w.as_mut().get_pin_mut().is_empty());
    /// ```
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut W> {
        self.project().inner
    }

    /// Unwraps the inner writer. Buffered bytes are lost: flush first.
    ///
    /// ```
    /// assert!(weft_io::io::BufWriter::new(Vec::<u8>::new()).into_inner().is_empty());
    /// ```
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: AsyncWrite> BufWriter<W> {
    /// Pushes every buffered byte to the inner writer (without flushing it).
    fn flush_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut me = self.project();
        let mut ret = Ok(());
        while *me.written < me.buf.len() {
            // `Pending` returns with `written` recorded, so the next call resumes.
            match ready!(me.inner.as_mut().poll_write(cx, &me.buf[*me.written..])) {
                Ok(0) => {
                    ret = Err(write_zero("BufWriter flushing its buffer"));
                    break;
                }
                Ok(n) => *me.written += n,
                Err(e) => {
                    ret = Err(e);
                    break;
                }
            }
        }
        me.buf.drain(..*me.written);
        *me.written = 0;
        Poll::Ready(ret)
    }
}

impl<W: AsyncWrite> AsyncWrite for BufWriter<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.buf.len() + buf.len() > self.capacity {
            ready!(self.as_mut().flush_buf(cx))?;
        }
        let me = self.project();
        if buf.len() >= *me.capacity {
            // The buffer is empty here (flushed above, or it had room for nothing).
            me.inner.poll_write(cx, buf)
        } else {
            me.buf.extend_from_slice(buf);
            Poll::Ready(Ok(buf.len()))
        }
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let total = bufs
            .iter()
            .fold(0usize, |sum, b| sum.saturating_add(b.len()));
        if self.buf.len().saturating_add(total) > self.capacity {
            ready!(self.as_mut().flush_buf(cx))?;
        }
        let me = self.project();
        if total >= *me.capacity {
            me.inner.poll_write_vectored(cx, bufs)
        } else {
            for b in bufs {
                me.buf.extend_from_slice(b);
            }
            Poll::Ready(Ok(total))
        }
    }

    fn is_write_vectored(&self) -> bool {
        // Several small slices are gathered into the buffer in one call.
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().flush_buf(cx))?;
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.as_mut().flush_buf(cx))?;
        self.project().inner.poll_shutdown(cx)
    }
}

impl<W: AsyncRead> AsyncRead for BufWriter<W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.project().inner.poll_read(cx, buf)
    }
}

impl<W: AsyncBufRead> AsyncBufRead for BufWriter<W> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.project().inner.poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.project().inner.consume(amt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::AsyncWriteExt;
    use std::future::Future;
    use std::task::Waker;

    /// Records each write call it receives; takes at most `chunk` bytes per call.
    #[derive(Default)]
    struct Recorder {
        calls: Vec<Vec<u8>>,
        chunk: Option<usize>,
        flushes: usize,
    }

    impl AsyncWrite for Recorder {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let me = self.get_mut();
            let n = me.chunk.map_or(buf.len(), |c| c.min(buf.len()));
            me.calls.push(buf[..n].to_vec());
            Poll::Ready(Ok(n))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.get_mut().flushes += 1;
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn ready<F: Future>(f: F) -> F::Output {
        match std::pin::pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the recorder is always ready"),
        }
    }

    #[test]
    fn partial_flush_resumes_where_it_stopped() {
        let mut w = BufWriter::with_capacity(
            8,
            Recorder {
                chunk: Some(3),
                ..Recorder::default()
            },
        );
        ready(w.write_all(b"abcdefg")).unwrap();
        ready(w.flush()).unwrap();
        assert_eq!(
            w.get_ref().calls,
            [b"abc".to_vec(), b"def".to_vec(), b"g".to_vec()]
        );
        assert_eq!(w.get_ref().flushes, 1);
        assert!(w.buffer().is_empty());
    }

    #[test]
    fn vectored_small_slices_are_gathered() {
        let mut w = BufWriter::with_capacity(8, Recorder::default());
        let bufs = [io::IoSlice::new(b"ab"), io::IoSlice::new(b"cd")];
        assert_eq!(ready(w.write_vectored(&bufs)).unwrap(), 4);
        assert!(w.get_ref().calls.is_empty());
        ready(w.flush()).unwrap();
        assert_eq!(w.get_ref().calls, [b"abcd".to_vec()]);
    }
}
