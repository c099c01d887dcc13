//! `Event`: asyncio.Event — a flag that tasks can wait to become set.
//!
//! # Protocol
//!
//! 1. `flag` is written only under the lock; it is an atomic so `is_set` and the fast
//!    path of `wait` read it without the lock.
//! 2. `set` raises the flag, then unlinks every waiter as woken (in batches, re-checking
//!    the flag after each unlocked gap so that a `clear` in between stops it).
//! 3. A waiter checks the flag under the lock before it links itself, so it either sees
//!    the flag or is linked before `set` drains the list: no wake-up is lost.
//! 4. A woken waiter completes even if the flag was cleared again before it ran, as in
//!    asyncio.

use super::waiters::{WaitList, Waiter, WakeList};
use crate::loom::Mutex;
use crate::loom::atomic::{AtomicBool, Ordering};
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// An async event flag (asyncio.Event): `set` wakes every waiter; `clear` resets it.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// use std::sync::Arc;
/// let ev = Arc::new(weft::sync::Event::new());
/// let e2 = ev.clone();
/// let t = std::thread::spawn(move || e2.set());
/// block_on(ev.wait());
/// assert!(ev.is_set());
/// t.join().unwrap();
/// ```
pub struct Event {
    flag: AtomicBool,
    /// Node data: whether `set` woke the waiter.
    waiters: Mutex<WaitList<bool>>,
}

impl Event {
    /// Creates an event that is not set.
    ///
    /// ```
    /// assert!(!weft::sync::Event::new().is_set());
    /// ```
    pub fn new() -> Self {
        Self {
            flag: AtomicBool::new(false),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// Sets the flag and wakes every waiter; later `wait`s complete at once.
    ///
    /// ```
    /// let ev = weft::sync::Event::new();
    /// ev.set();
    /// assert!(ev.is_set());
    /// ```
    pub fn set(&self) {
        let mut wakers = WakeList::new();
        let mut list = self.waiters.lock();
        self.flag.store(true, Ordering::Release);
        loop {
            let empty = list.drain_into(&mut wakers, |woken| *woken = true);
            if empty {
                break;
            }
            drop(list);
            wakers.wake_all();
            list = self.waiters.lock();
            if !self.flag.load(Ordering::Relaxed) {
                // Cleared meanwhile: the rest wait for the next `set` (rule 2).
                break;
            }
        }
        drop(list);
        wakers.wake_all();
    }

    /// Resets the flag; later `wait`s block until the next `set`.
    ///
    /// ```
    /// let ev = weft::sync::Event::new();
    /// ev.set();
    /// ev.clear();
    /// assert!(!ev.is_set());
    /// ```
    pub fn clear(&self) {
        let _list = self.waiters.lock();
        self.flag.store(false, Ordering::Release);
    }

    /// Whether the flag is set.
    ///
    /// ```
    /// assert!(!weft::sync::Event::default().is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::Acquire)
    }

    /// Waits until the flag is set (completes at once if it is).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future only gives up waiting.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let ev = weft::sync::Event::new();
    /// ev.set();
    /// block_on(ev.wait());
    /// ```
    pub fn wait(&self) -> EventWait<'_> {
        EventWait {
            event: self,
            queued: false,
            waiter: Waiter::new(false),
        }
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish()
    }
}

/// The future returned by [`Event::wait`].
///
/// ```
/// let ev = weft::sync::Event::new();
/// let _fut: weft::sync::EventWait<'_> = ev.wait();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct EventWait<'a> {
    event: &'a Event,
    queued: bool,
    /// # Invariant
    ///
    /// Linked in `event.waiters` only while `queued` and not woken.
    waiter: Waiter<bool>,
}

impl fmt::Debug for EventWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("queued", &self.queued)
            .finish()
    }
}

impl EventWait<'_> {
    fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if !self.queued && self.event.is_set() {
            return Poll::Ready(());
        }
        let mut list = self.event.waiters.lock();
        let ptr = self.waiter.as_ptr();
        if self.queued {
            // SAFETY: our node is linked here or unlinked by `set`; we hold the lock.
            let woken = unsafe {
                list.with_node(ptr, |n| {
                    if !n.data {
                        n.set_waker(cx.waker());
                    }
                    n.data
                })
            };
            if woken {
                self.queued = false;
                return Poll::Ready(());
            }
            return Poll::Pending;
        }
        // Rule 3: the flag is checked under the lock before we link.
        if self.event.flag.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        // SAFETY: the node is unlinked and pinned; `Drop` unlinks it under this lock.
        unsafe {
            list.with_node(ptr, |n| n.set_waker(cx.waker()));
            list.push_back(ptr);
        }
        self.queued = true;
        Poll::Pending
    }
}

impl Future for EventWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: we never move out of the future; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let budget = ready!(coop::poll_proceed(cx));
        ready!(this.poll_wait(cx));
        budget.made_progress();
        Poll::Ready(())
    }
}

impl Drop for EventWait<'_> {
    fn drop(&mut self) {
        if self.queued {
            let mut list = self.event.waiters.lock();
            // SAFETY: our node is linked here or unlinked by `set`; we hold the lock.
            unsafe { list.remove(self.waiter.as_ptr()) };
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::test_util::{block_on, poll_once};
    use std::pin::pin;
    use std::sync::Arc;

    #[test]
    fn set_wakes_all_and_stays_set_until_cleared() {
        let ev = Event::new();
        let mut futs: Vec<_> = (0..40).map(|_| Box::pin(ev.wait())).collect();
        for f in &mut futs {
            assert!(poll_once(f.as_mut()).is_pending());
        }
        ev.set();
        ev.clear();
        // Woken before the clear: they complete anyway (rule 4).
        for f in &mut futs {
            assert!(poll_once(f.as_mut()).is_ready());
        }
        assert!(poll_once(pin!(ev.wait())).is_pending());
        ev.set();
        assert!(poll_once(pin!(ev.wait())).is_ready());
    }

    #[test]
    fn cancelled_waiter_leaves_no_trace() {
        let ev = Event::new();
        let mut f = Box::pin(ev.wait());
        assert!(poll_once(f.as_mut()).is_pending());
        drop(f);
        ev.set();
        assert!(ev.waiters.lock().is_empty());
    }

    #[test]
    fn threads_wait_for_one_set() {
        let ev = Arc::new(Event::new());
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let ev = ev.clone();
                std::thread::spawn(move || block_on(ev.wait()))
            })
            .collect();
        ev.set();
        for h in handles {
            h.join().unwrap();
        }
    }
}
