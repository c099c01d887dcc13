//! The three core I/O traits, [`AsyncRead`], [`AsyncWrite`] and [`AsyncBufRead`],
//! and their implementations for pointers and in-memory std types.
//!
//! # Invariant
//!
//! These are poll-based: a method either completes now (`Ready`) or registers the
//! waker of the `Context` it was given and returns `Pending`, promising a wake-up
//! when it may make progress. Every implementation here for pointers (`&mut T`,
//! `Box<T>`, `Pin<P>`) forwards to the pointee without adding state, so the
//! pointee's wake-up promise carries over unchanged. The in-memory implementations
//! (`&[u8]`, `Vec<u8>`, `Cursor`) never return `Pending`.
//!
//! The signatures are fixed by agreement with the reactor and `net` code, which
//! implements them for sockets.

use std::io;
use std::ops::DerefMut;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::ReadBuf;

/// Reads bytes from a source asynchronously: the async form of [`std::io::Read`].
///
/// Use it through [`AsyncReadExt`](super::AsyncReadExt), which turns
/// `poll_read` into `.read(..).await` and friends.
///
/// ```
/// use std::pin::Pin;
/// use std::task::{Context, Poll, Waker};
/// use weft_io::io::{AsyncRead, ReadBuf};
///
/// let mut src: &[u8] = b"hello";
/// let mut storage = [0u8; 3];
/// let mut buf = ReadBuf::new(&mut storage);
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(matches!(Pin::new(&mut src).poll_read(&mut cx, &mut buf), Poll::Ready(Ok(()))));
/// assert_eq!(buf.filled(), b"hel");
/// ```
pub trait AsyncRead {
    /// Tries to read into the unfilled part of `buf`.
    ///
    /// On `Ready(Ok(()))` the newly filled bytes are what was read; if none were
    /// added although `buf` had room, the source is at end of file. On `Pending`
    /// the task is woken when reading may make progress.
    ///
    /// ```
    /// use std::pin::Pin;
    /// use std::task::{Context, Waker};
    /// use weft_io::io::{AsyncRead, ReadBuf};
    ///
    /// let mut src: &[u8] = b"";
    /// let mut storage = [0u8; 3];
    /// let mut buf = ReadBuf::new(&mut storage);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let _ = Pin::new(&mut src).poll_read(&mut cx, &mut buf);
    /// assert!(buf.filled().is_empty()); // end of file
    /// ```
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>>;
}

/// Writes bytes to a sink asynchronously: the async form of [`std::io::Write`],
/// plus [`poll_shutdown`](AsyncWrite::poll_shutdown) to close the write direction.
///
/// Use it through [`AsyncWriteExt`](super::AsyncWriteExt).
///
/// ```
/// use std::pin::Pin;
/// use std::task::{Context, Poll, Waker};
/// use weft_io::io::AsyncWrite;
///
/// let mut out = Vec::new();
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(matches!(Pin::new(&mut out).poll_write(&mut cx, b"hi"), Poll::Ready(Ok(2))));
/// assert_eq!(out, b"hi");
/// ```
pub trait AsyncWrite {
    /// Tries to write some of `buf`, returning how many bytes were taken.
    ///
    /// `Ready(Ok(0))` for a non-empty `buf` means the sink can take no more bytes.
    ///
    /// ```
    /// use std::pin::Pin;
    /// use std::task::{Context, Waker};
    /// use weft_io::io::AsyncWrite;
    ///
    /// let mut out = Vec::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let _ = Pin::new(&mut out).poll_write(&mut cx, b"abc");
    /// assert_eq!(out, b"abc");
    /// ```
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>>;

