//! [`WeftTimer`] and [`WeftSleep`]: `hyper::rt::Timer` and `hyper::rt::Sleep` over
//! `weft::time`.
//!
//! Invariant: a `WeftSleep` is a `weft::time::Sleep` pinned in hyper's own box (no
//! second allocation), and [`Timer::reset`] moves that same timer entry in the wheel
//! instead of replacing it, whenever the sleep hyper passes back is one of ours.
//! Times come from weft's clock, so hyper's timeouts follow a paused test clock too.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

/// hyper's timer on weft: header-read and keep-alive timeouts (and anything a
/// service sleeps through it) become weft timers.
///
/// # Panics
///
/// `sleep` and `sleep_until` panic outside a weft runtime, as `weft::time::sleep`
/// does; hyper calls them from inside the connection's task.
///
/// ```
/// use std::time::Duration;
/// use hyper::rt::Timer;
/// use weft_examples::hyper_rt::WeftTimer;
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let start = WeftTimer.now();
///     let mut nap = WeftTimer.sleep(Duration::from_secs(30));
///     // Pull the deadline in: the same timer, now due in 2 s.
///     WeftTimer.reset(&mut nap, start + Duration::from_secs(2));
///     nap.await;
///     assert_eq!(WeftTimer.now() - start, Duration::from_secs(2));
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct WeftTimer;

impl Timer for WeftTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        Box::pin(WeftSleep {
            inner: weft::time::sleep(duration),
        })
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(WeftSleep {
            inner: weft::time::sleep_until(weft::time::Instant::from_std(deadline)),
        })
    }

    fn now(&self) -> Instant {
        weft::time::Instant::now().into_std()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<WeftSleep>() {
            Some(ours) => ours
                .inner()
                .reset(weft::time::Instant::from_std(new_deadline)),
            // Someone else's sleep: all we can do is replace it.
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// A `weft::time::Sleep` as hyper's `Sleep`: completes at its deadline.
///
/// ```
/// use std::time::Duration;
/// use hyper::rt::Timer;
/// use weft_examples::hyper_rt::{WeftSleep, WeftTimer};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let nap = WeftTimer.sleep(Duration::from_millis(5));
///     assert!(nap.is::<WeftSleep>());
///     nap.await;
/// });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct WeftSleep {
    /// # Invariant
    /// Structurally pinned: never moved out of a pinned `WeftSleep` (the type has no
    /// `Drop` impl and no method that takes the field by value or by `&mut`).
    inner: weft::time::Sleep,
}

impl WeftSleep {
    /// The pinned timer inside.
    fn inner(self: Pin<&mut Self>) -> Pin<&mut weft::time::Sleep> {
        // SAFETY: `inner` is structurally pinned (see its `# Invariant`): it is never
        // moved out of a pinned `WeftSleep`, so pinning it here is sound, and
        // `WeftSleep` is `Unpin` only if `weft::time::Sleep` is.
        unsafe { self.map_unchecked_mut(|s| &mut s.inner) }
    }
}

impl Future for WeftSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.inner().poll(cx)
    }
}

impl Sleep for WeftSleep {}
