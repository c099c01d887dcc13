//! [`AsyncWriteExt`]: `write`, `write_all`, `write_vectored`, `flush` and
//! `shutdown` on every [`AsyncWrite`], and the named futures they return.
//!
//! # Invariant
//!
//! Each future borrows the writer and its input; the only state it keeps between
//! polls is how much of the input is still to be written (`WriteAll`), so a dropped
//! future leaves nothing half-buffered inside itself.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::AsyncWrite;

/// Helpers for every [`AsyncWrite`]: `writer.write_all(b"..").await` and friends.
///
/// ```
/// use weft_io::io::AsyncWriteExt;
/// # use weft_io::doc_support::block_on;
///
/// block_on(async {
///     let mut out = Vec::new();
///     out.write_all(b"hello ").await.unwrap();
///     out.write_all(b"world").await.unwrap();
///     out.flush().await.unwrap();
///     assert_eq!(out, b"hello world");
/// });
/// ```
pub trait AsyncWriteExt: AsyncWrite {
    /// Writes some of `buf`, returning how many bytes were taken.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: if the future is dropped before it completes, nothing was
    /// written.
    ///
    /// ```
    /// use weft_io::io::AsyncWriteExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut out = Vec::new();
    ///     assert_eq!(out.write(b"abc").await.unwrap(), 3);
    /// });
    /// ```
    fn write<'a>(&'a mut self, buf: &'a [u8]) -> Write<'a, Self>
    where
        Self: Unpin,
    {
        Write { writer: self, buf }
    }

    /// Writes all of `buf`, calling `poll_write` as often as it takes.
    ///
    /// Fails with [`io::ErrorKind::WriteZero`] if the writer stops taking bytes.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe: if the future is dropped, an unknown prefix of `buf` may have
    /// been written.
    ///
    /// ```
    /// use weft_io::io::AsyncWriteExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut out = Vec::new();
    ///     out.write_all(b"all of it").await.unwrap();
    ///     assert_eq!(out, b"all of it");
    /// });
    /// ```
    fn write_all<'a>(&'a mut self, buf: &'a [u8]) -> WriteAll<'a, Self>
    where
        Self: Unpin,
    {
        WriteAll { writer: self, buf }
    }

    /// Writes from several buffers in one call, returning how many bytes were taken
    /// in total.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: if the future is dropped before it completes, nothing was
    /// written.
    ///
    /// ```
    /// use std::io::IoSlice;
    /// use weft_io::io::AsyncWriteExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut out = Vec::new();
    ///     let bufs = [IoSlice::new(b"head "), IoSlice::new(b"body")];
    ///     assert_eq!(out.write_vectored(&bufs).await.unwrap(), 9);
    /// });
    /// ```
    fn write_vectored<'a, 'b>(
        &'a mut self,
        bufs: &'a [io::IoSlice<'b>],
    ) -> WriteVectored<'a, 'b, Self>
    where
        Self: Unpin,
    {
        WriteVectored { writer: self, bufs }
    }

    /// Flushes buffered bytes down to the underlying sink.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: no data is lost if the future is dropped; bytes not yet flushed
    /// stay buffered and a later flush pushes them.
    ///
    /// ```
    /// use weft_io::io::{AsyncWriteExt, BufWriter};
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut w = BufWriter::new(Vec::new());
    ///     w.write_all(b"x").await.unwrap();
    ///     assert!(w.get_ref().is_empty());
    ///     w.flush().await.unwrap();
    ///     assert_eq!(w.get_ref(), b"x");
    /// });
    /// ```
    fn flush(&mut self) -> Flush<'_, Self>
    where
        Self: Unpin,
    {
        Flush { writer: self }
    }

    /// Flushes, then closes the write direction; the reader on the other end sees
    /// end of file.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: no data is lost if the future is dropped; calling `shutdown`
    /// again resumes.
    ///
    /// ```
    /// use weft_io::io::{AsyncReadExt, AsyncWriteExt, duplex};
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let (mut a, mut b) = duplex(64);
    ///     a.write_all(b"bye").await.unwrap();
    ///     a.shutdown().await.unwrap();
    ///     let mut got = Vec::new();
    ///     b.read_to_end(&mut got).await.unwrap();
    ///     assert_eq!(got, b"bye");
    /// });
    /// ```
    fn shutdown(&mut self) -> Shutdown<'_, Self>
    where
        Self: Unpin,
    {
        Shutdown { writer: self }
    }
}

impl<W: AsyncWrite + ?Sized> AsyncWriteExt for W {}

