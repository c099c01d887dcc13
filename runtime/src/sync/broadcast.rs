//! A broadcast channel: every receiver sees every value sent after it subscribed, as
//! long as it keeps up; a receiver that falls more than `capacity` values behind skips
//! ahead and is told how many it missed ([`RecvError::Lagged`]).
//!
//! # Protocol
//!
//! 1. One `crate::loom::Mutex` guards the ring (`buf`, holding the last `capacity`
//!    values), the position of its first value, the sender and receiver counts, and the
//!    list of waiting `Recv` futures.
//! 2. A value at absolute position `p` sits at `buf[p - head]` while `p >= head`.
//!    Each receiver keeps the position of the next value it wants; if that fell below
//!    `head`, it lagged.
//! 3. `send` pushes (dropping the oldest value if full) and then wakes every waiting
//!    receiver. A woken `Recv` re-checks under the lock; waiting is only a hint.
//! 4. The last sender's drop wakes every waiter; they then see `Closed` once they
//!    have drained what is left.

use crate::loom::Mutex;
use crate::sync::waiters::{WaitList, Waiter, wake_all_linked};
use crate::task::coop;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

struct State<T> {
    buf: VecDeque<T>,
    /// Absolute position of `buf[0]` (rule 2).
    head: u64,
    senders: usize,
    receivers: usize,
    /// Node data: unused; a waiter only needs its waker (rule 3).
    waiters: WaitList<()>,
}

impl<T> State<T> {
    fn tail(&self) -> u64 {
        self.head + self.buf.len() as u64
    }
}

struct Shared<T> {
    capacity: usize,
    state: Mutex<State<T>>,
}

/// Creates a broadcast channel that keeps the last `capacity` values for slow
/// receivers.
///
/// # Panics
///
/// If `capacity` is 0.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let (tx, mut rx1) = weft::sync::broadcast::channel(4);
/// let mut rx2 = tx.subscribe();
/// tx.send(1).unwrap();
/// assert_eq!(block_on(rx1.recv()), Ok(1));
/// assert_eq!(block_on(rx2.recv()), Ok(1));
/// ```
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "a broadcast channel needs a capacity of at least 1"
    );
    let shared = Arc::new(Shared {
        capacity,
        state: Mutex::new(State {
            buf: VecDeque::with_capacity(capacity),
            head: 0,
            senders: 1,
            receivers: 1,
            waiters: WaitList::new(),
        }),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, next: 0 },
    )
}

/// Sends values to every receiver; clone it for more senders.
///
/// ```
/// let (tx, _rx) = weft::sync::broadcast::channel::<u8>(2);
/// assert_eq!(tx.receiver_count(), 1);
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T: Clone> Sender<T> {
    /// Sends `value` to every current receiver; returns how many there are, or gives
    /// the value back if there are none.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::broadcast::channel(2);
    /// assert_eq!(tx.send(1), Ok(1));
    /// drop(rx);
    /// assert!(tx.send(2).is_err());
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut state = self.shared.state.lock();
        if state.receivers == 0 {
            return Err(SendError(value));
        }
        let dropped = if state.buf.len() == self.shared.capacity {
            state.head += 1;
            state.buf.pop_front()
        } else {
            None
        };
        state.buf.push_back(value);
        let receivers = state.receivers;
        wake_all_linked(&self.shared.state, state, |s| &mut s.waiters, |_| {});
        drop(dropped);
        Ok(receivers)
    }

    /// A new receiver that sees the values sent from now on.
    ///
    /// ```
    /// let (tx, _rx) = weft::sync::broadcast::channel(2);
    /// tx.send(1).unwrap();
    /// let mut late = tx.subscribe();
    /// assert!(late.try_recv().is_err());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let mut state = self.shared.state.lock();
        state.receivers += 1;
        let next = state.tail();
        drop(state);
        Receiver {
            shared: self.shared.clone(),
            next,
        }
    }

    /// How many receivers exist.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::broadcast::channel::<u8>(2);
    /// let _rx2 = rx.resubscribe();
    /// assert_eq!(tx.receiver_count(), 2);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().receivers
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().senders += 1;
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.senders -= 1;
        if state.senders == 0 {
            // Rule 4: waiters must learn that nothing more will come.
            wake_all_linked(&self.shared.state, state, |s| &mut s.waiters, |_| {});
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Sender").finish_non_exhaustive()
    }
}

/// Receives every value sent after it subscribed (see the module doc on lagging).
///
/// ```
/// let (tx, mut rx) = weft::sync::broadcast::channel(2);
/// tx.send("a").unwrap();
/// assert_eq!(rx.try_recv(), Ok("a"));
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// Absolute position of the next value this receiver wants (rule 2).
    next: u64,
}

