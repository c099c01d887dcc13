//! `OnceCell`: a value set at most once, possibly by an async initializer.
//!
//! # Protocol
//!
//! 1. `sem` has one permit: the right to initialize. Initializers queue for it fairly.
//! 2. The permit holder writes `value`, then raises `ready` (Release), then closes
//!    `sem` and forgets the permit. Every queued or later initializer then fails to
//!    acquire, and reads the value instead.
//! 3. An initializer that is cancelled or fails drops the permit, which goes to the next
//!    waiter: it tries its own initializer.
//!
//! # Invariant
//!
//! `value` is written only by the permit holder while `ready` is false, and read only
//! after `ready` was seen true (Acquire), after which it never changes until `&mut`
//! access (`take`, drop).

use super::semaphore::{Semaphore, TryAcquireError};
use crate::loom::UnsafeCell;
use crate::loom::atomic::{AtomicBool, Ordering};
use std::fmt;
use std::future::Future;
use std::mem::MaybeUninit;

/// A cell written once, with async initialization that runs once even under contention.
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// let cell = weft::sync::OnceCell::new();
/// let v = block_on(cell.get_or_init(|| async { 42 }));
/// assert_eq!(*v, 42);
/// assert_eq!(cell.get(), Some(&42));
/// ```
pub struct OnceCell<T> {
    ready: AtomicBool,
    /// # Invariant
    ///
    /// See the module invariant.
    value: UnsafeCell<MaybeUninit<T>>,
    sem: Semaphore,
}

// SAFETY: the cell owns its `T`.
unsafe impl<T: Send> Send for OnceCell<T> {}
// SAFETY: `&OnceCell` hands out `&T` to many threads (needs `Sync`) and lets one thread
// store a `T` made elsewhere (needs `Send`).
unsafe impl<T: Send + Sync> Sync for OnceCell<T> {}

impl<T> OnceCell<T> {
    /// Creates an empty cell.
    ///
    /// ```
    /// assert!(weft::sync::OnceCell::<u8>::new().get().is_none());
    /// ```
    pub fn new() -> Self {
        Self {
            ready: AtomicBool::new(false),
            value: UnsafeCell::new(MaybeUninit::uninit()),
            sem: Semaphore::new(1),
        }
    }

    /// The value, if set.
    ///
    /// ```
    /// let cell = weft::sync::OnceCell::new();
    /// cell.set(1).unwrap();
    /// assert_eq!(cell.get(), Some(&1));
    /// ```
    pub fn get(&self) -> Option<&T> {
        if self.ready.load(Ordering::Acquire) {
            // SAFETY: `ready` was seen true, so `value` is initialized and frozen until
            // `&mut` access (module invariant).
            Some(self.value.with(|p| unsafe { (*p).assume_init_ref() }))
        } else {
            None
        }
    }

    /// Whether the value is set.
    ///
    /// ```
    /// let cell = weft::sync::OnceCell::new();
    /// cell.set(()).unwrap();
    /// assert!(cell.initialized());
    /// ```
    pub fn initialized(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Sets the value unless it is set or being initialized.
    ///
    /// ```
    /// use weft::sync::SetError;
    /// let cell = weft::sync::OnceCell::new();
    /// assert!(cell.set(1).is_ok());
    /// assert_eq!(cell.set(2), Err(SetError::AlreadyInitialized(2)));
    /// ```
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        match self.sem.try_acquire() {
            Ok(permit) => {
                permit.forget();
                self.store(value);
                Ok(())
            }
            Err(TryAcquireError::Closed) => Err(SetError::AlreadyInitialized(value)),
            Err(TryAcquireError::NoPermits) => Err(SetError::InitializingError(value)),
        }
    }

    /// Rule 2; the caller holds (and has forgotten) the permit.
    fn store(&self, value: T) -> &T {
        // SAFETY: we hold the only permit and `ready` is false: nobody else reads or
        // writes `value` (module invariant).
        self.value.with_mut(|p| unsafe { (*p).write(value) });
        self.ready.store(true, Ordering::Release);
        self.sem.close();
        self.get().expect("just stored")
    }

    /// The value, running `init` to make it if it is not set. If several callers race,
    /// one initializer runs and the others wait for its value.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: if this future is dropped while its initializer runs, the next
    /// waiting caller runs its own initializer.
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let cell = weft::sync::OnceCell::new();
    /// assert_eq!(*block_on(cell.get_or_init(|| async { 1 })), 1);
    /// assert_eq!(*block_on(cell.get_or_init(|| async { 2 })), 1);
    /// ```
    pub async fn get_or_init<F, Fut>(&self, init: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        match self
            .get_or_try_init(|| async { Ok::<T, std::convert::Infallible>(init().await) })
            .await
        {
            Ok(v) => v,
        }
    }

