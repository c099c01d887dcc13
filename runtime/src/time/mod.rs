//! Time: sleeping, timeouts (asyncio's `wait_for`), intervals, and a paused test clock.
//!
//! # How it fits together
//!
//! - `wheel.rs`: a hierarchical timing wheel, 6 levels × 64 slots of 1 ms ticks
//!   (2.2 years of reach), O(1) insert and cancel, intrusive doubly linked slot lists.
//! - `entry.rs`: the timer node embedded in each `Sleep`, and protocol E, which says
//!   who may touch it when.
//! - `handle.rs`: the wheel behind one lock, plus the clock; what futures call, and
//!   the batch firing (wakers are woken 32 at a time with the lock released).
//! - `driver.rs`: the time half of the runtime's driver: parks until the next timer,
//!   fires due timers, and jumps a paused clock when the runtime is idle.
//! - `clock.rs`: the real or paused clock, and `pause`/`resume`/`advance`.
//! - `sleep.rs`, `timeout.rs`, `interval.rs`, `instant.rs`, `error.rs`: the public
//!   futures and types.
//!
//! # Decisions
//!
//! - **Lazy registration.** A `Sleep` is linked into the wheel on the first poll that
//!   finds its deadline ahead, not when created; `timeout` polls its inner future
//!   before even reading the clock. A timeout around a ready future therefore costs a
//!   poll and nothing else: no clock read, no runtime lookup, no lock.
//! - **One wheel per runtime, under a mutex, owned by the driver** rather than one
//!   wheel per worker. A per-worker wheel needs a cross-thread path anyway (a `Sleep`
//!   polled on one worker and dropped on another, or a task that migrates), and the
//!   worker that parks in the driver would have to sleep on the earliest deadline of
//!   *all* wheels. The lock is held for a few pointer writes per operation, and
//!   wakers are never called under it. Measured on the 2-core development machine
//!   (shared with other jobs, so noisy; release build, public API, three rounds):
//!   each of 2 tasks creates, polls once and drops 1 000 000 `timeout(1s, pending)`
//!   (one register and one cancel each). On one 2-worker runtime sharing the wheel:
//!   165–236 ns per operation per task; on two current-thread runtimes on two
//!   threads, one wheel each (the best per-worker wheels could do): 142–181 ns; one
//!   thread alone: 87–124 ns. Contention costs at most about a third on this pure
//!   timer churn, where nothing else runs between lock acquisitions; real tasks
//!   dilute it. Not worth the cross-wheel machinery, so the wheel is global; revisit
//!   if the benches say otherwise. (Same run: `timeout(1s, ready)` awaited costs
//!   10–14 ns, with no lock taken.)
//! - **Deadlines round up to the next millisecond**, so a timer never fires early;
//!   the driver sleeps until the start of the earliest occupied slot and fires or
//!   re-files what is there.
//! - **The paused clock** is for current-thread runtimes only (`Builder::start_paused`,
//!   `#[weft::test(start_paused = true)]`, `pause`): there, "every task is waiting" is
//!   visible to the one thread that parks, which then jumps the clock to the next
//!   timer. Pausing rounds the clock up to a whole millisecond after the wheel's
//!   origin, so sleeps of whole milliseconds end exactly on ticks and the jumps are
//!   exact. Known gap: a `spawn_blocking` job in progress does not hold the clock
//!   back.
//! - **Use outside a runtime panics** with a message saying what to do; a timer whose
//!   runtime has shut down panics when polled, saying so.

mod clock;
mod driver;
mod entry;
pub mod error;
mod handle;
mod instant;
mod interval;
mod sleep;
mod timeout;
mod wheel;

#[cfg(all(test, not(loom)))]
mod tests;

#[cfg(all(test, loom))]
mod loom_tests;

pub(crate) use self::clock::Clock;
pub(crate) use self::driver::Driver;
pub(crate) use self::handle::Handle;

pub use self::clock::{advance, pause, resume};
pub use self::instant::Instant;
pub use self::interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use self::sleep::{Sleep, sleep, sleep_until};
pub use self::timeout::{Timeout, timeout, timeout_at};
pub use std::time::Duration;
