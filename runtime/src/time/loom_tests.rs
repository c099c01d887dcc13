//! Loom models of the one lock-free hand-off in the timer code: entry protocol E
//! (`entry.rs`), where the driver's `FIRED` store gives the entry back to its owner,
//! who may then read or drop it without the wheel lock.

use super::Instant;
use super::clock::Clock;
use super::handle::Handle;
use super::sleep::{Sleep, When};
use crate::loom::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::thread;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Wake, Waker};

/// Counts its wake-ups.
struct CountWaker(AtomicUsize);

impl Wake for CountWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A runtime-less timer handle and a sleep registered in it, due at tick 1 000 000
/// (far enough that the real clock never makes it due by itself).
fn registered_sleep(waker: &Waker) -> (Handle, std::pin::Pin<Box<Sleep>>) {
    let handle = Handle::new(Clock::new(false, false), Waker::noop().clone());
    let deadline = Instant::from_std(handle.instant_of(1_000_000));
    let mut sleep = Box::pin(Sleep::new(Some(handle.clone()), When::At(deadline)));
    let mut cx = Context::from_waker(waker);
    assert!(sleep.as_mut().poll(&mut cx).is_pending());
    assert_eq!(handle.live_entries(), 1);
    (handle, sleep)
}

#[test]
fn fire_races_drop() {
    loom::model(|| {
        let counter = Arc::new(CountWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let (handle, sleep) = registered_sleep(&waker);
        let driver = handle.clone();
        let t = thread::spawn(move || driver.process_at(2_000_000));
        drop(sleep);
        t.join().unwrap();
        assert_eq!(handle.live_entries(), 0);
        assert!(counter.0.load(SeqCst) <= 1);
    });
}

#[test]
fn fire_races_poll_and_reset() {
    loom::model(|| {
        let counter = Arc::new(CountWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let (handle, mut sleep) = registered_sleep(&waker);
        let driver = handle.clone();
        let t = thread::spawn(move || driver.process_at(2_000_000));
        let mut cx = Context::from_waker(&waker);
        let first = sleep.as_mut().poll(&mut cx);
        t.join().unwrap();
        // Fired either before our poll (seen as ready) or after (a wake-up came).
        assert!(first.is_ready() || counter.0.load(SeqCst) == 1);
        assert!(sleep.as_mut().poll(&mut cx).is_ready());
        // Reset after firing: ours alone, re-registered by the next poll.
        let later = Instant::from_std(handle.instant_of(3_000_000));
        sleep.as_mut().reset(later);
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        assert_eq!(handle.live_entries(), 1);
        drop(sleep);
        assert_eq!(handle.live_entries(), 0);
    });
}
