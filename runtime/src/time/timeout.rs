//! `timeout` and `timeout_at`: asyncio's `wait_for`.
//!
//! The inner future is polled first, and the timer is looked at only if it is still
//! pending: a future that is ready at once wins even over an expired deadline, and
//! never touches the clock or the wheel. The countdown of `timeout` starts at that
//! first pending poll (for `.await`, at once), as `wait_for`'s starts when awaited.
//! The `Sleep` itself is only built at that first pending poll, so a `timeout`
//! around a ready future costs little more than the future itself.

use super::error::Elapsed;
use super::sleep::{Sleep, When};
use super::{Duration, Instant};
use crate::task::coop;
use pin_project_lite::pin_project;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// The future returned by [`timeout`] and [`timeout_at`]: the inner future's
    /// output, or [`Elapsed`] once the deadline passes first. Dropping it (as
    /// `.await` does when it completes) drops the inner future.
    ///
    /// ```
    /// use weft::time::{self, Duration};
    ///
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let t: time::Timeout<_> = time::timeout(Duration::from_secs(1), async { 7 });
    ///     assert_eq!(t.await, Ok(7));
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless awaited"]
    pub struct Timeout<T> {
        #[pin]
        value: T,
        when: When,
        // Built at the first pending poll.
        #[pin]
        delay: Option<Sleep>,
    }
}

/// Runs `future`, giving up after `duration`: `Ok(output)` if it finished in time,
/// `Err(Elapsed)` otherwise, and then the future is dropped (asyncio's `wait_for`).
///
/// # Panics
///
/// When first polled outside a runtime, unless `future` is ready at once.
///
/// ```
/// use weft::time::{self, Duration};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     assert_eq!(time::timeout(Duration::from_secs(1), async { "fast" }).await, Ok("fast"));
///     let slow = time::sleep(Duration::from_secs(60));
///     assert!(time::timeout(Duration::from_secs(1), slow).await.is_err());
/// });
/// ```
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        value: future.into_future(),
        when: When::After(duration),
        delay: None,
    }
}

/// Like [`timeout`], with a deadline instead of a duration.
///
/// # Panics
///
/// When first polled outside a runtime, unless `future` is ready at once.
///
/// ```
/// use weft::time::{self, Duration, Instant};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(10);
///     let res = time::timeout_at(deadline, std::future::pending::<()>()).await;
///     assert!(res.is_err());
///     assert_eq!(Instant::now(), deadline);
/// });
/// ```
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        value: future.into_future(),
        when: When::At(deadline),
        delay: None,
    }
}

impl<T> Timeout<T> {
    /// The inner future.
    ///
    /// ```
    /// use weft::time::{self, Duration};
    /// let t = time::timeout(Duration::from_secs(1), std::future::ready(3));
    /// let _inner: &std::future::Ready<i32> = t.get_ref();
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// The inner future, mutably.
    ///
    /// ```
    /// use weft::time::{self, Duration};
    /// let mut t = time::timeout(Duration::from_secs(1), std::future::ready(3));
    /// let _inner: &mut std::future::Ready<i32> = t.get_mut();
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// Gives the inner future back, dropping the timer.
    ///
    /// ```
    /// use weft::time::{self, Duration};
    /// let t = time::timeout(Duration::from_secs(1), std::future::ready(3));
    /// assert_eq!(weft::run(t.into_inner()), 3);
    /// ```
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: Future> Future for Timeout<T> {
    type Output = Result<T::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut me = self.project();
        // The inner future first: a ready result wins over an expired deadline.
        if let Poll::Ready(v) = me.value.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        if me.delay.is_none() {
            me.delay.set(Some(Sleep::new(None, *me.when)));
        }
        let Some(delay) = me.delay.as_pin_mut() else {
            unreachable!("the sleep was just built")
        };
        // If the inner future spent the whole budget, the timer must still be able
        // to fire, or a busy inner future could outlive its deadline forever.
        let res = if coop::has_budget_remaining() {
            delay.poll(cx)
        } else {
            coop::unconstrained(|| delay.poll(cx))
        };
        res.map(|()| Err(Elapsed::new()))
    }
}
