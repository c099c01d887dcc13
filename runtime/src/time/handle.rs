//! `time::Handle`: the shared side of the time driver — the wheel under its lock, the
//! clock, and the operations timer futures call (register, re-poll, reset, cancel),
//! plus firing due timers in batches.
//!
//! # Invariants
//!
//! 1. Every wheel operation happens under `shared`'s lock; entry state transitions
//!    follow protocol E (`entry.rs`).
//! 2. Wakers are never woken, and replaced wakers never dropped, under the lock:
//!    they are collected in a batch of at most [`BATCH`] and woken after the guard is
//!    dropped (a waker is arbitrary code and may take this lock itself).
//! 3. `parked_until` is `Some(tick)` exactly while the driver sleeps (or is about to)
//!    with a deadline of `tick` (`u64::MAX`: none); an insertion before that tick
//!    wakes the driver so it can sleep less.

use super::clock::Clock;
use super::entry::{ERROR, Entry, FIRED, REGISTERED, UNREGISTERED};
use super::wheel::Wheel;
use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::{Arc, Mutex};
use crate::runtime::context;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;
use std::task::{Poll, Waker};
use std::time::Duration;

/// Wakers woken per lock release.
const BATCH: usize = 32;

pub(crate) const NO_RUNTIME: &str = "weft timers need a running weft runtime, and none is \
     running here: create and await sleeps, timeouts and intervals inside `#[weft::main]`, \
     `Runtime::block_on` or a spawned task (or enter a runtime with `Handle::enter`)";

pub(crate) const SHUT_DOWN: &str = "this weft timer's runtime has shut down, so the timer \
     can never fire: keep the `Runtime` alive while its sleeps, timeouts and intervals are \
     in use";

/// A cloneable reference to one runtime's timers.
#[derive(Clone)]
pub(crate) struct Handle {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    clock: Clock,
    /// Tick 0: every deadline is stored as whole milliseconds since this instant.
    origin: std::time::Instant,
    /// Wakes the thread parked in the driver.
    unpark: Waker,
    /// Copy of `Wheel::live`, readable without the lock (for tests and diagnostics).
    live: AtomicUsize,
}

struct Shared {
    wheel: Wheel,
    parked_until: Option<u64>,
    is_shutdown: bool,
}

/// Wakers collected under the lock, woken after it (invariant 2).
struct WakeBatch {
    wakers: [Option<Waker>; BATCH],
    len: usize,
}

impl WakeBatch {
    fn new() -> WakeBatch {
        WakeBatch {
            wakers: [const { None }; BATCH],
            len: 0,
        }
    }

    fn is_full(&self) -> bool {
        self.len == BATCH
    }

    fn push(&mut self, waker: Waker) {
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    /// Wakes every waker; a panicking waker is contained so it cannot stop the
    /// driver (the panic hook has already reported it).
    fn wake_all(&mut self) {
        for slot in &mut self.wakers[..self.len] {
            if let Some(waker) = slot.take() {
                let _ = catch_unwind(AssertUnwindSafe(|| waker.wake()));
            }
        }
        self.len = 0;
    }
}

impl Handle {
    pub(crate) fn new(clock: Clock, unpark: Waker) -> Handle {
        let origin = clock.origin();
        Handle {
            inner: Arc::new(Inner {
                shared: Mutex::new(Shared {
                    wheel: Wheel::new(),
                    parked_until: None,
                    is_shutdown: false,
                }),
                clock,
                origin,
                unpark,
                live: AtomicUsize::new(0),
            }),
        }
    }

    /// The time driver of the runtime this thread is in.
    ///
    /// # Panics
    ///
    /// Outside a runtime, with a message that says what to do.
    #[track_caller]
    pub(crate) fn current() -> Handle {
        match Handle::try_current() {
            Some(h) => h,
            None => panic!("{NO_RUNTIME}"),
        }
    }

