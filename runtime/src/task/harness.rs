//! The typed half of a task: the functions behind its vtable, monomorphised per
//! future type `F` and scheduler type `S`.
//!
//! Each function starts from a state transition (`task/state.rs`) and does exactly
//! the duty that transition handed it: poll, cancel, complete, read the output, or
//! free the memory. Panics from user code (the future's `poll`, its `Drop`, the
//! output's `Drop`, a join waker) are caught here so they never unwind into a
//! worker loop.

use super::core::{Cell, Core, Header, Trailer};
use super::error::JoinError;
use super::raw::{RawTask, Vtable};
use super::state::{TransitionToIdle, TransitionToRunning};
use super::{Notified, PanicReport, Schedule, Task, id, waker};
use std::future::Future;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

/// The vtable for tasks of future `F` on scheduler `S`.
pub(super) fn vtable<F: Future, S: Schedule>() -> &'static Vtable {
    &Vtable {
        poll: poll::<F, S>,
        schedule: schedule::<F, S>,
        dealloc: dealloc::<F, S>,
        try_read_output: try_read_output::<F, S>,
        drop_join_handle: drop_join_handle::<F, S>,
        shutdown: shutdown::<F, S>,
    }
}

/// A typed view of a task; owns nothing.
struct Harness<F: Future, S: 'static> {
    cell: NonNull<Cell<F, S>>,
}

impl<F: Future, S: Schedule> Harness<F, S> {
    /// # Safety
    ///
    /// `ptr` points to the header of a live `Cell<F, S>`.
    unsafe fn from_raw(ptr: NonNull<Header>) -> Self {
        Harness { cell: ptr.cast() }
    }

    fn header(&self) -> &Header {
        // SAFETY: `from_raw`'s contract: the cell is alive while a reference is held.
        unsafe { &self.cell.as_ref().header }
    }

    fn core(&self) -> &Core<F, S> {
        // SAFETY: as for `header`.
        unsafe { &self.cell.as_ref().core }
    }

    fn trailer(&self) -> &Trailer {
        // SAFETY: as for `header`.
        unsafe { &self.cell.as_ref().trailer }
    }

    fn raw(&self) -> RawTask {
        RawTask::from_header(self.cell.cast())
    }

    /// Polls the task, consuming the caller's `Notified` reference.
    fn poll(self) {
        match self.header().state.transition_to_running() {
            TransitionToRunning::Success => {
                if self.poll_future().is_ready() {
                    return self.complete();
                }
                match self.header().state.transition_to_idle() {
                    TransitionToIdle::Ok => {}
                    TransitionToIdle::OkNotified => {
                        // The poll's reference becomes the new `Notified`.
                        let task = Notified(Task::from_raw(self.raw()));
                        self.core().scheduler.yield_now(task);
                    }
                    // SAFETY: that was the last reference.
                    TransitionToIdle::OkDealloc => unsafe { self.dealloc() },
                    TransitionToIdle::Cancelled => {
                        self.cancel();
                        self.complete();
                    }
                }
            }
            TransitionToRunning::Cancelled => {
                self.cancel();
                self.complete();
            }
            TransitionToRunning::Failed => {}
            // SAFETY: that was the last reference.
            TransitionToRunning::Dealloc => unsafe { self.dealloc() },
        }
    }

