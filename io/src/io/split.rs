//! [`split`]: one `AsyncRead + AsyncWrite` stream as a [`ReadHalf`] and a
//! [`WriteHalf`] that can be used from different tasks, and [`ReadHalf::unsplit`].
//!
//! # Concurrency contract
//!
//! Both halves share an [`Inner`] holding the stream and a small lock. The lock is a
//! `locked` flag plus one waker slot per half, all behind a `std` mutex that is held
//! only to flip the flag and swap wakers (never while the stream is polled, never
//! across an await, never while waking):
//!
//! 1. A half polls the stream only while it has set `locked` (rule of exclusion:
//!    the flag is set by whichever half finds it clear, under the mutex).
//! 2. A half that finds `locked` set stores its waker in its own slot and returns
//!    `Pending`; it does not spin.
//! 3. The half that clears `locked` takes the *other* half's waker under the same
//!    mutex and wakes it after releasing the mutex (waker hand-off). Because the
//!    check in 2 and the take in 3 happen under one mutex, a wake-up cannot be lost.
//! 4. The lock is held only for one synchronous `poll_*` call of the stream, so a
//!    waiting half is woken within one such call.
//!
//! # Pinning
//!
//! The stream is pinned inside the `Arc` allocation: it is never moved while either
//! half lives, and is dropped in place. [`ReadHalf::unsplit`] moves it out, which is
//! why it needs `T: Unpin`.

use std::cell::UnsafeCell;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::{AsyncRead, AsyncWrite, ReadBuf};

/// Splits a stream into a read half and a write half, which can be moved to
/// different tasks (or threads) and used concurrently. [`ReadHalf::unsplit`] puts
/// them back together.
///
/// The halves share the stream through a small lock held only for the duration of
/// each `poll_*` call; for streams that can be split without a lock (a TCP stream's
/// `into_split`), prefer that.
///
/// ```
/// use weft_io::io::{duplex, split, AsyncReadExt, AsyncWriteExt};
/// # use weft_io::doc_support::block_on;
///
/// block_on(async {
///     let (client, mut server) = duplex(64);
///     let (mut rd, mut wr) = split(client);
///     wr.write_all(b"hi").await.unwrap();
///     let mut buf = [0u8; 2];
///     server.read_exact(&mut buf).await.unwrap();
///     server.write_all(b"yo").await.unwrap();
///     rd.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"yo");
///     let _client = rd.unsplit(wr);
/// });
/// ```
pub fn split<T: AsyncRead + AsyncWrite>(stream: T) -> (ReadHalf<T>, WriteHalf<T>) {
    let is_write_vectored = stream.is_write_vectored();
    let inner = Arc::new(Inner {
        state: Mutex::new(LockState {
            locked: false,
            waiters: [None, None],
        }),
        stream: UnsafeCell::new(stream),
        is_write_vectored,
    });
    (
        ReadHalf {
            inner: inner.clone(),
        },
        WriteHalf { inner },
    )
}

/// The read half of a stream made by [`split`].
///
/// ```
/// use weft_io::io::{duplex, split, ReadHalf};
///
/// let (a, _b) = duplex(8);
/// let (rd, _wr): (ReadHalf<_>, _) = split(a);
/// # drop(rd);
/// ```
pub struct ReadHalf<T> {
    inner: Arc<Inner<T>>,
}

/// The write half of a stream made by [`split`].
///
/// ```
/// use weft_io::io::{duplex, split, WriteHalf};
///
/// let (a, _b) = duplex(8);
/// let (_rd, wr): (_, WriteHalf<_>) = split(a);
/// # drop(wr);
/// ```
pub struct WriteHalf<T> {
    inner: Arc<Inner<T>>,
}

/// Which half is asking, to pick its waker slot.
#[derive(Clone, Copy)]
enum Side {
    Read = 0,
    Write = 1,
}

struct LockState {
    locked: bool,
    /// A waker per [`Side`], stored by a half that found the lock taken (rule 2).
    waiters: [Option<Waker>; 2],
}

struct Inner<T> {
    state: Mutex<LockState>,
    /// # Invariant
    /// Accessed only by the half that set `state.locked` (rule 1), and pinned: never
    /// moved until `unsplit`, which requires `T: Unpin`.
    stream: UnsafeCell<T>,
    /// Read once at split time, so `is_write_vectored` needs no lock.
    is_write_vectored: bool,
}

// SAFETY: `Sync` lets both halves reach `Inner` from different threads. The only
// unsynchronised part is `stream`, and it is only touched by the half holding the
// lock (rule 1), which hands `&mut T` to one thread at a time — the same access
// pattern as a `Mutex<T>`, which is `Sync` exactly when `T: Send`.
unsafe impl<T: Send> Sync for Inner<T> {}

/// Unlocks when dropped, so a panicking `poll_*` does not leave the other half
/// waiting forever.
struct Unlock<'a, T> {
    inner: &'a Inner<T>,
    side: Side,
}

impl<T> Drop for Unlock<'_, T> {
    fn drop(&mut self) {
        let mut state = self.inner.lock_state();
        state.locked = false;
        let other = match self.side {
            Side::Read => Side::Write,
            Side::Write => Side::Read,
        };
        // Rule 3: hand the lock to whoever waited for it.
        let waiter = state.waiters[other as usize].take();
        drop(state);
        if let Some(w) = waiter {
            w.wake();
        }
    }
}

