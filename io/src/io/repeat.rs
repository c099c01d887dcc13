//! [`repeat`]: a reader that yields one byte value forever.
//!
//! # Invariant
//!
//! Every read fills the caller's whole buffer at once, after spending one unit of
//! the cooperative budget, so an endless read loop still yields.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::{AsyncRead, ReadBuf};
use crate::coop;

/// A reader that yields the same byte forever. Made by [`repeat`].
///
/// ```
/// use weft_io::io::{AsyncReadExt, Repeat};
/// # use weft_io::doc_support::block_on;
///
/// let mut r: Repeat = weft_io::io::repeat(b'x');
/// let mut buf = [0u8; 3];
/// block_on(r.read_exact(&mut buf)).unwrap();
/// assert_eq!(&buf, b"xxx");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Repeat {
    byte: u8,
}

/// A reader that yields `byte` forever; combine it with
/// [`take`](super::AsyncReadExt::take) for a finite stream.
///
/// ```
/// use weft_io::io::AsyncReadExt;
/// # use weft_io::doc_support::block_on;
///
/// let mut zeros = Vec::new();
/// block_on(weft_io::io::repeat(0).take(5).read_to_end(&mut zeros)).unwrap();
/// assert_eq!(zeros, [0; 5]);
/// ```
pub fn repeat(byte: u8) -> Repeat {
    Repeat { byte }
}

impl AsyncRead for Repeat {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        ready!(coop::poll_proceed(cx)).made_progress();
        let byte = self.byte;
        buf.initialize_unfilled().fill(byte);
        let n = buf.remaining();
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::MaybeUninit;
    use std::task::Waker;

    #[test]
    fn fills_uninitialised_buffers() {
        let mut storage = [MaybeUninit::uninit(); 5];
        let mut buf = ReadBuf::uninit(&mut storage);
        buf.put_slice(b"a");
        let mut cx = Context::from_waker(Waker::noop());
        assert!(
            Pin::new(&mut repeat(b'z'))
                .poll_read(&mut cx, &mut buf)
                .is_ready()
        );
        assert_eq!(buf.filled(), b"azzzz");
    }
}
