//! The fair counting semaphore: the core that `Mutex`, `RwLock`, `OnceCell` and the
//! bounded `mpsc` channel are built on.
//!
//! # State
//!
//! One atomic word holds `permits << SHIFT | WAITERS | CLOSED`. Waiters sit in a
//! [`WaitList`] behind `waiters` (a `crate::loom::Mutex`).
//!
//! # Protocol
//!
//! 1. **Fast path.** `try_acquire` takes permits with a CAS, but only while `WAITERS`
//!    is clear: a newcomer never overtakes a queued waiter (fairness).
//! 2. **`WAITERS` mirrors the list.** The bit is set and cleared only under the lock,
//!    and it is set exactly while the list is non-empty (except inside the unlocked gaps
//!    of rule 5, where the list only keeps more waiters).
//! 3. **No permit sits idle while someone waits.** While `WAITERS` is set the word
//!    holds zero permits: a waiter that cannot be served whole takes what is there and
//!    records it in its node, and a release with `WAITERS` set goes under the lock and
//!    assigns its permits to the waiters in FIFO order, the head first, even if the head
//!    needs more than is released (a big `acquire_many` is not starved by small ones).
//! 4. **Enqueue re-checks.** A waiter takes the lock, then sets `WAITERS` in the same
//!    CAS that takes the last permits. A lock-free release either lands before that CAS
//!    (the CAS fails and the waiter sees the permits) or after it (it sees `WAITERS`
//!    and takes the lock). Either way no wake-up is lost.
//! 5. **Wake outside the lock.** Granted waiters are unlinked, marked `Granted` and
//!    their wakers collected under the lock, then woken after it is dropped (at most
//!    one batch at a time; the lock is re-taken for the next batch). The woken
//!    `Acquire` sees the hand-over through its node's `done` flag (waiters rule 4) and
//!    returns its permit without taking the lock again.
//! 6. **Cancel hands on.** An `Acquire` dropped while queued unlinks itself and
//!    releases whatever it was assigned (everything, if it was granted but never
//!    polled again), which goes to the next waiters by rule 3.
//! 7. **Close.** `close` sets `CLOSED`, unlinks every waiter as `Closed`, and puts the
//!    permits they had been assigned back into the word.

use super::waiters::{WaitList, Waiter, WakeList};
use crate::loom::Mutex;
use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

/// Set once the semaphore is closed; never cleared.
const CLOSED: usize = 0b01;
/// Set exactly while the waiter list is non-empty (rule 2); implies zero permits in
/// the word (rule 3).
const WAITERS: usize = 0b10;
/// The permit count starts above the flag bits.
const SHIFT: usize = 2;

/// What the semaphore records for one queued acquire.
#[derive(Debug)]
pub(crate) struct Request {
    /// Permits this acquire asks for.
    needed: usize,
    /// Permits assigned to it so far (`<= needed`).
    assigned: usize,
    outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Waiting,
    /// Every needed permit is assigned; the node is unlinked.
    Granted,
    /// The semaphore closed; the node is unlinked and its permits given back.
    Closed,
}

/// A fair (first come, first served) counting semaphore.
///
/// Waiters are served strictly in arrival order, also when they ask for several
/// permits at once: a large [`acquire_many`](Self::acquire_many) at the head of the
/// queue holds back later small requests until it is served.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// use weft::sync::Semaphore;
///
/// let sem = Semaphore::new(2);
/// block_on(async {
///     let a = sem.acquire().await.unwrap();
///     let _b = sem.acquire().await.unwrap();
///     assert!(sem.try_acquire().is_err());
///     drop(a);
///     assert_eq!(sem.available_permits(), 1);
/// });
/// ```
pub struct Semaphore {
    /// `permits << SHIFT | WAITERS | CLOSED` (see the module doc).
    state: AtomicUsize,
    waiters: Mutex<WaitList<Request>>,
}

impl Semaphore {
    /// The most permits a semaphore can hold.
    ///
    /// ```
    /// assert!(weft::sync::Semaphore::MAX_PERMITS >= u32::MAX as usize);
    /// ```
    pub const MAX_PERMITS: usize = usize::MAX >> 3;

