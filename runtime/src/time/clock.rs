//! The runtime's clock: real time, or a paused test clock that moves only when told
//! to (`advance`) or when the runtime is idle (the driver jumps it to the next timer).
//!
//! # Invariant
//!
//! Time read through a clock never goes backwards: while paused it is `base`; when
//! resumed it is `base` plus the real time elapsed since `unfrozen`; `advance` only
//! adds to `base`, and `pause` sets `base` to the time read at that moment.

use crate::loom::Mutex;
use crate::loom::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A runtime's time source.
pub(crate) struct Clock {
    /// Tick 0 of the timer wheel: whole milliseconds after it are what pausing
    /// rounds to.
    origin: std::time::Instant,
    /// Only a current-thread runtime may pause: with one thread, "every task is idle"
    /// is something the driver can see.
    can_pause: bool,
    /// Set once `pause` was ever called; until then `now` is the real clock with no
    /// lock taken.
    is_virtual: AtomicBool,
    state: Mutex<State>,
}

struct State {
    base: std::time::Instant,
    /// `None` while paused; otherwise the real instant at which the clock resumed.
    unfrozen: Option<std::time::Instant>,
}

#[cfg(not(loom))]
static ANY_VIRTUAL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether any clock in this process was ever paused. A hint that lets
/// `Instant::now` skip the runtime lookup in programs that never pause (the common
/// case); it only ever goes from false to true. It is a plain `std` static because
/// loom atomics cannot live in statics; under loom the hint is always on.
pub(crate) fn any_virtual() -> bool {
    #[cfg(not(loom))]
    return ANY_VIRTUAL.load(std::sync::atomic::Ordering::Acquire);
    #[cfg(loom)]
    return true;
}

/// Why a clock operation was refused, turned into a panic message by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClockError {
    MultiThread,
    AlreadyPaused,
    NotPaused,
}

impl ClockError {
    pub(crate) fn message(self, what: &str) -> String {
        match self {
            ClockError::MultiThread => format!(
                "`weft::time::{what}` needs a current-thread runtime: build it with \
                 `Builder::new_current_thread()`, or use `#[weft::test(start_paused = true)]` \
                 (the clock can only be paused where the runtime can tell that every task is idle)"
            ),
            ClockError::AlreadyPaused => format!(
                "`weft::time::{what}` was called while the clock is already paused: \
                 call `resume()` first"
            ),
            ClockError::NotPaused => format!(
                "`weft::time::{what}` needs a paused clock: call `weft::time::pause()` \
                 first, or build the runtime with `start_paused(true)`"
            ),
        }
    }
}

impl Clock {
    pub(crate) fn new(can_pause: bool, start_paused: bool) -> Clock {
        let origin = std::time::Instant::now();
        let clock = Clock {
            origin,
            can_pause,
            is_virtual: AtomicBool::new(false),
            state: Mutex::new(State {
                base: origin,
                unfrozen: Some(origin),
            }),
        };
        if start_paused {
            clock
                .pause()
                .expect("`start_paused` is only accepted on a current-thread runtime");
        }
        clock
    }

    /// The instant the clock was created: tick 0 of the wheel.
    pub(crate) fn origin(&self) -> std::time::Instant {
        self.origin
    }

    /// The current time.
    pub(crate) fn now(&self) -> std::time::Instant {
        if !self.is_virtual.load(Ordering::Acquire) {
            return std::time::Instant::now();
        }
        let state = self.state.lock();
        state.now()
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.is_virtual.load(Ordering::Acquire) && self.state.lock().unfrozen.is_none()
    }

