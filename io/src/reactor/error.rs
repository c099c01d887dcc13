//! [`RuntimeGone`]: the error an I/O resource reports once its driver has shut down.

use std::error::Error;
use std::fmt;
use std::io;

/// The reactor that drove an I/O resource has shut down, so the resource can never
/// become ready again. Carried inside an [`io::Error`] of kind
/// [`io::ErrorKind::Other`]; [`RuntimeGone::is`] recognises it.
///
/// ```
/// use std::future::Future;
/// use std::task::{Context, Poll, Waker};
/// use weft_io::reactor::{Driver, PollEvented, RuntimeGone};
///
/// let driver = Driver::new()?;
/// let _enter = driver.handle().enter();
/// let (_sender, receiver) = mio::unix::pipe::new()?;
/// let receiver = PollEvented::new(receiver)?;
/// drop(driver);
///
/// let mut readable = std::pin::pin!(receiver.readable());
/// let mut cx = Context::from_waker(Waker::noop());
/// let Poll::Ready(Err(err)) = readable.as_mut().poll(&mut cx) else { unreachable!() };
/// assert!(RuntimeGone::is(&err));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeGone {
    _priv: (),
}

impl RuntimeGone {
    pub(crate) fn error() -> io::Error {
        io::Error::other(RuntimeGone { _priv: () })
    }

    /// Whether `err` is a [`RuntimeGone`] error.
    ///
    /// ```
    /// let err = std::io::Error::other("something else");
    /// assert!(!weft_io::reactor::RuntimeGone::is(&err));
    /// ```
    pub fn is(err: &io::Error) -> bool {
        err.get_ref().is_some_and(|inner| inner.is::<RuntimeGone>())
    }
}

impl fmt::Display for RuntimeGone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the weft runtime that drove this I/O resource has shut down; \
             create and use sockets inside a running runtime and drop them before it",
        )
    }
}

impl Error for RuntimeGone {}
