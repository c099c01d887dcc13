//! [`duplex`]: an in-memory, bidirectional byte pipe for tests, with backpressure.
//!
//! Each direction is a [`Pipe`]: a bounded byte queue behind a `std` mutex, with one
//! waker slot for the reader and one for the writer. A [`DuplexStream`] reads from
//! one pipe and writes to the other; its peer holds the same two pipes crossed.
//!
//! # Protocol
//!
//! 1. The mutex is held only to move bytes and flags and to swap wakers; it is never
//!    held across an await point or while a waker runs (wakers are taken out, the
//!    guard dropped, then woken).
//! 2. A reader that finds the queue empty (and the writer still open) stores its
//!    waker and returns `Pending`; every write that adds bytes, and the writer's
//!    shutdown or drop, takes and wakes it.
//! 3. A writer that finds the queue full stores its waker and returns `Pending`;
//!    every read that removes bytes, and the reader's drop, takes and wakes it.
//! 4. `write_closed` (writer shut down or dropped) and `read_closed` (reader dropped)
//!    only ever go from false to true.
//!
//! Steps 2 and 3 check and store under the same lock that the waking side takes, so
//! no wake-up can fall between a check and the store.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker, ready};

use super::{AsyncRead, AsyncWrite, ReadBuf};
use crate::coop;

/// Creates a connected pair of in-memory streams: what one writes, the other reads.
///
/// Each direction buffers at most `max_buf_size` bytes; a writer facing a full
/// buffer waits until its peer reads (backpressure). When one end shuts down its
/// write side or is dropped, the other reads what is left and then end of file.
/// Writing to an end whose peer was dropped fails with
/// [`io::ErrorKind::BrokenPipe`].
///
/// Reads and writes spend the cooperative budget ([`crate::coop`]), like sockets.
///
/// # Panics
///
/// If `max_buf_size` is 0: no byte could ever pass.
///
/// ```
/// use weft_io::io::{duplex, AsyncReadExt, AsyncWriteExt};
/// # use weft_io::doc_support::block_on;
///
/// block_on(async {
///     let (mut client, mut server) = duplex(64);
///     client.write_all(b"ping").await.unwrap();
///     let mut buf = [0u8; 4];
///     server.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"ping");
///
///     drop(client);
///     assert_eq!(server.read(&mut buf).await.unwrap(), 0); // end of file
///     let err = server.write_all(b"pong").await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
/// });
/// ```
pub fn duplex(max_buf_size: usize) -> (DuplexStream, DuplexStream) {
    assert!(
        max_buf_size > 0,
        "duplex(0): give each direction a buffer of at least one byte"
    );
    let one = Arc::new(Mutex::new(Pipe::new(max_buf_size)));
    let two = Arc::new(Mutex::new(Pipe::new(max_buf_size)));
    (
        DuplexStream {
            read: one.clone(),
            write: two.clone(),
        },
        DuplexStream {
            read: two,
            write: one,
        },
    )
}

/// One end of an in-memory pipe made by [`duplex`].
///
/// ```
/// use weft_io::io::{duplex, DuplexStream};
///
/// let (a, b): (DuplexStream, DuplexStream) = duplex(16);
/// # drop((a, b));
/// ```
pub struct DuplexStream {
    /// Bytes the peer wrote, for us to read.
    read: Arc<Mutex<Pipe>>,
    /// Bytes we write, for the peer to read.
    write: Arc<Mutex<Pipe>>,
}

/// One direction of a duplex pair (see the module's protocol).
struct Pipe {
    buf: VecDeque<u8>,
    max_buf_size: usize,
    /// The reader waiting for bytes (protocol step 2).
    read_waker: Option<Waker>,
    /// The writer waiting for room (protocol step 3).
    write_waker: Option<Waker>,
    /// The writing end shut down or was dropped: once drained, reads see EOF.
    write_closed: bool,
    /// The reading end was dropped: writes fail with `BrokenPipe`.
    read_closed: bool,
}

impl Pipe {
    fn new(max_buf_size: usize) -> Pipe {
        Pipe {
            buf: VecDeque::new(),
            max_buf_size,
            read_waker: None,
            write_waker: None,
            write_closed: false,
            read_closed: false,
        }
    }
}

/// Stores `cx`'s waker in `slot` unless the stored one would wake the same task.
fn register(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(w) if w.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

/// Locks a pipe. Poisoning is ignored: nothing that can panic runs while a pipe is
/// locked in a half-updated state (wakers run after the guard is dropped).
fn lock(pipe: &Mutex<Pipe>) -> MutexGuard<'_, Pipe> {
    pipe.lock().unwrap_or_else(PoisonError::into_inner)
}

fn wake(waker: Option<Waker>) {
    if let Some(w) = waker {
        w.wake();
    }
}

