//! A one-future executor for this crate's doc examples, which run before any
//! runtime exists. Hidden from the docs: use `weft::run` in real programs.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use crate::reactor::{Driver, Handle};

struct Unparker {
    woken: AtomicBool,
    handle: Handle,
}

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.handle.unpark();
    }
}

/// Runs `fut` to completion on a fresh driver entered on this thread.
///
/// ```
/// assert_eq!(weft_io::doc_support::block_on(async { 1 + 1 }), 2);
/// ```
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut driver = Driver::new().expect("creating the doc example's reactor");
    let handle = driver.handle();
    let _enter = handle.enter();
    let unparker = Arc::new(Unparker {
        woken: AtomicBool::new(true),
        handle: handle.clone(),
    });
    let waker = Waker::from(unparker.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if unparker.woken.swap(false, Ordering::AcqRel) {
            if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                return out;
            }
        } else {
            driver
                .park(None)
                .expect("polling the doc example's reactor");
        }
    }
}