    /// Pushes buffered bytes down to the underlying sink.
    ///
    /// ```
    /// use std::pin::Pin;
    /// use std::task::{Context, Poll, Waker};
    /// use weft_io::io::AsyncWrite;
    ///
    /// let mut out = Vec::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(matches!(Pin::new(&mut out).poll_flush(&mut cx), Poll::Ready(Ok(()))));
    /// ```
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// Flushes, then closes the write direction (for a socket, sends FIN). After it
    /// completes, writes fail.
    ///
    /// ```
    /// use std::pin::Pin;
    /// use std::task::{Context, Poll, Waker};
    /// use weft_io::io::AsyncWrite;
    ///
    /// let mut out = Vec::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(matches!(Pin::new(&mut out).poll_shutdown(&mut cx), Poll::Ready(Ok(()))));
    /// ```
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// Writes from several buffers at once, returning how many bytes were taken in
    /// total (in order).
    ///
    /// The default writes the first non-empty buffer with
    /// [`poll_write`](AsyncWrite::poll_write); sinks that can do better (a socket's
    /// `writev`) override it along with
    /// [`is_write_vectored`](AsyncWrite::is_write_vectored).
    ///
    /// ```
    /// use std::io::IoSlice;
    /// use std::pin::Pin;
    /// use std::task::{Context, Poll, Waker};
    /// use weft_io::io::AsyncWrite;
    ///
    /// let mut out = Vec::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let bufs = [IoSlice::new(b"ab"), IoSlice::new(b"cd")];
    /// assert!(matches!(
    ///     Pin::new(&mut out).poll_write_vectored(&mut cx, &bufs),
    ///     Poll::Ready(Ok(4))
    /// ));
    /// ```
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &**b);
        self.poll_write(cx, first)
    }

    /// Whether [`poll_write_vectored`](AsyncWrite::poll_write_vectored) is better than
    /// writing buffers one at a time. `false` unless overridden.
    ///
    /// ```
    /// use weft_io::io::AsyncWrite;
    ///
    /// assert!(Vec::<u8>::new().is_write_vectored());
    /// ```
    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// A reader with an internal buffer that can be inspected before consuming it: the
/// async form of [`std::io::BufRead`].
///
/// Use it through [`AsyncBufReadExt`](super::AsyncBufReadExt) (`read_line`,
/// `lines`, ...).
///
/// ```
/// use std::pin::Pin;
/// use std::task::{Context, Poll, Waker};
/// use weft_io::io::AsyncBufRead;
///
/// let mut src: &[u8] = b"abc";
/// let mut cx = Context::from_waker(Waker::noop());
/// let Poll::Ready(Ok(bytes)) = Pin::new(&mut src).poll_fill_buf(&mut cx) else { panic!() };
/// assert_eq!(bytes, b"abc");
/// Pin::new(&mut src).consume(2);
/// assert_eq!(src, b"c");
/// ```
pub trait AsyncBufRead: AsyncRead {
    /// Returns the buffered bytes, reading more from the source first if the buffer
    /// is empty. An empty slice means end of file.
    ///
    /// ```
    /// use std::pin::Pin;
    /// use std::task::{Context, Poll, Waker};
    /// use weft_io::io::AsyncBufRead;
    ///
    /// let mut src: &[u8] = b"";
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let Poll::Ready(Ok(bytes)) = Pin::new(&mut src).poll_fill_buf(&mut cx) else { panic!() };
    /// assert!(bytes.is_empty());
    /// ```
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>>;

    /// Marks `amt` bytes of the buffer returned by
    /// [`poll_fill_buf`](AsyncBufRead::poll_fill_buf) as read. `amt` must not exceed
    /// that buffer's length.
    ///
    /// ```
    /// use std::pin::Pin;
    /// use weft_io::io::AsyncBufRead;
    ///
    /// let mut src: &[u8] = b"xyz";
    /// Pin::new(&mut src).consume(1);
    /// assert_eq!(src, b"yz");
    /// ```
    fn consume(self: Pin<&mut Self>, amt: usize);
}

// ---- Pointer forwarding: `&mut T`, `Box<T>` (for `Unpin` pointees) and `Pin<P>`. ----

macro_rules! forward_read {
    () => {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Pin::new(&mut **self).poll_read(cx, buf)
        }
    };
}

