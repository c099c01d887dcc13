//! [`empty`]: a reader that is always at end of file.
//!
//! # Invariant
//!
//! Every read completes at once with no bytes, after spending one unit of the
//! cooperative budget, so a loop reading it still yields to other tasks.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::{AsyncBufRead, AsyncRead, ReadBuf};
use crate::coop;

/// A reader that is always at end of file. Made by [`empty`].
///
/// ```
/// use weft_io::io::{AsyncReadExt, Empty};
/// # use weft_io::doc_support::block_on;
///
/// let mut e: Empty = weft_io::io::empty();
/// let mut buf = [0u8; 4];
/// assert_eq!(block_on(e.read(&mut buf)).unwrap(), 0);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Empty {
    _priv: (),
}

/// A reader that is always at end of file, like `/dev/null` opened for reading.
///
/// ```
/// use weft_io::io::AsyncReadExt;
/// # use weft_io::doc_support::block_on;
///
/// let mut all = Vec::new();
/// block_on(weft_io::io::empty().read_to_end(&mut all)).unwrap();
/// assert!(all.is_empty());
/// ```
pub fn empty() -> Empty {
    Empty { _priv: () }
}

impl AsyncRead for Empty {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        _buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        ready!(coop::poll_proceed(cx)).made_progress();
        Poll::Ready(Ok(()))
    }
}

impl AsyncBufRead for Empty {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        ready!(coop::poll_proceed(cx)).made_progress();
        Poll::Ready(Ok(&[]))
    }

    fn consume(self: Pin<&mut Self>, _amt: usize) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn spends_the_budget() {
        let mut cx = Context::from_waker(Waker::noop());
        let mut storage = [0u8; 1];
        coop::with_budget(|| {
            let mut e = empty();
            for _ in 0..coop::INITIAL_BUDGET {
                let mut buf = ReadBuf::new(&mut storage);
                assert!(Pin::new(&mut e).poll_read(&mut cx, &mut buf).is_ready());
            }
            let mut buf = ReadBuf::new(&mut storage);
            assert!(Pin::new(&mut e).poll_read(&mut cx, &mut buf).is_pending());
        });
    }
}
