//! The fair async `Mutex`: a [`Semaphore`] with one permit guarding an `UnsafeCell`.
//!
//! # Invariant
//!
//! Whoever holds the semaphore's single permit — a guard, for exactly its lifetime — is
//! the only one to touch `data`. The semaphore's acquire/release orderings carry the
//! happens-before edge from one holder to the next.

use super::semaphore::{Semaphore, TryAcquireError};
use crate::loom::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// An async mutual-exclusion lock, fair: tasks get the lock in the order they asked.
///
/// Holding the guard across an `.await` is fine (that is what it is for); for short
/// critical sections with no `.await`, `std::sync::Mutex` is cheaper.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let m = weft::sync::Mutex::new(1);
/// block_on(async {
///     *m.lock().await += 1;
///     assert_eq!(*m.lock().await, 2);
/// });
/// ```
pub struct Mutex<T> {
    sem: Semaphore,
    /// # Invariant
    ///
    /// Accessed only by the holder of `sem`'s permit (module invariant).
    data: UnsafeCell<T>,
}

// SAFETY: a `Mutex<T>` owns its `T`; sending it sends the `T`.
unsafe impl<T: Send> Send for Mutex<T> {}
// SAFETY: shared access hands out `&mut T` to one guard holder at a time (module
// invariant), which needs only `T: Send`, as for `std::sync::Mutex`.
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    ///
    /// ```
    /// let m = weft::sync::Mutex::new(5);
    /// assert_eq!(m.into_inner(), 5);
    /// ```
    pub fn new(value: T) -> Self {
        Self {
            sem: Semaphore::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// Waits for the lock.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future gives up its place in the queue, and a lock
    /// handed to it in the meantime passes to the next waiter.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let m = weft::sync::Mutex::new(Vec::new());
    /// block_on(async { m.lock().await.push(1) });
    /// assert_eq!(m.into_inner(), [1]);
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        // The semaphore is never closed, so the acquire cannot fail.
        let permit = self.sem.acquire().await.unwrap_or_else(|_| unreachable!());
        permit.forget();
        MutexGuard { lock: self }
    }

    /// Takes the lock if it is free and nobody waits for it.
    ///
    /// ```
    /// let m = weft::sync::Mutex::new(());
    /// let g = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(g);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.sem.try_acquire() {
            Ok(permit) => {
                permit.forget();
                Ok(MutexGuard { lock: self })
            }
            Err(TryAcquireError::NoPermits | TryAcquireError::Closed) => Err(TryLockError(())),
        }
    }

    /// Waits for the lock of a shared mutex; the guard keeps the mutex alive.
    ///
    /// # Cancel safety
    ///
    /// As for [`lock`](Self::lock).
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// use std::sync::Arc;
    /// let m = Arc::new(weft::sync::Mutex::new(0));
    /// let mut g = block_on(m.clone().lock_owned());
    /// std::thread::spawn(move || *g += 1).join().unwrap();
    /// assert_eq!(*m.try_lock().unwrap(), 1);
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.lock().await.forget_unlock();
        OwnedMutexGuard { lock: self }
    }

    /// [`try_lock`](Self::try_lock) for a shared mutex.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(weft::sync::Mutex::new(0));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(g);
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        self.try_lock()?.forget_unlock();
        Ok(OwnedMutexGuard { lock: self })
    }

    /// The value, through exclusive access (no locking needed).
    ///
    /// ```
    /// let mut m = weft::sync::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` proves no guard exists (guards borrow the mutex).
        self.data.with_mut(|p| unsafe { &mut *p })
    }

    /// Consumes the mutex, returning the value.
    ///
    /// ```
    /// assert_eq!(weft::sync::Mutex::new("x").into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Exclusive access to a [`Mutex`]'s value; unlocks on drop.
///
/// ```
/// let m = weft::sync::Mutex::new(1);
/// let mut guard: weft::sync::MutexGuard<'_, i32> = m.try_lock().unwrap();
/// *guard = 3;
/// drop(guard);
/// assert_eq!(m.into_inner(), 3);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T> {
    lock: &'a Mutex<T>,
}

impl<'a, T> MutexGuard<'a, T> {
    /// Narrows the guard to a part of the value.
    ///
    /// ```
    /// let m = weft::sync::Mutex::new((1, 2));
    /// let mut second = weft::sync::MutexGuard::map(m.try_lock().unwrap(), |p| &mut p.1);
    /// *second = 5;
    /// drop(second);
    /// assert_eq!(m.into_inner(), (1, 5));
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> MappedMutexGuard<'a, U> {
        let sem = &this.lock.sem;
        let data: *mut U = f(&mut *this);
        this.forget_unlock();
        MappedMutexGuard {
            sem,
            data,
            _marker: PhantomData,
        }
    }

    /// Drops the guard without unlocking: the permit moves to another guard.
    fn forget_unlock(self) {
        std::mem::forget(self);
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the permit, so nobody else touches `data`.
        self.lock.data.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the permit, and `&mut self` makes this access unique.
        self.lock.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A [`MutexGuard`] narrowed by [`MutexGuard::map`]; unlocks on drop.
///
/// ```
/// let m = weft::sync::Mutex::new(vec![1, 2]);
/// let first: weft::sync::MappedMutexGuard<'_, i32> =
///     weft::sync::MutexGuard::map(m.try_lock().unwrap(), |v| &mut v[0]);
/// assert_eq!(*first, 1);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MappedMutexGuard<'a, U: ?Sized> {
    sem: &'a Semaphore,
    /// # Invariant
    ///
    /// Points into the mutex's value, which this guard's permit gives exclusive access to.
    data: *mut U,
    _marker: PhantomData<&'a mut U>,
}

