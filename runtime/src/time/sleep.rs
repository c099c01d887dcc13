//! `Sleep`, `sleep` and `sleep_until`: a future that completes at a deadline.
//!
//! The timer entry lives inside the future (no allocation of its own) and is linked
//! into the wheel only on the first poll that finds the deadline still ahead; a
//! `Sleep` dropped before that never touches the wheel's lock. Dropping a registered
//! `Sleep` unlinks it (entry protocol E). Completing consumes one unit of the task's
//! cooperative budget.

use super::entry::{ERROR, Entry, FIRED, REGISTERED, UNREGISTERED};
use super::handle::{Handle, SHUT_DOWN};
use super::{Duration, Instant};
use crate::task::coop;
use pin_project_lite::pin_project;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// When a `Sleep` is due: a fixed instant, or (for [`timeout`](super::timeout)) a
/// delay counted from the first poll that needs it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum When {
    At(Instant),
    After(Duration),
}

pin_project! {
    /// The future returned by [`sleep`] and [`sleep_until`]: completes once its
    /// deadline has passed on the runtime's clock.
    ///
    /// ```
    /// use weft::time::{self, Duration, Instant};
    ///
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let start = Instant::now();
    ///     let mut nap = std::pin::pin!(time::sleep(Duration::from_secs(10)));
    ///     nap.as_mut().reset(start + Duration::from_secs(2));
    ///     nap.as_mut().await;
    ///     assert!(nap.is_elapsed());
    ///     assert_eq!(start.elapsed(), Duration::from_secs(2));
    /// });
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct Sleep {
        // The runtime's timers: resolved at creation for `sleep`, lazily for
        // `timeout` (so a timeout around a ready future never looks it up).
        handle: Option<Handle>,
        when: When,
        #[pin]
        entry: Entry,
    }

    impl PinnedDrop for Sleep {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            let entry = this.entry.into_ref().get_ref();
            // Protocol E, rule 3: only a registered entry needs the lock.
            if entry.state() == REGISTERED
                && let Some(handle) = this.handle
            {
                handle.deregister(entry);
            }
        }
    }
}

/// Waits until `duration` has passed (asyncio's `sleep`).
///
/// # Panics
///
/// Outside a runtime.
///
/// ```
/// use weft::time::{self, Duration, Instant};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now();
///     time::sleep(Duration::from_millis(250)).await;
///     assert_eq!(start.elapsed(), Duration::from_millis(250));
/// });
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let handle = Handle::current();
    let deadline = Instant::from_std(handle.clock().now()).saturating_add(duration);
    Sleep::new(Some(handle), When::At(deadline))
}

/// Waits until `deadline`.
///
/// # Panics
///
/// Outside a runtime.
///
/// ```
/// use weft::time::{self, Duration, Instant};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let deadline = Instant::now() + Duration::from_secs(3);
///     time::sleep_until(deadline).await;
///     assert_eq!(Instant::now(), deadline);
/// });
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(Some(Handle::current()), When::At(deadline))
}

impl Sleep {
    pub(crate) fn new(handle: Option<Handle>, when: When) -> Sleep {
        Sleep {
            handle,
            when,
            entry: Entry::new(),
        }
    }

    /// The instant at which this sleep completes.
    ///
    /// ```
    /// use weft::time::{self, Duration, Instant};
    ///
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let nap = time::sleep(Duration::from_secs(1));
    ///     assert_eq!(nap.deadline(), Instant::now() + Duration::from_secs(1));
    /// });
    /// ```
    pub fn deadline(&self) -> Instant {
        match self.when {
            When::At(deadline) => deadline,
            // Only a `Timeout` not yet polled has no instant yet: if it were polled
            // now, this is when it would end.
            When::After(delay) => Instant::now().saturating_add(delay),
        }
    }

    /// Whether the deadline has passed (the sleep has completed or would complete on
    /// its next poll).
    ///
    /// ```
    /// use weft::time::{self, Duration};
    ///
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let nap = time::sleep(Duration::from_secs(1));
    ///     assert!(!nap.is_elapsed());
    ///     time::advance(Duration::from_secs(1)).await;
    ///     assert!(nap.is_elapsed());
    /// });
    /// ```
    pub fn is_elapsed(&self) -> bool {
        if self.entry.state() == FIRED {
            return true;
        }
        match (self.when, &self.handle) {
            (When::At(deadline), Some(handle)) => handle.clock().now() >= deadline.into_std(),
            (When::At(deadline), None) => Instant::now() >= deadline,
            (When::After(_), _) => false,
        }
    }

    /// Moves the deadline, earlier or later, whether or not the sleep has completed;
    /// a task waiting on it keeps waiting, for the new deadline.
    ///
    /// ```
    /// use weft::time::{self, Duration, Instant};
    ///
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let start = Instant::now();
    ///     let mut nap = Box::pin(time::sleep(Duration::from_secs(1)));
    ///     nap.as_mut().reset(start + Duration::from_secs(5));
    ///     nap.await;
    ///     assert_eq!(start.elapsed(), Duration::from_secs(5));
    /// });
    /// ```
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let me = self.project();
        *me.when = When::At(deadline);
        let entry = me.entry.into_ref().get_ref();
        if entry.state() == REGISTERED
            && let Some(handle) = me.handle
            && handle.reset(entry, deadline.into_std())
        {
            return;
        }
        // Not in the wheel (never polled, or already fired): ours alone (protocol E,
        // rule 3); the next poll registers it anew.
        if entry.state() == FIRED {
            entry.set_state(UNREGISTERED);
        }
    }

    /// Polls with `waker`, registering on the first poll that needs it.
    fn poll_elapsed(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let me = self.project();
        let entry = me.entry.into_ref().get_ref();
        match entry.state() {
            FIRED => Poll::Ready(()),
            REGISTERED => {
                let handle = me.handle.as_ref().expect("a registered sleep has a handle");
                handle.poll_registered(entry, cx.waker())
            }
            ERROR => panic!("{SHUT_DOWN}"),
            _ => {
                let handle = me.handle.get_or_insert_with(Handle::current);
                let now = handle.clock().now();
                let deadline = match *me.when {
                    When::At(deadline) => deadline,
                    When::After(delay) => {
                        let deadline = Instant::from_std(now).saturating_add(delay);
                        *me.when = When::At(deadline);
                        deadline
                    }
                };
                if deadline.into_std() <= now {
                    entry.set_state(FIRED);
                    return Poll::Ready(());
                }
                // SAFETY: the entry is pinned inside this pinned `Sleep`, whose
                // `PinnedDrop` deregisters it before its memory goes away (and a
                // leaked `Sleep` never frees it).
                unsafe { handle.register(entry, deadline.into_std(), cx.waker()) }
            }
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(coop::poll_proceed(cx));
        let res = self.poll_elapsed(cx);
        if res.is_ready() {
            coop.made_progress();
        }
        res
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("when", &self.when)
            .field("entry", &self.entry)
            .finish()
    }
}
