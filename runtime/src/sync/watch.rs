//! A watch channel: one value that a sender updates and receivers observe, each
//! learning when it changed since they last looked.
//!
//! # Protocol
//!
//! 1. One `crate::loom::Mutex` guards the value, its version (bumped by every send),
//!    whether the sender lives, the receiver count, and the waiting `Changed` futures.
//! 2. A receiver remembers the version it has seen; `changed` completes once the
//!    version differs (and marks it seen), or fails once the sender is gone.
//! 3. `send` replaces the value, bumps the version and wakes every waiter; the sender's
//!    drop wakes them too. A woken `Changed` re-checks under the lock.
//! 4. [`Ref`] holds the lock: keep borrows short, and never hold one across an
//!    `.await` or a `send` on the same thread.

use crate::loom::{Mutex, MutexGuard};
use crate::sync::waiters::{WaitList, Waiter, wake_all_linked};
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

struct State<T> {
    value: T,
    version: u64,
    sender_alive: bool,
    receivers: usize,
    waiters: WaitList<()>,
}

type Shared<T> = Arc<Mutex<State<T>>>;

/// Creates a watch channel holding `init`.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let (tx, mut rx) = weft::sync::watch::channel("idle");
/// tx.send("busy").unwrap();
/// block_on(rx.changed()).unwrap();
/// assert_eq!(*rx.borrow(), "busy");
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Mutex::new(State {
        value: init,
        version: 0,
        sender_alive: true,
        receivers: 1,
        waiters: WaitList::new(),
    }));
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared, seen: 0 },
    )
}

/// Updates the watched value.
///
/// ```
/// let (tx, rx) = weft::sync::watch::channel(0);
/// tx.send(1).unwrap();
/// assert_eq!(*rx.borrow(), 1);
/// ```
pub struct Sender<T> {
    shared: Shared<T>,
}

impl<T> Sender<T> {
    /// Replaces the value and notifies the receivers; gives the value back if no
    /// receiver exists.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::watch::channel(0);
    /// assert!(tx.send(1).is_ok());
    /// drop(rx);
    /// assert!(tx.send(2).is_err());
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let mut state = self.shared.lock();
        if state.receivers == 0 {
            return Err(SendError(value));
        }
        let old = std::mem::replace(&mut state.value, value);
        state.version += 1;
        wake_all_linked(&self.shared, state, |s| &mut s.waiters, |_| {});
        drop(old);
        Ok(())
    }

    /// Changes the value in place and notifies the receivers, whether or not any exist.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::watch::channel(vec![1]);
    /// tx.send_modify(|v| v.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        let mut state = self.shared.lock();
        modify(&mut state.value);
        state.version += 1;
        wake_all_linked(&self.shared, state, |s| &mut s.waiters, |_| {});
    }

    /// Borrows the current value (holding the channel's lock; keep it short).
    ///
    /// ```
    /// let (tx, _rx) = weft::sync::watch::channel(3);
    /// assert_eq!(*tx.borrow(), 3);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.lock(),
        }
    }

    /// A new receiver that has seen the current value.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::watch::channel(0);
    /// drop(rx);
    /// let rx = tx.subscribe();
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let mut state = self.shared.lock();
        state.receivers += 1;
        let seen = state.version;
        drop(state);
        Receiver {
            shared: self.shared.clone(),
            seen,
        }
    }

    /// How many receivers exist.
    ///
    /// ```
    /// let (tx, _rx) = weft::sync::watch::channel(());
    /// assert_eq!(tx.receiver_count(), 1);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.lock().receivers
    }

    /// Whether every receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::watch::channel(());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.sender_alive = false;
        wake_all_linked(&self.shared, state, |s| &mut s.waiters, |_| {});
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Sender").finish_non_exhaustive()
    }
}

/// Observes the watched value; clone it for more observers.
///
/// ```
/// let (tx, rx) = weft::sync::watch::channel(1);
/// let rx2 = rx.clone();
/// tx.send(2).unwrap();
/// assert!(rx2.has_changed().unwrap());
/// ```
pub struct Receiver<T> {
    shared: Shared<T>,
    /// The version this receiver has seen (rule 2).
    seen: u64,
}