    /// Creates a semaphore with `permits` permits.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`](Self::MAX_PERMITS).
    ///
    /// ```
    /// let sem = weft::sync::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Self {
        assert!(
            permits <= Self::MAX_PERMITS,
            "a semaphore holds at most Semaphore::MAX_PERMITS permits"
        );
        Self {
            state: AtomicUsize::new(permits << SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// The permits available right now (zero while anyone waits).
    ///
    /// ```
    /// let sem = weft::sync::Semaphore::new(1);
    /// let _p = sem.try_acquire().unwrap();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.state.load(Ordering::Acquire) >> SHIFT
    }

    /// Adds `n` permits, waking waiters that can now be served.
    ///
    /// # Panics
    ///
    /// If the total would exceed [`MAX_PERMITS`](Self::MAX_PERMITS).
    ///
    /// ```
    /// let sem = weft::sync::Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        self.release(n);
    }

    /// Closes the semaphore: every waiter and every later acquire fails with
    /// [`AcquireError`]. Permits already held stay valid.
    ///
    /// ```
    /// let sem = weft::sync::Semaphore::new(1);
    /// sem.close();
    /// assert!(sem.is_closed());
    /// assert!(sem.try_acquire().is_err());
    /// ```
    pub fn close(&self) {
        let mut wakers = WakeList::new();
        let mut list = self.waiters.lock();
        self.state.fetch_or(CLOSED, Ordering::Release);
        loop {
            let mut returned = 0;
            let empty = list.drain_into(&mut wakers, |r| {
                returned += r.assigned;
                r.assigned = 0;
                r.outcome = Outcome::Closed;
            });
            if returned > 0 {
                self.state.fetch_add(returned << SHIFT, Ordering::Release);
            }
            if empty {
                self.state.fetch_and(!WAITERS, Ordering::Release);
                break;
            }
            // The batch is full: wake it without the lock (rule 5), then go on.
            drop(list);
            wakers.wake_all();
            list = self.waiters.lock();
        }
        drop(list);
        wakers.wake_all();
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// ```
    /// assert!(!weft::sync::Semaphore::new(1).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Takes one permit if one is available and nobody is waiting.
    ///
    /// ```
    /// use weft::sync::{Semaphore, TryAcquireError};
    ///
    /// let sem = Semaphore::new(1);
    /// let p = sem.try_acquire().unwrap();
    /// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    /// drop(p);
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits at once if they are available and nobody is waiting.
    ///
    /// ```
    /// let sem = weft::sync::Semaphore::new(3);
    /// let p = sem.try_acquire_many(2).unwrap();
    /// assert_eq!(p.num_permits(), 2);
    /// assert!(sem.try_acquire_many(2).is_err());
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n as usize,
        })
    }

    /// [`try_acquire`](Self::try_acquire) for a shared semaphore; the permit keeps it
    /// alive.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(weft::sync::Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert_eq!(sem.available_permits(), 0);
    /// drop(p);
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// [`try_acquire_many`](Self::try_acquire_many) for a shared semaphore.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(weft::sync::Semaphore::new(2));
    /// assert_eq!(sem.clone().try_acquire_many_owned(2).unwrap().num_permits(), 2);
    /// ```
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n as usize,
        })
    }

    /// Waits for one permit.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe, and fair: dropping the future gives up its place in the queue, and
    /// any permits already assigned to it go to the next waiter.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let sem = weft::sync::Semaphore::new(1);
    /// let permit = block_on(sem.acquire()).unwrap();
    /// assert_eq!(permit.num_permits(), 1);
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        self.acquire_many(1)
    }

    /// Waits for `n` permits, served in arrival order.
    ///
    /// # Cancel safety
    ///
    /// As for [`acquire`](Self::acquire).
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let sem = weft::sync::Semaphore::new(4);
    /// let permit = block_on(sem.acquire_many(3)).unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// drop(permit);
    /// ```
    pub fn acquire_many(&self, n: u32) -> Acquire<'_> {
        Acquire {
            sem: self,
            n: n as usize,
            queued: false,
            waiter: Waiter::new(Request {
                needed: n as usize,
                assigned: 0,
                outcome: Outcome::Waiting,
            }),
        }
    }

    /// Waits for one permit of a shared semaphore; the permit keeps it alive.
    ///
    /// # Cancel safety
    ///
    /// As for [`acquire`](Self::acquire).
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// use std::sync::Arc;
    /// let sem = Arc::new(weft::sync::Semaphore::new(1));
    /// let permit = block_on(sem.clone().acquire_owned()).unwrap();
    /// std::thread::spawn(move || drop(permit)).join().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Waits for `n` permits of a shared semaphore.
    ///
    /// # Cancel safety
    ///
    /// As for [`acquire`](Self::acquire).
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// use std::sync::Arc;
    /// let sem = Arc::new(weft::sync::Semaphore::new(2));
    /// let permit = block_on(sem.clone().acquire_many_owned(2)).unwrap();
    /// assert_eq!(permit.num_permits(), 2);
    /// ```
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many(n).await?.forget();
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n as usize,
        })
    }

    /// Takes `n` permits without waiting (rule 1).
    pub(crate) fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            if cur & CLOSED != 0 {
                return Err(TryAcquireError::Closed);
            }
            if n == 0 {
                return Ok(());
            }
            if cur & WAITERS != 0 || cur >> SHIFT < n {
                return Err(TryAcquireError::NoPermits);
            }
            // Take the permits; retry if a release, an acquire or a close got in first.
            match self.state.compare_exchange_weak(
                cur,
                cur - (n << SHIFT),
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => cur = actual,
            }
        }
    }

    /// Gives `n` permits back (rule 1 when nobody waits, rule 3 otherwise).
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut cur = self.state.load(Ordering::Relaxed);
        loop {
            if cur & WAITERS != 0 {
                // Someone waits: the permits are theirs (rule 3).
                return self.release_locked(self.waiters.lock(), n);
            }
            let next = add_permits_to_word(cur, n);
            // Publish the permits; retry if the word moved (maybe a waiter arrived).
            match self
                .state
                .compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Assigns `n` permits to the waiters in FIFO order, then publishes what is left
    /// and clears `WAITERS` if the list ran empty. Called with the lock held; drops it.
    fn release_locked<'a>(
        &'a self,
        mut list: crate::loom::MutexGuard<'a, WaitList<Request>>,
        n: usize,
    ) {
        let mut wakers = WakeList::new();
        let mut rem = n;
        loop {
            while rem > 0 && !wakers.is_full() {
                let Some(head) = list.front() else { break };
                // SAFETY: `head` is linked in `list`, whose lock we hold (rules 1, 2).
                let granted = unsafe {
                    list.with_node(head, |node| {
                        let r = &mut node.data;
                        let give = (r.needed - r.assigned).min(rem);
                        r.assigned += give;
                        rem -= give;
                        if r.assigned == r.needed {
                            r.outcome = Outcome::Granted;
                            true
                        } else {
                            false
                        }
                    })
                };
                if !granted {
                    // The head took everything and still waits.
                    break;
                }
                wakers.push(list.pop_front_with(|_| {}).flatten());
            }
            if list.is_empty() {
                // Nobody left to serve: publish the rest and clear WAITERS together
                // (rules 2 and 3); the lock keeps other writers of WAITERS out.
                let mut cur = self.state.load(Ordering::Relaxed);
                loop {
                    let next = add_permits_to_word(cur & !WAITERS, rem);
                    match self.state.compare_exchange_weak(
                        cur,
                        next,
                        Ordering::AcqRel,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => break,
                        Err(actual) => cur = actual,
                    }
                }
                break;
            }
            if rem == 0 || !wakers.is_full() {
                break;
            }
            // A full batch with permits still to hand out: wake without the lock
            // (rule 5), then carry on with the waiters that are left.
            drop(list);
            wakers.wake_all();
            list = self.waiters.lock();
        }
        drop(list);
        wakers.wake_all();
    }
}

