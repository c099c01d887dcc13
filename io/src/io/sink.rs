//! [`sink`]: a writer that takes every byte and keeps none.
//!
//! # Invariant
//!
//! Every write completes at once with the whole input taken, after spending one
//! unit of the cooperative budget, so a loop writing to it still yields.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::AsyncWrite;
use crate::coop;

/// A writer that discards everything. Made by [`sink`].
///
/// ```
/// use weft_io::io::{AsyncWriteExt, Sink};
/// # use weft_io::doc_support::block_on;
///
/// let mut s: Sink = weft_io::io::sink();
/// assert_eq!(block_on(s.write(b"gone")).unwrap(), 4);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Sink {
    _priv: (),
}

/// A writer that discards everything, like `/dev/null`.
///
/// ```
/// use weft_io::io::{copy, repeat, sink, AsyncReadExt};
/// # use weft_io::doc_support::block_on;
///
/// let n = block_on(copy(&mut repeat(0).take(1000), &mut sink())).unwrap();
/// assert_eq!(n, 1000);
/// ```
pub fn sink() -> Sink {
    Sink { _priv: () }
}

impl AsyncWrite for Sink {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(coop::poll_proceed(cx)).made_progress();
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(coop::poll_proceed(cx)).made_progress();
        Poll::Ready(Ok(bufs
            .iter()
            .fold(0usize, |sum, b| sum.saturating_add(b.len()))))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn takes_all_vectored_bytes() {
        let mut cx = Context::from_waker(Waker::noop());
        let bufs = [io::IoSlice::new(b"ab"), io::IoSlice::new(b"cde")];
        assert!(matches!(
            Pin::new(&mut sink()).poll_write_vectored(&mut cx, &bufs),
            Poll::Ready(Ok(5))
        ));
    }
}
