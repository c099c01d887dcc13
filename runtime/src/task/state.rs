//! The task's atomic state word: a reference count and seven lifecycle bits.
//!
//! ```text
//!  63 ............. 7   6              5          4             3          2         1         0
//! [ reference count  | OUTPUT_TAKEN | JOIN_WAKER | JOIN_INTEREST | CANCELLED | NOTIFIED | COMPLETE | RUNNING ]
//! ```
//!
//! Every transition is a single compare-and-swap (or one RMW) on this word, so the
//! bits and the count always move together. Each transition returns a `#[must_use]`
//! value telling the caller which duty it now holds (poll, schedule, drop the output,
//! free the memory), so no duty can be silently forgotten.
//!
//! # Invariants
//!
//! 1. `RUNNING` is held by exactly one party, who alone may touch the task's stage
//!    (the future or its output) until it clears the bit or sets `COMPLETE`.
//! 2. Once `COMPLETE` is set it is never cleared, and `RUNNING` is clear.
//! 3. `NOTIFIED` is set while a `Notified` handle for the task exists (sitting in a run
//!    queue), and that handle owns one reference. A task is never in two queues.
//! 4. The reference count counts every `Task`, `Notified`, `JoinHandle`, `AbortHandle`
//!    and `Waker`; the memory is freed by whoever takes it to zero.
//! 5. The join waker slot belongs to the `JoinHandle` while `JOIN_WAKER` is clear and
//!    `COMPLETE` is clear; to the task while `JOIN_WAKER` is set (see `task/mod.rs`,
//!    protocol J).
//! 6. The stage (an untagged union, `task/core.rs`) holds the future while `COMPLETE`
//!    is clear; once it is set, the output until someone with the join interest drops
//!    it or the join handle moves it out, which sets `OUTPUT_TAKEN`.

use crate::loom::atomic::{AtomicUsize, Ordering::*};
use std::fmt;

/// Set while some thread is polling the future or dropping it; excludes a second poller.
pub(super) const RUNNING: usize = 0b00_0001;
/// Set once the stage holds the output (or the cancellation error); never cleared.
pub(super) const COMPLETE: usize = 0b00_0010;
/// Set while the task sits in a run queue, or was woken while running.
pub(super) const NOTIFIED: usize = 0b00_0100;
/// Set when the task has been asked to stop; the next poller drops the future instead.
pub(super) const CANCELLED: usize = 0b00_1000;
/// Set while a `JoinHandle` exists that may still read the output.
pub(super) const JOIN_INTEREST: usize = 0b01_0000;
/// Set while the join waker slot holds a waker the task must use (protocol J).
pub(super) const JOIN_WAKER: usize = 0b10_0000;
/// Set when the join handle has moved the output out: the stage is empty, and a
/// dropping handle must not drop the output again.
pub(super) const OUTPUT_TAKEN: usize = 0b100_0000;

/// Both lifecycle bits: a task that has either is not idle.
const LIFECYCLE_MASK: usize = RUNNING | COMPLETE;
/// All flag bits; the rest of the word is the reference count.
const FLAG_MASK: usize =
    LIFECYCLE_MASK | NOTIFIED | CANCELLED | JOIN_INTEREST | JOIN_WAKER | OUTPUT_TAKEN;
/// Number of bits below the reference count.
const REF_SHIFT: u32 = FLAG_MASK.count_ones();
/// One reference.
pub(super) const REF_ONE: usize = 1 << REF_SHIFT;

/// A new task: three references (the owner list's, the first `Notified`'s and the
/// `JoinHandle`'s), notified so it runs, and joinable.
const INITIAL: usize = (REF_ONE * 3) | JOIN_INTEREST | NOTIFIED;

/// The atomic word.
pub(super) struct State {
    val: AtomicUsize,
}

/// A copy of the word, decoded on demand.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(super) struct Snapshot(usize);

/// What the caller of [`State::transition_to_running`] must do next.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TransitionToRunning {
    /// The caller now holds `RUNNING` and must poll the future.
    Success,
    /// The caller holds `RUNNING` but the task was cancelled: drop the future.
    Cancelled,
    /// Someone else runs it or it is done; the caller's reference was released.
    Failed,
    /// As `Failed`, and that was the last reference: free the task.
    Dealloc,
}