/// `cur` with `n` more permits, or a panic if that passes `MAX_PERMITS`.
fn add_permits_to_word(cur: usize, n: usize) -> usize {
    let total = (cur >> SHIFT)
        .checked_add(n)
        .filter(|&t| t <= Semaphore::MAX_PERMITS)
        .expect("a semaphore holds at most Semaphore::MAX_PERMITS permits: release fewer");
    (total << SHIFT) | (cur & (CLOSED | WAITERS))
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.state.load(Ordering::Relaxed);
        f.debug_struct("Semaphore")
            .field("permits", &(s >> SHIFT))
            .field("waiters", &(s & WAITERS != 0))
            .field("closed", &(s & CLOSED != 0))
            .finish()
    }
}

/// The future returned by [`Semaphore::acquire`] and [`Semaphore::acquire_many`].
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let sem = weft::sync::Semaphore::new(1);
/// let fut: weft::sync::Acquire<'_> = sem.acquire();
/// assert!(block_on(fut).is_ok());
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    n: usize,
    /// Whether `waiter` was ever linked; only this future writes it. While false, the
    /// node is out of every list and `Drop` skips the lock.
    queued: bool,
    /// # Invariant
    ///
    /// Linked in `sem.waiters` only while `queued` and the outcome is `Waiting`.
    waiter: Waiter<Request>,
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("permits", &self.n)
            .field("queued", &self.queued)
            .finish()
    }
}

