//! Driving one future to completion on a plain thread, for the blocking methods
//! (`blocking_send`, `blocking_recv`, `Queue::put_blocking`, …).
//!
//! The thread parks between polls; the future's waker unparks it. Callers assert
//! first (`crate::runtime::context::assert_can_block`) that the thread is not driving
//! a runtime, where parking would stall every task on it.
//!
//! # Invariant
//!
//! A wake-up is never lost: `Thread::unpark` before `park` makes the next `park`
//! return at once, so a wake that lands between a `Pending` poll and the park is kept.

use crate::loom::thread::{self, Thread};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Wakes a thread parked in [`block_on`].
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `fut` on this thread, parking between polls, until it completes.
pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        // Spurious returns are harmless: we simply poll again.
        thread::park();
    }
}
