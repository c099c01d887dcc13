//! A one-shot channel: one value, from one sender to one receiver.
//!
//! # Protocol
//!
//! One `crate::loom::Mutex` guards the slot, both wakers and both "gone" flags. Every
//! side changes the state under the lock, takes the other side's waker, and wakes it
//! after unlocking. `tx_done` is set by `send` (with the value) or by dropping the
//! sender; `rx_closed` by `close` or by dropping the receiver. A value sent after
//! `rx_closed` is handed back to the sender.

use crate::loom::Mutex;
use crate::runtime::park;
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};

struct State<T> {
    value: Option<T>,
    tx_done: bool,
    rx_closed: bool,
    rx_waker: Option<Waker>,
    tx_waker: Option<Waker>,
}

type Shared<T> = Arc<Mutex<State<T>>>;

/// Creates a one-shot channel.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let (tx, rx) = weft::sync::oneshot::channel();
/// std::thread::spawn(move || tx.send(3).unwrap());
/// assert_eq!(block_on(rx), Ok(3));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Mutex::new(State {
        value: None,
        tx_done: false,
        rx_closed: false,
        rx_waker: None,
        tx_waker: None,
    }));
    (
        Sender {
            shared: Some(shared.clone()),
        },
        Receiver { shared },
    )
}

/// Sends the one value of a [`channel`].
///
/// ```
/// let (tx, rx) = weft::sync::oneshot::channel::<u8>();
/// drop(rx);
/// assert_eq!(tx.send(1), Err(1));
/// ```
pub struct Sender<T> {
    /// `None` once the value was sent.
    shared: Option<Shared<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, or gives it back if the receiver is gone or closed.
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::oneshot::channel();
    /// tx.send("hi").unwrap();
    /// assert_eq!(rx.try_recv(), Ok("hi"));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let shared = self.shared.take().expect("a sender sends once");
        let mut state = shared.lock();
        if state.rx_closed {
            return Err(value);
        }
        state.value = Some(value);
        state.tx_done = true;
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Whether the receiver is gone or closed (a `send` would fail).
    ///
    /// ```
    /// let (tx, rx) = weft::sync::oneshot::channel::<u8>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.as_ref().is_none_or(|s| s.lock().rx_closed)
    }

    /// Waits until the receiver is gone or closed (say, to stop computing an answer
    /// nobody wants).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let (mut tx, rx) = weft::sync::oneshot::channel::<u8>();
    /// std::thread::spawn(move || drop(rx));
    /// block_on(tx.closed());
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    /// Polls for the receiver going away; registers `cx`'s waker if it has not.
    ///
    /// ```
    /// let (mut tx, rx) = weft::sync::oneshot::channel::<u8>();
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert!(tx.poll_closed(&mut cx).is_pending());
    /// drop(rx);
    /// assert!(tx.poll_closed(&mut cx).is_ready());
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(shared) = &self.shared else {
            return Poll::Ready(());
        };
        let budget = ready!(coop::poll_proceed(cx));
        let mut state = shared.lock();
        if state.rx_closed {
            budget.made_progress();
            return Poll::Ready(());
        }
        match &state.tx_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => state.tx_waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.take() {
            let mut state = shared.lock();
            state.tx_done = true;
            let waker = state.rx_waker.take();
            drop(state);
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Sender").finish_non_exhaustive()
    }
}