/// The future returned by [`AsyncWriteExt::write`]: resolves to the number of bytes
/// written. Cancel-safe.
///
/// ```
/// use weft_io::io::{AsyncWriteExt, Write};
/// # use weft_io::doc_support::block_on;
///
/// let mut out = Vec::new();
/// let fut: Write<'_, Vec<u8>> = out.write(b"a");
/// assert_eq!(block_on(fut).unwrap(), 1);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Write<'a, W: ?Sized> {
    writer: &'a mut W,
    buf: &'a [u8],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Write<'_, W> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        Pin::new(&mut *me.writer).poll_write(cx, me.buf)
    }
}

/// The future returned by [`AsyncWriteExt::write_all`]. Not cancel-safe.
///
/// ```
/// use weft_io::io::{AsyncWriteExt, WriteAll};
/// # use weft_io::doc_support::block_on;
///
/// let mut out = Vec::new();
/// let fut: WriteAll<'_, Vec<u8>> = out.write_all(b"ab");
/// block_on(fut).unwrap();
/// assert_eq!(out, b"ab");
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WriteAll<'a, W: ?Sized> {
    writer: &'a mut W,
    /// What is still to be written.
    buf: &'a [u8],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteAll<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        while !me.buf.is_empty() {
            let n = ready!(Pin::new(&mut *me.writer).poll_write(cx, me.buf))?;
            if n == 0 {
                return Poll::Ready(Err(write_zero("write_all")));
            }
            me.buf = &me.buf[n..];
        }
        Poll::Ready(Ok(()))
    }
}

pub(crate) fn write_zero(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::WriteZero,
        format!(
            "{what}: the writer accepted 0 bytes and will take no more \
             (is the other end closed or the buffer full?)"
        ),
    )
}

/// The future returned by [`AsyncWriteExt::write_vectored`]: resolves to the number
/// of bytes written. Cancel-safe.
///
/// ```
/// use std::io::IoSlice;
/// use weft_io::io::{AsyncWriteExt, WriteVectored};
/// # use weft_io::doc_support::block_on;
///
/// let mut out = Vec::new();
/// let bufs = [IoSlice::new(b"a")];
/// let fut: WriteVectored<'_, '_, Vec<u8>> = out.write_vectored(&bufs);
/// assert_eq!(block_on(fut).unwrap(), 1);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WriteVectored<'a, 'b, W: ?Sized> {
    writer: &'a mut W,
    bufs: &'a [io::IoSlice<'b>],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteVectored<'_, '_, W> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        Pin::new(&mut *me.writer).poll_write_vectored(cx, me.bufs)
    }
}

/// The future returned by [`AsyncWriteExt::flush`]. Cancel-safe.
///
/// ```
/// use weft_io::io::{AsyncWriteExt, Flush};
/// # use weft_io::doc_support::block_on;
///
/// let mut out = Vec::new();
/// let fut: Flush<'_, Vec<u8>> = out.flush();
/// block_on(fut).unwrap();
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Flush<'a, W: ?Sized> {
    writer: &'a mut W,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Flush<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().writer).poll_flush(cx)
    }
}

/// The future returned by [`AsyncWriteExt::shutdown`]. Cancel-safe.
///
/// ```
/// use weft_io::io::{AsyncWriteExt, Shutdown};
/// # use weft_io::doc_support::block_on;
///
/// let mut out = Vec::new();
/// let fut: Shutdown<'_, Vec<u8>> = out.shutdown();
/// block_on(fut).unwrap();
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Shutdown<'a, W: ?Sized> {
    writer: &'a mut W,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Shutdown<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().writer).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    /// Takes at most `chunk` bytes per call, up to `cap` in total.
    struct Narrow {
        out: Vec<u8>,
        chunk: usize,
        cap: usize,
    }

    impl AsyncWrite for Narrow {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let me = self.get_mut();
            let n = buf.len().min(me.chunk).min(me.cap - me.out.len());
            me.out.extend_from_slice(&buf[..n]);
            Poll::Ready(Ok(n))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn ready<F: Future>(f: F) -> F::Output {
        match std::pin::pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("these writers are always ready"),
        }
    }

    #[test]
    fn write_all_loops_over_short_writes() {
        let mut w = Narrow {
            out: Vec::new(),
            chunk: 3,
            cap: 100,
        };
        ready(w.write_all(b"0123456789")).unwrap();
        assert_eq!(w.out, b"0123456789");
    }

    #[test]
    fn write_all_reports_write_zero() {
        let mut w = Narrow {
            out: Vec::new(),
            chunk: 3,
            cap: 4,
        };
        let err = ready(w.write_all(b"0123456789")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WriteZero);
        assert_eq!(w.out, b"0123");
    }

    #[test]
    fn write_takes_one_call() {
        let mut w = Narrow {
            out: Vec::new(),
            chunk: 2,
            cap: 100,
        };
        assert_eq!(ready(w.write(b"abc")).unwrap(), 2);
    }
}
