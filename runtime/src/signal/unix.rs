//! Unix signals as streams: [`signal`] returns a [`Signal`] that yields once per
//! delivery (deliveries that arrive between two `recv`s coalesce into one).
//!
//! # Invariant
//!
//! A `Signal` sees every delivery of its number that happens after it was created:
//! it starts from the generation current at creation, and `recv` returns as soon as
//! the generation has moved on (see `driver.rs` for why no wake-up is lost).

use super::driver::{self, ListenerSlot, Liveness};
use super::registry;
use futures_core::Stream;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A kind of Unix signal, by number.
///
/// ```
/// use weft::signal::unix::SignalKind;
/// assert_eq!(SignalKind::interrupt().as_raw_value(), libc::SIGINT);
/// assert_eq!(SignalKind::from_raw(libc::SIGUSR1), SignalKind::user_defined1());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignalKind(libc::c_int);

impl SignalKind {
    /// The signal with number `signum`.
    ///
    /// ```
    /// let kind = weft::signal::unix::SignalKind::from_raw(libc::SIGWINCH);
    /// assert_eq!(kind, weft::signal::unix::SignalKind::window_change());
    /// ```
    pub const fn from_raw(signum: libc::c_int) -> SignalKind {
        SignalKind(signum)
    }

    /// This signal's number.
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::terminate().as_raw_value(), libc::SIGTERM);
    /// ```
    pub const fn as_raw_value(&self) -> libc::c_int {
        self.0
    }

    /// `SIGALRM`: a timer set with `alarm(2)` went off.
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::alarm().as_raw_value(), libc::SIGALRM);
    /// ```
    pub const fn alarm() -> SignalKind {
        SignalKind(libc::SIGALRM)
    }

    /// `SIGCHLD`: a child process exited or stopped.
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::child().as_raw_value(), libc::SIGCHLD);
    /// ```
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }

    /// `SIGHUP`: the terminal hung up (daemons: reload your configuration).
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::hangup().as_raw_value(), libc::SIGHUP);
    /// ```
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }

    /// `SIGINT`: interrupt from the keyboard (Ctrl-C).
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::interrupt().as_raw_value(), libc::SIGINT);
    /// ```
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }

    /// `SIGPIPE`: a write to a pipe with no reader.
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::pipe().as_raw_value(), libc::SIGPIPE);
    /// ```
    pub const fn pipe() -> SignalKind {
        SignalKind(libc::SIGPIPE)
    }

    /// `SIGQUIT`: quit from the keyboard (Ctrl-\).
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::quit().as_raw_value(), libc::SIGQUIT);
    /// ```
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }

    /// `SIGTERM`: a polite request to terminate.
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::terminate().as_raw_value(), libc::SIGTERM);
    /// ```
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }

    /// `SIGUSR1`, for the application's own use.
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::user_defined1().as_raw_value(), libc::SIGUSR1);
    /// ```
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }

    /// `SIGUSR2`, for the application's own use.
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::user_defined2().as_raw_value(), libc::SIGUSR2);
    /// ```
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }

    /// `SIGWINCH`: the terminal window changed size.
    ///
    /// ```
    /// assert_eq!(weft::signal::unix::SignalKind::window_change().as_raw_value(), libc::SIGWINCH);
    /// ```
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
}

impl From<libc::c_int> for SignalKind {
    fn from(signum: libc::c_int) -> SignalKind {
        SignalKind(signum)
    }
}

/// Starts listening for `kind`. From now on the process handles that signal itself
/// (for `SIGINT` and `SIGTERM`: the process no longer dies of it), for the rest of
/// its life, even after the `Signal` is dropped.
///
/// Any number of listeners, in any number of runtimes, may listen for the same
/// signal: each sees every delivery made after it was created.
///
/// # Errors
///
/// `InvalidInput` for a signal that cannot be caught or would hide a crash
/// (`SIGKILL`, `SIGSTOP`, `SIGILL`, `SIGFPE`, `SIGSEGV`) or an out-of-range number;
/// the OS error if the handler or the self-pipe cannot be set up.
///
/// # Panics
///
/// Outside a runtime.
///
/// ```
/// use weft::signal::unix::{SignalKind, signal};
/// # weft::run(async {
/// let mut hangups = signal(SignalKind::hangup())?;
/// // SAFETY: (in this example) `kill` and `getpid` have no preconditions.
/// unsafe { libc::kill(libc::getpid(), libc::SIGHUP) };
/// assert_eq!(hangups.recv().await, Some(()));
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
#[track_caller]
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let signum = kind.0;
    registry::install(signum)?;
    let driver = driver::ensure_driver()?;
    Ok(Signal {
        signum,
        seen: driver::generation(signum),
        slot: ListenerSlot::new(),
        driver,
    })
}

/// A listener for one Unix signal; see [`signal`]. Also a `Stream` of `()`.
///
/// ```
/// use weft::signal::unix::{SignalKind, signal};
/// # weft::run(async {
/// let mut first = signal(SignalKind::user_defined2())?;
/// let mut second = signal(SignalKind::user_defined2())?;
/// // SAFETY: (in this example) `kill` and `getpid` have no preconditions.
/// unsafe { libc::kill(libc::getpid(), libc::SIGUSR2) };
/// // Both listeners see the delivery.
/// assert_eq!(first.recv().await, Some(()));
/// assert_eq!(second.recv().await, Some(()));
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct Signal {
    signum: libc::c_int,
    /// The generation of the last delivery this listener reported (invariant).
    seen: usize,
    slot: ListenerSlot,
    driver: Arc<Liveness>,
}

impl Signal {
    /// Waits for the next delivery. Returns `None` once the runtime this listener
    /// was made on has shut down (nobody reads the signal pipe for it any more).
    ///
    /// ```
    /// use weft::signal::unix::{SignalKind, signal};
    /// # weft::run(async {
    /// let mut alarms = signal(SignalKind::alarm())?;
    /// // SAFETY: (in this example) `kill` and `getpid` have no preconditions.
    /// unsafe { libc::kill(libc::getpid(), libc::SIGALRM) };
    /// alarms.recv().await;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery; see [`Signal::recv`].
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use weft::signal::unix::{SignalKind, signal};
    /// # weft::run(async {
    /// let mut winch = signal(SignalKind::window_change())?;
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(winch.poll_recv(&mut cx).is_pending());
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        if self.take_delivery() {
            return Poll::Ready(Some(()));
        }
        self.slot.set_waker(cx.waker());
        // Driver invariant 3: look again now that the waker is stored.
        if self.take_delivery() {
            return Poll::Ready(Some(()));
        }
        if !self.driver.is_alive() {
            return Poll::Ready(None);
        }
        Poll::Pending
    }

    fn take_delivery(&mut self) -> bool {
        let now = driver::generation(self.signum);
        if now == self.seen {
            return false;
        }
        self.seen = now;
        true
    }
}

impl Stream for Signal {
    type Item = ();

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.get_mut().poll_recv(cx)
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("signum", &self.signum)
            .finish_non_exhaustive()
    }
}
