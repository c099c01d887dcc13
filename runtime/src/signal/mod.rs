//! Signal handling on the reactor: `ctrl_c()` and Unix signal streams.
//!
//! A signal handler may do almost nothing safely, so weft's handler only counts the
//! delivery and writes a byte to a self-pipe (`registry.rs`). Each runtime with
//! listeners reads that pipe through its reactor in a small driver task and wakes
//! the listeners, which compare the count with what they last saw (`driver.rs`).
//! Listeners are cheap; any number may wait on the same signal, in any runtime.
//!
//! Architecture Invariant: one handler per signal number for the whole process,
//! installed with `sigaction` on first use and never removed.

mod driver;
mod registry;
pub mod unix;

use std::io;

/// Waits for Ctrl-C (`SIGINT`) — asyncio's `loop.add_signal_handler(SIGINT, ...)`.
///
/// The listener is registered on the first poll; from then on `SIGINT` no longer
/// terminates the process (for the rest of its life): the program decides what to
/// do.
///
/// # Errors
///
/// If the handler or the self-pipe cannot be set up, or the runtime shut down
/// while waiting.
///
/// # Panics
///
/// Outside a runtime.
///
/// ```
/// use std::future::Future;
/// use std::task::{Context, Waker};
/// # weft::run(async {
/// let mut ctrl_c = std::pin::pin!(weft::signal::ctrl_c());
/// // The first poll registers the listener...
/// assert!(ctrl_c.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
/// // ...so this SIGINT is caught rather than ending the process.
/// // SAFETY: (in this example) `kill` and `getpid` have no preconditions.
/// unsafe { libc::kill(libc::getpid(), libc::SIGINT) };
/// ctrl_c.await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupts = unix::signal(unix::SignalKind::interrupt())?;
    match interrupts.recv().await {
        Some(()) => Ok(()),
        None => Err(io::Error::other(
            "the runtime shut down while waiting for Ctrl-C: keep it running until \
             `ctrl_c()` returns",
        )),
    }
}