impl<T> Receiver<T> {
    /// Borrows the current value without marking it seen.
    ///
    /// ```
    /// let (_tx, rx) = weft::sync::watch::channel('a');
    /// assert_eq!(*rx.borrow(), 'a');
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.lock(),
        }
    }

    /// Borrows the current value and marks it seen.
    ///
    /// ```
    /// let (tx, mut rx) = weft::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow_and_update(), 1);
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.lock();
        self.seen = guard.version;
        Ref { guard }
    }

    /// Whether the value changed since this receiver last saw it; fails if the sender
    /// is gone.
    ///
    /// ```
    /// let (tx, rx) = weft::sync::watch::channel(0);
    /// assert!(!rx.has_changed().unwrap());
    /// drop(tx);
    /// assert!(rx.has_changed().is_err());
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let state = self.shared.lock();
        if !state.sender_alive {
            return Err(RecvError(()));
        }
        Ok(state.version != self.seen)
    }

    /// Waits until the value changes from the one this receiver saw, and marks the new
    /// one seen. Fails once the sender is gone (a change sent before it went is still
    /// reported first).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: the change is marked seen only when the future completes.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let (tx, mut rx) = weft::sync::watch::channel(0);
    /// std::thread::spawn(move || tx.send(5).unwrap());
    /// block_on(rx.changed()).unwrap();
    /// assert_eq!(*rx.borrow(), 5);
    /// ```
    pub fn changed(&mut self) -> Changed<'_, T> {
        Changed {
            rx: self,
            queued: false,
            waiter: Waiter::new(()),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.lock().receivers += 1;
        Self {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.lock().receivers -= 1;
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Receiver")
            .field("seen", &self.seen)
            .finish()
    }
}

/// The future returned by [`Receiver::changed`].
///
/// ```
/// let (_tx, mut rx) = weft::sync::watch::channel(0);
/// let _fut: weft::sync::watch::Changed<'_, i32> = rx.changed();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Changed<'a, T> {
    rx: &'a mut Receiver<T>,
    queued: bool,
    /// # Invariant
    ///
    /// Linked in the channel's `waiters` only while `queued`.
    waiter: Waiter<()>,
}

impl<T> fmt::Debug for Changed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Changed").finish_non_exhaustive()
    }
}

impl<T> Future for Changed<'_, T> {
    type Output = Result<(), RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: we never move out of the future; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let budget = ready!(coop::poll_proceed(cx));
        let rx = &mut *this.rx;
        let mut state = rx.shared.lock();
        let ptr = this.waiter.as_ptr();
        if this.queued {
            // SAFETY: our node is linked here or was unlinked by a waker; we hold the lock.
            unsafe { state.waiters.remove(ptr) };
            this.queued = false;
        }
        if state.version != rx.seen {
            rx.seen = state.version;
            budget.made_progress();
            return Poll::Ready(Ok(()));
        }
        if !state.sender_alive {
            budget.made_progress();
            return Poll::Ready(Err(RecvError(())));
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

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        if self.queued {
            let mut state = self.rx.shared.lock();
            // SAFETY: our node is linked here or was unlinked by a waker; we hold the lock.
            unsafe { state.waiters.remove(self.waiter.as_ptr()) };
        }
    }
}

/// A borrow of the watched value; holds the channel's lock until dropped (rule 4).
///
/// ```
/// let (_tx, rx) = weft::sync::watch::channel(String::from("x"));
/// let r: weft::sync::watch::Ref<'_, String> = rx.borrow();
/// assert_eq!(r.len(), 1);
/// ```
pub struct Ref<'a, T> {
    guard: MutexGuard<'a, State<T>>,
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// No receiver exists; holds the value that was not sent.
///
/// ```
/// let (tx, rx) = weft::sync::watch::channel(0);
/// drop(rx);
/// assert_eq!(tx.send(1).unwrap_err().0, 1);
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
        f.write_str("no watch receiver exists: use `send_modify` to update the value anyway")
    }
}

impl<T> std::error::Error for SendError<T> {}

/// The sender is gone: the value will not change any more.
///
/// ```
/// let (tx, rx) = weft::sync::watch::channel(0);
/// drop(tx);
/// let err: weft::sync::watch::RecvError = rx.has_changed().unwrap_err();
/// assert!(err.to_string().contains("sender"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError(());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the watch sender is gone: the value will not change any more")
    }
}

impl std::error::Error for RecvError {}

/// The errors of the watch channel, under tokio's paths.
pub mod error {
    pub use super::{RecvError, SendError};
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::test_util::{block_on, iters, poll_once};
    use std::pin::pin;

    #[test]
    fn changed_reports_each_new_version_once() {
        let (tx, mut rx) = channel(0);
        assert!(poll_once(pin!(rx.changed())).is_pending());
        tx.send(1).unwrap();
        tx.send(2).unwrap();
        assert!(poll_once(pin!(rx.changed())).is_ready());
        assert_eq!(*rx.borrow(), 2);
        assert!(poll_once(pin!(rx.changed())).is_pending());
        drop(tx);
        assert_eq!(
            poll_once(pin!(rx.changed())),
            Poll::Ready(Err(RecvError(())))
        );
    }

    #[test]
    fn observer_thread_sees_the_final_value() {
        let n = iters(10_000, 20);
        let (tx, mut rx) = channel(0usize);
        let t = std::thread::spawn(move || {
            let mut last = 0;
            while block_on(rx.changed()).is_ok() {
                let v = *rx.borrow_and_update();
                assert!(v >= last, "values only grow");
                last = v;
            }
            last
        });
        for i in 1..=n {
            tx.send(i).unwrap();
        }
        drop(tx);
        assert_eq!(t.join().unwrap(), n);
    }
}