impl<T> Inner<T> {
    fn lock_state(&self) -> MutexGuard<'_, LockState> {
        // The mutex guards two plain fields updated without calling out, so a
        // poisoned lock still holds consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the pinned stream if the lock is free; otherwise registers the
    /// waker for `side` and returns `Pending` (rules 1 and 2).
    fn with_stream<R>(
        &self,
        side: Side,
        cx: &mut Context<'_>,
        f: impl FnOnce(Pin<&mut T>, &mut Context<'_>) -> Poll<R>,
    ) -> Poll<R> {
        {
            let mut state = self.lock_state();
            if state.locked {
                let slot = &mut state.waiters[side as usize];
                match slot {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => *slot = Some(cx.waker().clone()),
                }
                return Poll::Pending;
            }
            state.locked = true;
        }
        let _unlock = Unlock { inner: self, side };
        // SAFETY: `Pin::new_unchecked` and the `&mut` need (a) exclusive access and
        // (b) that the pointee is never moved afterwards. (a) We set `locked` above,
        // and only the locker touches `stream` (rule 1), until `_unlock` drops after
        // `f` returns. (b) `stream` lives in the `Arc` allocation and is only moved
        // out by `unsplit`, which requires `T: Unpin` (see `stream`'s invariant).
        let stream = unsafe { Pin::new_unchecked(&mut *self.stream.get()) };
        f(stream, cx)
    }
}

impl<T> ReadHalf<T> {
    /// Whether `other` is the write half of the same [`split`].
    ///
    /// ```
    /// use weft_io::io::{duplex, split};
    ///
    /// let (a, b) = duplex(8);
    /// let (rd, wr) = split(a);
    /// let (_rd2, wr2) = split(b);
    /// assert!(rd.is_pair_of(&wr));
    /// assert!(!rd.is_pair_of(&wr2));
    /// ```
    pub fn is_pair_of(&self, other: &WriteHalf<T>) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Puts the two halves back together into the original stream.
    ///
    /// # Panics
    ///
    /// If `wr` is not the write half from the same [`split`]; check with
    /// [`is_pair_of`](ReadHalf::is_pair_of).
    ///
    /// ```
    /// use weft_io::io::{duplex, split};
    ///
    /// let (a, _b) = duplex(8);
    /// let (rd, wr) = split(a);
    /// let _a = rd.unsplit(wr);
    /// ```
    pub fn unsplit(self, wr: WriteHalf<T>) -> T
    where
        T: Unpin,
    {
        assert!(
            self.is_pair_of(&wr),
            "ReadHalf::unsplit was given the write half of a different split; \
             check with is_pair_of first"
        );
        drop(wr);
        match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner.stream.into_inner(),
            // Only the two halves hold the `Arc`, and the other one was just dropped.
            Err(_) => unreachable!("a split stream is shared by exactly two halves"),
        }
    }
}

impl<T: AsyncRead> AsyncRead for ReadHalf<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.inner
            .with_stream(Side::Read, cx, |stream, cx| stream.poll_read(cx, buf))
    }
}

impl<T: AsyncWrite> AsyncWrite for WriteHalf<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.inner
            .with_stream(Side::Write, cx, |stream, cx| stream.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.inner.with_stream(Side::Write, cx, |stream, cx| {
            stream.poll_write_vectored(cx, bufs)
        })
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner
            .with_stream(Side::Write, cx, |stream, cx| stream.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner
            .with_stream(Side::Write, cx, |stream, cx| stream.poll_shutdown(cx))
    }
}

impl<T> fmt::Debug for ReadHalf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadHalf").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for WriteHalf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteHalf").finish_non_exhaustive()
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

    fn assert_send_sync<X: Send + Sync>() {}

    #[test]
    fn halves_are_send_and_sync_for_send_streams() {
        assert_send_sync::<ReadHalf<crate::io::DuplexStream>>();
        assert_send_sync::<WriteHalf<crate::io::DuplexStream>>();
    }

    #[test]
    fn contended_half_waits_and_is_handed_the_lock() {
        let (a, _b) = crate::io::duplex(8);
        let (rd, mut wr) = split(a);
        let count = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        // While the read half holds the lock, the write half must wait...
        let inner = rd.inner.clone();
        let outcome = inner.with_stream(Side::Read, &mut cx, |_, cx| {
            let attempt = Pin::new(&mut wr).poll_write(cx, b"x");
            Poll::Ready(attempt.is_pending())
        });
        assert_eq!(outcome, Poll::Ready(true));
        // ...and is woken when the read half lets go.
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(matches!(
            Pin::new(&mut wr).poll_write(&mut cx, b"x"),
            Poll::Ready(Ok(1))
        ));
    }

    #[test]
    #[should_panic(expected = "different split")]
    fn unsplit_of_strangers_panics() {
        let (a, b) = crate::io::duplex(8);
        let (rd, _wr) = split(a);
        let (_rd2, wr2) = split(b);
        let _ = rd.unsplit(wr2);
    }
}