    pub(crate) fn pause(&self) -> Result<(), ClockError> {
        if !self.can_pause {
            return Err(ClockError::MultiThread);
        }
        let mut state = self.state.lock();
        let now = match state.unfrozen {
            None if self.is_virtual.load(Ordering::Acquire) => {
                return Err(ClockError::AlreadyPaused);
            }
            _ if self.is_virtual.load(Ordering::Acquire) => state.now(),
            _ => std::time::Instant::now(),
        };
        // Round up to a whole millisecond after the origin (never back in time):
        // deadlines of whole milliseconds then fall exactly on wheel ticks, so the
        // jumps to them are exact.
        let since = now.saturating_duration_since(self.origin);
        let frac = since.subsec_nanos() % 1_000_000;
        state.base = if frac == 0 {
            now
        } else {
            now + Duration::from_nanos(u64::from(1_000_000 - frac))
        };
        state.unfrozen = None;
        #[cfg(not(loom))]
        ANY_VIRTUAL.store(true, std::sync::atomic::Ordering::Release);
        // Under the lock, so a reader that sees the flag also sees the frozen state.
        self.is_virtual.store(true, Ordering::Release);
        Ok(())
    }

    pub(crate) fn resume(&self) -> Result<(), ClockError> {
        let mut state = self.state.lock();
        if !self.is_virtual.load(Ordering::Acquire) || state.unfrozen.is_some() {
            return Err(ClockError::NotPaused);
        }
        state.unfrozen = Some(std::time::Instant::now());
        Ok(())
    }

    pub(crate) fn advance(&self, by: Duration) -> Result<(), ClockError> {
        let mut state = self.state.lock();
        if !self.is_virtual.load(Ordering::Acquire) || state.unfrozen.is_some() {
            return Err(ClockError::NotPaused);
        }
        state.base += by;
        Ok(())
    }

    /// Moves a paused clock forward to `to` (never backwards); the driver's jump to
    /// the next timer when the runtime is idle.
    pub(crate) fn advance_to(&self, to: std::time::Instant) {
        let mut state = self.state.lock();
        if state.unfrozen.is_none() && to > state.base {
            state.base = to;
        }
    }
}

impl State {
    fn now(&self) -> std::time::Instant {
        match self.unfrozen {
            None => self.base,
            Some(since) => self.base + since.elapsed(),
        }
    }
}

/// Pauses the current runtime's clock: from now on time moves only by [`advance`], or,
/// when every task is waiting, straight to the next timer's deadline (so a test of an
/// hour-long timeout finishes at once, and exactly). Pausing rounds the clock up to
/// the next whole millisecond, the timers' resolution.
///
/// # Panics
///
/// Outside a runtime, on a multi-thread runtime, or if the clock is already paused.
///
/// ```
/// use weft::time::{self, Duration, Instant};
///
/// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     time::pause();
///     let start = Instant::now();
///     time::sleep(Duration::from_secs(3600)).await; // returns at once
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
/// });
/// ```
#[track_caller]
pub fn pause() {
    let handle = super::Handle::current();
    if let Err(e) = handle.clock().pause() {
        panic!("{}", e.message("pause"));
    }
}

/// Lets a paused clock run again, from the time it shows now.
///
/// # Panics
///
/// Outside a runtime, or if the clock is not paused.
///
/// ```
/// use weft::time::{self, Duration, Instant};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now();
///     time::advance(Duration::from_secs(5)).await;
///     time::resume();
///     assert!(start.elapsed() >= Duration::from_secs(5));
/// });
/// ```
#[track_caller]
pub fn resume() {
    let handle = super::Handle::current();
    if let Err(e) = handle.clock().resume() {
        panic!("{}", e.message("resume"));
    }
}

/// Moves a paused clock forward by `duration`, fires the timers that came due, and
/// yields once so the tasks they woke run before the caller continues.
///
/// # Panics
///
/// Outside a runtime, or if the clock is not paused.
///
/// ```
/// use weft::time::{self, Duration, Instant};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now();
///     time::advance(Duration::from_millis(1500)).await;
///     assert_eq!(start.elapsed(), Duration::from_millis(1500));
/// });
/// ```
pub async fn advance(duration: Duration) {
    let handle = super::Handle::current();
    if let Err(e) = handle.clock().advance(duration) {
        panic!("{}", e.message("advance"));
    }
    handle.process();
    crate::task::yield_now().await;
}
