//! The per-thread runtime context: which runtime this thread spawns onto, whether
//! it is driving one, and (on scheduler threads) the scheduler's thread-local state.
//!
//! # Invariants
//!
//! 1. `HANDLE` is the runtime that `weft::spawn` on this thread uses; guards restore
//!    the previous value, so entries nest.
//! 2. `ENTERED` is true exactly while this thread is inside a runtime's driving loop
//!    (`block_on`, a worker thread), where blocking the thread would stall tasks; a
//!    second `block_on` there panics instead of deadlocking.
//! 3. `SCHEDULER` points to a `scheduler::Context` that lives on the stack of the
//!    `set_scheduler` call that installed it, and is cleared when that call returns.

use crate::runtime::scheduler;
use std::cell::{Cell, RefCell};
use std::ptr;

thread_local! {
    static HANDLE: RefCell<Option<scheduler::Handle>> = const { RefCell::new(None) };
    static ENTERED: Cell<bool> = const { Cell::new(false) };
    static SCHEDULER: Cell<*const scheduler::Context> = const { Cell::new(ptr::null()) };
}

/// Restores the previous current handle (and reactor) when dropped.
pub(crate) struct HandleGuard {
    prev: Option<scheduler::Handle>,
    _reactor: weft_io::reactor::EnterGuard,
}

/// Makes `handle` the current runtime of this thread, and its reactor the current
/// reactor of `weft-io`, until the guard drops.
pub(crate) fn enter_handle(handle: scheduler::Handle) -> HandleGuard {
    let reactor = handle.driver_handle().io.enter();
    let prev = HANDLE.with(|h| h.borrow_mut().replace(handle));
    HandleGuard {
        prev,
        _reactor: reactor,
    }
}

impl Drop for HandleGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = HANDLE.try_with(|h| *h.borrow_mut() = prev);
    }
}

/// Marks the thread as driving a runtime (and makes it current) until dropped.
pub(crate) struct EnteredGuard {
    _handle: HandleGuard,
}

/// Enters `handle` for driving it.
///
/// # Panics
///
/// If this thread already drives a runtime (invariant 2).
#[track_caller]
pub(crate) fn enter_runtime(handle: scheduler::Handle) -> EnteredGuard {
    if ENTERED.with(|e| e.replace(true)) {
        panic!(
            "cannot start a weft runtime from inside a runtime: `block_on` was called \
             on a thread that is already running weft tasks, which would block them. \
             Use `.await` instead, or run the blocking code with \
             `weft::task::spawn_blocking`"
        );
    }
    EnteredGuard {
        _handle: enter_handle(handle),
    }
}

impl Drop for EnteredGuard {
    fn drop(&mut self) {
        let _ = ENTERED.try_with(|e| e.set(false));
    }
}

/// Runs `f` with this thread marked as not driving a runtime (inside
/// `block_in_place`, where blocking, even `Handle::block_on`, is allowed).
pub(crate) fn exit_runtime<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            let was = self.0;
            let _ = ENTERED.try_with(|e| e.set(was));
        }
    }
    let was = ENTERED.with(|e| e.replace(false));
    let _reset = Reset(was);
    f()
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

/// Runs `f` with the current runtime handle, if any.
pub(crate) fn with_current<R>(f: impl FnOnce(&scheduler::Handle) -> R) -> Option<R> {
    HANDLE
        .try_with(|h| h.borrow().as_ref().map(f))
        .ok()
        .flatten()
}

/// The message for using the runtime where there is none.
pub(crate) const NO_RUNTIME: &str = "no weft runtime is running here: call this from inside \
     `#[weft::main]`, `Runtime::block_on` or a spawned task (or enter one with \
     `Handle::enter`)";

/// Installs `cx` as this thread's scheduler context while `f` runs (invariant 3).
pub(crate) fn set_scheduler<R>(cx: &scheduler::Context, f: impl FnOnce() -> R) -> R {
    struct Reset(*const scheduler::Context);
    impl Drop for Reset {
        fn drop(&mut self) {
            let prev = self.0;
            let _ = SCHEDULER.try_with(|s| s.set(prev));
        }
    }
    let prev = SCHEDULER.with(|s| s.replace(cx));
    let _reset = Reset(prev);
    f()
}

/// Runs `f` with this thread's scheduler context, if any.
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&scheduler::Context>) -> R) -> R {
    let ptr = SCHEDULER.try_with(|s| s.get()).unwrap_or(ptr::null());
    // SAFETY: invariant 3: a non-null pointer is to a context still alive on this
    // thread's stack, and it is only used through `&`.
    f(unsafe { ptr.as_ref() })
}