impl AsyncRead for DuplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let budget = ready!(coop::poll_proceed(cx));
        let mut pipe = lock(&self.read);
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if pipe.buf.is_empty() {
            if pipe.write_closed {
                budget.made_progress();
                return Poll::Ready(Ok(()));
            }
            register(&mut pipe.read_waker, cx);
            // Dropping `budget` without progress refunds the unit.
            return Poll::Pending;
        }
        let n = pipe.buf.len().min(buf.remaining());
        let (front, back) = pipe.buf.as_slices();
        let from_front = n.min(front.len());
        buf.put_slice(&front[..from_front]);
        buf.put_slice(&back[..n - from_front]);
        pipe.buf.drain(..n);
        let writer = pipe.write_waker.take();
        drop(pipe);
        budget.made_progress();
        wake(writer);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let budget = ready!(coop::poll_proceed(cx));
        let mut pipe = lock(&self.write);
        if pipe.read_closed {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the other end of this duplex stream was dropped; nobody can read what you write",
            )));
        }
        if pipe.write_closed {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "write after shutdown on a duplex stream; write everything before calling shutdown",
            )));
        }
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let room = pipe.max_buf_size - pipe.buf.len();
        if room == 0 {
            register(&mut pipe.write_waker, cx);
            return Poll::Pending;
        }
        let n = room.min(buf.len());
        pipe.buf.extend(&buf[..n]);
        let reader = pipe.read_waker.take();
        drop(pipe);
        budget.made_progress();
        wake(reader);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Written bytes are in the peer's queue already; nothing is held back.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut pipe = lock(&self.write);
        pipe.write_closed = true;
        let reader = pipe.read_waker.take();
        drop(pipe);
        wake(reader);
        Poll::Ready(Ok(()))
    }
}

impl Drop for DuplexStream {
    fn drop(&mut self) {
        // Our writes end: the peer drains what is queued, then sees EOF.
        let mut pipe = lock(&self.write);
        pipe.write_closed = true;
        let reader = pipe.read_waker.take();
        drop(pipe);
        // Our reads end: the peer's writes fail, and what it queued is garbage.
        let mut pipe = lock(&self.read);
        pipe.read_closed = true;
        pipe.buf = VecDeque::new();
        let writer = pipe.write_waker.take();
        drop(pipe);
        wake(reader);
        wake(writer);
    }
}

impl fmt::Debug for DuplexStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let read = lock(&self.read);
        let readable = read.buf.len();
        drop(read);
        let write = lock(&self.write);
        let (queued, max) = (write.buf.len(), write.max_buf_size);
        drop(write);
        f.debug_struct("DuplexStream")
            .field("readable", &readable)
            .field("queued_for_peer", &queued)
            .field("max_buf_size", &max)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn read_some(
        s: &mut DuplexStream,
        cx: &mut Context<'_>,
        n: usize,
    ) -> Poll<io::Result<Vec<u8>>> {
        let mut storage = vec![0u8; n];
        let mut buf = ReadBuf::new(&mut storage);
        ready!(Pin::new(s).poll_read(cx, &mut buf))?;
        Poll::Ready(Ok(buf.filled().to_vec()))
    }

    #[test]
    fn full_pipe_parks_writer_until_read() {
        let count = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let (mut a, mut b) = duplex(4);
        assert!(matches!(
            Pin::new(&mut a).poll_write(&mut cx, b"abcdef"),
            Poll::Ready(Ok(4))
        ));
        assert!(Pin::new(&mut a).poll_write(&mut cx, b"ef").is_pending());
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
        assert!(matches!(read_some(&mut b, &mut cx, 3), Poll::Ready(Ok(v)) if v == b"abc"));
        // The read made room and woke the parked writer.
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(matches!(
            Pin::new(&mut a).poll_write(&mut cx, b"ef"),
            Poll::Ready(Ok(2))
        ));
        assert!(matches!(read_some(&mut b, &mut cx, 8), Poll::Ready(Ok(v)) if v == b"def"));
    }

    #[test]
    fn wrapped_queue_reads_in_order() {
        let mut cx = Context::from_waker(Waker::noop());
        let (mut a, mut b) = duplex(4);
        for round in 0..10u8 {
            let bytes = [round, round.wrapping_add(1), round.wrapping_add(2)];
            assert!(matches!(
                Pin::new(&mut a).poll_write(&mut cx, &bytes),
                Poll::Ready(Ok(3))
            ));
            assert!(matches!(read_some(&mut b, &mut cx, 2), Poll::Ready(Ok(v)) if v == bytes[..2]));
            assert!(matches!(read_some(&mut b, &mut cx, 2), Poll::Ready(Ok(v)) if v == bytes[2..]));
        }
    }

    #[test]
    fn reads_and_writes_spend_the_budget() {
        let mut cx = Context::from_waker(Waker::noop());
        let (mut a, mut b) = duplex(1 << 16);
        coop::with_budget(|| {
            for _ in 0..coop::INITIAL_BUDGET / 2 {
                assert!(Pin::new(&mut a).poll_write(&mut cx, b"x").is_ready());
                assert!(read_some(&mut b, &mut cx, 1).is_ready());
            }
            assert!(Pin::new(&mut a).poll_write(&mut cx, b"x").is_pending());
            assert!(read_some(&mut b, &mut cx, 1).is_pending());
        });
    }

    #[test]
    fn pending_read_does_not_spend_the_budget() {
        let mut cx = Context::from_waker(Waker::noop());
        let (_a, mut b) = duplex(8);
        coop::with_budget(|| {
            for _ in 0..1000 {
                assert!(read_some(&mut b, &mut cx, 1).is_pending());
            }
            assert!(coop::has_budget_remaining());
        });
    }

    #[test]
    fn shutdown_wakes_a_parked_reader_with_eof() {
        let count = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        let (mut a, mut b) = duplex(8);
        assert!(read_some(&mut b, &mut cx, 4).is_pending());
        assert!(Pin::new(&mut a).poll_shutdown(&mut cx).is_ready());
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(matches!(read_some(&mut b, &mut cx, 4), Poll::Ready(Ok(v)) if v.is_empty()));
        let Poll::Ready(Err(e)) = Pin::new(&mut a).poll_write(&mut cx, b"late") else {
            panic!("write after shutdown must fail")
        };
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    #[should_panic(expected = "at least one byte")]
    fn zero_size_is_refused() {
        let _ = duplex(0);
    }
}
