//! The bounded `mpsc` channel: senders wait for room (backpressure), fairly.

use super::chan::Chan;
use super::error::{SendError, TryRecvError, TrySendError};
use crate::runtime::park;
use crate::sync::TryAcquireError;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Creates a channel holding at most `capacity` values: `send` waits while it is full.
///
/// # Panics
///
/// If `capacity` is 0.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let (tx, mut rx) = weft::sync::mpsc::channel(16);
/// std::thread::spawn(move || {
///     for i in 0..100 {
///         tx.blocking_send(i).unwrap();
///     }
/// });
/// let mut sum = 0;
/// block_on(async {
///     while let Some(i) = rx.recv().await {
///         sum += i;
///     }
/// });
/// assert_eq!(sum, 4950);
/// ```
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "an mpsc channel needs a capacity of at least 1"
    );
    let chan = Arc::new(Chan::new(Some(capacity)));
    (Sender { chan: chan.clone() }, Receiver { chan })
}

/// Sends values into a bounded channel; clone it for more producers.
///
/// ```
/// let (tx, _rx) = weft::sync::mpsc::channel::<u8>(4);
/// let tx2 = tx.clone();
/// tx2.try_send(1).unwrap();
/// assert_eq!(tx.capacity(), 3);
/// ```
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    fn sem(&self) -> &crate::sync::Semaphore {
        self.chan
            .sem
            .as_ref()
            .expect("a bounded channel has a semaphore")
    }

    /// Sends `value`, waiting for room while the channel is full. Senders waiting for
    /// room are served in the order they started waiting.
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the value was not sent (and is
    /// dropped with the future); the sender's place in line is given up.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let (tx, mut rx) = weft::sync::mpsc::channel(1);
    /// block_on(async {
    ///     tx.send(1).await.unwrap();
    ///     assert_eq!(rx.recv().await, Some(1));
    /// });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        match self.sem().acquire().await {
            Ok(permit) => {
                permit.forget();
                self.chan.push(value).map_err(SendError)
            }
            Err(_) => Err(SendError(value)),
        }
    }

    /// Sends `value` if there is room right now.
    ///
    /// ```
    /// use weft::sync::mpsc::error::TrySendError;
    /// let (tx, rx) = weft::sync::mpsc::channel(1);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// drop(rx);
    /// assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.sem().try_acquire() {
            Ok(permit) => {
                permit.forget();
                self.chan.push(value).map_err(TrySendError::Closed)
            }
            Err(TryAcquireError::NoPermits) => Err(TrySendError::Full(value)),
            Err(TryAcquireError::Closed) => Err(TrySendError::Closed(value)),
        }
    }

    /// [`send`](Self::send) for plain threads: blocks the thread until there is room.
    ///
    /// # Panics
    ///
    /// If called on a thread that is running weft tasks (use `send().await` there).
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::mpsc::channel(1);
    /// std::thread::spawn(move || tx.blocking_send(5).unwrap()).join().unwrap();
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// ```
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::runtime::context::assert_can_block("mpsc::Sender::blocking_send");
        park::block_on(self.send(value))
    }

    /// Waits for room and reserves it: the returned [`Permit`] sends without waiting.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future gives up its place in line and reserves nothing.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let (tx, mut rx) = weft::sync::mpsc::channel(1);
    /// let permit = block_on(tx.reserve()).unwrap();
    /// permit.send(7);
    /// assert_eq!(rx.try_recv(), Ok(7));
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        match self.sem().acquire().await {
            Ok(permit) => {
                permit.forget();
                Ok(Permit { chan: &self.chan })
            }
            Err(_) => Err(SendError(())),
        }
    }

    /// Reserves room if there is some right now.
    ///
    /// ```
    /// let (tx, _rx) = weft::sync::mpsc::channel::<u8>(1);
    /// let p = tx.try_reserve().unwrap();
    /// assert!(tx.try_reserve().is_err());
    /// drop(p);
    /// assert!(tx.try_reserve().is_ok());
    /// ```
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        match self.sem().try_acquire() {
            Ok(permit) => {
                permit.forget();
                Ok(Permit { chan: &self.chan })
            }
            Err(TryAcquireError::NoPermits) => Err(TrySendError::Full(())),
            Err(TryAcquireError::Closed) => Err(TrySendError::Closed(())),
        }
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
    /// let (tx, rx) = weft::sync::mpsc::channel::<u8>(1);
    /// std::thread::spawn(move || drop(rx));
    /// block_on(tx.closed());
    /// assert!(tx.is_closed());
    /// ```
    pub async fn closed(&self) {
        self.chan.closed().await
    }

    /// Whether the receiver is gone or closed.
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::mpsc::channel::<u8>(1);
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Free slots right now.
    ///
    /// ```
    /// let (tx, _rx) = weft::sync::mpsc::channel::<u8>(2);
    /// assert_eq!(tx.capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        self.sem().available_permits()
    }

    /// The capacity the channel was created with.
    ///
    /// ```
    /// let (tx, _rx) = weft::sync::mpsc::channel::<u8>(2);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(tx.max_capacity(), 2);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.chan.capacity
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Self {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Sender").finish_non_exhaustive()
    }
}