impl<'a> Acquire<'a> {
    /// One poll without the budget: the acquire logic proper.
    fn poll_acquire(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), AcquireError>> {
        let sem = self.sem;
        if self.queued {
            // Handed over already (waiters rule 4): no need to take the lock again.
            if let Some(outcome) = self.waiter.done_node(|node| node.data.outcome) {
                self.queued = false;
                return match outcome {
                    Outcome::Granted => Poll::Ready(Ok(())),
                    Outcome::Closed => Poll::Ready(Err(AcquireError(()))),
                    Outcome::Waiting => unreachable!("only a decided waiter is unlinked"),
                };
            }
            let mut list = sem.waiters.lock();
            // SAFETY: the node is ours, live, and linked in `list` or in no list; we hold
            // the lock (rule 1).
            let outcome = unsafe {
                list.with_node(self.waiter.as_ptr(), |node| {
                    if node.data.outcome == Outcome::Waiting {
                        node.set_waker(cx.waker());
                    }
                    node.data.outcome
                })
            };
            return match outcome {
                Outcome::Waiting => Poll::Pending,
                Outcome::Granted => {
                    self.queued = false;
                    Poll::Ready(Ok(()))
                }
                Outcome::Closed => {
                    self.queued = false;
                    Poll::Ready(Err(AcquireError(())))
                }
            };
        }
        match sem.try_take(self.n) {
            Ok(()) => return Poll::Ready(Ok(())),
            Err(TryAcquireError::Closed) => return Poll::Ready(Err(AcquireError(()))),
            Err(TryAcquireError::NoPermits) => {}
        }
        let mut list = sem.waiters.lock();
        // Under the lock, take what is there and announce ourselves in one CAS (rule 4).
        let mut cur = sem.state.load(Ordering::Acquire);
        let taken = loop {
            if cur & CLOSED != 0 {
                return Poll::Ready(Err(AcquireError(())));
            }
            let avail = cur >> SHIFT;
            let (next, taken) = if cur & WAITERS == 0 && avail >= self.n {
                (cur - (self.n << SHIFT), self.n)
            } else {
                let take = avail.min(self.n);
                ((cur - (take << SHIFT)) | WAITERS, take)
            };
            match sem
                .state
                .compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => break taken,
                Err(actual) => cur = actual,
            }
        };
        if taken == self.n {
            // The permits came back while we took the lock (and nobody waits).
            return Poll::Ready(Ok(()));
        }
        let ptr = self.waiter.as_ptr();
        // SAFETY: our node is unlinked (`queued` was false), live and pinned for as long
        // as it is linked: `Drop` unlinks it under this lock (rules 1, 2).
        unsafe {
            list.with_node(ptr, |node| {
                node.data.assigned = taken;
                node.set_waker(cx.waker());
            });
            list.push_back(ptr);
        }
        self.queued = true;
        Poll::Pending
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: we never move out of the future; the waiter stays where it is pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let budget = ready!(coop::poll_proceed(cx));
        let res = ready!(this.poll_acquire(cx));
        budget.made_progress();
        // `queued` is false again, so our `Drop` leaves the permits to the permit.
        Poll::Ready(res.map(|()| SemaphorePermit {
            sem: this.sem,
            permits: this.n,
        }))
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if !self.queued {
            // Never linked, or its outcome was already returned by `poll`.
            return;
        }
        if let Some((outcome, assigned)) = self
            .waiter
            .done_node(|node| (node.data.outcome, node.data.assigned))
        {
            // Unlinked and decided (waiters rule 4): granted but never told hands its
            // permits on without our lock (rule 6); a closed one has nothing to give.
            if outcome == Outcome::Granted {
                self.sem.release(assigned);
            }
            return;
        }
        let mut list = self.sem.waiters.lock();
        let ptr = self.waiter.as_ptr();
        // SAFETY: our node is live and linked in `list` or in none; we hold the lock.
        let (outcome, assigned) = unsafe {
            list.remove(ptr);
            list.with_node(ptr, |node| (node.data.outcome, node.data.assigned))
        };
        match outcome {
            // Queued or granted but never told: hand the permits on (rule 6). Even with
            // nothing assigned, this clears WAITERS if we were the last waiter.
            Outcome::Waiting | Outcome::Granted => self.sem.release_locked(list, assigned),
            // `close` already gave our permits back.
            Outcome::Closed => {}
        }
    }
}

