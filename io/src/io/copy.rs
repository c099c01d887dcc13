//! [`copy`]: moves every byte of a reader into a writer through a buffer, and the
//! [`CopyBuffer`] state machine it shares with
//! [`copy_bidirectional`](super::copy_bidirectional).
//!
//! # Invariant
//!
//! `buf[pos..cap]` are bytes read but not yet written, in order; the buffer is
//! refilled only once they are all written, so bytes reach the writer in the order
//! they were read. `amt` counts bytes the writer accepted. Whenever the reader has
//! nothing to give (`Pending`), what was written is flushed first, so a slow reader
//! never leaves data stuck in a buffered writer.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::write_ext::write_zero;
use super::{AsyncRead, AsyncWrite, ReadBuf};
use crate::coop;

/// Size of the buffer of one copy direction: big enough to amortise a read and a
/// write call, small enough for thousands of concurrent copies.
const COPY_BUF_SIZE: usize = 8 * 1024;

/// The state of one copy direction.
#[derive(Debug)]
pub(crate) struct CopyBuffer {
    read_done: bool,
    /// Bytes were written since the last flush.
    need_flush: bool,
    pos: usize,
    cap: usize,
    amt: u64,
    buf: Box<[u8]>,
}

impl CopyBuffer {
    pub(crate) fn new() -> CopyBuffer {
        CopyBuffer {
            read_done: false,
            need_flush: false,
            pos: 0,
            cap: 0,
            amt: 0,
            buf: vec![0; COPY_BUF_SIZE].into_boxed_slice(),
        }
    }

    /// Copies until the reader is at end of file and the writer is flushed; returns
    /// the total number of bytes copied.
    pub(crate) fn poll_copy<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + ?Sized,
        W: AsyncWrite + ?Sized,
    {
        loop {
            if self.pos == self.cap && !self.read_done {
                // A reader and writer that are always ready (memory, `repeat` into
                // `sink`) would otherwise keep this loop from ever yielding.
                let budget = ready!(coop::poll_proceed(cx));
                let mut read_buf = ReadBuf::new(&mut self.buf);
                match reader.as_mut().poll_read(cx, &mut read_buf) {
                    Poll::Ready(Ok(())) => {
                        let n = read_buf.filled().len();
                        if n == 0 {
                            self.read_done = true;
                        } else {
                            self.pos = 0;
                            self.cap = n;
                        }
                        budget.made_progress();
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => {
                        // Waiting for input: push out what we wrote meanwhile.
                        if self.need_flush {
                            ready!(writer.as_mut().poll_flush(cx))?;
                            self.need_flush = false;
                        }
                        return Poll::Pending;
                    }
                }
            }

            while self.pos < self.cap {
                let n = ready!(
                    writer
                        .as_mut()
                        .poll_write(cx, &self.buf[self.pos..self.cap])
                )?;
                if n == 0 {
                    return Poll::Ready(Err(write_zero("copy")));
                }
                self.pos += n;
                self.amt += n as u64;
                self.need_flush = true;
            }

            if self.read_done {
                ready!(writer.as_mut().poll_flush(cx))?;
                self.need_flush = false;
                return Poll::Ready(Ok(self.amt));
            }
        }
    }
}

/// Copies everything from `reader` into `writer` until end of file, then flushes the
/// writer; returns how many bytes were copied.
///
/// Bytes go through an 8 KiB buffer. Whenever the reader has nothing ready, the
/// writer is flushed, so buffered writers do not hold data back while the copy waits.
/// The copy spends the cooperative budget per read, so it yields even when both ends
/// are always ready.
///
/// # Cancel safety
///
/// Not cancel-safe: if the future is dropped, bytes already read from `reader` but
/// not yet written to `writer` are lost.
///
/// ```
/// use weft_io::io::copy;
/// # use weft_io::doc_support::block_on;
///
/// block_on(async {
///     let mut src: &[u8] = b"copy me";
///     let mut dst = Vec::new();
///     assert_eq!(copy(&mut src, &mut dst).await.unwrap(), 7);
///     assert_eq!(dst, b"copy me");
/// });
/// ```
pub async fn copy<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut state = CopyBuffer::new();
    poll_fn(|cx| state.poll_copy(cx, Pin::new(&mut *reader), Pin::new(&mut *writer))).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{AsyncReadExt, BufWriter, repeat, sink};
    use std::future::Future;
    use std::task::Waker;

    #[test]
    fn copy_yields_when_the_budget_is_spent() {
        let mut cx = Context::from_waker(Waker::noop());
        let mut src = repeat(1).take(1 << 30);
        let mut dst = sink();
        let mut fut = std::pin::pin!(copy(&mut src, &mut dst));
        // Endless ready input: only the budget can make this return.
        let first = coop::with_budget(|| fut.as_mut().poll(&mut cx));
        assert!(first.is_pending());
    }

    #[test]
    fn copy_flushes_at_the_end() {
        let mut src: &[u8] = b"buffered";
        let mut dst = BufWriter::new(Vec::new());
        {
            let mut fut = std::pin::pin!(copy(&mut src, &mut dst));
            let mut cx = Context::from_waker(Waker::noop());
            let Poll::Ready(Ok(8)) = fut.as_mut().poll(&mut cx) else {
                panic!("copy from memory completes at once")
            };
        }
        assert_eq!(dst.get_ref(), b"buffered");
    }
}
