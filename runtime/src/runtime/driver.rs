//! The runtime's driver: what a worker with nothing to do sleeps in, and what wakes
//! it.
//!
//! The scheduler sees only `Driver::park(timeout)` and `DriverHandle::unpark()`.
//! Today the driver is the time driver (`time::Driver`: it shortens the sleep to the
//! next timer and fires due timers afterwards) around a plain thread parker; the I/O
//! reactor replaces the thread parker as the thing `time::Driver::park` sleeps in.
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

/// The parkable part: owned by one thread at a time.
pub(crate) struct Driver {
    park: ParkThread,
    unpark: Arc<Unpark>,
    time: time::Driver,
}

/// The part any thread uses to wake whoever is parked in the driver, and to reach
/// the runtime's timers.
#[derive(Clone)]
pub(crate) struct DriverHandle {
    unpark: Arc<Unpark>,
    pub(crate) time: time::Handle,
}

/// Wakes the parked thread and records that it did, so the time driver can tell a
/// wake-up from a timeout (the paused clock jumps only when nothing woke it).
struct Unpark {
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
        self.thread.unpark();
    }
}

impl Driver {
    pub(crate) fn new(clock: time::Clock) -> std::io::Result<(Driver, DriverHandle)> {
        let park = ParkThread::new();
        let unpark = Arc::new(Unpark {
            thread: park.unparker(),
            did_wake: AtomicBool::new(false),
        });
        let (time, time_handle) = time::Driver::new(clock, Waker::from(unpark.clone()));
        let handle = DriverHandle {
            unpark: unpark.clone(),
            time: time_handle,
        };
        Ok((Driver { park, unpark, time }, handle))
    }

    /// Sleeps until unparked, until `timeout` passes (`Some(ZERO)`: just poll for
    /// events), or until the next timer is due; then fires due timers.
    pub(crate) fn park(&mut self, timeout: Option<Duration>) {
        let park = &mut self.park;
        let unpark = &self.unpark;
        self.time.park(timeout, |t| {
            match t {
                None => park.park(),
                Some(t) => park.park_timeout(t),
            }
            unpark.did_wake.swap(false, SeqCst)
        });
    }

    /// Releases what the driver holds, waking anything that waits on it.
    pub(crate) fn shutdown(&mut self) {
        self.time.shutdown();
    }
}

impl DriverHandle {
    pub(crate) fn unpark(&self) {
        self.unpark.wake_by_ref();
    }
}
