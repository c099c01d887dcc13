//! `Notify`: wake one waiting task, or all of them, without a value.
//!
//! # Protocol
//!
//! 1. All state lives behind one `crate::loom::Mutex`: the stored permit, the waiter
//!    list, and the `notify_waiters` generation. The generation is mirrored in an atomic
//!    so that creating a `Notified` reads it without the lock.
//! 2. `notify_one` unlinks the first waiter as `One`, or stores the single permit when
//!    nobody waits (several calls still store one permit).
//! 3. `notify_waiters` bumps the generation and unlinks, as `All`, every waiter created
//!    before the bump. A `Notified` created before the bump but not yet linked sees the
//!    generation changed when it is first polled, and completes.
//! 4. A `Notified` dropped after being handed a `notify_one` it never reported passes
//!    it on to the next waiter (or the permit), so no notification is lost.

use super::waiters::{WaitList, Waiter, WakeList};
use crate::loom::Mutex;
use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Waiting,
    /// Unlinked by `notify_one`.
    One,
    /// Unlinked by `notify_waiters`.
    All,
}

#[derive(Debug)]
pub(crate) struct Entry {
    /// The generation the `Notified` was created in.
    generation: usize,
    outcome: Outcome,
}

#[derive(Debug)]
struct State {
    permit: bool,
    waiters: WaitList<Entry>,
}

/// Notifies tasks of an event, without data: asyncio's `Condition` minus the lock,
/// tokio's `Notify`.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// use std::sync::Arc;
/// use weft::sync::Notify;
///
/// let notify = Arc::new(Notify::new());
/// let n2 = notify.clone();
/// let t = std::thread::spawn(move || n2.notify_one());
/// block_on(notify.notified()); // completes whether the notify came first or not
/// t.join().unwrap();
/// ```
pub struct Notify {
    /// Mirror of the generation in `state`, written under the lock (rule 1).
    generation: AtomicUsize,
    state: Mutex<State>,
}

