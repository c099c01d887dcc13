//! A watchdog that ends the bench when one runtime's side of a workload hangs, so a
//! deadlocked runtime costs a CI run minutes rather than its whole time limit.
//!
//! Invariant: the watchdog thread waits on a channel with a deadline, not on a
//! clock loop; dropping the [`Armed`] guard disarms it (the send, or the sender's
//! disconnection on unwind, wakes the thread at once).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// How long one runtime may take over one workload (all its samples) before the
/// bench gives up on it.
pub(crate) const LIMIT: Duration = Duration::from_secs(180);

/// Disarms the watchdog when dropped.
pub(crate) struct Armed {
    _done: mpsc::Sender<()>,
}

/// Starts a watchdog for `what`: if the returned guard is still alive after
/// `limit`, the process prints which side hung and exits with status 3.
pub(crate) fn arm(what: String, limit: Duration) -> Armed {
    let (done, finished) = mpsc::channel::<()>();
    thread::Builder::new()
        .name("bench-watchdog".into())
        .spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(limit) {
                eprintln!(
                    "\n{what} did not finish within {} s: it is hung (deadlock or lost \
                     wake-up?); stopping the bench",
                    limit.as_secs()
                );
                std::process::exit(3);
            }
        })
        .expect("watchdog thread starts");
    Armed { _done: done }
}