/// Receives the one value of a [`channel`]: await it for `Result<T, RecvError>`.
///
/// # Cancel safety
///
/// Cancel-safe: polling takes the value only when it returns it, so a `Receiver`
/// raced in a select and dropped loses only a value nobody had received.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let (tx, rx) = weft::sync::oneshot::channel::<u8>();
/// drop(tx);
/// assert!(block_on(rx).is_err());
/// ```
pub struct Receiver<T> {
    shared: Shared<T>,
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent.
    ///
    /// ```
    /// use weft::sync::oneshot::{channel, TryRecvError};
    /// let (tx, mut rx) = channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.shared.lock();
        match state.value.take() {
            Some(v) => Ok(v),
            None if state.tx_done => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Refuses the value: a later `send` fails. A value already sent can still be
    /// received.
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// ```
    pub fn close(&mut self) {
        let mut state = self.shared.lock();
        state.rx_closed = true;
        let waker = state.tx_waker.take();
        drop(state);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Whether no value can come any more (the sender is gone or the value was taken).
    ///
    /// ```
    /// let (tx, rx) = weft::sync::oneshot::channel::<u8>();
    /// drop(tx);
    /// assert!(rx.is_terminated());
    /// ```
    pub fn is_terminated(&self) -> bool {
        let state = self.shared.lock();
        state.tx_done && state.value.is_none()
    }

    /// Blocks the thread until the value comes.
    ///
    /// # Panics
    ///
    /// If called on a thread that is running weft tasks (await the receiver there).
    ///
    /// ```
    /// let (tx, rx) = weft::sync::oneshot::channel();
    /// std::thread::spawn(move || tx.send(9).unwrap());
    /// assert_eq!(rx.blocking_recv(), Ok(9));
    /// ```
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        crate::runtime::context::assert_can_block("oneshot::Receiver::blocking_recv");
        park::block_on(self)
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let budget = ready!(coop::poll_proceed(cx));
        let mut state = self.shared.lock();
        if let Some(v) = state.value.take() {
            budget.made_progress();
            return Poll::Ready(Ok(v));
        }
        if state.tx_done {
            budget.made_progress();
            return Poll::Ready(Err(RecvError(())));
        }
        match &state.rx_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => state.rx_waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.rx_closed = true;
        let value = state.value.take();
        let waker = state.tx_waker.take();
        drop(state);
        drop(value);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("oneshot::Receiver").finish_non_exhaustive()
    }
}

/// The sender was dropped without sending.
///
/// ```
/// let (tx, rx) = weft::sync::oneshot::channel::<u8>();
/// drop(tx);
/// let err: weft::sync::oneshot::RecvError = rx.blocking_recv().unwrap_err();
/// assert!(err.to_string().contains("dropped"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError(());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the oneshot sender was dropped without sending a value")
    }
}

impl std::error::Error for RecvError {}

/// Why [`Receiver::try_recv`] returned no value.
///
/// ```
/// let (_tx, mut rx) = weft::sync::oneshot::channel::<u8>();
/// assert_eq!(rx.try_recv(), Err(weft::sync::oneshot::TryRecvError::Empty));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// Not sent yet; await the receiver to wait for it.
    Empty,
    /// The sender is gone without sending, or the value was already taken.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("no value sent yet: await the receiver to wait for it"),
            Self::Closed => f.write_str("no value will come: the sender is gone or it was taken"),
        }
    }
}

impl std::error::Error for TryRecvError {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::test_util::{CountWaker, block_on, iters, poll_once, poll_with};
    use std::pin::pin;

    #[test]
    fn send_wakes_the_receiver() {
        let (tx, rx) = channel();
        let mut rx = pin!(rx);
        let count = CountWaker::new();
        assert!(poll_with(rx.as_mut(), &Waker::from(count.clone())).is_pending());
        tx.send(5).unwrap();
        assert_eq!(count.count(), 1);
        assert_eq!(poll_once(rx.as_mut()), Poll::Ready(Ok(5)));
    }

    #[test]
    fn closed_wakes_the_sender() {
        let (mut tx, rx) = channel::<u8>();
        let count = CountWaker::new();
        let waker = Waker::from(count.clone());
        assert!(
            tx.poll_closed(&mut Context::from_waker(&waker))
                .is_pending()
        );
        drop(rx);
        assert_eq!(count.count(), 1);
        assert!(tx.is_closed());
    }

    #[test]
    fn across_threads() {
        for _ in 0..iters(2_000, 10) {
            let (tx, rx) = channel();
            let t = std::thread::spawn(move || tx.send(1u32));
            assert_eq!(block_on(rx), Ok(1));
            t.join().unwrap().unwrap();
        }
    }
}
