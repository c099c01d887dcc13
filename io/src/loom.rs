//! The one door through which the reactor's lock-free part reaches atomics and locks.
//!
//! Under `--cfg loom` the items come from `loom`, so model tests explore the
//! interleavings of the readiness word that really ships; otherwise they come from
//! `std`. `reactor/` imports these names and never `std::sync::atomic` directly.
//!
//! `Mutex::lock` never reports poisoning: a waker that panics is always called after
//! every guard is dropped, and each structure guarded here is consistent before
//! anything that can panic runs, so a poisoned lock holds nothing broken.
#![allow(unused_imports)] // the std and loom builds use different subsets

#[cfg(not(loom))]
mod imp {
    pub(crate) use std::sync::Arc;

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    }

    /// `std::sync::Mutex` whose `lock` ignores poisoning (see the module doc).
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(std::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(std::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, T> {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        }
    }
}

#[cfg(loom)]
mod imp {
    pub(crate) use loom::sync::Arc;

    pub(crate) mod atomic {
        pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    }

    /// `loom::sync::Mutex` with the same never-poisoned `lock` as the std build.
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
            self.0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        }
    }
}

pub(crate) use imp::*;
