//! The write-preferring async `RwLock`: a fair [`Semaphore`] of `MAX_READS` permits.
//!
//! A reader takes one permit, a writer takes all of them. Because the semaphore serves
//! waiters strictly in arrival order, a queued writer holds back every reader that
//! arrives after it: writers are never starved.
//!
//! # Invariant
//!
//! `data` is read only by holders of at least one permit and written only by the holder
//! of all `MAX_READS` permits.

use super::mutex::TryLockError;
use super::semaphore::Semaphore;
use crate::loom::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};

/// How many readers may hold the lock at once.
const MAX_READS: u32 = u32::MAX >> 3;

/// An async reader-writer lock: many readers or one writer, fair and write-preferring.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let lock = weft::sync::RwLock::new(1);
/// block_on(async {
///     {
///         let a = lock.read().await;
///         let b = lock.read().await;
///         assert_eq!(*a + *b, 2);
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 2);
/// });
/// ```
pub struct RwLock<T> {
    sem: Semaphore,
    /// # Invariant
    ///
    /// See the module invariant.
    data: UnsafeCell<T>,
}

// SAFETY: the lock owns its `T`.
unsafe impl<T: Send> Send for RwLock<T> {}
// SAFETY: readers share `&T` across threads (needs `Sync`), a writer gets `&mut T`
// (needs `Send`), as for `std::sync::RwLock`.
unsafe impl<T: Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// Creates an unlocked lock holding `value`.
    ///
    /// ```
    /// assert_eq!(weft::sync::RwLock::new(3).into_inner(), 3);
    /// ```
    pub fn new(value: T) -> Self {
        Self {
            sem: Semaphore::new(MAX_READS as usize),
            data: UnsafeCell::new(value),
        }
    }

    /// Waits for shared access.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future gives up its place in the queue.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let lock = weft::sync::RwLock::new(5);
    /// assert_eq!(*block_on(lock.read()), 5);
    /// ```
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        // Never closed, so the acquire cannot fail.
        let permit = self.sem.acquire().await.unwrap_or_else(|_| unreachable!());
        permit.forget();
        RwLockReadGuard { lock: self }
    }

    /// Waits for exclusive access; readers arriving later wait behind this writer.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: dropping the future gives up its place in the queue, and the read
    /// permits it had collected go to the waiters behind it.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let lock = weft::sync::RwLock::new(5);
    /// *block_on(lock.write()) = 6;
    /// assert_eq!(lock.into_inner(), 6);
    /// ```
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        let permit = self
            .sem
            .acquire_many(MAX_READS)
            .await
            .unwrap_or_else(|_| unreachable!());
        permit.forget();
        RwLockWriteGuard { lock: self }
    }

    /// Takes shared access if no writer holds or waits for the lock.
    ///
    /// ```
    /// let lock = weft::sync::RwLock::new(0);
    /// let _r = lock.try_read().unwrap();
    /// assert!(lock.try_write().is_err());
    /// ```
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        let permit = self.sem.try_acquire().map_err(|_| TryLockError(()))?;
        permit.forget();
        Ok(RwLockReadGuard { lock: self })
    }

    /// Takes exclusive access if nobody holds or waits for the lock.
    ///
    /// ```
    /// let lock = weft::sync::RwLock::new(0);
    /// let _w = lock.try_write().unwrap();
    /// assert!(lock.try_read().is_err());
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        let permit = self
            .sem
            .try_acquire_many(MAX_READS)
            .map_err(|_| TryLockError(()))?;
        permit.forget();
        Ok(RwLockWriteGuard { lock: self })
    }

    /// The value, through exclusive access (no locking needed).
    ///
    /// ```
    /// let mut lock = weft::sync::RwLock::new(1);
    /// *lock.get_mut() += 1;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` proves no guard exists (guards borrow the lock).
        self.data.with_mut(|p| unsafe { &mut *p })
    }

    /// Consumes the lock, returning the value.
    ///
    /// ```
    /// assert_eq!(weft::sync::RwLock::new('x').into_inner(), 'x');
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Shared access to an [`RwLock`]'s value; releases on drop.
///
/// ```
/// let lock = weft::sync::RwLock::new(1);
/// let r: weft::sync::RwLockReadGuard<'_, i32> = lock.try_read().unwrap();
/// assert_eq!(*r, 1);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T> {
    lock: &'a RwLock<T>,
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: we hold a read permit, so no writer exists (module invariant).
        self.lock.data.with(|p| unsafe { &*p })
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access to an [`RwLock`]'s value; releases on drop.
///
/// ```
/// let lock = weft::sync::RwLock::new(1);
/// let mut w: weft::sync::RwLockWriteGuard<'_, i32> = lock.try_write().unwrap();
/// *w = 2;
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T> {
    lock: &'a RwLock<T>,
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: we hold every permit, so nobody else reads or writes.
        self.lock.data.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: we hold every permit, and `&mut self` makes this access unique.
        self.lock.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(MAX_READS as usize);
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::test_util::{block_on, iters, poll_once};
    use std::pin::pin;
    use std::sync::Arc;

    #[test]
    fn queued_writer_holds_back_later_readers() {
        let lock = RwLock::new(0);
        let r1 = lock.try_read().unwrap();
        let mut w = pin!(lock.write());
        assert!(poll_once(w.as_mut()).is_pending());
        // A reader arriving after the writer must wait.
        assert!(lock.try_read().is_err());
        let mut r2 = pin!(lock.read());
        assert!(poll_once(r2.as_mut()).is_pending());
        drop(r1);
        let std::task::Poll::Ready(mut g) = poll_once(w.as_mut()) else {
            panic!("the writer is next")
        };
        *g = 1;
        assert!(poll_once(r2.as_mut()).is_pending());
        drop(g);
        let std::task::Poll::Ready(r) = poll_once(r2.as_mut()) else {
            panic!("the reader follows the writer")
        };
        assert_eq!(*r, 1);
    }

    #[test]
    fn writers_and_readers_across_threads() {
        let rounds = iters(2_000, 20);
        let lock = Arc::new(RwLock::new((0usize, 0usize)));
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let lock = lock.clone();
                std::thread::spawn(move || {
                    for _ in 0..rounds {
                        if t % 2 == 0 {
                            let mut g = block_on(lock.write());
                            g.0 += 1;
                            g.1 += 1;
                        } else {
                            let g = block_on(lock.read());
                            assert_eq!(g.0, g.1, "a reader saw a half-done write");
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(lock.try_read().unwrap().0, 2 * rounds);
    }
}
