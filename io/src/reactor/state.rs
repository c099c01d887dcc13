//! The readiness word of one registration: readiness bits, the driver tick that last
//! set them, and the shutdown flag, in one `AtomicUsize`.
//!
//! Layout (low to high): five readiness bits, [`SHUTDOWN`], then the tick in every
//! bit from 16 up (48 bits on 64-bit targets). The tick wraps, and rule 2 below would
//! mistake a tick that came round again for the one it read; with 48 bits that needs
//! 2^48 parks between an operation's look and its clear, which cannot happen (a
//! 16-bit tick could wrap while a preempted thread sits in one system call and
//! another worker polls the reactor in a busy loop).
//!
//! # Protocol
//!
//! 1. Only the driver sets readiness bits, and each time it also stores the tick of
//!    the park that observed them ([`State::set_ready`]).
//! 2. An operation that hits `WouldBlock` clears the bits of its direction only if the
//!    tick is still the one it read before trying ([`State::clear`]). A readiness
//!    event that the driver delivered in between carries a newer tick, so the clear
//!    is skipped and that event is not lost.
//! 3. Closed bits are never cleared: end of stream and hang-up are final.
//! 4. [`SHUTDOWN`] is set once, when the driver goes away, and never cleared.
//! 5. A read or write that moved some but fewer bytes than asked proves the kernel
//!    buffer drained (or filled), so it clears its direction like a `WouldBlock`,
//!    under the same tick check ([`State::clear_after_short`]). It does so only when
//!    the event it acted on was plain readiness: with [`ERROR`] or a closed bit set,
//!    the next call must still reach the kernel, which reports the error or end of
//!    stream once the data is consumed, and no further edge would announce it.

use std::fmt;

use super::Direction;
use crate::loom::atomic::{AtomicUsize, Ordering};

/// Set by the driver when the source has bytes to read (or a connection to accept).
pub(crate) const READABLE: usize = 1 << 0;
/// Set by the driver when the source has room to write (or a connect finished).
pub(crate) const WRITABLE: usize = 1 << 1;
/// Set when the peer closed its write side: reads now return end of stream.
pub(crate) const READ_CLOSED: usize = 1 << 2;
/// Set when the source can no longer be written (peer gone, hang-up).
pub(crate) const WRITE_CLOSED: usize = 1 << 3;
/// Set when the source reported an error; both directions wake to discover it.
pub(crate) const ERROR: usize = 1 << 4;
/// Every readiness bit.
pub(crate) const READY_MASK: usize = READABLE | WRITABLE | READ_CLOSED | WRITE_CLOSED | ERROR;
/// Set when the driver was dropped: waiters complete with an error instead of hanging.
pub(crate) const SHUTDOWN: usize = 1 << 5;

const TICK_SHIFT: u32 = 16;
const TICK_MASK: usize = usize::MAX << TICK_SHIFT;

/// Readiness bits that let an operation in `dir` try again.
pub(crate) fn wakes(dir: Direction) -> usize {
    match dir {
        Direction::Read => READABLE | READ_CLOSED | ERROR,
        Direction::Write => WRITABLE | WRITE_CLOSED | ERROR,
    }
}

/// Readiness bits that a `WouldBlock` in `dir` proves stale (protocol rule 3).
fn clears(dir: Direction) -> usize {
    match dir {
        Direction::Read => READABLE | ERROR,
        Direction::Write => WRITABLE | ERROR,
    }
}

/// Readiness observed for one direction, tagged with the tick that produced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReadyEvent {
    /// The readiness bits (of any direction) that were set.
    pub(crate) ready: usize,
    /// The driver tick that set them (truncated to the word's tick bits).
    pub(crate) tick: usize,
}

/// What a load of the word means for one direction.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub(crate) enum Observed {
    /// The direction is ready: try the operation.
    Ready(ReadyEvent),
    /// The driver is gone; nothing will ever become ready again.
    Shutdown,
    /// Not ready: register a waker and wait.
    NotReady,
}

/// The atomic readiness word.
pub(crate) struct State(AtomicUsize);

impl State {
    pub(crate) fn new() -> State {
        State(AtomicUsize::new(0))
    }

    /// Reads the word and interprets it for `dir`.
    pub(crate) fn observe(&self, dir: Direction) -> Observed {
        // Acquire: pairs with the driver's release in `set_ready`, so whatever the
        // kernel delivered before the event is visible to the operation we try next.
        let word = self.0.load(Ordering::Acquire);
        if word & wakes(dir) != 0 {
            Observed::Ready(ReadyEvent {
                ready: word & READY_MASK,
                tick: tick_of(word),
            })
        } else if word & SHUTDOWN != 0 {
            Observed::Shutdown
        } else {
            Observed::NotReady
        }
    }

    /// Adds `ready` to the word and stamps it with `tick` (protocol rule 1).
    pub(crate) fn set_ready(&self, ready: usize, tick: usize) {
        // The tick's top bits fall off: ticks compare modulo the bits the word has.
        let stamped = tick << TICK_SHIFT;
        // The closure never fails; `fetch_update` retries if the word moved.
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
                Some((word & !TICK_MASK) | stamped | (ready & READY_MASK))
            });
    }

    /// Clears `dir`'s readiness if nothing newer than `event` arrived (rule 2).
    pub(crate) fn clear(&self, event: ReadyEvent, dir: Direction) {
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
                // A newer event landed since the operation looked: keep it.
                (tick_of(word) == event.tick).then_some(word & !clears(dir))
            });
    }

    /// Clears `dir`'s readiness after a transfer that moved fewer bytes than asked
    /// (rule 5); a no-op if a newer event arrived or `event` carried more than plain
    /// readiness.
    pub(crate) fn clear_after_short(&self, event: ReadyEvent, dir: Direction) {
        if event.ready & !(READABLE | WRITABLE) == 0 {
            self.clear(event, dir);
        }
    }

    /// Marks the driver gone (rule 4).
    pub(crate) fn set_shutdown(&self) {
        self.0.fetch_or(SHUTDOWN, Ordering::AcqRel);
    }
}