/// One step of `recv`/`try_recv` under the lock for a receiver at `next`: a value, an
/// error, or `None` to wait.
fn try_take<T: Clone>(next: &mut u64, state: &State<T>) -> Option<Result<T, RecvError>> {
    if *next < state.head {
        let missed = state.head - *next;
        *next = state.head;
        return Some(Err(RecvError::Lagged(missed)));
    }
    if *next < state.tail() {
        let value = state.buf[(*next - state.head) as usize].clone();
        *next += 1;
        return Some(Ok(value));
    }
    if state.senders == 0 {
        return Some(Err(RecvError::Closed));
    }
    None
}

impl<T: Clone> Receiver<T> {
    /// Receives the next value. If this receiver fell behind by more than the capacity,
    /// returns [`RecvError::Lagged`] with the number of values it missed, and continues
    /// with the oldest value still kept.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: the receiver's position moves only when a value is returned.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// use weft::sync::broadcast::{channel, error::RecvError};
    /// let (tx, mut rx) = channel(2);
    /// for i in 0..5 {
    ///     tx.send(i).unwrap();
    /// }
    /// assert_eq!(block_on(rx.recv()), Err(RecvError::Lagged(3)));
    /// assert_eq!(block_on(rx.recv()), Ok(3));
    /// ```
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            rx: self,
            queued: false,
            waiter: Waiter::new(()),
        }
    }

    /// Takes the next value if there is one.
    ///
    /// ```
    /// use weft::sync::broadcast::{channel, error::TryRecvError};
    /// let (tx, mut rx) = channel::<u8>(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let state = self.shared.state.lock();
        match try_take(&mut self.next, &state) {
            Some(Ok(v)) => Ok(v),
            Some(Err(RecvError::Lagged(n))) => Err(TryRecvError::Lagged(n)),
            Some(Err(RecvError::Closed)) => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// A new receiver starting from the values sent from now on.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::broadcast::channel(1);
    /// let mut rx2 = rx.resubscribe();
    /// tx.send(1).unwrap();
    /// assert_eq!(rx2.try_recv(), Ok(1));
    /// ```
    pub fn resubscribe(&self) -> Self {
        let mut state = self.shared.state.lock();
        state.receivers += 1;
        let next = state.tail();
        drop(state);
        Self {
            shared: self.shared.clone(),
            next,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.state.lock().receivers -= 1;
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Receiver")
            .field("next", &self.next)
            .finish()
    }
}

/// The future returned by [`Receiver::recv`].
///
/// ```
/// let (_tx, mut rx) = weft::sync::broadcast::channel::<u8>(1);
/// let _fut: weft::sync::broadcast::Recv<'_, u8> = rx.recv();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    queued: bool,
    /// # Invariant
    ///
    /// Linked in the channel's `waiters` only while `queued`.
    waiter: Waiter<()>,
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Recv").finish_non_exhaustive()
    }
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: we never move out of the future; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let budget = ready!(coop::poll_proceed(cx));
        let rx = &mut *this.rx;
        let mut state = rx.shared.state.lock();
        let ptr = this.waiter.as_ptr();
        if this.queued {
            // Woken or not, re-check from scratch (rule 3).
            // SAFETY: our node is linked here or was unlinked by a waker; we hold the lock.
            unsafe { state.waiters.remove(ptr) };
            this.queued = false;
        }
        if let Some(res) = try_take(&mut rx.next, &state) {
            budget.made_progress();
            return Poll::Ready(res);
        }
        // SAFETY: the node is unlinked and pinned; `Drop` unlinks it under this lock.
        unsafe {
            state.waiters.with_node(ptr, |n| n.set_waker(cx.waker()));
            state.waiters.push_back(ptr);
        }
        this.queued = true;
        Poll::Pending
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if self.queued {
            let mut state = self.rx.shared.state.lock();
            // SAFETY: our node is linked here or was unlinked by a waker; we hold the lock.
            unsafe { state.waiters.remove(self.waiter.as_ptr()) };
        }
    }
}

/// The errors of the broadcast channel.
pub mod error {
    use std::fmt;

    /// No receiver exists; holds the value that was not sent.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::broadcast::channel(1);
    /// drop(rx);
    /// assert_eq!(tx.send(5).unwrap_err().0, 5);
    /// ```
    #[derive(Clone, PartialEq, Eq)]
    pub struct SendError<T>(pub T);

