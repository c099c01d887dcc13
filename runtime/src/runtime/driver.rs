//! The runtime's driver: what a worker with nothing to do sleeps in, and what wakes
//! it.
//!
//! The scheduler sees only `Driver::park(timeout)` and `DriverHandle::unpark()`.
//! Behind them is the I/O reactor of `weft-io`: parking sleeps in `mio::Poll::poll`
//! and dispatches the readiness it returns to the tasks waiting for it; unparking
//! writes to the reactor's `mio::Waker`. After shutdown (or if the reactor is gone)
//! a plain thread parker stands in, so a late `park` still sleeps and wakes
//! correctly.
//!
//! # Invariant
//!
//! One thread at a time parks in a `Driver` (the scheduler keeps it behind a lock or
//! inside the single core); `unpark` may be called from any thread, at any time, and
//! a wake-up that arrives before `park` makes the next `park` return at once.

use super::park::{ParkThread, UnparkThread};
use std::time::Duration;
use weft_io::reactor;

/// The parkable part: owned by one thread at a time.
pub(crate) struct Driver {
    io: Option<reactor::Driver>,
    fallback: ParkThread,
}

/// The part any thread uses to wake whoever is parked in the driver.
#[derive(Clone)]
pub(crate) struct DriverHandle {
    pub(crate) io: reactor::Handle,
    fallback: UnparkThread,
}

impl Driver {
    /// # Errors
    ///
    /// If the OS poller cannot be created (out of file descriptors, say).
    pub(crate) fn new() -> std::io::Result<(Driver, DriverHandle)> {
        let io = reactor::Driver::new()?;
        let fallback = ParkThread::new();
        let handle = DriverHandle {
            io: io.handle(),
            fallback: fallback.unparker(),
        };
        Ok((
            Driver {
                io: Some(io),
                fallback,
            },
            handle,
        ))
    }

    /// Sleeps until unparked, an I/O event arrives, or `timeout` passes
    /// (`Some(ZERO)`: just poll for events).
    pub(crate) fn park(&mut self, timeout: Option<Duration>) {
        match self.io.as_mut() {
            Some(io) => {
                if let Err(err) = io.park(timeout) {
                    // The poller itself failed (not an interrupted wait): nothing the
                    // scheduler can do but keep going; say so rather than spin quietly.
                    eprintln!("weft: the I/O reactor failed to poll: {err}");
                    self.fallback.park_timeout(Duration::from_millis(10));
                }
            }
            None => match timeout {
                None => self.fallback.park(),
                Some(t) => self.fallback.park_timeout(t),
            },
        }
    }

    /// Shuts the reactor down: every I/O resource still waiting gets an error saying
    /// the runtime is gone.
    pub(crate) fn shutdown(&mut self) {
        drop(self.io.take());
        self.fallback.unparker().unpark();
    }
}

impl DriverHandle {
    pub(crate) fn unpark(&self) {
        self.io.unpark();
        self.fallback.unpark();
    }
}
