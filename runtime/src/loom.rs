//! The one door through which the lock-free core reaches atomics, cells, locks and
//! threads.
//!
//! Under `--cfg loom` every item here comes from `loom`, so model tests explore the
//! interleavings of the code that really ships; otherwise it comes from `std`. Code in
//! `task/`, `runtime/scheduler/`, `sync/` and `queue/` imports these names and never
//! `std::sync::atomic` or `std::cell::UnsafeCell` directly.
//!
//! `Mutex::lock` never reports poisoning: a panic while a lock is held (a waker that
//! panics, say) must not take the runtime down with it, and every structure guarded
//! here is left consistent before anything that can panic is called.
#![allow(dead_code, unused_imports)] // each build uses a different subset of the shim

#[cfg(not(loom))]
mod imp {
    pub(crate) use std::sync::Arc;
    pub(crate) use std::thread;

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{
            AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
        };
    }

    pub(crate) type StdMutex<T> = std::sync::Mutex<T>;
    pub(crate) type StdMutexGuard<'a, T> = std::sync::MutexGuard<'a, T>;
    pub(crate) type StdCondvar = std::sync::Condvar;

    /// `std::cell::UnsafeCell` with loom's closure-based access API.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> Self {
            Self(std::cell::UnsafeCell::new(value))
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }

    impl<T: ?Sized> UnsafeCell<T> {
        /// Runs `f` with a shared pointer to the contents.
        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Runs `f` with a unique pointer to the contents.
        #[inline(always)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }

    /// Whether model checking is on; lets capacities shrink under loom.
    pub(crate) const LOOM: bool = false;
}

#[cfg(loom)]
mod imp {
    pub(crate) use loom::cell::UnsafeCell;
    pub(crate) use loom::sync::Arc;
    pub(crate) use loom::thread;

    pub(crate) mod atomic {
        pub(crate) use loom::sync::atomic::{
            AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
        };
    }

    pub(crate) type StdMutex<T> = loom::sync::Mutex<T>;
    pub(crate) type StdMutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;
    pub(crate) type StdCondvar = loom::sync::Condvar;

    pub(crate) const LOOM: bool = true;
}

pub(crate) use imp::*;

/// A mutex that ignores poisoning (see the module doc for why that is sound here).
#[derive(Debug)]
pub(crate) struct Mutex<T>(StdMutex<T>);

/// The guard of [`Mutex`].
pub(crate) type MutexGuard<'a, T> = StdMutexGuard<'a, T>;

impl<T> Mutex<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(StdMutex::new(value))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        match self.0.try_lock() {
            Ok(guard) => Some(guard),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    pub(crate) fn get_mut(&mut self) -> &mut T {
        self.0.get_mut().unwrap_or_else(|e| e.into_inner())
    }
}

/// A condition variable that ignores poisoning, paired with [`Mutex`].
#[derive(Debug, Default)]
pub(crate) struct Condvar(StdCondvar);

impl Condvar {
    pub(crate) fn new() -> Self {
        Self(StdCondvar::new())
    }

    pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.0.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: std::time::Duration,
    ) -> MutexGuard<'a, T> {
        match self.0.wait_timeout(guard, dur) {
            Ok((guard, _)) => guard,
            Err(e) => e.into_inner().0,
        }
    }

    pub(crate) fn notify_one(&self) {
        self.0.notify_one();
    }

    pub(crate) fn notify_all(&self) {
        self.0.notify_all();
    }
}
