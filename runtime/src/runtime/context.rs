//! The per-thread runtime context: which runtime (if any) this thread is running.
//!
//! # Invariant
//!
//! `ENTERED` is true exactly while this thread is inside a runtime's driving loop
//! (`block_on`, a worker thread), where blocking the thread would stall tasks.

use std::cell::Cell;

thread_local! {
    static ENTERED: Cell<bool> = const { Cell::new(false) };
}

/// Marks the thread as running a runtime until the guard drops.
#[derive(Debug)]
pub(crate) struct EnteredGuard {
    prev: bool,
}

/// Marks this thread as driving a runtime.
pub(crate) fn enter_runtime() -> EnteredGuard {
    let prev = ENTERED.with(|e| e.replace(true));
    EnteredGuard { prev }
}

impl Drop for EnteredGuard {
    fn drop(&mut self) {
        let prev = self.prev;
        let _ = ENTERED.try_with(|e| e.set(prev));
    }
}

/// Whether this thread is driving a runtime right now.
pub(crate) fn is_entered() -> bool {
    ENTERED.try_with(|e| e.get()).unwrap_or(false)
}

/// Panics with a message saying what to do if this thread is driving a runtime:
/// blocking it there would stall every task it runs, and can deadlock.
#[track_caller]
pub(crate) fn assert_can_block(what: &str) {
    if is_entered() {
        panic!(
            "`{what}` blocks the thread, but this thread is running weft tasks: \
             use the async version, or call it from `weft::task::spawn_blocking`"
        );
    }
}