    /// Polls the future once; on `Ready` the future is dropped and the output (or
    /// the panic) stored. Requires `RUNNING`.
    fn poll_future(&self) -> Poll<()> {
        let waker = waker::waker_ref(self.cell.cast());
        let mut cx = Context::from_waker(&waker);
        let _id = id::set_current(self.header().id);
        // Set once the future is being dropped: from then on it is gone, even if its
        // `Drop` panics (drop glue still drops the rest while unwinding).
        let mut dropping = false;
        let res = panic::catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: we hold RUNNING and the task is not complete, so the stage holds
            // the future (state invariant 6).
            let res = unsafe { self.core().poll(&mut cx) };
            if res.is_ready() {
                // Drop the future now, inside the guard, so a panicking `Drop` is
                // reported as this task's panic.
                dropping = true;
                // SAFETY: as above; nothing touches the future again.
                unsafe { self.core().drop_future() };
            }
            res
        }));
        let output = match res {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => Ok(output),
            Err(payload) => {
                if !dropping {
                    // `poll` itself panicked: the future is still there. A second
                    // panic from its `Drop` is dropped; the first one is the story.
                    let _ = self.drop_future_caught();
                }
                Err(JoinError::panic(
                    self.header().id,
                    self.trailer().name(),
                    payload,
                ))
            }
        };
        // SAFETY: RUNNING, and the future was dropped just above.
        unsafe { self.core().store_output(output) };
        Poll::Ready(())
    }

    /// Drops the future in place, catching a panic from its `Drop`. Requires
    /// `RUNNING` on a task that is not complete, whose future nothing touches again.
    fn drop_future_caught(&self) -> std::thread::Result<()> {
        // SAFETY: RUNNING and not complete: the stage holds the future (state
        // invariant 6), and the caller never touches it again.
        panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.core().drop_future() }))
    }

    /// Drops the future and stores the cancellation. Requires `RUNNING` on a task
    /// that is not complete.
    fn cancel(&self) {
        let res = self.drop_future_caught();
        let id = self.header().id;
        let name = self.trailer().name();
        let err = match res {
            Ok(()) => JoinError::cancelled(id, name),
            Err(payload) => JoinError::panic(id, name, payload),
        };
        // SAFETY: RUNNING, and the future was dropped just above.
        unsafe { self.core().store_output(Err(err)) };
    }

    /// Publishes the stored output and gives up the running reference.
    fn complete(self) {
        // Leave the owner list first, while we still hold RUNNING: shutdown cannot
        // cancel a running task anyway, and whoever sees the output afterwards also
        // sees the task no longer counted as alive.
        let me = mem::ManuallyDrop::new(Task::<S>::from_raw(self.raw()));
        let count = match self.core().scheduler.release(&me) {
            Some(list_ref) => {
                // Its reference is released with ours below.
                mem::forget(list_ref);
                2
            }
            None => 1,
        };

        let snapshot = self.header().state.transition_to_complete();
        // A panicking `Drop` of the output or a panicking join waker must not escape.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| {
            if !snapshot.is_join_interested() {
                // Nobody can read the output any more.
                // SAFETY: complete with no join interest: the output is ours alone.
                unsafe { self.drop_output_unobserved() };
            } else if snapshot.is_join_waker_set() {
                // Protocol J, step 3.
                // SAFETY: JOIN_WAKER is set and COMPLETE is set: the slot is ours.
                unsafe { self.trailer().wake_join() };
                let snapshot = self.header().state.unset_join_waker_after_complete();
                if !snapshot.is_join_interested() {
                    // The handle was dropped meanwhile and left the waker to us.
                    // SAFETY: the handle no longer exists; the slot is ours.
                    unsafe { self.trailer().set_waker(None) };
                }
            }
        }));

        if self.header().state.transition_to_terminal(count) {
            // SAFETY: we released the last reference.
            unsafe { self.dealloc() };
        }
    }

    /// Drops a finished output nobody will read, reporting it first if it is a panic.
    ///
    /// # Safety
    ///
    /// The task is complete, the output is still in the stage, and the caller has
    /// exclusive access to it (it holds or just gave up the last join interest).
    unsafe fn drop_output_unobserved(&self) {
        // SAFETY: forwarded contract.
        if let Err(err) = unsafe { self.core().take_output() }
            && err.is_panic()
        {
            self.core().scheduler.unhandled_panic(&PanicReport {
                id: self.header().id,
                name: self.trailer().name(),
                location: self.trailer().origin.location(),
                error: &err,
            });
        }
    }

    /// # Safety
    ///
    /// The caller released the last reference.
    unsafe fn dealloc(self) {
        let complete = self.header().state.load().is_complete();
        // SAFETY: the cell came from `Box::into_raw` in `task::new_task`, and with the
        // count at zero no handle can reach it any more.
        let cell = unsafe { Box::from_raw(self.cell.as_ptr()) };
        if !complete {
            // Freed before it completed: the stage still holds the future (state
            // invariant 6). A complete task's output was already read or dropped.
            // SAFETY: the last reference gives exclusive access, and the future is
            // live. If its `Drop` panics, `cell` is still freed while unwinding.
            unsafe { cell.core.drop_future() };
        }
        drop(cell);
    }

    /// Protocol J, steps 1 and 2: true if the output may be read now.
    fn can_read_output(&self, waker: &Waker) -> bool {
        let state = &self.header().state;
        let trailer = self.trailer();
        let snapshot = state.load();
        if snapshot.is_complete() {
            return true;
        }
        let res = if !snapshot.is_join_waker_set() {
            // SAFETY: JOIN_WAKER clear and not complete: the slot is ours.
            unsafe { set_join_waker(state, trailer, waker.clone()) }
        } else {
            // SAFETY: JOIN_WAKER set: the task only reads the slot, so we may read it.
            if unsafe { trailer.will_wake(waker) } {
                return false;
            }
            state
                .unset_join_waker()
                // SAFETY: we just took the slot back.
                .and_then(|_| unsafe { set_join_waker(state, trailer, waker.clone()) })
        };
        match res {
            Ok(_) => false,
            Err(snapshot) => {
                debug_assert!(snapshot.is_complete());
                true
            }
        }
    }
}