/// Permits borrowed from a [`Semaphore`]; dropping it gives them back.
///
/// ```
/// let sem = weft::sync::Semaphore::new(1);
/// let permit = sem.try_acquire().unwrap();
/// assert_eq!(sem.available_permits(), 0);
/// drop(permit);
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "the permits are released as soon as the permit is dropped"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: usize,
}

impl SemaphorePermit<'_> {
    /// Keeps the permits out of the semaphore for good.
    ///
    /// ```
    /// let sem = weft::sync::Semaphore::new(1);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// let sem = weft::sync::Semaphore::new(2);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.release(self.permits);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

/// Permits of a shared semaphore (`Arc<Semaphore>`); dropping it gives them back.
///
/// ```
/// use std::sync::Arc;
/// let sem = Arc::new(weft::sync::Semaphore::new(1));
/// let permit = sem.clone().try_acquire_owned().unwrap();
/// assert!(Arc::ptr_eq(permit.semaphore(), &sem));
/// ```
#[must_use = "the permits are released as soon as the permit is dropped"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: usize,
}

impl OwnedSemaphorePermit {
    /// Keeps the permits out of the semaphore for good.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(weft::sync::Semaphore::new(1));
    /// sem.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(weft::sync::Semaphore::new(1));
    /// assert_eq!(sem.try_acquire_owned().unwrap().num_permits(), 1);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// The semaphore the permits came from.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let sem = Arc::new(weft::sync::Semaphore::new(1));
    /// let p = sem.clone().try_acquire_owned().unwrap();
    /// assert_eq!(p.semaphore().available_permits(), 0);
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.release(self.permits);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

/// The semaphore was closed; no permit will come.
///
/// ```
/// let sem = weft::sync::Semaphore::new(0);
/// sem.close();
/// # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// let res = std::pin::pin!(sem.acquire()).poll(&mut cx);
/// # use std::future::Future;
/// assert!(matches!(res, std::task::Poll::Ready(Err(weft::sync::AcquireError { .. }))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the semaphore is closed: no permits will be handed out any more")
    }
}

impl std::error::Error for AcquireError {}

/// Why [`Semaphore::try_acquire`] failed.
///
/// ```
/// use weft::sync::{Semaphore, TryAcquireError};
/// let sem = Semaphore::new(0);
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
/// sem.close();
/// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore is closed.
    Closed,
    /// Not enough permits right now (or others are waiting first); wait with `acquire`.
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => f.write_str("the semaphore is closed"),
            Self::NoPermits => {
                f.write_str("no permits available right now: wait for one with `acquire` instead")
            }
        }
    }
}

impl std::error::Error for TryAcquireError {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::test_util::{CountWaker, Rng, block_on, iters, poll_once, poll_with};
    use std::pin::pin;
    use std::sync::atomic::AtomicUsize;
    use std::task::Waker;

    #[test]
    fn waiters_are_served_in_arrival_order() {
        let sem = Semaphore::new(0);
        let mut futs: Vec<_> = (0..5).map(|_| Box::pin(sem.acquire())).collect();
        for f in &mut futs {
            assert!(poll_once(f.as_mut()).is_pending());
        }
        for i in 0..5 {
            sem.add_permits(1);
            for (j, f) in futs.iter_mut().enumerate().skip(i) {
                let ready = poll_once(f.as_mut());
                assert_eq!(ready.is_ready(), j == i, "waiter {j} after {i} releases");
                if let Poll::Ready(p) = ready {
                    p.unwrap().forget();
                }
            }
        }
        assert_eq!(sem.available_permits(), 0);
    }