impl Notify {
    /// Creates a `Notify` with no stored permit.
    ///
    /// ```
    /// let _ = weft::sync::Notify::new();
    /// ```
    pub fn new() -> Self {
        Self {
            generation: AtomicUsize::new(0),
            state: Mutex::new(State {
                permit: false,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Waits for a notification. The future counts as waiting for `notify_waiters` from
    /// the moment it is created; for `notify_one` from its first poll (or
    /// [`Notified::enable`]).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a `notify_one` handed to a dropped future passes to the next waiter.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let notify = weft::sync::Notify::new();
    /// let fut = notify.notified();
    /// notify.notify_waiters();
    /// block_on(fut);
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            stage: Stage::Init,
            waiter: Waiter::new(Entry {
                generation: self.generation.load(Ordering::SeqCst),
                outcome: Outcome::Waiting,
            }),
        }
    }

    /// Wakes the first waiting task, or stores one permit for the next `notified()`.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let notify = weft::sync::Notify::new();
    /// notify.notify_one();
    /// notify.notify_one(); // still one permit
    /// block_on(notify.notified());
    /// ```
    pub fn notify_one(&self) {
        let mut state = self.state.lock();
        let waker = Self::notify_one_locked(&mut state);
        drop(state);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Rule 2; returns the waker to wake once the lock is dropped.
    fn notify_one_locked(state: &mut State) -> Option<std::task::Waker> {
        match state.waiters.pop_front_with(|e| e.outcome = Outcome::One) {
            Some(waker) => waker,
            None => {
                state.permit = true;
                None
            }
        }
    }

    /// Wakes every task waiting now (every `Notified` created before this call); stores
    /// no permit.
    ///
    /// ```
    /// let notify = weft::sync::Notify::new();
    /// notify.notify_waiters();
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// use std::future::Future;
    /// // Nothing was stored for later waiters.
    /// assert!(std::pin::pin!(notify.notified()).poll(&mut cx).is_pending());
    /// ```
    pub fn notify_waiters(&self) {
        let mut wakers = WakeList::new();
        let mut state = self.state.lock();
        let old = self.generation.load(Ordering::Relaxed);
        self.generation.store(old.wrapping_add(1), Ordering::SeqCst);
        loop {
            // Only waiters of the old generation (rule 3): later ones, linked while the
            // lock was dropped below, wait for the next call.
            while !wakers.is_full() {
                let Some(front) = state.waiters.front() else {
                    break;
                };
                // SAFETY: `front` is linked in our list; we hold its lock.
                let old_gen = unsafe { state.waiters.with_node(front, |n| n.data.generation) };
                if old_gen != old {
                    break;
                }
                wakers.push(
                    state
                        .waiters
                        .pop_front_with(|e| e.outcome = Outcome::All)
                        .flatten(),
                );
            }
            if !wakers.is_full() {
                break;
            }
            drop(state);
            wakers.wake_all();
            state = self.state.lock();
        }
        drop(state);
        wakers.wake_all();
    }
}

impl Default for Notify {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notify").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Init,
    /// Linked (or unlinked by a notifier, which recorded the outcome).
    Queued,
    Done,
}

/// The future returned by [`Notify::notified`].
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let notify = weft::sync::Notify::new();
/// let fut: weft::sync::Notified<'_> = notify.notified();
/// notify.notify_waiters();
/// block_on(fut);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Notified<'a> {
    notify: &'a Notify,
    stage: Stage,
    /// # Invariant
    ///
    /// Linked in `notify.state.waiters` only while `stage == Queued`.
    waiter: Waiter<Entry>,
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("stage", &self.stage)
            .finish()
    }
}

impl Notified<'_> {
    /// Registers for `notify_one` without waiting yet; returns whether a notification
    /// already arrived (then the next poll completes at once).
    ///
    /// ```
    /// let notify = weft::sync::Notify::new();
    /// let mut fut = std::pin::pin!(notify.notified());
    /// assert!(!fut.as_mut().enable());
    /// notify.notify_one(); // goes to `fut`, not to the permit
    /// assert!(fut.as_mut().enable());
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        // SAFETY: we never move out of the future; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // `Done` is sticky, so a poll after a `true` completes at once.
        this.poll_notified(None).is_ready()
    }

    /// One step of the protocol; registers `waker` if given.
    fn poll_notified(&mut self, waker: Option<&std::task::Waker>) -> Poll<()> {
        let notify = self.notify;
        match self.stage {
            Stage::Done => Poll::Ready(()),
            Stage::Init => {
                let mut state = notify.state.lock();
                let created = {
                    let ptr = self.waiter.as_ptr();
                    // SAFETY: our node is in no list yet, and we hold the lock.
                    unsafe { state.waiters.with_node(ptr, |n| n.data.generation) }
                };
                if notify.generation.load(Ordering::SeqCst) != created {
                    // A `notify_waiters` ran since we were created (rule 3).
                    self.stage = Stage::Done;
                    return Poll::Ready(());
                }
                if state.permit {
                    state.permit = false;
                    self.stage = Stage::Done;
                    return Poll::Ready(());
                }
                let ptr = self.waiter.as_ptr();
                // SAFETY: the node is unlinked, pinned, and `Drop` unlinks it under this
                // lock before it is freed.
                unsafe {
                    if let Some(w) = waker {
                        state.waiters.with_node(ptr, |n| n.set_waker(w));
                    }
                    state.waiters.push_back(ptr);
                }
                self.stage = Stage::Queued;
                Poll::Pending
            }
            Stage::Queued => {
                let mut state = notify.state.lock();
                let ptr = self.waiter.as_ptr();
                // SAFETY: our node is linked in this list or unlinked by a notifier; we
                // hold the lock.
                let outcome = unsafe {
                    state.waiters.with_node(ptr, |n| {
                        if n.data.outcome == Outcome::Waiting
                            && let Some(w) = waker
                        {
                            n.set_waker(w);
                        }
                        n.data.outcome
                    })
                };
                if outcome == Outcome::Waiting {
                    Poll::Pending
                } else {
                    self.stage = Stage::Done;
                    Poll::Ready(())
                }
            }
        }
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: we never move out of the future; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let budget = ready!(coop::poll_proceed(cx));
        ready!(this.poll_notified(Some(cx.waker())));
        budget.made_progress();
        Poll::Ready(())
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        if self.stage != Stage::Queued {
            return;
        }
        let mut state = self.notify.state.lock();
        let ptr = self.waiter.as_ptr();
        // SAFETY: our node is linked here or unlinked by a notifier; we hold the lock.
        let outcome = unsafe {
            state.waiters.remove(ptr);
            state.waiters.with_node(ptr, |n| n.data.outcome)
        };
        // A `notify_one` we never reported goes on to the next waiter (rule 4).
        let waker = if outcome == Outcome::One {
            Notify::notify_one_locked(&mut state)
        } else {
            None
        };
        drop(state);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::test_util::{CountWaker, block_on, iters, poll_once, poll_with};
    use std::pin::pin;
    use std::sync::Arc;
    use std::task::Waker;

    #[test]
    fn notify_one_wakes_in_order_and_stores_one_permit() {
        let n = Notify::new();
        let mut a = pin!(n.notified());
        let mut b = pin!(n.notified());
        assert!(poll_once(a.as_mut()).is_pending());
        assert!(poll_once(b.as_mut()).is_pending());
        n.notify_one();
        assert!(poll_once(b.as_mut()).is_pending());
        assert!(poll_once(a.as_mut()).is_ready());
        n.notify_one();
        assert!(poll_once(b.as_mut()).is_ready());
        n.notify_one();
        n.notify_one();
        assert!(poll_once(pin!(n.notified())).is_ready());
        assert!(poll_once(pin!(n.notified())).is_pending());
    }

    #[test]
    fn dropped_notified_passes_notify_one_on() {
        let n = Notify::new();
        let mut a = Box::pin(n.notified());
        let mut b = pin!(n.notified());
        let count = CountWaker::new();
        let waker = Waker::from(count.clone());
        assert!(poll_once(a.as_mut()).is_pending());
        assert!(poll_with(b.as_mut(), &waker).is_pending());
        n.notify_one();
        drop(a);
        assert_eq!(count.count(), 1);
        assert!(poll_once(b.as_mut()).is_ready());
    }

    #[test]
    fn notify_waiters_reaches_futures_created_before_it_only() {
        let n = Notify::new();
        let mut polled = pin!(n.notified());
        assert!(poll_once(polled.as_mut()).is_pending());
        let unpolled = n.notified();
        n.notify_waiters();
        let mut later = pin!(n.notified());
        assert!(poll_once(polled.as_mut()).is_ready());
        assert!(poll_once(pin!(unpolled)).is_ready());
        assert!(poll_once(later.as_mut()).is_pending());
    }

    #[test]
    fn notify_waiters_wakes_more_than_a_batch() {
        let n = Notify::new();
        let mut futs: Vec<_> = (0..100).map(|_| Box::pin(n.notified())).collect();
        for f in &mut futs {
            assert!(poll_once(f.as_mut()).is_pending());
        }
        n.notify_waiters();
        for f in &mut futs {
            assert!(poll_once(f.as_mut()).is_ready());
        }
    }

    #[test]
    fn ping_pong_across_threads() {
        let rounds = iters(10_000, 30);
        let ping = Arc::new(Notify::new());
        let pong = Arc::new(Notify::new());
        let (p2, q2) = (ping.clone(), pong.clone());
        let t = std::thread::spawn(move || {
            for _ in 0..rounds {
                block_on(p2.notified());
                q2.notify_one();
            }
        });
        for _ in 0..rounds {
            ping.notify_one();
            block_on(pong.notified());
        }
        t.join().unwrap();
    }
}
