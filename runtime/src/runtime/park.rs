//! `ParkThread`: block the current thread until unparked (a condition variable with
//! a sticky notification), and a `Waker` that unparks it.
//!
//! Used to block on a future on a thread that drives no scheduler ([`block_on`]:
//! `Handle::block_on` on a multi-thread runtime, and every `blocking_*` method of
//! `sync` and `queue`), and as the driver's stand-in once the reactor is gone.
//!
//! # Invariant
//!
//! A notification is never lost: `unpark` sets `NOTIFIED` before taking the lock,
//! and `park` re-checks the state under the lock before waiting.

use crate::loom::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::{Condvar, Mutex};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// The parking side; not `Clone`: one thread parks on it.
pub(crate) struct ParkThread {
    inner: Arc<Inner>,
}

/// The unparking side; any thread may unpark.
#[derive(Clone)]
pub(crate) struct UnparkThread {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    lock: Mutex<()>,
    cvar: Condvar,
}

impl ParkThread {
    pub(crate) fn new() -> ParkThread {
        ParkThread {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                cvar: Condvar::new(),
            }),
        }
    }

    pub(crate) fn unparker(&self) -> UnparkThread {
        UnparkThread {
            inner: self.inner.clone(),
        }
    }

    /// A waker that unparks this thread.
    pub(crate) fn waker(&self) -> Waker {
        Waker::from(self.inner.clone())
    }

    /// Blocks until unparked (or returns at once if already notified).
    pub(crate) fn park(&mut self) {
        self.inner.park(None);
    }

    /// Blocks until unparked or until `timeout` passes.
    pub(crate) fn park_timeout(&mut self, timeout: Duration) {
        self.inner.park(Some(timeout));
    }
}

impl UnparkThread {
    pub(crate) fn unpark(&self) {
        self.inner.unpark();
    }
}

impl Inner {
    fn park(&self, timeout: Option<Duration>) {
        // Fast path: consume a pending notification.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if timeout == Some(Duration::ZERO) {
            return;
        }
        let mut guard = self.lock.lock();
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // Notified between the fast path and the lock.
                self.state.store(EMPTY, SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent park state {actual}"),
        }
        loop {
            guard = match timeout {
                None => self.cvar.wait(guard),
                Some(t) => self.cvar.wait_timeout(guard, t),
            };
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
            if timeout.is_some() {
                // Timed out (or spurious): give up the parked state either way.
                // `swap` rather than `store`: a notification may land right now.
                self.state.swap(EMPTY, SeqCst);
                return;
            }
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED => {
                // Taking the lock orders us after the parker's check-then-wait.
                drop(self.lock.lock());
                self.cvar.notify_one();
            }
            actual => panic!("inconsistent park state {actual}"),
        }
    }
}

impl Wake for Inner {
    fn wake(self: Arc<Self>) {
        self.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.unpark();
    }
}

/// Polls `future` on this thread, parking between polls, until it completes. A
/// wake-up that lands between a `Pending` poll and the park is kept (the module's
/// invariant), so none is lost.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut park = ParkThread::new();
    let waker = park.waker();
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        park.park();
    }
}
