//! [`WeftIo`]: hyper's `Read` and `Write` over weft's `AsyncRead` and `AsyncWrite`.
//!
//! Invariant: reads go straight into hyper's (possibly uninitialised) buffer
//! through a `weft::io::ReadBuf` borrowing it, and hyper's cursor advances by
//! exactly the bytes that read filled; writes, vectored writes, flushes and
//! shutdowns forward unchanged. No bytes are copied or buffered here.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use weft::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Wraps a weft stream so hyper can read and write it.
///
/// ```
/// use bytes::Bytes;
/// use http_body_util::Full;
/// use hyper::{Request, Response, body::Incoming, service::service_fn};
/// use weft::io::{AsyncReadExt, AsyncWriteExt};
/// use weft_examples::hyper_rt::WeftIo;
///
/// weft::run(async {
///     // hyper serves one side of an in-memory pipe; the test plays the client.
///     let (server, mut client) = weft::io::duplex(4096);
///     let hello = service_fn(|_: Request<Incoming>| async {
///         Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from("hi"))))
///     });
///     let conn = hyper::server::conn::http1::Builder::new().serve_connection(WeftIo::new(server), hello);
///     let served = weft::spawn(conn);
///
///     client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
///     let mut answer = String::new();
///     client.read_to_string(&mut answer).await.unwrap();
///     assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
///     assert!(answer.ends_with("\r\n\r\nhi"), "{answer}");
///     served.await.unwrap().unwrap();
/// });
/// ```
#[derive(Debug)]
pub struct WeftIo<T> {
    inner: T,
}

impl<T> WeftIo<T> {
    /// Wraps `inner`.
    ///
    /// ```
    /// let io = weft_examples::hyper_rt::WeftIo::new(std::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.into_inner().into_inner(), [1]);
    /// ```
    pub fn new(inner: T) -> WeftIo<T> {
        WeftIo { inner }
    }

    /// The wrapped stream.
    ///
    /// ```
    /// let io = weft_examples::hyper_rt::WeftIo::new(7);
    /// assert_eq!(*io.get_ref(), 7);
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// Unwraps the stream.
    ///
    /// ```
    /// assert_eq!(weft_examples::hyper_rt::WeftIo::new("s").into_inner(), "s");
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for WeftIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let filled = {
            // SAFETY: `as_mut` requires that we never de-initialise bytes that were
            // initialised. The slice is only reachable through the `ReadBuf` below,
            // whose safe methods write initialised `u8`s only (its module invariant,
            // rules 2 and 3), and we call none of its unsafe methods.
            let space = unsafe { buf.as_mut() };
            let start = space.as_ptr().cast::<u8>();
            let mut weft_buf = ReadBuf::uninit(space);
            ready!(Pin::new(&mut self.inner).poll_read(cx, &mut weft_buf))?;
            let filled = weft_buf.filled();
            // A reader could swap in a buffer of its own; then nothing landed in ours.
            assert!(
                filled.is_empty() || std::ptr::eq(filled.as_ptr(), start),
                "AsyncRead::poll_read replaced the ReadBuf it was given"
            );
            filled.len()
        };
        // SAFETY: `advance(n)` requires `n` more initialised bytes: the read filled
        // `filled` bytes at the start of the unfilled space (checked above), and
        // `ReadBuf` keeps filled bytes initialised (rule 1: filled <= initialized).
        unsafe { buf.advance(filled) };
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> hyper::rt::Write for WeftIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
}
