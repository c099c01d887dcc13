//! Parking a worker: in the driver if it is free, on a condition variable otherwise.
//!
//! One parked worker at a time owns the driver (it sleeps in the reactor and fires
//! timers); the others sleep in their own thread parker (`runtime/park.rs`).
//! `Unparker::unpark` reads which of the two the worker is in and wakes it the right
//! way.
//!
//! # Invariant
//!
//! `state` moves EMPTY → PARKED_* → (NOTIFIED →) EMPTY only by the worker, and to
//! NOTIFIED by any unparker; an unpark that finds EMPTY leaves NOTIFIED behind, which
//! the next `park` consumes without sleeping, so no wake-up is lost.

use crate::loom::Mutex;
use crate::loom::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::runtime::driver::{Driver, DriverHandle};
use crate::runtime::park::{ParkThread, UnparkThread};
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
    /// Where this worker sleeps when another worker holds the driver.
    thread: ParkThread,
}

#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    thread: UnparkThread,
    driver: Arc<SharedDriver>,
}

impl Parker {
    pub(crate) fn new(driver: Arc<SharedDriver>) -> Parker {
        let thread = ParkThread::new();
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                thread: thread.unparker(),
                driver,
            }),
            thread,
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
            if inner.begin_park(PARKED_DRIVER) {
                driver.park(timeout);
                inner.state.swap(EMPTY, SeqCst);
            }
        } else if inner.begin_park(PARKED_CONDVAR) {
            match timeout {
                Some(t) => {
                    self.thread.park_timeout(t);
                    inner.state.swap(EMPTY, SeqCst);
                }
                // `ParkThread` keeps a notification that comes early, so the only
                // extra returns are for an unpark of an earlier timed park: go back
                // to sleep unless ours arrived.
                None => loop {
                    self.thread.park();
                    if inner
                        .state
                        .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                        .is_ok()
                    {
                        break;
                    }
                },
            }
        }
    }
}

impl Inner {
    /// Publishes where the worker is about to sleep; false if a notification came
    /// first (it is consumed, and the worker must not sleep).
    fn begin_park(&self, parked: usize) -> bool {
        match self.state.compare_exchange(EMPTY, parked, SeqCst, SeqCst) {
            Ok(_) => true,
            Err(NOTIFIED) => {
                self.state.store(EMPTY, SeqCst);
                false
            }
            Err(actual) => panic!("inconsistent worker park state {actual}"),
        }
    }
}

impl Unparker {
    pub(crate) fn unpark(&self) {
        let inner = &*self.inner;
        match inner.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => inner.thread.unpark(),
            PARKED_DRIVER => inner.driver.handle.unpark(),
            actual => panic!("inconsistent worker park state {actual}"),
        }
    }
}