/// What the poller must do after the future returned `Pending`.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TransitionToIdle {
    /// Idle now; the poller's reference was released.
    Ok,
    /// Woken during the poll: the poller's reference becomes a new `Notified` to
    /// schedule.
    OkNotified,
    /// As `Ok`, and that was the last reference.
    OkDealloc,
    /// Cancelled during the poll: the poller keeps `RUNNING` and drops the future.
    Cancelled,
}

/// What a waker must do after a wake.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TransitionToNotified {
    /// Nothing: it is running (and will reschedule itself), queued, or done.
    DoNothing,
    /// The caller owns a reference for a new `Notified` and must schedule it.
    Submit,
    /// The caller released the last reference: free the task.
    Dealloc,
}

/// What the dropper of a `JoinHandle` must do.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) struct JoinHandleDropped {
    /// The task is complete and nobody else will read the output: drop it.
    pub(super) drop_output: bool,
    /// The join waker slot is the dropper's: clear it.
    pub(super) drop_waker: bool,
}

impl State {
    /// The state of a freshly spawned task.
    pub(super) fn new() -> State {
        State {
            val: AtomicUsize::new(INITIAL),
        }
    }

    pub(super) fn load(&self) -> Snapshot {
        Snapshot(self.val.load(Acquire))
    }

