//! [`Driver`]: owns the `mio::Poll` and its event buffer; each park polls the OS and
//! dispatches what it reports to the registrations.
//!
//! Only the thread holding `&mut Driver` polls, so the tick that stamps readiness
//! (see `state.rs`) is a plain counter here. Dropping the driver shuts the reactor
//! down: pending and future readiness waits fail with [`RuntimeGone`] rather than
//! hang.
//!
//! [`RuntimeGone`]: super::RuntimeGone

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use mio::{Events, Poll};

use super::Handle;
use super::handle::Shared;
use super::state::{ERROR, READ_CLOSED, READABLE, WRITABLE, WRITE_CLOSED};
use super::token::WAKE_TOKEN;

/// Events fetched per park; more wait for the next park.
const EVENTS_CAPACITY: usize = 1024;

/// The I/O driver: sleeps in the OS poller and wakes the tasks whose resources
/// became ready. A scheduler parks it when idle and unparks it through a [`Handle`].
///
/// ```
/// use std::time::Duration;
///
/// let mut driver = weft_io::reactor::Driver::new()?;
/// driver.park(Some(Duration::ZERO))?; // a non-blocking poll
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Driver {
    poll: Poll,
    events: Events,
    /// Bumped on every park; stamps the readiness that park delivers.
    tick: usize,
    shared: Arc<Shared>,
}

impl Driver {
    /// Creates a driver with its own OS poller.
    ///
    /// ```
    /// let driver = weft_io::reactor::Driver::new()?;
    /// # drop(driver);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> io::Result<Driver> {
        let poll = Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKE_TOKEN)?;
        let registry = poll.registry().try_clone()?;
        Ok(Driver {
            poll,
            events: Events::with_capacity(EVENTS_CAPACITY),
            tick: 0,
            shared: Arc::new(Shared::new(registry, waker)),
        })
    }

    /// A handle for registering resources and unparking this driver.
    ///
    /// ```
    /// let driver = weft_io::reactor::Driver::new()?;
    /// let _guard = driver.handle().enter();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn handle(&self) -> Handle {
        Handle {
            shared: self.shared.clone(),
        }
    }

    /// Waits for I/O events up to `timeout` (`None`: until an event or an unpark;
    /// `Some(Duration::ZERO)`: just look) and wakes the tasks they make ready.
    /// A signal interrupting the wait counts as an early return, not an error.
    /// Returns how many events arrived (unparks included), so a caller can tell a
    /// wake-up from a timeout.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut driver = weft_io::reactor::Driver::new()?;
    /// driver.park(Some(Duration::from_millis(1)))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn park(&mut self, timeout: Option<Duration>) -> io::Result<usize> {
        self.tick = self.tick.wrapping_add(1);
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(0),
            Err(e) => return Err(e),
        }
        let received = self.events.iter().count();
        let events = self
            .events
            .iter()
            .filter(|event| event.token() != WAKE_TOKEN)
            .map(|event| (event.token(), readiness_bits(event)));
        self.shared.registrations.dispatch(events, self.tick);
        Ok(received)
    }
}

/// Translates a mio event into the readiness word's bits.
fn readiness_bits(event: &mio::event::Event) -> usize {
    let mut bits = 0;
    if event.is_readable() {
        bits |= READABLE;
    }
    if event.is_writable() {
        bits |= WRITABLE;
    }
    if event.is_read_closed() {
        bits |= READ_CLOSED;
    }
    if event.is_write_closed() {
        bits |= WRITE_CLOSED;
    }
    if event.is_error() {
        bits |= ERROR;
    }
    bits
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.shared.registrations.shutdown();
    }
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("tick", &self.tick)
            .finish_non_exhaustive()
    }
}
