//! The runtime's driver: what a worker with nothing to do sleeps in, and what wakes
//! it.
//!
//! The scheduler sees only `Driver::park(timeout)` and `DriverHandle::unpark()`.
//! Behind them, in layers:
//!
//! 1. the time driver (`time::Driver`) shortens the sleep to the next timer, fires
//!    due timers afterwards, and, with a paused clock, jumps time when idle;
//! 2. it sleeps in the I/O reactor of `weft-io` (`mio::Poll::poll`), which dispatches
//!    the readiness it returns to the tasks waiting for it; unparking writes to the
//!    reactor's `mio::Waker`;
//! 3. after shutdown (or if the reactor is gone) a plain thread parker stands in, so
//!    a late `park` still sleeps and wakes correctly.
//!
//! # Invariant
//!
//! One thread at a time parks in a `Driver` (the scheduler keeps it behind a lock or
//! inside the single core); `unpark` may be called from any thread, at any time, and
//! a wake-up that arrives before `park` makes the next `park` return at once.

use super::park::{ParkThread, UnparkThread};
use crate::loom::atomic::{AtomicBool, Ordering::SeqCst};
use crate::time;
use std::sync::Arc;
use std::task::{Wake, Waker};
use std::time::Duration;
use weft_io::reactor;

/// The parkable part: owned by one thread at a time.
pub(crate) struct Driver {
    io: Option<reactor::Driver>,
    fallback: ParkThread,
    unpark: Arc<Unpark>,
    time: time::Driver,
}

/// The part any thread uses to wake whoever is parked in the driver, and to reach
/// the runtime's reactor and timers.
#[derive(Clone)]
pub(crate) struct DriverHandle {
    pub(crate) io: reactor::Handle,
    unpark: Arc<Unpark>,
    pub(crate) time: time::Handle,
}

/// Wakes the parked thread, wherever it sleeps, and records that it did, so the
/// time driver can tell a wake-up from a timeout (the paused clock jumps only when
/// nothing woke it).
struct Unpark {
    io: reactor::Handle,
    thread: UnparkThread,
    did_wake: AtomicBool,
}

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Before the unpark, so the woken thread sees it.
        self.did_wake.store(true, SeqCst);
        self.io.unpark();
        self.thread.unpark();
    }
}

impl Driver {
    /// # Errors
    ///
    /// If the OS poller cannot be created (out of file descriptors, say).
    pub(crate) fn new(clock: time::Clock) -> std::io::Result<(Driver, DriverHandle)> {
        let io = reactor::Driver::new()?;
        let fallback = ParkThread::new();
        let unpark = Arc::new(Unpark {
            io: io.handle(),
            thread: fallback.unparker(),
            did_wake: AtomicBool::new(false),
        });
        let (time, time_handle) = time::Driver::new(clock, Waker::from(unpark.clone()));
        let handle = DriverHandle {
            io: io.handle(),
            unpark: unpark.clone(),
            time: time_handle,
        };
        let driver = Driver {
            io: Some(io),
            fallback,
            unpark,
            time,
        };
        Ok((driver, handle))
    }

    /// Sleeps until unparked, an I/O event arrives, `timeout` passes (`Some(ZERO)`:
    /// just poll for events) or the next timer is due; then fires due timers.
    pub(crate) fn park(&mut self, timeout: Option<Duration>) {
        let Driver {
            io,
            fallback,
            unpark,
            time,
        } = self;
        time.park(timeout, |t| {
            let events = match io.as_mut() {
                Some(io) => match io.park(t) {
                    Ok(n) => n,
                    Err(err) => {
                        // The poller itself failed (not an interrupted wait): say so
                        // rather than spin quietly, and back off a little.
                        eprintln!("weft: the I/O reactor failed to poll: {err}");
                        fallback.park_timeout(Duration::from_millis(10));
                        0
                    }
                },
                None => {
                    match t {
                        None => fallback.park(),
                        Some(t) => fallback.park_timeout(t),
                    }
                    0
                }
            };
            // Either an unpark or I/O readiness ended the sleep: something happened.
            unpark.did_wake.swap(false, SeqCst) || events > 0
        });
    }

    /// Shuts timers and the reactor down: every timer and I/O resource still
    /// waiting is woken to find the runtime gone.
    pub(crate) fn shutdown(&mut self) {
        self.time.shutdown();
        drop(self.io.take());
        self.unpark.thread.unpark();
    }
}

impl DriverHandle {
    pub(crate) fn unpark(&self) {
        self.unpark.wake_by_ref();
    }
}