// SAFETY: the guard is a `&mut U` in disguise (see `data`'s invariant).
unsafe impl<U: ?Sized + Sync> Sync for MappedMutexGuard<'_, U> {}
// SAFETY: as above; the permit it releases on drop may be released from any thread.
unsafe impl<U: ?Sized + Send> Send for MappedMutexGuard<'_, U> {}

impl<U: ?Sized> Deref for MappedMutexGuard<'_, U> {
    type Target = U;

    fn deref(&self) -> &U {
        // SAFETY: `data` is valid and exclusively ours while we hold the permit.
        unsafe { &*self.data }
    }
}

impl<U: ?Sized> DerefMut for MappedMutexGuard<'_, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as in `deref`, and `&mut self` makes the access unique.
        unsafe { &mut *self.data }
    }
}

impl<U: ?Sized> Drop for MappedMutexGuard<'_, U> {
    fn drop(&mut self) {
        self.sem.release(1);
    }
}

impl<U: ?Sized + fmt::Debug> fmt::Debug for MappedMutexGuard<'_, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A lock on a shared `Arc<Mutex<T>>`; keeps the mutex alive, unlocks on drop.
///
/// ```
/// use std::sync::Arc;
/// let m = Arc::new(weft::sync::Mutex::new(1));
/// let g: weft::sync::OwnedMutexGuard<i32> = m.clone().try_lock_owned().unwrap();
/// assert_eq!(*g, 1);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMutexGuard<T> {
    lock: Arc<Mutex<T>>,
}

impl<T> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(weft::sync::Mutex::new(1));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(g.mutex(), &m));
    /// ```
    pub fn mutex(&self) -> &Arc<Mutex<T>> {
        &self.lock
    }
}

impl<T> Deref for OwnedMutexGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the permit, so nobody else touches `data`.
        self.lock.data.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the permit, and `&mut self` makes this access unique.
        self.lock.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The lock is held by someone else (or others are queued for it).
///
/// ```
/// let m = weft::sync::Mutex::new(());
/// let _g = m.try_lock().unwrap();
/// let err = m.try_lock().unwrap_err();
/// assert!(err.to_string().contains("lock().await"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the lock is busy right now: wait for it with `lock().await` instead")
    }
}

impl std::error::Error for TryLockError {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::test_util::{Rng, block_on, iters, poll_once};
    use std::pin::pin;
    use std::task::Poll;

    #[test]
    fn lock_is_fair_and_exclusive() {
        let m = Mutex::new(Vec::new());
        let g = m.try_lock().unwrap();
        let mut a = pin!(async { m.lock().await.push('a') });
        let mut b = pin!(async { m.lock().await.push('b') });
        assert!(poll_once(b.as_mut()).is_pending());
        assert!(poll_once(a.as_mut()).is_pending());
        drop(g);
        // `b` asked first, so `a` stays queued until `b` is done.
        assert!(poll_once(a.as_mut()).is_pending());
        assert!(poll_once(b.as_mut()).is_ready());
        assert!(poll_once(a.as_mut()).is_ready());
        assert_eq!(*m.try_lock().unwrap(), ['b', 'a']);
    }

    #[test]
    fn counter_across_threads() {
        let rounds = iters(10_000, 50);
        let m = Arc::new(Mutex::new(0usize));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || {
                    for _ in 0..rounds {
                        *block_on(m.lock()) += 1;
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*m.try_lock().unwrap(), 4 * rounds);
    }

    #[test]
    fn cancelled_lock_futures_never_lose_the_lock() {
        let rounds = iters(3_000, 30);
        let m = Arc::new(Mutex::new(0usize));
        let handles: Vec<_> = (0..3)
            .map(|t| {
                let m = m.clone();
                std::thread::spawn(move || {
                    let mut rng = Rng::new(t + 7);
                    let mut done = 0;
                    for _ in 0..rounds {
                        let mut fut = Box::pin(m.lock());
                        if let Poll::Ready(mut g) = poll_once(fut.as_mut()) {
                            *g += 1;
                            done += 1;
                        } else if rng.below(2) == 0 {
                            let mut g = block_on(fut);
                            *g += 1;
                            done += 1;
                        }
                    }
                    done
                })
            })
            .collect();
        let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(*block_on(m.lock()), total);
    }

    #[test]
    fn owned_and_mapped_guards_unlock() {
        let m = Arc::new(Mutex::new((0, 0)));
        let mut g = block_on(m.clone().lock_owned());
        g.0 = 1;
        assert!(m.try_lock().is_err());
        drop(g);
        let mut part = MutexGuard::map(m.try_lock().unwrap(), |p| &mut p.1);
        *part = 2;
        drop(part);
        assert_eq!(*m.try_lock().unwrap(), (1, 2));
    }
}
