//! Parking a worker: in the driver if it is free, on a condition variable otherwise.
//!
//! One parked worker at a time owns the driver (it sleeps in the reactor and fires
//! timers); the others sleep on their own condvar. `Unparker::unpark` reads which of
//! the two the worker is in and wakes it the right way.
//!
//! # Invariant
//!
//! `state` moves EMPTY → PARKED_* → (NOTIFIED →) EMPTY only by the worker, and to
//! NOTIFIED by any unparker; an unpark that finds EMPTY leaves NOTIFIED behind, which
//! the next `park` consumes without sleeping, so no wake-up is lost.

use crate::loom::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::{Condvar, Mutex};
use crate::runtime::driver::{Driver, DriverHandle};
use std::sync::Arc;
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// The driver all workers of one runtime share.
pub(crate) struct SharedDriver {
    driver: Mutex<Driver>,
    handle: DriverHandle,
}

impl SharedDriver {
    pub(crate) fn new(driver: Driver, handle: DriverHandle) -> Arc<SharedDriver> {
        Arc::new(SharedDriver {
            driver: Mutex::new(driver),
            handle,
        })
    }

    /// What wakes the driver, and the runtime's timers.
    pub(crate) fn handle(&self) -> &DriverHandle {
        &self.handle
    }

    /// Polls the driver without blocking, if nobody else holds it.
    pub(crate) fn poll_nonblocking(&self) {
        if let Some(mut driver) = self.driver.try_lock() {
            driver.park(Some(Duration::ZERO));
        }
    }

    pub(crate) fn shutdown(&self) {
        self.driver.lock().shutdown();
    }
}

pub(crate) struct Parker {
    inner: Arc<Inner>,
}

#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    lock: Mutex<()>,
    cvar: Condvar,
    driver: Arc<SharedDriver>,
}

impl Parker {
    pub(crate) fn new(driver: Arc<SharedDriver>) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                cvar: Condvar::new(),
                driver,
            }),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Sleeps until unparked (or `timeout`).
    pub(crate) fn park(&mut self, timeout: Option<Duration>) {
        let inner = &*self.inner;
        if inner
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if let Some(mut driver) = inner.driver.driver.try_lock() {
            inner.park_driver(&mut driver, timeout);
        } else {
            inner.park_condvar(timeout);
        }
    }
}

impl Inner {
    fn park_driver(&self, driver: &mut Driver, timeout: Option<Duration>) {
        match self
            .state
            .compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.store(EMPTY, SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent worker park state {actual}"),
        }
        driver.park(timeout);
        match self.state.swap(EMPTY, SeqCst) {
            NOTIFIED | PARKED_DRIVER => {}
            actual => panic!("inconsistent worker park state {actual}"),
        }
    }

    fn park_condvar(&self, timeout: Option<Duration>) {
        let mut guard = self.lock.lock();
        match self
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.store(EMPTY, SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent worker park state {actual}"),
        }
        loop {
            guard = match timeout {
                None => self.cvar.wait(guard),
                Some(t) => self.cvar.wait_timeout(guard, t),
            };
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
            if timeout.is_some() {
                self.state.swap(EMPTY, SeqCst);
                return;
            }
        }
    }
}

impl Unparker {
    pub(crate) fn unpark(&self) {
        let inner = &*self.inner;
        match inner.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                drop(inner.lock.lock());
                inner.cvar.notify_one();
            }
            PARKED_DRIVER => inner.driver.handle.unpark(),
            actual => panic!("inconsistent worker park state {actual}"),
        }
    }
}