/// A reserved slot of a bounded channel: [`send`](Permit::send) never waits. Dropping it
/// unused gives the slot back.
///
/// ```
/// let (tx, mut rx) = weft::sync::mpsc::channel(1);
/// let permit: weft::sync::mpsc::Permit<'_, u8> = tx.try_reserve().unwrap();
/// permit.send(1);
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct Permit<'a, T> {
    chan: &'a Chan<T>,
}

impl<T> Permit<'_, T> {
    /// Sends `value` into the reserved slot. If the receiver closed meanwhile, the value
    /// is dropped.
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::mpsc::channel(1);
    /// tx.try_reserve().unwrap().send("x");
    /// assert_eq!(rx.try_recv(), Ok("x"));
    /// ```
    pub fn send(self, value: T) {
        let chan = self.chan;
        // The slot is used now: our `Drop` must not give it back.
        std::mem::forget(self);
        drop(chan.push(value));
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.chan.return_slot();
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Permit").finish_non_exhaustive()
    }
}

/// Receives the values of a bounded channel.
///
/// ```
/// let (tx, mut rx) = weft::sync::mpsc::channel(2);
/// tx.try_send(1).unwrap();
/// assert_eq!(rx.len(), 1);
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Receiver<T> {
    /// Receives the next value; `None` once every sender is gone and the channel is
    /// drained (or after `close`, once drained and no reserved slot is outstanding).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a value is taken only when it is returned.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let (tx, mut rx) = weft::sync::mpsc::channel(1);
    /// tx.try_send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(block_on(rx.recv()), Some(1));
    /// assert_eq!(block_on(rx.recv()), None);
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next value (for hand-written futures and streams).
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::mpsc::channel(1);
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert!(rx.poll_recv(&mut cx).is_pending());
    /// tx.try_send(2).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), std::task::Poll::Ready(Some(2)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // SAFETY: `&mut self` on the one receiver: nobody else receives meanwhile.
        unsafe { self.chan.poll_recv(cx) }
    }

    /// Takes the next value if one is queued.
    ///
    /// ```
    /// use weft::sync::mpsc::error::TryRecvError;
    /// let (_tx, mut rx) = weft::sync::mpsc::channel::<u8>(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
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
    /// let (tx, mut rx) = weft::sync::mpsc::channel(1);
    /// std::thread::spawn(move || tx.blocking_send(3).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(3));
    /// ```
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::runtime::context::assert_can_block("mpsc::Receiver::blocking_recv");
        park::block_on(self.recv())
    }

    /// Refuses further values (senders fail, waiting senders wake with an error); the
    /// values already queued can still be received. A send that had its slot before
    /// the close (a [`Permit`], or a `send` racing with the close) may still deliver;
    /// `recv` reports the end once every such slot is used or given back.
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// rx.close();
    /// assert!(tx.try_send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn close(&mut self) {
        self.chan.close_rx();
    }

    /// Whether `close` was called (the receiver refuses values).
    ///
    /// ```
    /// let (_tx, mut rx) = weft::sync::mpsc::channel::<u8>(1);
    /// rx.close();
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// How many values are queued.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::mpsc::channel(2);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Whether nothing is queued.
    ///
    /// ```
    /// let (_tx, rx) = weft::sync::mpsc::channel::<u8>(2);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // SAFETY: the one receiver, going away: nobody else receives meanwhile.
        unsafe { self.chan.drop_rx() }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Receiver").finish_non_exhaustive()
    }
}

impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;

    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.poll_recv(cx)
    }
}