    /// Runs `f` in a CAS loop; `f` returns the next word and a result, or `None` to
    /// leave the word alone.
    fn fetch_update<T>(&self, mut f: impl FnMut(Snapshot) -> (Option<Snapshot>, T)) -> T {
        let mut curr = self.load();
        loop {
            let (next, res) = f(curr);
            let Some(next) = next else { return res };
            match self
                .val
                .compare_exchange_weak(curr.0, next.0, AcqRel, Acquire)
            {
                Ok(_) => return res,
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }

    /// Claims the task for a poll. Consumes the caller's (`Notified`'s) reference
    /// only when the claim fails.
    pub(super) fn transition_to_running(&self) -> TransitionToRunning {
        self.fetch_update(|curr| {
            debug_assert!(curr.is_notified(), "polling a task that was not notified");
            let mut next = curr;
            if curr.0 & LIFECYCLE_MASK != 0 {
                // Someone else holds it, or it is done: give back our reference.
                next.ref_dec();
                let action = if next.ref_count() == 0 {
                    TransitionToRunning::Dealloc
                } else {
                    TransitionToRunning::Failed
                };
                return (Some(next), action);
            }
            next.0 |= RUNNING;
            next.0 &= !NOTIFIED;
            let action = if curr.is_cancelled() {
                TransitionToRunning::Cancelled
            } else {
                TransitionToRunning::Success
            };
            (Some(next), action)
        })
    }

    /// Gives up `RUNNING` after a `Pending` poll.
    pub(super) fn transition_to_idle(&self) -> TransitionToIdle {
        self.fetch_update(|curr| {
            debug_assert!(curr.is_running());
            if curr.is_cancelled() {
                return (None, TransitionToIdle::Cancelled);
            }
            let mut next = curr;
            next.0 &= !RUNNING;
            let action = if next.is_notified() {
                // Keep our reference: it becomes the new `Notified`.
                TransitionToIdle::OkNotified
            } else {
                next.ref_dec();
                if next.ref_count() == 0 {
                    TransitionToIdle::OkDealloc
                } else {
                    TransitionToIdle::Ok
                }
            };
            (Some(next), action)
        })
    }

    /// Marks the output stored: clears `RUNNING`, sets `COMPLETE`. One RMW, so the
    /// returned snapshot is exactly the word the join handle will see.
    pub(super) fn transition_to_complete(&self) -> Snapshot {
        const DELTA: usize = RUNNING | COMPLETE;
        let prev = Snapshot(self.val.fetch_xor(DELTA, AcqRel));
        debug_assert!(prev.is_running() && !prev.is_complete());
        Snapshot(prev.0 ^ DELTA)
    }

    /// Drops `count` references after completion; true if the task must be freed.
    pub(super) fn transition_to_terminal(&self, count: usize) -> bool {
        let prev = Snapshot(self.val.fetch_sub(count * REF_ONE, AcqRel));
        assert!(
            prev.ref_count() >= count,
            "task reference count underflow: {prev:?}, dropping {count}"
        );
        prev.ref_count() == count
    }

    /// A wake that consumes the waker's reference.
    pub(super) fn transition_to_notified_by_val(&self) -> TransitionToNotified {
        self.fetch_update(|curr| {
            let mut next = curr;
            let action = if curr.is_running() {
                // The poller reschedules it (transition_to_idle sees NOTIFIED).
                next.0 |= NOTIFIED;
                next.ref_dec();
                debug_assert!(next.ref_count() > 0);
                TransitionToNotified::DoNothing
            } else if curr.is_complete() || curr.is_notified() {
                next.ref_dec();
                if next.ref_count() == 0 {
                    TransitionToNotified::Dealloc
                } else {
                    TransitionToNotified::DoNothing
                }
            } else {
                // Our reference moves into the new `Notified`.
                next.0 |= NOTIFIED;
                TransitionToNotified::Submit
            };
            (Some(next), action)
        })
    }

    /// A wake that borrows the waker.
    pub(super) fn transition_to_notified_by_ref(&self) -> TransitionToNotified {
        self.fetch_update(|curr| {
            if curr.is_complete() || curr.is_notified() {
                (None, TransitionToNotified::DoNothing)
            } else if curr.is_running() {
                (
                    Some(Snapshot(curr.0 | NOTIFIED)),
                    TransitionToNotified::DoNothing,
                )
            } else {
                let mut next = Snapshot(curr.0 | NOTIFIED);
                next.ref_inc();
                (Some(next), TransitionToNotified::Submit)
            }
        })
    }

    /// A remote abort: sets `CANCELLED`, and if the task is idle also notifies it so
    /// that its own scheduler drops the future (on the right thread).
    pub(super) fn transition_to_notified_and_cancel(&self) -> bool {
        self.fetch_update(|curr| {
            if curr.is_cancelled() || curr.is_complete() {
                (None, false)
            } else if curr.is_running() || curr.is_notified() {
                // The current poller or the queued run will see CANCELLED.
                (Some(Snapshot(curr.0 | CANCELLED | NOTIFIED)), false)
            } else {
                let mut next = Snapshot(curr.0 | CANCELLED | NOTIFIED);
                next.ref_inc();
                (Some(next), true)
            }
        })
    }

    /// Shutdown: sets `CANCELLED`, and claims `RUNNING` if the task is idle. Returns
    /// true if the caller now holds `RUNNING` and must cancel the task itself.
    pub(super) fn transition_to_shutdown(&self) -> bool {
        self.fetch_update(|curr| {
            let mut next = Snapshot(curr.0 | CANCELLED);
            let claimed = curr.0 & LIFECYCLE_MASK == 0;
            if claimed {
                next.0 |= RUNNING;
            }
            (Some(next), claimed)
        })
    }

    /// Drops the join handle's interest (protocol J, step 4).
    pub(super) fn transition_to_join_handle_dropped(&self) -> JoinHandleDropped {
        self.fetch_update(|curr| {
            debug_assert!(curr.is_join_interested());
            let mut next = Snapshot(curr.0 & !JOIN_INTEREST);
            if !curr.is_complete() {
                // Take the slot back so the task never wakes a dropped handle's waker.
                next.0 &= !JOIN_WAKER;
            }
            let res = JoinHandleDropped {
                drop_output: curr.is_complete() && !curr.is_output_taken(),
                drop_waker: !next.is_join_waker_set(),
            };
            (Some(next), res)
        })
    }

    /// Publishes a join waker (protocol J, step 1). Fails if the task completed.
    pub(super) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|curr| {
            debug_assert!(curr.is_join_interested() && !curr.is_join_waker_set());
            if curr.is_complete() {
                return (None, Err(curr));
            }
            let next = Snapshot(curr.0 | JOIN_WAKER);
            (Some(next), Ok(next))
        })
    }

