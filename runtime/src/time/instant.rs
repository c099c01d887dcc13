//! `Instant`: a point in time as the current runtime's clock sees it (the paused test
//! clock inside a paused runtime, the system's monotonic clock everywhere else).

use super::clock;
use crate::runtime::context;
use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

/// A measurement of the monotonic clock, read through the current runtime so that a
/// paused runtime sees its paused time. Otherwise it behaves as
/// `std::time::Instant`, which it converts to and from.
///
/// ```
/// use weft::time::{Duration, Instant};
///
/// let start = Instant::now();
/// let later = start + Duration::from_millis(5);
/// assert_eq!(later - start, Duration::from_millis(5));
/// assert!(later > start);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

impl Instant {
    /// The current time: the runtime's clock inside a runtime (paused, if it is),
    /// the system clock elsewhere.
    ///
    /// ```
    /// let a = weft::time::Instant::now();
    /// let b = weft::time::Instant::now();
    /// assert!(b >= a);
    /// ```
    pub fn now() -> Instant {
        // Only a paused clock differs from the system's, and most programs never
        // pause one: skip the runtime lookup then.
        if clock::any_virtual()
            && let Some(now) = context::with_current(|h| h.driver_handle().time.clock().now())
        {
            return Instant { std: now };
        }
        Instant {
            std: std::time::Instant::now(),
        }
    }

    /// Wraps a `std::time::Instant`.
    ///
    /// ```
    /// let std_now = std::time::Instant::now();
    /// assert_eq!(weft::time::Instant::from_std(std_now).into_std(), std_now);
    /// ```
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// The `std::time::Instant` inside.
    ///
    /// ```
    /// let t = weft::time::Instant::now();
    /// let _std: std::time::Instant = t.into_std();
    /// ```
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// Time from `earlier` to `self`, or zero if `earlier` is later.
    ///
    /// ```
    /// use weft::time::{Duration, Instant};
    /// let a = Instant::now();
    /// let b = a + Duration::from_secs(1);
    /// assert_eq!(b.duration_since(a), Duration::from_secs(1));
    /// assert_eq!(a.duration_since(b), Duration::ZERO);
    /// ```
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time from `earlier` to `self`, or `None` if `earlier` is later.
    ///
    /// ```
    /// use weft::time::{Duration, Instant};
    /// let a = Instant::now();
    /// let b = a + Duration::from_secs(1);
    /// assert_eq!(a.checked_duration_since(b), None);
    /// ```
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// Same as [`Instant::duration_since`]: zero if `earlier` is later.
    ///
    /// ```
    /// use weft::time::{Duration, Instant};
    /// let a = Instant::now();
    /// assert_eq!(a.saturating_duration_since(a + Duration::from_secs(1)), Duration::ZERO);
    /// ```
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time passed since `self`, on the same clock as [`Instant::now`].
    ///
    /// ```
    /// let t = weft::time::Instant::now();
    /// assert!(t.elapsed() < std::time::Duration::from_secs(3600));
    /// ```
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// `self + duration`, or `None` on overflow.
    ///
    /// ```
    /// use weft::time::{Duration, Instant};
    /// assert!(Instant::now().checked_add(Duration::MAX).is_none());
    /// ```
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, or `None` if that is before the clock's range.
    ///
    /// ```
    /// use weft::time::{Duration, Instant};
    /// assert!(Instant::now().checked_sub(Duration::MAX).is_none());
    /// ```
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }

    /// `self + duration`, or about thirty years from now on overflow: "never" for a
    /// timer.
    pub(crate) fn saturating_add(self, duration: Duration) -> Instant {
        self.checked_add(duration).unwrap_or_else(|| {
            self.checked_add(Duration::from_secs(86_400 * 365 * 30))
                .expect("the monotonic clock cannot represent thirty years from now")
        })
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant { std }
    }
}

impl From<Instant> for std::time::Instant {
    fn from(t: Instant) -> std::time::Instant {
        t.std
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    fn add(self, rhs: Duration) -> Instant {
        Instant {
            std: self.std + rhs,
        }
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        self.std += rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    fn sub(self, rhs: Duration) -> Instant {
        Instant {
            std: self.std - rhs,
        }
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        self.std -= rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    fn sub(self, rhs: Instant) -> Duration {
        self.duration_since(rhs)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}
