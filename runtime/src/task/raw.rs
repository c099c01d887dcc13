//! `RawTask`: an untyped pointer to a task and the vtable that gives it behaviour.
//!
//! Handles that do not know the future's type (wakers, `Notified`, `JoinHandle<T>`,
//! `AbortHandle`) hold a `RawTask` and call through the vtable, whose entries are
//! the monomorphised functions of `task/harness.rs`.
//!
//! `RawTask` is `Copy` and owns nothing: the typed handles around it own the
//! references (state invariant 4).

use super::core::Header;
use super::id::Id;
use std::ptr::NonNull;
use std::task::Waker;

/// The per-(future, scheduler) function table.
pub(crate) struct Vtable {
    /// Polls the task; consumes one reference (the `Notified`'s).
    pub(super) poll: unsafe fn(NonNull<Header>),
    /// Hands one reference, as a `Notified`, to the task's scheduler.
    pub(super) schedule: unsafe fn(NonNull<Header>),
    /// Frees the allocation; called by whoever released the last reference.
    pub(super) dealloc: unsafe fn(NonNull<Header>),
    /// Moves the output to `*dst` (a `Poll<Result<T, JoinError>>`) if complete,
    /// otherwise registers the waker.
    pub(super) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// Drops the join handle's interest and reference.
    pub(super) drop_join_handle: unsafe fn(NonNull<Header>),
    /// Cancels the task if idle; consumes one reference.
    pub(super) shutdown: unsafe fn(NonNull<Header>),
}

/// An untyped task pointer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

// SAFETY: every access to a task's non-atomic fields is arbitrated by its state word
// (see `task/core.rs`, "Who may touch which field"), so the pointer may move between
// threads; `!Send` futures are only polled by their `LocalSet`'s thread, which the
// scheduler, not this type, ensures.
unsafe impl Send for RawTask {}
// SAFETY: as for `Send`: shared access goes through the atomic state word.
unsafe impl Sync for RawTask {}

impl RawTask {
    pub(super) fn from_header(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(super) fn header_ptr(self) -> NonNull<Header> {
        self.ptr
    }

    pub(super) fn header(&self) -> &Header {
        // SAFETY: a `RawTask` is only made from a live task and used while some handle
        // holds a reference, so the header is valid.
        unsafe { self.ptr.as_ref() }
    }

    pub(super) fn id(&self) -> Id {
        self.header().id
    }

    /// # Safety
    ///
    /// The caller gives up one reference that it owns (a `Notified`'s).
    pub(super) unsafe fn poll(self) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.poll)(self.ptr) }
    }

    /// # Safety
    ///
    /// The caller gives up one reference, which becomes the `Notified`'s.
    pub(super) unsafe fn schedule(self) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.schedule)(self.ptr) }
    }

    /// # Safety
    ///
    /// The caller released the last reference.
    pub(super) unsafe fn dealloc(self) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.dealloc)(self.ptr) }
    }

    /// # Safety
    ///
    /// `dst` points to a `Poll<Result<T, JoinError>>` of the task's output type `T`,
    /// and the caller holds `JOIN_INTEREST`.
    pub(super) unsafe fn try_read_output(self, dst: *mut (), waker: &Waker) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.try_read_output)(self.ptr, dst, waker) }
    }

    /// # Safety
    ///
    /// The caller is the join handle and gives up its interest and its reference.
    pub(super) unsafe fn drop_join_handle(self) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.drop_join_handle)(self.ptr) }
    }

    /// # Safety
    ///
    /// The caller gives up one reference it owns.
    pub(super) unsafe fn shutdown(self) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.shutdown)(self.ptr) }
    }

    pub(super) fn ref_inc(self) {
        self.header().state.ref_inc();
    }

    /// # Safety
    ///
    /// The caller gives up one reference it owns.
    pub(super) unsafe fn drop_reference(self) {
        if self.header().state.ref_dec() {
            // SAFETY: that was the last reference.
            unsafe { self.dealloc() }
        }
    }
}