    /// Like [`get_or_init`](Self::get_or_init), but the initializer may fail; then the
    /// error is returned and the next caller tries.
    ///
    /// # Cancel safety
    ///
    /// As for [`get_or_init`](Self::get_or_init).
    ///
    /// ```
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    /// # }
    /// let cell = weft::sync::OnceCell::new();
    /// assert!(block_on(cell.get_or_try_init(|| async { Err::<u8, _>("nope") })).is_err());
    /// assert_eq!(block_on(cell.get_or_try_init(|| async { Ok::<_, ()>(3) })), Ok(&3));
    /// ```
    pub async fn get_or_try_init<E, F, Fut>(&self, init: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(v) = self.get() {
            return Ok(v);
        }
        match self.sem.acquire().await {
            Ok(permit) => {
                // We may initialize (rule 1); if `init` fails or we are dropped, the
                // permit goes to the next caller (rule 3).
                let value = init().await?;
                permit.forget();
                Ok(self.store(value))
            }
            // Closed: someone stored the value (rule 2).
            Err(_) => Ok(self
                .get()
                .expect("a closed OnceCell semaphore means a value")),
        }
    }

    /// Takes the value out, leaving the cell empty.
    ///
    /// ```
    /// let mut cell = weft::sync::OnceCell::new();
    /// cell.set(5).unwrap();
    /// assert_eq!(cell.take(), Some(5));
    /// assert!(cell.get().is_none());
    /// ```
    pub fn take(&mut self) -> Option<T> {
        std::mem::take(self).into_inner()
    }

    /// Consumes the cell, returning the value if set.
    ///
    /// ```
    /// let cell = weft::sync::OnceCell::new();
    /// cell.set('a').unwrap();
    /// assert_eq!(cell.into_inner(), Some('a'));
    /// ```
    pub fn into_inner(self) -> Option<T> {
        // `&mut self`: nobody races us, relaxed is enough (loom lacks `get_mut`).
        if !self.ready.load(Ordering::Relaxed) {
            return None;
        }
        self.ready.store(false, Ordering::Relaxed);
        // SAFETY: `ready` was true, so the value is initialized; clearing `ready` first
        // stops our `Drop` from dropping it a second time.
        Some(self.value.with_mut(|p| unsafe { (*p).assume_init_read() }))
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for OnceCell<T> {
    fn drop(&mut self) {
        if self.ready.load(Ordering::Acquire) {
            // SAFETY: `ready` means initialized, and `&mut self` means nobody reads it.
            self.value.with_mut(|p| unsafe { (*p).assume_init_drop() });
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell")
            .field("value", &self.get())
            .finish()
    }
}

/// Why [`OnceCell::set`] failed; holds the value that was not stored.
///
/// ```
/// use weft::sync::{OnceCell, SetError};
/// let cell = OnceCell::new();
/// cell.set(1).unwrap();
/// let err = cell.set(2).unwrap_err();
/// assert!(err.is_already_init_err());
/// assert_eq!(err.into_inner(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetError<T> {
    /// The cell already holds a value.
    AlreadyInitialized(T),
    /// An initializer is running right now.
    InitializingError(T),
}

impl<T> SetError<T> {
    /// Whether the cell already held a value.
    ///
    /// ```
    /// let cell = weft::sync::OnceCell::new();
    /// cell.set(1).unwrap();
    /// assert!(cell.set(1).unwrap_err().is_already_init_err());
    /// ```
    pub fn is_already_init_err(&self) -> bool {
        matches!(self, Self::AlreadyInitialized(_))
    }

    /// The value that was not stored.
    ///
    /// ```
    /// let cell = weft::sync::OnceCell::new();
    /// cell.set(1).unwrap();
    /// assert_eq!(cell.set(7).unwrap_err().into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Self::AlreadyInitialized(v) | Self::InitializingError(v) => v,
        }
    }
}

impl<T> fmt::Display for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyInitialized(_) => f.write_str("the OnceCell already holds a value"),
            Self::InitializingError(_) => f.write_str(
                "the OnceCell is being initialized right now: use `get_or_init` to wait for it",
            ),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for SetError<T> {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::test_util::{block_on, poll_once};
    use std::pin::pin;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::Poll;

    #[test]
    fn one_initializer_runs_under_contention() {
        let cell = Arc::new(OnceCell::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let cell = cell.clone();
                let runs = runs.clone();
                std::thread::spawn(move || {
                    *block_on(cell.get_or_init(|| async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        i
                    }))
                })
            })
            .collect();
        let values: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(values.iter().all(|v| *v == values[0]));
    }

    #[test]
    fn cancelled_initializer_lets_the_next_try() {
        let cell = OnceCell::new();
        let mut first = Box::pin(cell.get_or_init(std::future::pending::<u32>));
        assert!(poll_once(first.as_mut()).is_pending());
        let mut second = pin!(cell.get_or_init(|| async { 2 }));
        assert!(poll_once(second.as_mut()).is_pending());
        assert!(matches!(cell.set(9), Err(SetError::InitializingError(9))));
        drop(first);
        assert_eq!(poll_once(second.as_mut()), Poll::Ready(&2));
    }

    #[test]
    fn value_is_dropped_once() {
        let marker = Arc::new(());
        let cell = OnceCell::new();
        cell.set(marker.clone()).unwrap();
        assert_eq!(Arc::strong_count(&marker), 2);
        drop(cell);
        assert_eq!(Arc::strong_count(&marker), 1);
    }
}