    pub(crate) fn try_current() -> Option<Handle> {
        context::with_current(|h| h.driver_handle().time.clone())
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// How many timers are registered in the wheel.
    #[cfg_attr(not(test), allow(dead_code))] // read by tests and `Debug` output
    pub(crate) fn live_entries(&self) -> usize {
        self.inner.live.load(Ordering::Relaxed)
    }

    /// The tick a deadline falls due at: rounded up, so a timer never fires early.
    fn tick_for(&self, deadline: std::time::Instant) -> u64 {
        let since = deadline.saturating_duration_since(self.inner.origin);
        let ms = since.as_millis() + u128::from(since.subsec_nanos() % 1_000_000 != 0);
        u64::try_from(ms).unwrap_or(u64::MAX)
    }

    /// The tick it is now: rounded down.
    fn now_tick(&self) -> u64 {
        let since = self
            .inner
            .clock
            .now()
            .saturating_duration_since(self.inner.origin);
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    }

    /// The instant at which `tick` begins.
    pub(crate) fn instant_of(&self, tick: u64) -> std::time::Instant {
        self.inner
            .origin
            .checked_add(Duration::from_millis(tick))
            .unwrap_or_else(|| self.inner.origin + Duration::from_secs(86_400 * 365 * 30))
    }

    /// First registration of `entry` (state `UNREGISTERED`, owned by the caller):
    /// `Ready` if `deadline` has already passed on the wheel, else links it with
    /// `waker` and returns `Pending`.
    ///
    /// # Panics
    ///
    /// If the runtime has shut down.
    ///
    /// # Safety
    ///
    /// `entry` is pinned and is not dropped before it has been deregistered
    /// (`deregister`) or seen `FIRED`/`ERROR` (protocol E).
    #[track_caller]
    pub(crate) unsafe fn register(
        &self,
        entry: &Entry,
        deadline: std::time::Instant,
        waker: &Waker,
    ) -> Poll<()> {
        debug_assert_eq!(entry.state(), UNREGISTERED);
        let tick = self.tick_for(deadline);
        let waker = waker.clone();
        let mut shared = self.inner.shared.lock();
        if shared.is_shutdown {
            drop(shared);
            panic!("{SHUT_DOWN}");
        }
        if tick <= shared.wheel.elapsed() {
            entry.set_state(FIRED);
            return Poll::Ready(());
        }
        // SAFETY: UNREGISTERED: the caller owns the node (protocol E, rule 1).
        unsafe { entry.with_node(|n| n.waker = Some(waker)) };
        // SAFETY: the entry is pinned and stays alive until unlinked (caller's
        // contract), and is linked nowhere (UNREGISTERED).
        unsafe { shared.wheel.insert(NonNull::from(entry), tick) };
        entry.set_state(REGISTERED);
        let unpark = shared.parked_until.is_some_and(|until| tick < until);
        self.inner
            .live
            .store(shared.wheel.live(), Ordering::Relaxed);
        drop(shared);
        if unpark {
            self.inner.unpark.wake_by_ref();
        }
        Poll::Pending
    }

    /// Polls a registered entry again: `Ready` once fired, else keeps `waker` as the
    /// one to wake.
    ///
    /// # Panics
    ///
    /// If the runtime shut down before the entry fired.
    #[track_caller]
    pub(crate) fn poll_registered(&self, entry: &Entry, waker: &Waker) -> Poll<()> {
        let shared = self.inner.shared.lock();
        match entry.state() {
            FIRED => Poll::Ready(()),
            ERROR => {
                drop(shared);
                panic!("{SHUT_DOWN}");
            }
            _ => {
                // SAFETY: REGISTERED and we hold the lock (protocol E, rule 1).
                let stale = unsafe {
                    entry.with_node(|n| match &n.waker {
                        Some(w) if w.will_wake(waker) => None,
                        _ => n.waker.replace(waker.clone()),
                    })
                };
                // Drop the replaced waker only after the lock (invariant 2).
                drop(shared);
                drop(stale);
                Poll::Pending
            }
        }
    }

    /// Unlinks `entry` if it is still registered; afterwards the caller owns it.
    pub(crate) fn deregister(&self, entry: &Entry) {
        let mut shared = self.inner.shared.lock();
        if entry.state() != REGISTERED {
            // Fired (or failed) while we waited for the lock: already unlinked.
            return;
        }
        // SAFETY: REGISTERED under the lock: linked in this wheel and valid.
        unsafe { shared.wheel.remove(NonNull::from(entry)) };
        // SAFETY: unlinked, and we hold the lock (protocol E, rule 1).
        let waker = unsafe { entry.with_node(|n| n.waker.take()) };
        entry.set_state(UNREGISTERED);
        self.inner
            .live
            .store(shared.wheel.live(), Ordering::Relaxed);
        drop(shared);
        drop(waker);
    }

    /// Moves a registered entry to `deadline`, keeping its waker; fires it at once if
    /// that deadline has passed. Returns `false` if the entry was not registered (it
    /// fired meanwhile, say): the caller then re-registers on its next poll.
    pub(crate) fn reset(&self, entry: &Entry, deadline: std::time::Instant) -> bool {
        let tick = self.tick_for(deadline);
        let mut shared = self.inner.shared.lock();
        if entry.state() != REGISTERED {
            return false;
        }
        let ptr = NonNull::from(entry);
        // SAFETY: REGISTERED under the lock: linked here and valid.
        unsafe { shared.wheel.remove(ptr) };
        let mut fired = None;
        let mut unpark = false;
        if tick <= shared.wheel.elapsed() {
            // SAFETY: unlinked, and we hold the lock (protocol E, rule 1).
            fired = unsafe { entry.with_node(|n| n.waker.take()) };
            entry.set_state(FIRED);
        } else {
            // SAFETY: valid and pinned (it was registered), and now linked nowhere.
            unsafe { shared.wheel.insert(ptr, tick) };
            unpark = shared.parked_until.is_some_and(|until| tick < until);
        }
        self.inner
            .live
            .store(shared.wheel.live(), Ordering::Relaxed);
        drop(shared);
        if let Some(waker) = fired {
            waker.wake();
        }
        if unpark {
            self.inner.unpark.wake_by_ref();
        }
        true
    }

    /// The driver is about to sleep: returns the instant the wheel next has work
    /// (`None`: no timers) and records it (invariant 3).
    pub(crate) fn before_park(&self, will_sleep: bool) -> Option<std::time::Instant> {
        let mut shared = self.inner.shared.lock();
        let next = shared.wheel.next_deadline();
        if will_sleep {
            shared.parked_until = Some(next.unwrap_or(u64::MAX));
        }
        drop(shared);
        next.map(|tick| self.instant_of(tick))
    }

    /// Fires every timer due by the clock's current time, waking their tasks in
    /// batches with the lock released; also ends the driver's sleep (invariant 3).
    pub(crate) fn process(&self) {
        self.process_at(self.now_tick());
    }

    /// `process` as if the clock showed tick `now`.
    pub(crate) fn process_at(&self, now: u64) {
        let mut batch = WakeBatch::new();
        let mut shared = self.inner.shared.lock();
        shared.parked_until = None;
        shared.wheel.advance(now);
        loop {
            let done = Self::drain_pending(&mut shared, &mut batch, FIRED);
            self.inner
                .live
                .store(shared.wheel.live(), Ordering::Relaxed);
            drop(shared);
            batch.wake_all();
            if done {
                return;
            }
            shared = self.inner.shared.lock();
        }
    }

    /// Unlinks pending entries into `batch` until it is full (`false`) or the
    /// pending list is empty (`true`), leaving each in `state`.
    fn drain_pending(shared: &mut Shared, batch: &mut WakeBatch, state: u32) -> bool {
        while !batch.is_full() {
            let Some(entry) = shared.wheel.pop_pending() else {
                return true;
            };
            // SAFETY: a linked entry is valid (wheel `# Safety`), and it was just
            // unlinked under the lock we hold, so its node is ours (protocol E).
            let waker = unsafe { entry.as_ref().with_node(|n| n.waker.take()) };
            // SAFETY: valid as above. This store is our last access to the entry
            // (protocol E, rule 2): its owner may free it right after.
            unsafe { entry.as_ref() }.set_state(state);
            if let Some(waker) = waker {
                batch.push(waker);
            }
        }
        false
    }

    /// The runtime is shutting down: no timer will fire any more. Every registered
    /// entry is unlinked in the `ERROR` state and its task woken, and later
    /// registrations panic.
    pub(crate) fn shutdown(&self) {
        let mut batch = WakeBatch::new();
        let mut shared = self.inner.shared.lock();
        shared.is_shutdown = true;
        shared.wheel.take_all();
        loop {
            let done = Self::drain_pending(&mut shared, &mut batch, ERROR);
            self.inner
                .live
                .store(shared.wheel.live(), Ordering::Relaxed);
            drop(shared);
            batch.wake_all();
            if done {
                return;
            }
            shared = self.inner.shared.lock();
        }
    }
}
