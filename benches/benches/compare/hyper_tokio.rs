//! hyper's runtime traits over tokio, for the `http_*` workloads: the tokio
//! counterpart of `weft_examples::hyper_rt`, so the very same hyper routes run on
//! both runtimes. (hyper-util ships these; written here so that both sides' adapters
//! are equally thin and visible.)
//!
//! Invariant: as `weft_examples::hyper_rt`, these only forward to tokio: reads land
//! directly in hyper's buffer, a sleep is one `tokio::time::Sleep` pinned in hyper's
//! box, and `reset` moves that same timer.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};
use pin_project_lite::pin_project;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A tokio stream as hyper's `Read` and `Write`.
pub(crate) struct TokioIo<T> {
    inner: T,
}

impl<T> TokioIo<T> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: T) -> TokioIo<T> {
        TokioIo { inner }
    }
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for TokioIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let filled = {
            // SAFETY: `as_mut` requires that no initialised byte is de-initialised;
            // the slice is only reachable through tokio's `ReadBuf`, whose safe
            // methods write initialised bytes only, and we call none of its unsafe ones.
            let space = unsafe { buf.as_mut() };
            let start = space.as_ptr().cast::<u8>();
            let mut tokio_buf = ReadBuf::uninit(space);
            ready!(Pin::new(&mut self.inner).poll_read(cx, &mut tokio_buf))?;
            let filled = tokio_buf.filled();
            assert!(
                filled.is_empty() || std::ptr::eq(filled.as_ptr(), start),
                "AsyncRead::poll_read replaced the ReadBuf it was given"
            );
            filled.len()
        };
        // SAFETY: `advance(n)` requires `n` more initialised bytes: the read filled
        // that many at the start of the unfilled space (checked above), and tokio's
        // `ReadBuf` keeps its filled part initialised.
        unsafe { buf.advance(filled) };
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> hyper::rt::Write for TokioIo<T> {
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

/// hyper's timer on tokio's timer wheel.
#[derive(Clone, Copy)]
pub(crate) struct TokioTimer;

impl Timer for TokioTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        Box::pin(TokioSleep {
            inner: tokio::time::sleep(duration),
        })
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(TokioSleep {
            inner: tokio::time::sleep_until(deadline.into()),
        })
    }

    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<TokioSleep>() {
            Some(ours) => ours.project().inner.reset(new_deadline.into()),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

pin_project! {
    /// A `tokio::time::Sleep` as hyper's `Sleep`.
    pub(crate) struct TokioSleep {
        #[pin]
        inner: tokio::time::Sleep,
    }
}

impl Future for TokioSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().inner.poll(cx)
    }
}

impl Sleep for TokioSleep {}