    impl<T> fmt::Debug for SendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("SendError(..)")
        }
    }

    impl<T> fmt::Display for SendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("no broadcast receiver exists: subscribe one before sending")
        }
    }

    impl<T> std::error::Error for SendError<T> {}

    /// Why `recv` returned no value.
    ///
    /// ```
    /// use weft::sync::broadcast::error::RecvError;
    /// assert_ne!(RecvError::Closed, RecvError::Lagged(1));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum RecvError {
        /// Every sender is gone and every value was received.
        Closed,
        /// The receiver fell behind and missed this many values; the next `recv`
        /// continues with the oldest value still kept.
        Lagged(u64),
    }

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Self::Closed => f.write_str("every broadcast sender is gone: no more values"),
                Self::Lagged(n) => write!(
                    f,
                    "the receiver fell behind and missed {n} values: receive faster or raise the capacity"
                ),
            }
        }
    }

    impl std::error::Error for RecvError {}

    /// Why `try_recv` returned no value.
    ///
    /// ```
    /// let (_tx, mut rx) = weft::sync::broadcast::channel::<u8>(1);
    /// assert_eq!(rx.try_recv(), Err(weft::sync::broadcast::error::TryRecvError::Empty));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum TryRecvError {
        /// No new value yet.
        Empty,
        /// Every sender is gone and every value was received.
        Closed,
        /// The receiver missed this many values (see [`RecvError::Lagged`]).
        Lagged(u64),
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Self::Empty => f.write_str("no new value yet: wait for one with `recv().await`"),
                Self::Closed => f.write_str("every broadcast sender is gone: no more values"),
                Self::Lagged(n) => write!(f, "the receiver fell behind and missed {n} values"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

pub use error::{RecvError, SendError, TryRecvError};

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::test_util::{CountWaker, block_on, iters, poll_once, poll_with};
    use std::pin::pin;
    use std::task::Waker;

    #[test]
    fn slow_receiver_lags_then_catches_up() {
        let (tx, mut slow) = channel(3);
        let mut fast = tx.subscribe();
        for i in 0..5 {
            tx.send(i).unwrap();
            assert_eq!(fast.try_recv(), Ok(i));
        }
        assert_eq!(slow.try_recv(), Err(TryRecvError::Lagged(2)));
        assert_eq!(slow.try_recv(), Ok(2));
        assert_eq!(slow.try_recv(), Ok(3));
        assert_eq!(slow.try_recv(), Ok(4));
        assert_eq!(slow.try_recv(), Err(TryRecvError::Empty));
    }

    #[test]
    fn send_wakes_every_waiting_receiver_and_drop_closes() {
        let (tx, mut a) = channel(2);
        let mut b = tx.subscribe();
        let count = CountWaker::new();
        let waker = Waker::from(count.clone());
        {
            let mut ra = pin!(a.recv());
            let mut rb = pin!(b.recv());
            assert!(poll_with(ra.as_mut(), &waker).is_pending());
            assert!(poll_with(rb.as_mut(), &waker).is_pending());
            tx.send(7).unwrap();
            assert_eq!(count.count(), 2);
            assert_eq!(poll_once(ra.as_mut()), Poll::Ready(Ok(7)));
            assert_eq!(poll_once(rb.as_mut()), Poll::Ready(Ok(7)));
        }
        let mut ra = pin!(a.recv());
        assert!(poll_with(ra.as_mut(), &waker).is_pending());
        drop(tx);
        assert_eq!(count.count(), 3);
        assert_eq!(poll_once(ra.as_mut()), Poll::Ready(Err(RecvError::Closed)));
    }

    #[test]
    fn every_receiver_sees_every_value_across_threads() {
        let n = iters(5_000, 20) as u64;
        let (tx, rx) = channel(16);
        let rxs: Vec<_> = (0..3).map(|_| rx.resubscribe()).collect();
        drop(rx);
        let handles: Vec<_> = rxs
            .into_iter()
            .map(|mut rx| {
                std::thread::spawn(move || {
                    let (mut sum, mut missed) = (0u64, 0u64);
                    loop {
                        match block_on(rx.recv()) {
                            Ok(v) => sum += v,
                            Err(RecvError::Lagged(k)) => missed += k,
                            Err(RecvError::Closed) => return (sum, missed),
                        }
                    }
                })
            })
            .collect();
        for i in 1..=n {
            tx.send(i).unwrap();
        }
        drop(tx);
        for h in handles {
            let (sum, missed) = h.join().unwrap();
            // Lagging skips values but never invents or repeats one.
            assert!(sum <= n * (n + 1) / 2);
            if missed == 0 {
                assert_eq!(sum, n * (n + 1) / 2);
            }
        }
    }
}