    /// Takes the join waker slot back to replace the waker (protocol J, step 2).
    pub(super) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|curr| {
            debug_assert!(curr.is_join_interested() && curr.is_join_waker_set());
            if curr.is_complete() {
                return (None, Err(curr));
            }
            let next = Snapshot(curr.0 & !JOIN_WAKER);
            (Some(next), Ok(next))
        })
    }

    /// The task gives the join waker slot back after waking it (protocol J, step 3).
    pub(super) fn unset_join_waker_after_complete(&self) -> Snapshot {
        let prev = Snapshot(self.val.fetch_and(!JOIN_WAKER, AcqRel));
        debug_assert!(prev.is_complete() && prev.is_join_waker_set());
        Snapshot(prev.0 & !JOIN_WAKER)
    }

    /// The join handle moved the output out (state invariant 6). Returns the word
    /// before, so a second read is caught.
    pub(super) fn set_output_taken(&self) -> Snapshot {
        let prev = Snapshot(self.val.fetch_or(OUTPUT_TAKEN, AcqRel));
        debug_assert!(prev.is_complete() && prev.is_join_interested());
        prev
    }

    pub(super) fn ref_inc(&self) {
        // Relaxed suffices: a new reference is made from an existing one, which keeps
        // the task alive meanwhile (the same argument as `Arc::clone`).
        let prev = self.val.fetch_add(REF_ONE, Relaxed);
        if prev > isize::MAX as usize {
            std::process::abort();
        }
    }

    /// Releases one reference; true if it was the last.
    pub(super) fn ref_dec(&self) -> bool {
        let prev = Snapshot(self.val.fetch_sub(REF_ONE, AcqRel));
        assert!(prev.ref_count() >= 1, "task reference count underflow");
        prev.ref_count() == 1
    }
}

impl Snapshot {
    pub(super) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub(super) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub(super) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }
    pub(super) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }
    pub(super) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    pub(super) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    pub(super) fn is_output_taken(self) -> bool {
        self.0 & OUTPUT_TAKEN != 0
    }
    pub(super) fn ref_count(self) -> usize {
        self.0 >> REF_SHIFT
    }
    fn ref_inc(&mut self) {
        self.0 += REF_ONE;
    }
    fn ref_dec(&mut self) {
        debug_assert!(self.ref_count() > 0);
        self.0 -= REF_ONE;
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut flags = f.debug_struct("State");
        for (bit, name) in [
            (RUNNING, "RUNNING"),
            (COMPLETE, "COMPLETE"),
            (NOTIFIED, "NOTIFIED"),
            (CANCELLED, "CANCELLED"),
            (JOIN_INTEREST, "JOIN_INTEREST"),
            (JOIN_WAKER, "JOIN_WAKER"),
            (OUTPUT_TAKEN, "OUTPUT_TAKEN"),
        ] {
            if self.0 & bit != 0 {
                flags.field(name, &true);
            }
        }
        flags.field("refs", &self.ref_count()).finish()
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.load().fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn fresh_task_runs_then_idles() {
        let s = State::new();
        assert_eq!(s.load().ref_count(), 3);
        assert_eq!(s.transition_to_running(), TransitionToRunning::Success);
        assert_eq!(s.transition_to_idle(), TransitionToIdle::Ok);
        let snap = s.load();
        assert!(!snap.is_running() && !snap.is_notified());
        assert_eq!(snap.ref_count(), 2);
    }

    #[test]
    fn wake_while_running_reschedules_after_poll() {
        let s = State::new();
        let _ = s.transition_to_running();
        assert_eq!(
            s.transition_to_notified_by_ref(),
            TransitionToNotified::DoNothing
        );
        assert_eq!(s.transition_to_idle(), TransitionToIdle::OkNotified);
        assert!(s.load().is_notified());
    }

    #[test]
    fn abort_idle_task_asks_for_a_schedule() {
        let s = State::new();
        let _ = s.transition_to_running();
        let _ = s.transition_to_idle();
        assert!(s.transition_to_notified_and_cancel());
        assert_eq!(s.transition_to_running(), TransitionToRunning::Cancelled);
    }

    #[test]
    fn join_handle_drop_after_complete_drops_output() {
        let s = State::new();
        let _ = s.transition_to_running();
        let snap = s.transition_to_complete();
        assert!(snap.is_complete() && snap.is_join_interested());
        let d = s.transition_to_join_handle_dropped();
        assert!(d.drop_output && d.drop_waker);
    }

    #[test]
    fn join_handle_drop_after_reading_leaves_the_output_alone() {
        let s = State::new();
        let _ = s.transition_to_running();
        let _ = s.transition_to_complete();
        assert!(!s.set_output_taken().is_output_taken());
        assert!(s.load().is_output_taken());
        let d = s.transition_to_join_handle_dropped();
        assert!(!d.drop_output && d.drop_waker);
    }

    #[test]
    fn debug_names_flags() {
        let s = State::new();
        assert_eq!(
            format!("{s:?}"),
            "State { NOTIFIED: true, JOIN_INTEREST: true, refs: 3 }"
        );
    }
}