fn tick_of(word: usize) -> usize {
    word >> TICK_SHIFT
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = self.0.load(Ordering::Relaxed);
        let mut flags = f.debug_list();
        for (bit, name) in [
            (READABLE, "READABLE"),
            (WRITABLE, "WRITABLE"),
            (READ_CLOSED, "READ_CLOSED"),
            (WRITE_CLOSED, "WRITE_CLOSED"),
            (ERROR, "ERROR"),
            (SHUTDOWN, "SHUTDOWN"),
        ] {
            if word & bit != 0 {
                flags.entry(&name);
            }
        }
        flags.entry(&format_args!("tick={}", tick_of(word)));
        flags.finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn ready(state: &State, dir: Direction) -> ReadyEvent {
        match state.observe(dir) {
            Observed::Ready(ev) => ev,
            other => panic!("expected ready, got {other:?}"),
        }
    }

    #[test]
    fn clear_after_would_block_forgets_readiness() {
        let state = State::new();
        state.set_ready(READABLE | WRITABLE, 1);
        let ev = ready(&state, Direction::Read);
        state.clear(ev, Direction::Read);
        assert_eq!(state.observe(Direction::Read), Observed::NotReady);
        // The other direction is untouched.
        ready(&state, Direction::Write);
    }

    #[test]
    fn event_between_observe_and_clear_is_kept() {
        let state = State::new();
        state.set_ready(READABLE, 1);
        let stale = ready(&state, Direction::Read);
        state.set_ready(READABLE, 2);
        state.clear(stale, Direction::Read);
        assert_eq!(ready(&state, Direction::Read).tick, 2);
    }

    #[test]
    fn short_transfer_clears_plain_readiness_only() {
        let state = State::new();
        state.set_ready(READABLE | WRITABLE, 1);
        let ev = ready(&state, Direction::Write);
        state.clear_after_short(ev, Direction::Write);
        assert_eq!(state.observe(Direction::Write), Observed::NotReady);
        ready(&state, Direction::Read);

        // An error or a hang-up must still reach the next call: it is not cleared.
        for bits in [READABLE | ERROR, READABLE | READ_CLOSED] {
            let state = State::new();
            state.set_ready(bits, 1);
            let ev = ready(&state, Direction::Read);
            state.clear_after_short(ev, Direction::Read);
            ready(&state, Direction::Read);
        }

        // A newer event wins, as after `WouldBlock`.
        let state = State::new();
        state.set_ready(READABLE, 1);
        let stale = ready(&state, Direction::Read);
        state.set_ready(READABLE, 2);
        state.clear_after_short(stale, Direction::Read);
        assert_eq!(ready(&state, Direction::Read).tick, 2);
    }

    /// A tick that a 16-bit field would have wrapped onto the stale one still
    /// counts as newer.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn tick_does_not_wrap_at_16_bits() {
        let state = State::new();
        state.set_ready(READABLE, 7);
        let stale = ready(&state, Direction::Read);
        state.set_ready(READABLE, 7 + (1 << 16));
        state.clear(stale, Direction::Read);
        assert_eq!(ready(&state, Direction::Read).tick, 7 + (1 << 16));
    }

    #[test]
    fn closed_is_final_and_shutdown_reported() {
        let state = State::new();
        state.set_ready(READ_CLOSED, 1);
        let ev = ready(&state, Direction::Read);
        state.clear(ev, Direction::Read);
        ready(&state, Direction::Read);
        assert_eq!(state.observe(Direction::Write), Observed::NotReady);
        state.set_shutdown();
        assert_eq!(state.observe(Direction::Write), Observed::Shutdown);
        assert!(format!("{state:?}").contains("SHUTDOWN"));
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::Arc;

    /// The driver delivers a new event while an operation clears after `WouldBlock`:
    /// whatever the interleaving, the new readiness survives.
    #[test]
    fn concurrent_set_and_clear_never_loses_the_new_event() {
        loom::model(|| {
            let state = Arc::new(State::new());
            state.set_ready(READABLE, 1);
            let Observed::Ready(ev) = state.observe(Direction::Read) else {
                panic!("ready was set")
            };
            let driver = {
                let state = state.clone();
                loom::thread::spawn(move || state.set_ready(READABLE, 2))
            };
            state.clear(ev, Direction::Read);
            driver.join().unwrap();
            assert!(matches!(state.observe(Direction::Read), Observed::Ready(_)));
        });
    }

    /// The same race for the clear after a short write, with the driver also
    /// reporting an error: the error survives any interleaving.
    #[test]
    fn concurrent_error_and_short_clear_never_loses_the_error() {
        loom::model(|| {
            let state = Arc::new(State::new());
            state.set_ready(WRITABLE, 1);
            let Observed::Ready(ev) = state.observe(Direction::Write) else {
                panic!("ready was set")
            };
            let driver = {
                let state = state.clone();
                loom::thread::spawn(move || state.set_ready(WRITABLE | ERROR, 2))
            };
            state.clear_after_short(ev, Direction::Write);
            driver.join().unwrap();
            assert!(matches!(
                state.observe(Direction::Write),
                Observed::Ready(ReadyEvent { ready, .. }) if ready & ERROR != 0
            ));
        });
    }
}
