//! `Barrier`: `n` tasks wait until all of them have arrived; one of each generation is
//! the leader.
//!
//! # Protocol
//!
//! 1. `arrived`, `generation` and the waiter list sit behind one `crate::loom::Mutex`.
//! 2. The `n`-th arrival of a generation is its leader: it resets `arrived`, bumps the
//!    generation, and unlinks every waiter of the old generation as released (waiters of
//!    the next generation, linked during an unlocked gap between wake batches, stay).
//! 3. An arrival is counted at the first poll and is not taken back if the future is
//!    dropped afterwards (as in tokio): the barrier counts arrivals, not survivors.

use super::waiters::{WaitList, Waiter, WakeList};
use crate::loom::Mutex;
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

#[derive(Debug)]
pub(crate) struct Entry {
    generation: usize,
    released: bool,
}

#[derive(Debug)]
struct State {
    arrived: usize,
    generation: usize,
    waiters: WaitList<Entry>,
}

/// Lets `n` tasks wait for each other (threading.Barrier without a timeout).
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// use std::sync::Arc;
/// let barrier = Arc::new(weft::sync::Barrier::new(3));
/// let handles: Vec<_> = (0..3)
///     .map(|_| {
///         let b = barrier.clone();
///         std::thread::spawn(move || block_on(b.wait()).is_leader())
///     })
///     .collect();
/// let leaders = handles.into_iter().map(|h| h.join().unwrap()).filter(|l| *l).count();
/// assert_eq!(leaders, 1);
/// ```
pub struct Barrier {
    n: usize,
    state: Mutex<State>,
}

impl Barrier {
    /// Creates a barrier for `n` parties (`0` acts as `1`).
    ///
    /// ```
    /// let _ = weft::sync::Barrier::new(2);
    /// ```
    pub fn new(n: usize) -> Self {
        Self {
            n: n.max(1),
            state: Mutex::new(State {
                arrived: 0,
                generation: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Arrives and waits until `n` parties have arrived; exactly one of them gets a
    /// result whose [`is_leader`](BarrierWaitResult::is_leader) is true.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe: once polled, the arrival counts even if the future is dropped
    /// (rule 3), so the other parties may be released one party short.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let b = weft::sync::Barrier::new(1);
    /// assert!(block_on(b.wait()).is_leader());
    /// ```
    pub fn wait(&self) -> BarrierWait<'_> {
        BarrierWait {
            barrier: self,
            queued: false,
            waiter: Waiter::new(Entry {
                generation: 0,
                released: false,
            }),
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier").field("n", &self.n).finish()
    }
}

/// What [`Barrier::wait`] returns.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let b = weft::sync::Barrier::new(1);
/// let res: weft::sync::BarrierWaitResult = block_on(b.wait());
/// assert!(res.is_leader());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this party completed the generation (one per generation).
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// assert!(block_on(weft::sync::Barrier::new(1).wait()).is_leader());
    /// ```
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

/// The future returned by [`Barrier::wait`].
///
/// ```
/// let b = weft::sync::Barrier::new(2);
/// let _fut: weft::sync::BarrierWait<'_> = b.wait();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct BarrierWait<'a> {
    barrier: &'a Barrier,
    queued: bool,
    /// # Invariant
    ///
    /// Linked in `barrier.state.waiters` only while `queued` and not released.
    waiter: Waiter<Entry>,
}

impl fmt::Debug for BarrierWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWait")
            .field("queued", &self.queued)
            .finish()
    }
}

impl BarrierWait<'_> {
    fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let barrier = self.barrier;
        let mut state = barrier.state.lock();
        let ptr = self.waiter.as_ptr();
        if self.queued {
            // SAFETY: our node is linked here or unlinked by the leader; we hold the lock.
            let released = unsafe {
                state.waiters.with_node(ptr, |n| {
                    if !n.data.released {
                        n.set_waker(cx.waker());
                    }
                    n.data.released
                })
            };
            if released {
                self.queued = false;
                return Poll::Ready(BarrierWaitResult(false));
            }
            return Poll::Pending;
        }
        state.arrived += 1;
        if state.arrived < barrier.n {
            let generation = state.generation;
            // SAFETY: the node is unlinked and pinned; `Drop` unlinks it under this lock.
            unsafe {
                state.waiters.with_node(ptr, |n| {
                    n.data.generation = generation;
                    n.set_waker(cx.waker());
                });
                state.waiters.push_back(ptr);
            }
            self.queued = true;
            return Poll::Pending;
        }
        // We are the leader of this generation (rule 2).
        let old = state.generation;
        state.arrived = 0;
        state.generation = old.wrapping_add(1);
        let mut wakers = WakeList::new();
        loop {
            while !wakers.is_full() {
                let Some(front) = state.waiters.front() else {
                    break;
                };
                // SAFETY: `front` is linked in our list; we hold its lock.
                let g = unsafe { state.waiters.with_node(front, |n| n.data.generation) };
                if g != old {
                    break;
                }
                wakers.push(
                    state
                        .waiters
                        .pop_front_with(|e| e.released = true)
                        .flatten(),
                );
            }
            if !wakers.is_full() {
                break;
            }
            drop(state);
            wakers.wake_all();
            state = barrier.state.lock();
        }
        drop(state);
        wakers.wake_all();
        Poll::Ready(BarrierWaitResult(true))
    }
}

impl Future for BarrierWait<'_> {
    type Output = BarrierWaitResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        // SAFETY: we never move out of the future; the waiter stays pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let budget = ready!(coop::poll_proceed(cx));
        let res = ready!(this.poll_wait(cx));
        budget.made_progress();
        Poll::Ready(res)
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        if self.queued {
            let mut state = self.barrier.state.lock();
            // SAFETY: our node is linked here or unlinked by a leader; we hold the lock.
            unsafe { state.waiters.remove(self.waiter.as_ptr()) };
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::test_util::{block_on, iters};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn one_leader_per_generation() {
        const PARTIES: usize = 4;
        let generations = iters(500, 5);
        let barrier = Arc::new(Barrier::new(PARTIES));
        let leaders = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..PARTIES)
            .map(|_| {
                let barrier = barrier.clone();
                let leaders = leaders.clone();
                std::thread::spawn(move || {
                    for _ in 0..generations {
                        if block_on(barrier.wait()).is_leader() {
                            leaders.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(leaders.load(Ordering::SeqCst), generations);
    }
}