macro_rules! forward_write {
    () => {
        fn poll_write(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut **self).poll_write(cx, buf)
        }

        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut **self).poll_flush(cx)
        }

        fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut **self).poll_shutdown(cx)
        }

        fn poll_write_vectored(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            Pin::new(&mut **self).poll_write_vectored(cx, bufs)
        }

        fn is_write_vectored(&self) -> bool {
            (**self).is_write_vectored()
        }
    };
}

macro_rules! forward_buf_read {
    () => {
        fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
            Pin::new(&mut **self.get_mut()).poll_fill_buf(cx)
        }

        fn consume(mut self: Pin<&mut Self>, amt: usize) {
            Pin::new(&mut **self).consume(amt)
        }
    };
}

impl<T: ?Sized + AsyncRead + Unpin> AsyncRead for &mut T {
    forward_read!();
}

impl<T: ?Sized + AsyncRead + Unpin> AsyncRead for Box<T> {
    forward_read!();
}

impl<T: ?Sized + AsyncWrite + Unpin> AsyncWrite for &mut T {
    forward_write!();
}

impl<T: ?Sized + AsyncWrite + Unpin> AsyncWrite for Box<T> {
    forward_write!();
}

impl<T: ?Sized + AsyncBufRead + Unpin> AsyncBufRead for &mut T {
    forward_buf_read!();
}

impl<T: ?Sized + AsyncBufRead + Unpin> AsyncBufRead for Box<T> {
    forward_buf_read!();
}

// `Pin::as_deref_mut` turns `Pin<&mut Pin<P>>` into `Pin<&mut P::Target>` without
// moving the pointee, so these need no `Unpin` bound and no unsafe code.

impl<P> AsyncRead for Pin<P>
where
    P: DerefMut<Target: AsyncRead>,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.as_deref_mut().poll_read(cx, buf)
    }
}

impl<P> AsyncWrite for Pin<P>
where
    P: DerefMut<Target: AsyncWrite>,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.as_deref_mut().poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.as_deref_mut().poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.as_deref_mut().poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.as_deref_mut().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        (**self).is_write_vectored()
    }
}

impl<P> AsyncBufRead for Pin<P>
where
    P: DerefMut<Target: AsyncBufRead>,
{
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.as_deref_mut().poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.as_deref_mut().consume(amt)
    }
}

// ---- In-memory std types: always ready. ----

impl AsyncRead for &[u8] {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = self.len().min(buf.remaining());
        let (head, tail) = self.split_at(n);
        buf.put_slice(head);
        *self = tail;
        Poll::Ready(Ok(()))
    }
}

impl AsyncBufRead for &[u8] {
    fn poll_fill_buf(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        Poll::Ready(Ok(*self.get_mut()))
    }

    fn consume(mut self: Pin<&mut Self>, amt: usize) {
        *self = &self[amt..];
    }
}

impl AsyncWrite for Vec<u8> {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(io::Write::write_vectored(self.get_mut(), bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl<T: AsRef<[u8]> + Unpin> AsyncRead for io::Cursor<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let cursor = self.get_mut();
        let data = cursor.get_ref().as_ref();
        // A position past the end (set by `set_position`) reads as end of file.
        let start = usize::try_from(cursor.position())
            .unwrap_or(usize::MAX)
            .min(data.len());
        let n = (data.len() - start).min(buf.remaining());
        buf.put_slice(&data[start..start + n]);
        cursor.set_position((start + n) as u64);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsRef<[u8]> + Unpin> AsyncBufRead for io::Cursor<T> {
    fn poll_fill_buf(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        Poll::Ready(io::BufRead::fill_buf(self.get_mut()))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        io::BufRead::consume(self.get_mut(), amt)
    }
}

/// `Cursor` writes go through std's `Write` for the same cursor, so an async write
/// behaves exactly like a blocking one (a full `&mut [u8]` takes 0 bytes; vectors
/// grow).
macro_rules! cursor_write {
    ($($ty:ty),* $(,)?) => {$(
        impl AsyncWrite for io::Cursor<$ty> {
            fn poll_write(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                Poll::Ready(io::Write::write(self.get_mut(), buf))
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                Poll::Ready(io::Write::write_vectored(self.get_mut(), bufs))
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(io::Write::flush(self.get_mut()))
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.poll_flush(cx)
            }
        }
    )*};
}

cursor_write!(&mut [u8], &mut Vec<u8>, Vec<u8>, Box<[u8]>);

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, IoSlice};
    use std::task::Waker;

    fn cx() -> Context<'static> {
        Context::from_waker(Waker::noop())
    }

