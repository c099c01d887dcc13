//! Which workers are parked, and how many are searching for work.
//!
//! `state` packs two counts: workers not parked (`unparked`) and, of those, workers
//! searching other queues (`searching`). At most half the workers search at once,
//! so a burst of wake-ups does not have every worker contend on the same queues.
//!
//! # The no-lost-wake-up rule
//!
//! A notifier pushes its task first, then (after a SeqCst fence) reads `state`: it
//! wakes a parked worker only if nobody is searching and some worker is parked.
//! A worker that stops searching decrements `searching` with a SeqCst RMW and, if it
//! was the last searcher, checks every queue again. In the SeqCst order either the
//! notifier sees `searching == 0` and wakes someone, or the last searcher sees the
//! task. A worker that parks without searching did so because another worker was
//! searching, which brings it back under the rule.

use crate::loom::Mutex;
use crate::loom::atomic::{AtomicUsize, Ordering::SeqCst, fence};

const UNPARK_SHIFT: usize = 16;
const SEARCH_MASK: usize = (1 << UNPARK_SHIFT) - 1;

pub(super) struct Idle {
    state: AtomicUsize,
    num_workers: usize,
    /// Indices of parked workers, most recently parked last.
    sleepers: Mutex<Vec<usize>>,
}

impl Idle {
    pub(super) fn new(num_workers: usize) -> Idle {
        Idle {
            state: AtomicUsize::new(num_workers << UNPARK_SHIFT),
            num_workers,
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
        }
    }

    fn unparked(state: usize) -> usize {
        state >> UNPARK_SHIFT
    }

    fn searching(state: usize) -> usize {
        state & SEARCH_MASK
    }

    /// The worker to wake for new work, already counted as unparked and searching.
    pub(super) fn worker_to_notify(&self) -> Option<usize> {
        if !self.should_notify() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        // Check again under the lock: another notifier may have woken one already.
        if !self.should_notify() {
            return None;
        }
        let index = sleepers.pop()?;
        // One more unparked, one more searching.
        self.state.fetch_add((1 << UNPARK_SHIFT) | 1, SeqCst);
        Some(index)
    }

    fn should_notify(&self) -> bool {
        fence(SeqCst);
        let state = self.state.load(SeqCst);
        Self::searching(state) == 0 && Self::unparked(state) < self.num_workers
    }

    /// Parks `index`; returns true if it was the last searcher (who must re-check
    /// every queue, see the module doc).
    pub(super) fn transition_worker_to_parked(&self, index: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock();
        let dec = (1 << UNPARK_SHIFT) | usize::from(is_searching);
        let prev = self.state.fetch_sub(dec, SeqCst);
        sleepers.push(index);
        is_searching && Self::searching(prev) == 1
    }

    /// Starts searching if fewer than half the workers are; true on success.
    pub(super) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if 2 * Self::searching(state) >= self.num_workers {
            return false;
        }
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// Stops searching; true if this was the last searcher.
    pub(super) fn transition_worker_from_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1, SeqCst);
        debug_assert!(Self::searching(prev) > 0);
        Self::searching(prev) == 1
    }

    /// Called by a worker that woke up: if it is still listed as a sleeper, nobody
    /// woke it on purpose; it removes itself and counts as unparked (not
    /// searching). Returns true if it was woken by a notifier (and so is searching).
    pub(super) fn unpark_worker_by_id(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        if let Some(pos) = sleepers.iter().position(|&i| i == index) {
            sleepers.swap_remove(pos);
            self.state.fetch_add(1 << UNPARK_SHIFT, SeqCst);
            false
        } else {
            true
        }
    }

    /// Whether `index` is parked (listed as a sleeper).
    pub(super) fn is_parked(&self, index: usize) -> bool {
        self.sleepers.lock().contains(&index)
    }
}
