//! The runtime's driver: what a worker with nothing to do sleeps in, and what wakes
//! it.
//!
//! The scheduler sees only `Driver::park(timeout)` and `DriverHandle::unpark()`. With
//! no I/O reactor or timers registered, parking is a plain thread park; the reactor
//! and the timer wheel plug in here, behind the same two calls.
//!
//! # Invariant
//!
//! One thread at a time parks in a `Driver` (the scheduler keeps it behind a lock or
//! inside the single core); `unpark` may be called from any thread, at any time, and
//! a wake-up that arrives before `park` makes the next `park` return at once.

use super::park::{ParkThread, UnparkThread};
use std::time::Duration;

/// The parkable part: owned by one thread at a time.
pub(crate) struct Driver {
    park: ParkThread,
}

/// The part any thread uses to wake whoever is parked in the driver.
#[derive(Clone)]
pub(crate) struct DriverHandle {
    unpark: UnparkThread,
}

impl Driver {
    pub(crate) fn new() -> std::io::Result<(Driver, DriverHandle)> {
        let park = ParkThread::new();
        let handle = DriverHandle {
            unpark: park.unparker(),
        };
        Ok((Driver { park }, handle))
    }

    /// Sleeps until unparked, or until `timeout` passes (`Some(ZERO)`: just poll for
    /// events).
    pub(crate) fn park(&mut self, timeout: Option<Duration>) {
        match timeout {
            None => self.park.park(),
            Some(t) => self.park.park_timeout(t),
        }
    }

    /// Releases what the driver holds, waking anything that waits on it.
    pub(crate) fn shutdown(&mut self) {}
}

impl DriverHandle {
    pub(crate) fn unpark(&self) {
        self.unpark.unpark();
    }
}