/// # Safety
///
/// The caller owns the join waker slot.
unsafe fn set_join_waker(
    state: &super::state::State,
    trailer: &Trailer,
    waker: Waker,
) -> Result<super::state::Snapshot, super::state::Snapshot> {
    // SAFETY: forwarded contract.
    unsafe { trailer.set_waker(Some(waker)) };
    let res = state.set_join_waker();
    if res.is_err() {
        // The task completed first; the slot stays ours, so clear it.
        // SAFETY: forwarded contract; the failed CAS left JOIN_WAKER clear.
        unsafe { trailer.set_waker(None) };
    }
    res
}

unsafe fn poll<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable is only reachable from a `Cell<F, S>`.
    unsafe { Harness::<F, S>::from_raw(ptr) }.poll();
}

unsafe fn schedule<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: as for `poll`.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    let task = Notified(Task::from_raw(harness.raw()));
    harness.core().scheduler.schedule(task);
}

unsafe fn dealloc<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: as for `poll`; the caller released the last reference.
    unsafe { Harness::<F, S>::from_raw(ptr).dealloc() }
}

unsafe fn try_read_output<F: Future, S: Schedule>(
    ptr: NonNull<Header>,
    dst: *mut (),
    waker: &Waker,
) {
    // SAFETY: as for `poll`.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    if harness.can_read_output(waker) {
        if harness.header().state.set_output_taken().is_output_taken() {
            panic!("JoinHandle polled after it returned its output");
        }
        // SAFETY: complete, we hold JOIN_INTEREST, and we just claimed the output
        // (state invariant 6).
        let output = unsafe { harness.core().take_output() };
        // SAFETY: the caller's contract says `dst` has this exact type.
        unsafe { *dst.cast::<Poll<Result<F::Output, JoinError>>>() = Poll::Ready(output) };
    }
}

unsafe fn drop_join_handle<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: as for `poll`.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    let dropped = harness.header().state.transition_to_join_handle_dropped();
    if dropped.drop_output {
        // Complete and we held JOIN_INTEREST: the output is ours to drop.
        // SAFETY: complete, not taken, and the interest we just gave up was the only
        // claim on it.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| unsafe {
            harness.drop_output_unobserved()
        }));
    }
    if dropped.drop_waker {
        // SAFETY: the transition says the slot is ours.
        unsafe { harness.trailer().set_waker(None) };
    }
    // SAFETY: the join handle owned this reference.
    unsafe { harness.raw().drop_reference() };
}

unsafe fn shutdown<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: as for `poll`.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    if harness.header().state.transition_to_shutdown() {
        // We hold RUNNING now; our reference plays the part of the poller's.
        harness.cancel();
        harness.complete();
    } else {
        // Running elsewhere (its poller will see CANCELLED) or already complete.
        // SAFETY: the caller gave us this reference.
        unsafe { harness.raw().drop_reference() };
    }
}
