//! The unbounded `mpsc` channel: `send` never waits; memory is the only limit.

use super::chan::Chan;
use super::error::{SendError, TryRecvError};
use crate::runtime::park;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Creates a channel with no capacity limit.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let (tx, mut rx) = weft::sync::mpsc::unbounded_channel();
/// for i in 0..10 {
///     tx.send(i).unwrap();
/// }
/// drop(tx);
/// let mut n = 0;
/// block_on(async {
///     while rx.recv().await.is_some() {
///         n += 1;
///     }
/// });
/// assert_eq!(n, 10);
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Arc::new(Chan::new(None));
    (
        UnboundedSender { chan: chan.clone() },
        UnboundedReceiver { chan },
    )
}

/// Sends values into an unbounded channel; clone it for more producers.
///
/// ```
/// let (tx, mut rx) = weft::sync::mpsc::unbounded_channel();
/// tx.clone().send(1).unwrap();
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct UnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` at once, or gives it back if the receiver is gone or closed.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// drop(rx);
    /// assert!(tx.send(2).is_err());
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan.push(value).map_err(SendError)
    }

    /// Waits until the receiver is gone or closed.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let (tx, rx) = weft::sync::mpsc::unbounded_channel::<u8>();
    /// std::thread::spawn(move || drop(rx));
    /// block_on(tx.closed());
    /// ```
    pub async fn closed(&self) {
        self.chan.closed().await
    }

    /// Whether the receiver is gone or closed.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::mpsc::unbounded_channel::<u8>();
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Self {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::UnboundedSender")
            .finish_non_exhaustive()
    }
}

/// Receives the values of an unbounded channel.
///
/// ```
/// let (tx, mut rx) = weft::sync::mpsc::unbounded_channel();
/// tx.send('a').unwrap();
/// assert_eq!(rx.try_recv(), Ok('a'));
/// ```
pub struct UnboundedReceiver<T> {
    chan: Arc<Chan<T>>,
}

impl<T> UnboundedReceiver<T> {
    /// Receives the next value; `None` once every sender is gone and the channel is
    /// drained.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a value is taken only when it is returned.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let (tx, mut rx) = weft::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// assert_eq!(block_on(rx.recv()), Some(1));
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next value (for hand-written futures and streams).
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::mpsc::unbounded_channel();
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), std::task::Poll::Ready(Some(2)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // SAFETY: `&mut self` on the one receiver: nobody else receives meanwhile.
        unsafe { self.chan.poll_recv(cx) }
    }

    /// Takes the next value if one is queued.
    ///
    /// ```
    /// let (_tx, mut rx) = weft::sync::mpsc::unbounded_channel::<u8>();
    /// assert!(rx.try_recv().is_err());
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        // SAFETY: `&mut self` on the one receiver: nobody else receives meanwhile.
        unsafe { self.chan.try_recv() }
    }

    /// [`recv`](Self::recv) for plain threads: blocks the thread until a value comes.
    ///
    /// # Panics
    ///
    /// If called on a thread that is running weft tasks (use `recv().await` there).
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::mpsc::unbounded_channel();
    /// std::thread::spawn(move || tx.send(3).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(3));
    /// ```
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::runtime::context::assert_can_block("mpsc::UnboundedReceiver::blocking_recv");
        park::block_on(self.recv())
    }

    /// Refuses further values; those already queued can still be received.
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::mpsc::unbounded_channel::<u8>();
    /// rx.close();
    /// assert!(tx.send(1).is_err());
    /// ```
    pub fn close(&mut self) {
        self.chan.close_rx();
    }

    /// Whether `close` was called.
    ///
    /// ```
    /// let (_tx, mut rx) = weft::sync::mpsc::unbounded_channel::<u8>();
    /// rx.close();
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// How many values are queued.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::mpsc::unbounded_channel();
    /// tx.send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Whether nothing is queued.
    ///
    /// ```
    /// let (_tx, rx) = weft::sync::mpsc::unbounded_channel::<u8>();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for UnboundedReceiver<T> {
    fn drop(&mut self) {
        // SAFETY: the one receiver, going away: nobody else receives meanwhile.
        unsafe { self.chan.drop_rx() }
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::UnboundedReceiver")
            .finish_non_exhaustive()
    }
}

impl<T> futures_core::Stream for UnboundedReceiver<T> {
    type Item = T;

    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.poll_recv(cx)
    }
}
