//! Task wakers: a `RawWaker` whose data pointer is the task header.
//!
//! Cloning a waker is one reference-count increment; waking by value hands that
//! reference to the scheduler as a `Notified` when the task needs scheduling (state
//! invariant 3), or releases it otherwise. One vtable serves every task: the
//! task's own vtable supplies the typed `schedule`.

use super::core::Header;
use super::raw::RawTask;
use super::state::TransitionToNotified;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake_by_val, wake_by_ref, drop_waker);

/// A waker borrowed for one poll: made without a reference and never dropped.
pub(super) struct WakerRef(ManuallyDrop<Waker>);

impl Deref for WakerRef {
    type Target = Waker;
    fn deref(&self) -> &Waker {
        &self.0
    }
}

/// The waker for one poll of the task at `header`.
pub(super) fn waker_ref(header: NonNull<Header>) -> WakerRef {
    // SAFETY: the vtable functions uphold the `RawWaker` contract for a header
    // pointer; `ManuallyDrop` keeps this borrowed waker from releasing a reference it
    // never took, and `clone` takes a new one.
    WakerRef(ManuallyDrop::new(unsafe {
        Waker::from_raw(RawWaker::new(header.as_ptr().cast(), &VTABLE))
    }))
}

fn raw(ptr: *const ()) -> RawTask {
    // SAFETY: wakers are only built by `waker_ref` and `clone` from a non-null header.
    RawTask::from_header(unsafe { NonNull::new_unchecked(ptr as *mut Header) })
}

unsafe fn clone(ptr: *const ()) -> RawWaker {
    raw(ptr).ref_inc();
    RawWaker::new(ptr, &VTABLE)
}

unsafe fn wake_by_val(ptr: *const ()) {
    let task = raw(ptr);
    match task.header().state.transition_to_notified_by_val() {
        // SAFETY: the waker's reference moved into the new `Notified`.
        TransitionToNotified::Submit => unsafe { task.schedule() },
        // SAFETY: the waker's reference was the last.
        TransitionToNotified::Dealloc => unsafe { task.dealloc() },
        TransitionToNotified::DoNothing => {}
    }
}

unsafe fn wake_by_ref(ptr: *const ()) {
    let task = raw(ptr);
    match task.header().state.transition_to_notified_by_ref() {
        // SAFETY: the transition took a new reference for the `Notified`.
        TransitionToNotified::Submit => unsafe { task.schedule() },
        TransitionToNotified::Dealloc => unreachable!("wake_by_ref never releases"),
        TransitionToNotified::DoNothing => {}
    }
}

unsafe fn drop_waker(ptr: *const ()) {
    // SAFETY: an owned waker holds one reference.
    unsafe { raw(ptr).drop_reference() }
}