    #[test]
    fn big_request_at_the_head_is_not_starved() {
        let sem = Semaphore::new(1);
        let held = sem.try_acquire().unwrap();
        let mut big = pin!(sem.acquire_many(3));
        let mut small = pin!(sem.acquire());
        assert!(poll_once(big.as_mut()).is_pending());
        assert!(poll_once(small.as_mut()).is_pending());
        // Newcomers may not overtake the queue either.
        assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
        drop(held);
        sem.add_permits(1);
        // Two of three permits went to the head; the small one still waits.
        assert!(poll_once(big.as_mut()).is_pending());
        assert!(poll_once(small.as_mut()).is_pending());
        assert_eq!(sem.available_permits(), 0);
        sem.add_permits(2);
        let Poll::Ready(Ok(big_permit)) = poll_once(big.as_mut()) else {
            panic!("the head should be served")
        };
        assert_eq!(big_permit.num_permits(), 3);
        // One permit was left over after the head: it went to the next waiter.
        assert!(poll_once(small.as_mut()).is_ready());
        // 1 initial + 1 + 2 added: all back once both permits are dropped.
        drop(big_permit);
        assert_eq!(sem.available_permits(), 4);
    }

    #[test]
    fn a_grant_wakes_the_waiter_once() {
        let sem = Semaphore::new(0);
        let count = CountWaker::new();
        let waker = Waker::from(count.clone());
        let mut fut = pin!(sem.acquire());
        assert!(poll_with(fut.as_mut(), &waker).is_pending());
        assert_eq!(count.count(), 0);
        sem.add_permits(1);
        assert_eq!(count.count(), 1);
        assert!(poll_with(fut.as_mut(), &waker).is_ready());
    }

    #[test]
    fn cancelled_waiter_hands_its_permits_on() {
        let sem = Semaphore::new(1);
        let held = sem.try_acquire().unwrap();
        let mut first = Box::pin(sem.acquire_many(2));
        let mut second = pin!(sem.acquire());
        assert!(poll_once(first.as_mut()).is_pending());
        assert!(poll_once(second.as_mut()).is_pending());
        drop(held); // assigned to `first`, which still needs one more
        assert!(poll_once(second.as_mut()).is_pending());
        drop(first);
        assert!(poll_once(second.as_mut()).is_ready());
        assert_eq!(sem.available_permits(), 1);
    }

    #[test]
    fn granted_but_never_polled_gives_permits_back() {
        let sem = Semaphore::new(0);
        let mut fut = Box::pin(sem.acquire_many(2));
        assert!(poll_once(fut.as_mut()).is_pending());
        sem.add_permits(2);
        drop(fut);
        assert_eq!(sem.available_permits(), 2);
        assert!(sem.try_acquire_many(2).is_ok());
    }

    #[test]
    fn close_fails_waiters_and_returns_assigned_permits() {
        let sem = Semaphore::new(1);
        let mut fut = pin!(sem.acquire_many(2));
        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!(sem.available_permits(), 0);
        sem.close();
        assert!(matches!(
            poll_once(fut.as_mut()),
            Poll::Ready(Err(AcquireError(())))
        ));
        assert_eq!(sem.available_permits(), 1);
        assert!(matches!(
            poll_once(pin!(sem.acquire())),
            Poll::Ready(Err(_))
        ));
        assert_eq!(
            AcquireError(()).to_string(),
            "the semaphore is closed: no permits will be handed out any more"
        );
    }

    #[test]
    fn owned_permits_release_on_drop() {
        let sem = Arc::new(Semaphore::new(2));
        let p = block_on(sem.clone().acquire_many_owned(2)).unwrap();
        assert_eq!(sem.available_permits(), 0);
        drop(p);
        let p = sem.clone().try_acquire_owned().unwrap();
        p.forget();
        assert_eq!(sem.available_permits(), 1);
    }

    #[test]
    fn ready_acquires_spend_the_budget() {
        let sem = Semaphore::new(1);
        let count = CountWaker::new();
        let waker = Waker::from(count.clone());
        coop::with_budget(|| {
            for _ in 0..coop::INITIAL_BUDGET {
                let Poll::Ready(p) = poll_with(pin!(sem.acquire()), &waker) else {
                    panic!("a free permit is ready")
                };
                drop(p);
            }
            // The budget is spent: even a free permit makes the task yield.
            assert!(poll_with(pin!(sem.acquire()), &waker).is_pending());
            assert_eq!(count.count(), 1, "yielding wakes the task to run again");
        });
        assert_eq!(sem.available_permits(), 1);
    }