    fn read_all<R: AsyncRead + Unpin>(mut r: R) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let mut storage = [0u8; 3];
            let mut buf = ReadBuf::new(&mut storage);
            match Pin::new(&mut r).poll_read(&mut cx(), &mut buf) {
                Poll::Ready(Ok(())) if buf.filled().is_empty() => return out,
                Poll::Ready(Ok(())) => out.extend_from_slice(buf.filled()),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn pointers_forward_reads() {
        let mut slice: &[u8] = b"abcdefg";
        // Through the `&mut T` impl, not `&[u8]`'s own.
        let by_ref: &mut &[u8] = &mut slice;
        assert_eq!(read_all(by_ref), b"abcdefg");
        assert_eq!(read_all(Box::new(&b"xy"[..])), b"xy");
        assert_eq!(read_all(Box::pin(&b"pinned"[..])), b"pinned");
        let boxed: Box<dyn AsyncRead + Unpin> = Box::new(Cursor::new(b"dyn".to_vec()));
        assert_eq!(read_all(boxed), b"dyn");
    }

    #[test]
    fn pointers_forward_writes_and_vectored_flag() {
        let mut out = Vec::new();
        let mut w: Pin<Box<&mut Vec<u8>>> = Box::pin(&mut out);
        assert!(w.is_write_vectored());
        let bufs = [IoSlice::new(b""), IoSlice::new(b"ab"), IoSlice::new(b"c")];
        assert!(matches!(
            w.as_mut().poll_write_vectored(&mut cx(), &bufs),
            Poll::Ready(Ok(3))
        ));
        drop(w);
        assert_eq!(out, b"abc");
    }

    /// A sink that only has the required methods, to check the vectored default.
    struct OneAtATime(Vec<u8>);

    impl AsyncWrite for OneAtATime {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.get_mut().0.extend_from_slice(buf);
            Poll::Ready(Ok(buf.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[test]
    fn default_vectored_writes_first_non_empty_slice() {
        let mut w = OneAtATime(Vec::new());
        assert!(!w.is_write_vectored());
        let bufs = [IoSlice::new(b""), IoSlice::new(b"ab"), IoSlice::new(b"cd")];
        assert!(matches!(
            Pin::new(&mut w).poll_write_vectored(&mut cx(), &bufs),
            Poll::Ready(Ok(2))
        ));
        assert_eq!(w.0, b"ab");
    }

    #[test]
    fn cursor_reads_and_buf_reads() {
        let mut c = Cursor::new(b"hello".to_vec());
        c.set_position(1);
        let Poll::Ready(Ok(bytes)) = Pin::new(&mut c).poll_fill_buf(&mut cx()) else {
            panic!()
        };
        assert_eq!(bytes, b"ello");
        Pin::new(&mut c).consume(1);
        assert_eq!(read_all(&mut c), b"llo");
        c.set_position(100);
        assert_eq!(read_all(&mut c), b"");
    }

    #[test]
    fn cursor_over_slice_reports_full() {
        let mut storage = [0u8; 2];
        let mut c = Cursor::new(&mut storage[..]);
        assert!(matches!(
            Pin::new(&mut c).poll_write(&mut cx(), b"abc"),
            Poll::Ready(Ok(2))
        ));
        assert!(matches!(
            Pin::new(&mut c).poll_write(&mut cx(), b"d"),
            Poll::Ready(Ok(0))
        ));
        assert_eq!(&storage, b"ab");
    }
}
