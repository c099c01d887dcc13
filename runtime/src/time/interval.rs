//! `Interval`: ticks at a fixed period, with a choice of what to do about ticks that
//! were missed because the task was busy (`MissedTickBehavior`).

use super::sleep::{Sleep, When};
use super::{Duration, Handle, Instant};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// A tick is "missed" only when it is handled more than this late. Timers fire on
/// whole milliseconds and the task then waits its turn to run, so a tick on time is
/// usually a little late; without this slack `Delay` would drift by that much every
/// period and `Skip` would skip ticks that were only a hair late.
const MISSED_SLACK: Duration = Duration::from_millis(5);

/// What an [`Interval`] does when ticks were missed (the task was busy past one or
/// more tick times).
///
/// ```
/// use weft::time::{self, Duration, MissedTickBehavior};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let mut every = time::interval(Duration::from_secs(1));
///     every.set_missed_tick_behavior(MissedTickBehavior::Skip);
///     assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Skip);
/// });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissedTickBehavior {
    /// Fire every missed tick at once, as fast as they are polled, then carry on on
    /// the original schedule (the default).
    #[default]
    Burst,
    /// Fire once now, then tick every period from now: the schedule shifts.
    Delay,
    /// Fire once now, then carry on at the next tick of the original schedule,
    /// skipping the missed ones.
    Skip,
}

impl MissedTickBehavior {
    /// The deadline after a tick due at `timeout` was handled at `now` (late).
    fn next_timeout(self, timeout: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => timeout.saturating_add(period),
            MissedTickBehavior::Delay => now.saturating_add(period),
            MissedTickBehavior::Skip => {
                let late = (now - timeout).as_nanos();
                let into_period = late % period.as_nanos();
                // `into_period < period`, which fits in a `Duration`.
                let into_period = Duration::from_nanos(into_period as u64);
                now.saturating_add(period - into_period)
            }
        }
    }
}

/// Ticks every `period`; the first tick completes at once.
///
/// # Panics
///
/// Outside a runtime, or if `period` is zero.
///
/// ```
/// use weft::time::{self, Duration, Instant};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now();
///     let mut every = time::interval(Duration::from_millis(10));
///     for i in 0..3 {
///         assert_eq!(every.tick().await, start + Duration::from_millis(10) * i);
///     }
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    let handle = Handle::current();
    let start = Instant::from_std(handle.clock().now());
    make(handle, start, period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// Outside a runtime, or if `period` is zero.
///
/// ```
/// use weft::time::{self, Duration, Instant};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now() + Duration::from_secs(1);
///     let mut every = time::interval_at(start, Duration::from_secs(2));
///     assert_eq!(every.tick().await, start);
///     assert_eq!(every.tick().await, start + Duration::from_secs(2));
/// });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    make(Handle::current(), start, period)
}

#[track_caller]
fn make(handle: Handle, start: Instant, period: Duration) -> Interval {
    assert!(
        period > Duration::ZERO,
        "`weft::time::interval` needs a period above zero: to run as often as possible, \
         loop with `weft::task::yield_now()` instead"
    );
    Interval {
        delay: Box::pin(Sleep::new(Some(handle), When::At(start))),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// A stream of ticks, made by [`interval`] or [`interval_at`].
///
/// ```
/// use weft::time::{self, Duration, Instant};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let mut every = time::interval(Duration::from_secs(1));
///     every.tick().await;
///     let before = Instant::now();
///     every.tick().await;
///     assert_eq!(before.elapsed(), every.period());
/// });
/// ```
#[derive(Debug)]
pub struct Interval {
    delay: Pin<Box<Sleep>>,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was scheduled for.
    ///
    /// ```
    /// use weft::time::{self, Duration};
    ///
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut every = time::interval(Duration::from_secs(1));
    ///     let first = every.tick().await;
    ///     assert_eq!(every.tick().await - first, Duration::from_secs(1));
    /// });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick; `Ready` with the instant it was scheduled for.
    ///
    /// ```
    /// use weft::time::{self, Duration};
    ///
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut every = time::interval(Duration::from_secs(1));
    ///     let first = std::future::poll_fn(|cx| every.poll_tick(cx)).await;
    ///     assert_eq!(every.tick().await, first + Duration::from_secs(1));
    /// });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(self.delay.as_mut().poll(cx));
        let timeout = self.delay.deadline();
        let now = Instant::now();
        let next = if now > timeout.saturating_add(MISSED_SLACK) {
            self.missed_tick_behavior
                .next_timeout(timeout, now, self.period)
        } else {
            timeout.saturating_add(self.period)
        };
        self.delay.as_mut().reset(next);
        Poll::Ready(timeout)
    }

    /// Restarts the schedule: the next tick is one period from now.
    ///
    /// ```
    /// use weft::time::{self, Duration, Instant};
    ///
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let mut every = time::interval(Duration::from_secs(3));
    ///     every.tick().await;
    ///     time::advance(Duration::from_secs(1)).await;
    ///     every.reset();
    ///     let at = Instant::now();
    ///     assert_eq!(every.tick().await, at + Duration::from_secs(3));
    /// });
    /// ```
    pub fn reset(&mut self) {
        let next = Instant::now().saturating_add(self.period);
        self.delay.as_mut().reset(next);
    }

    /// The period between ticks.
    ///
    /// ```
    /// use weft::time::{self, Duration};
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     assert_eq!(time::interval(Duration::from_secs(4)).period(), Duration::from_secs(4));
    /// });
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What this interval does about missed ticks.
    ///
    /// ```
    /// use weft::time::{self, Duration, MissedTickBehavior};
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let every = time::interval(Duration::from_secs(1));
    ///     assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Burst);
    /// });
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Chooses what this interval does about missed ticks.
    ///
    /// ```
    /// use weft::time::{self, Duration, MissedTickBehavior};
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let mut every = time::interval(Duration::from_secs(1));
    ///     every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ///     assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Delay);
    /// });
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }
}