    #[test]
    fn no_lost_wakeups_under_stress() {
        const THREADS: usize = 4;
        let rounds = iters(25_000, 30);
        let sem = Arc::new(Semaphore::new(2));
        let inside = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let sem = sem.clone();
                let inside = inside.clone();
                std::thread::spawn(move || {
                    for i in 0..rounds {
                        let n = if (i + t) % 7 == 0 { 2 } else { 1 };
                        let p = block_on(sem.acquire_many(n)).unwrap();
                        let now = inside.fetch_add(n as usize, Ordering::SeqCst) + n as usize;
                        assert!(now <= 2, "{now} permits in use out of 2");
                        inside.fetch_sub(n as usize, Ordering::SeqCst);
                        drop(p);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(sem.available_permits(), 2);
    }

    #[test]
    fn cancel_at_random_points_never_loses_permits() {
        const THREADS: usize = 3;
        let rounds = iters(5_000, 40);
        let sem = Arc::new(Semaphore::new(3));
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let sem = sem.clone();
                std::thread::spawn(move || {
                    let mut rng = Rng::new(t as u64 + 1);
                    let mut held = Vec::new();
                    for _ in 0..rounds {
                        let n = 1 + rng.below(2) as u32;
                        let mut fut = Box::pin(sem.acquire_many(n));
                        match poll_once(fut.as_mut()) {
                            Poll::Ready(p) => held.push(p.unwrap()),
                            // Give up at once or after a second poll.
                            Poll::Pending if rng.below(2) == 0 => {
                                if let Poll::Ready(p) = poll_once(fut.as_mut()) {
                                    held.push(p.unwrap());
                                }
                            }
                            Poll::Pending => {}
                        }
                        drop(fut);
                        if held.len() > rng.below(3) as usize {
                            drop(held.remove(0));
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(sem.available_permits(), 3);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::test_util::block_on;
    use loom::thread;

    /// Acquire vs release: the waiter always gets the permit.
    #[test]
    fn loom_acquire_vs_release() {
        loom::model(|| {
            let sem = Arc::new(Semaphore::new(0));
            let s2 = sem.clone();
            let t = thread::spawn(move || s2.add_permits(1));
            block_on(sem.acquire()).unwrap().forget();
            t.join().unwrap();
            assert_eq!(sem.available_permits(), 0);
        });
    }

    /// Two acquirers and one release of two permits: both get through.
    #[test]
    fn loom_two_waiters_one_release() {
        loom::model(|| {
            let sem = Arc::new(Semaphore::new(0));
            let s2 = sem.clone();
            let s3 = sem.clone();
            let t1 = thread::spawn(move || block_on(s2.acquire()).unwrap().forget());
            let t2 = thread::spawn(move || s3.add_permits(2));
            block_on(sem.acquire()).unwrap().forget();
            t1.join().unwrap();
            t2.join().unwrap();
            assert_eq!(sem.available_permits(), 0);
        });
    }

    /// A waiter cancelled while a release lands: the permit is never lost.
    #[test]
    fn loom_cancel_vs_release() {
        loom::model(|| {
            let sem = Arc::new(Semaphore::new(0));
            let s2 = sem.clone();
            let t = thread::spawn(move || s2.add_permits(1));
            {
                let mut fut = std::pin::pin!(sem.acquire());
                let mut cx = Context::from_waker(std::task::Waker::noop());
                if let Poll::Ready(p) = fut.as_mut().poll(&mut cx) {
                    drop(p.unwrap());
                }
            }
            t.join().unwrap();
            assert_eq!(sem.available_permits(), 1);
        });
    }

    /// Close races with a waiter holding part of its request.
    #[test]
    fn loom_close_vs_acquire_many() {
        loom::model(|| {
            let sem = Arc::new(Semaphore::new(1));
            let s2 = sem.clone();
            let t = thread::spawn(move || s2.close());
            let res = block_on(sem.acquire_many(2));
            assert!(res.is_err());
            t.join().unwrap();
            assert_eq!(sem.available_permits(), 1);
        });
    }
}
