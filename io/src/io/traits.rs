//! The three asynchronous I/O traits: [`AsyncRead`], [`AsyncWrite`], [`AsyncBufRead`].
//!
//! Each method is the non-blocking counterpart of the `std::io` method of the same
//! name: it either completes now or returns `Pending` having arranged for the task to
//! be woken when it may make progress.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::ReadBuf;

/// Reads bytes from a source asynchronously.
///
/// ```
/// use std::pin::Pin;
/// use std::task::{Context, Poll, Waker};
/// use weft_io::io::{AsyncRead, ReadBuf};
///
/// struct Zeros;
/// impl AsyncRead for Zeros {
///     fn poll_read(
///         self: Pin<&mut Self>,
///         _cx: &mut Context<'_>,
///         buf: &mut ReadBuf<'_>,
///     ) -> Poll<std::io::Result<()>> {
///         let n = buf.remaining();
///         buf.put_slice(&vec![0; n]);
///         Poll::Ready(Ok(()))
///     }
/// }
///
/// let mut storage = [1u8; 4];
/// let mut buf = ReadBuf::new(&mut storage);
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(Pin::new(&mut Zeros).poll_read(&mut cx, &mut buf).is_ready());
/// assert_eq!(buf.filled(), &[0, 0, 0, 0]);
/// ```
pub trait AsyncRead {
    /// Reads into the unfilled part of `buf`, advancing its filled length. Filling
    /// nothing while `buf` had room means end of stream.
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>>;
}

/// Writes bytes to a sink asynchronously.
///
/// ```
/// use std::pin::Pin;
/// use std::task::{Context, Poll, Waker};
/// use weft_io::io::AsyncWrite;
///
/// struct Collect(Vec<u8>);
/// impl AsyncWrite for Collect {
///     fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
///         self.get_mut().0.extend_from_slice(buf);
///         Poll::Ready(Ok(buf.len()))
///     }
///     fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
///         Poll::Ready(Ok(()))
///     }
///     fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
///         Poll::Ready(Ok(()))
///     }
/// }
///
/// let mut sink = Collect(Vec::new());
/// let mut cx = Context::from_waker(Waker::noop());
/// let bufs = [std::io::IoSlice::new(b""), std::io::IoSlice::new(b"hi")];
/// assert!(matches!(Pin::new(&mut sink).poll_write_vectored(&mut cx, &bufs), Poll::Ready(Ok(2))));
/// assert_eq!(sink.0, b"hi");
/// ```
pub trait AsyncWrite {
    /// Writes some of `buf`, returning how many bytes were taken.
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>>;

    /// Pushes buffered data to its destination.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// Flushes and closes the write side; for sockets, the peer then reads end of stream.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// Writes from several buffers; by default, from the first non-empty one only.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let buf = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &**b);
        self.poll_write(cx, buf)
    }

    /// Whether [`AsyncWrite::poll_write_vectored`] writes more than one buffer at once.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// Reads from a source that keeps an internal buffer.
///
/// ```
/// use std::pin::Pin;
/// use std::task::{Context, Poll, Waker};
/// use weft_io::io::{AsyncBufRead, AsyncRead, ReadBuf};
///
/// struct Bytes(&'static [u8]);
/// impl AsyncRead for Bytes {
///     fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
///         let n = self.0.len().min(buf.remaining());
///         buf.put_slice(&self.0[..n]);
///         self.0 = &self.0[n..];
///         Poll::Ready(Ok(()))
///     }
/// }
/// impl AsyncBufRead for Bytes {
///     fn poll_fill_buf(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<&[u8]>> {
///         Poll::Ready(Ok(self.get_mut().0))
///     }
///     fn consume(mut self: Pin<&mut Self>, amt: usize) {
///         self.0 = &self.0[amt..];
///     }
/// }
///
/// let mut src = Bytes(b"abc");
/// let mut cx = Context::from_waker(Waker::noop());
/// Pin::new(&mut src).consume(1);
/// assert!(matches!(Pin::new(&mut src).poll_fill_buf(&mut cx), Poll::Ready(Ok(b"bc"))));
/// ```
pub trait AsyncBufRead: AsyncRead {
    /// Returns the buffered bytes, filling the buffer first if it is empty. An empty
    /// slice means end of stream.
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>>;

    /// Marks `amt` buffered bytes as read.
    fn consume(self: Pin<&mut Self>, amt: usize);
}
