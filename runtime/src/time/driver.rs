//! The time driver: the part of the runtime's driver that sleeps until the next timer
//! and fires the timers that came due.
//!
//! It does not know what the thread sleeps *in*: the runtime's driver hands it a
//! `park` function (a thread parker today, the I/O reactor's poll later) and it
//! shortens the timeout to the next timer, then fires what is due. With a paused
//! clock and a runtime with nothing to run, it jumps the clock to the next timer
//! instead of sleeping.

use super::clock::Clock;
use super::handle::Handle;
use std::task::Waker;
use std::time::Duration;

/// Owned by the thread that parks in the runtime's driver.
pub(crate) struct Driver {
    handle: Handle,
}

impl Driver {
    /// A driver whose sleep `unpark` ends (a new timer earlier than the one it sleeps
    /// for wakes it through `unpark`).
    pub(crate) fn new(clock: Clock, unpark: Waker) -> (Driver, Handle) {
        let handle = Handle::new(clock, unpark);
        (
            Driver {
                handle: handle.clone(),
            },
            handle,
        )
    }

    /// Sleeps through `park` until `timeout` (`None`: as long as needed;
    /// `Some(ZERO)`: not at all) or the next timer, whichever is first, then fires
    /// due timers. `park(t)` sleeps up to `t` and returns whether an unpark (rather
    /// than the timeout) ended it.
    ///
    /// A caller passing `None` has nothing to run: with a paused clock that is the
    /// moment to jump to the next timer, unless a wake-up is already waiting.
    pub(crate) fn park(
        &mut self,
        timeout: Option<Duration>,
        mut park: impl FnMut(Option<Duration>) -> bool,
    ) {
        let clock = self.handle.clock();
        let will_sleep = timeout != Some(Duration::ZERO);
        let next = self.handle.before_park(will_sleep);
        if clock.is_paused() {
            match (timeout, next) {
                (None, Some(next)) => {
                    // Idle with a timer pending: look for a wake-up without
                    // sleeping; if there is none, nothing can happen before the
                    // timer but time itself.
                    if !park(Some(Duration::ZERO)) {
                        clock.advance_to(next);
                    }
                }
                _ => {
                    // Paused time never reaches a timer by itself: sleep only as
                    // the caller asked.
                    park(timeout);
                }
            }
        } else {
            let until_next = next.map(|at| at.saturating_duration_since(clock.now()));
            let sleep_for = match (timeout, until_next) {
                (Some(t), Some(n)) => Some(t.min(n)),
                (t, None) => t,
                (None, n) => n,
            };
            park(sleep_for);
        }
        // A busy worker polls every few dozen tasks: when nothing can be due, skip
        // the wheel's lock. After a real sleep, `process` must run to end it.
        if will_sleep || next.is_some_and(|at| at <= clock.now()) {
            self.handle.process();
        }
    }

    /// No timer fires after this; registered ones are woken to find out.
    pub(crate) fn shutdown(&mut self) {
        self.handle.shutdown();
    }
}
