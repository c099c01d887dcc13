//! A counter that tasks bump without blocking and a plain thread can wait on.
//!
//! Invariant: [`Counter::wait_for`] returns only once the count has reached its
//! target, and it never misses the bump that reaches it: the waiter publishes its
//! target and re-checks the count under the lock, and a bumper that sees the count
//! reach the published target notifies under the same lock. Bumps that do not reach
//! the target touch only the atomic, so counting costs the measured tasks almost
//! nothing.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Condvar, Mutex};

/// Counts events from any thread; [`wait_for`](Counter::wait_for) blocks a thread
/// until a given count is reached. Used to wait for "all tasks polled" or "all tasks
/// done" without sleeping and without being a task of the runtime under test.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use weft_benches::Counter;
///
/// let counter = Arc::new(Counter::new());
/// let workers: Vec<_> = (0..4)
///     .map(|_| {
///         let c = Arc::clone(&counter);
///         std::thread::spawn(move || (0..250).for_each(|_| c.bump()))
///     })
///     .collect();
/// counter.wait_for(1000);
/// assert_eq!(counter.get(), 1000);
/// workers.into_iter().for_each(|w| w.join().unwrap());
/// ```
#[derive(Debug, Default)]
pub struct Counter {
    count: AtomicUsize,
    /// The count a waiter is blocked for; `usize::MAX` when nobody waits.
    target: AtomicUsize,
    lock: Mutex<()>,
    reached: Condvar,
}

impl Counter {
    /// A counter at zero with no waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_benches::Counter::new().get(), 0);
    /// ```
    pub fn new() -> Counter {
        Counter {
            count: AtomicUsize::new(0),
            target: AtomicUsize::new(usize::MAX),
            lock: Mutex::new(()),
            reached: Condvar::new(),
        }
    }

    /// Adds one; wakes the waiter if this bump reaches its target.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = weft_benches::Counter::new();
    /// c.bump();
    /// assert_eq!(c.get(), 1);
    /// ```
    pub fn bump(&self) {
        let now = self.count.fetch_add(1, SeqCst) + 1;
        if now == self.target.load(SeqCst) {
            let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
            self.reached.notify_all();
        }
    }

    /// The current count.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_benches::Counter::new().get(), 0);
    /// ```
    pub fn get(&self) -> usize {
        self.count.load(SeqCst)
    }

    /// Blocks this thread until the count is at least `target`. One waiter at a
    /// time; never call it from a task of the runtime being measured.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = weft_benches::Counter::new();
    /// c.bump();
    /// c.wait_for(1); // already reached: returns at once
    /// ```
    pub fn wait_for(&self, target: usize) {
        let mut guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.target.store(target, SeqCst);
        while self.count.load(SeqCst) < target {
            guard = self.reached.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
        self.target.store(usize::MAX, SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn successive_targets_from_racing_threads() {
        let rounds = if cfg!(miri) { 3 } else { 200 };
        let counter = Arc::new(Counter::new());
        for round in 1..=rounds {
            let c = Arc::clone(&counter);
            let bumper = std::thread::spawn(move || {
                c.bump();
                c.bump();
            });
            counter.wait_for(2 * round);
            assert!(counter.get() >= 2 * round);
            bumper.join().unwrap();
        }
    }
}
