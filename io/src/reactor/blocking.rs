//! [`run_blocking`]: runs a blocking job off the calling thread (on the spawner the
//! runtime installed, or a fresh thread) and awaits its result.
//!
//! The job and the awaiting future share one slot. The job fills it and wakes the
//! stored waker; if the job is dropped without running (a pool shutting down), its
//! guard fills the slot with an error instead, so the future never hangs.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use super::Handle;
use super::handle::spawn_thread;

struct Slot<T> {
    result: Option<io::Result<T>>,
    waker: Option<Waker>,
}

type Shared<T> = Arc<Mutex<Slot<T>>>;

/// Completes the slot when dropped: with the job's result, or with an error if the
/// job never ran.
struct Completer<T> {
    slot: Shared<T>,
    result: Option<io::Result<T>>,
}

impl<T> Drop for Completer<T> {
    fn drop(&mut self) {
        let result = self.result.take().unwrap_or_else(|| {
            Err(io::Error::other(
                "a blocking job was dropped before it ran (is the runtime shutting down?)",
            ))
        });
        let waker = {
            let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
            slot.result = Some(result);
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Starts `job` away from this thread and returns a future of its result.
pub(crate) fn run_blocking<T, F>(job: F) -> BlockingJob<T>
where
    T: Send + 'static,
    F: FnOnce() -> io::Result<T> + Send + 'static,
{
    let slot: Shared<T> = Arc::new(Mutex::new(Slot {
        result: None,
        waker: None,
    }));
    let completer = Completer {
        slot: slot.clone(),
        result: None,
    };
    let boxed: Box<dyn FnOnce() + Send> = Box::new(move || {
        // Bind the whole completer: capturing only its field would drop the guard
        // (and complete the slot with an error) before the job runs.
        let mut completer = completer;
        completer.result = Some(job());
    });
    let started = match Handle::try_current() {
        Some(handle) => handle.spawn_blocking(boxed),
        None => spawn_thread(boxed),
    };
    // If spawning failed, the boxed job (and its completer) was dropped and filled
    // the slot with an error; report the spawn error itself instead.
    if let Err(e) = started {
        slot.lock().unwrap_or_else(PoisonError::into_inner).result = Some(Err(e));
    }
    BlockingJob { slot }
}

/// The result of a job started by [`run_blocking`].
pub(crate) struct BlockingJob<T> {
    slot: Shared<T>,
}

impl<T> Future for BlockingJob<T> {
    type Output = io::Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        match slot.result.take() {
            Some(result) => Poll::Ready(result),
            None => {
                match &slot.waker {
                    Some(old) if old.will_wake(cx.waker()) => {}
                    _ => slot.waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}
