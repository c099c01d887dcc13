//! Tasks: spawning, joining, cancelling, and the cooperative budget.
//!
//! # How a task is built
//!
//! A task is one heap allocation (`core.rs`): a header with the atomic state word
//! (`state.rs`), the scheduler handle, the future (later its output), and a trailer
//! with the join waker. Every handle to it — `Task` (held by the owner list),
//! `Notified` (sitting in a run queue), `JoinHandle`, `AbortHandle`, each `Waker` —
//! is a pointer to the header plus one reference count. Code that does not know the
//! future's type calls through the vtable (`raw.rs`) into `harness.rs`.
//!
//! # The life of a task
//!
//! 1. `new_task` allocates it with three references (owner list, first `Notified`,
//!    `JoinHandle`) and `NOTIFIED | JOIN_INTEREST`.
//! 2. The scheduler binds it to its `OwnedTasks` list (`list.rs`) and queues the
//!    `Notified`.
//! 3. A worker pops the `Notified` and calls `run`: `RUNNING` is claimed, the future
//!    polled. On `Pending` the task goes idle; its wakers hold it alive. A wake sets
//!    `NOTIFIED` and hands a reference to the scheduler as a new `Notified` — unless
//!    the task is running, in which case the poller reschedules it when it finishes.
//! 4. On `Ready` (or a caught panic, or cancellation) the output is stored, the owner
//!    list gives back its reference (so the task stops counting as alive before anyone
//!    can see its output), `COMPLETE` is set and the join handle woken.
//! 5. The last reference to go frees the allocation.
//!
//! # Protocol J: the join waker hand-off
//!
//! The join waker slot in the trailer is owned by one side at a time, decided by the
//! `JOIN_WAKER` bit together with `COMPLETE`:
//!
//! 1. The `JoinHandle`, seeing `JOIN_WAKER` clear and `COMPLETE` clear, writes its
//!    waker and then sets `JOIN_WAKER` with a CAS that fails if `COMPLETE` was set
//!    meanwhile (it then clears the slot itself and reads the output).
//! 2. To replace a stored waker, the handle first clears `JOIN_WAKER` (a CAS that
//!    fails if `COMPLETE` is set), and goes on as in step 1.
//! 3. On completion, a task that sees `JOIN_WAKER` set wakes the waker, then clears
//!    the bit. If `JOIN_INTEREST` was gone by then, it also drops the waker.
//! 4. A dropped `JoinHandle` clears `JOIN_INTEREST`, and also `JOIN_WAKER` if the task
//!    is not complete (taking the slot back); it drops the waker when the slot is
//!    its own, and the output when the task was complete.
//!
//! # Cancellation
//!
//! `abort` sets `CANCELLED` and, if the task is idle, schedules it, so the future is
//! always dropped by the task's own scheduler (for `!Send` futures, on their thread).
//! Shutdown claims idle tasks directly (`transition_to_shutdown`); a task running
//! elsewhere notices `CANCELLED` when its poll ends.
//!
//! # Safety
//!
//! The `// SAFETY:` comments in this module cite the numbered invariants of
//! `state.rs` ("state invariant N") and `list.rs`, and the steps of protocol J.

mod core;
mod error;
mod harness;
mod id;
mod join;
mod list;
mod origin;
mod raw;
mod state;
mod waker;

mod block_in_place;
mod builder;
mod join_set;
pub(crate) mod local;
mod spawn;
mod task_group;
mod yield_now;

#[cfg(test)]
mod loom_models;
#[cfg(test)]
pub(crate) mod test_util;

pub use self::block_in_place::block_in_place;
pub use self::builder::Builder;
pub use self::error::JoinError;
pub use self::id::{Id, id, try_id};
pub use self::join::{AbortHandle, JoinHandle};
pub use self::join_set::JoinSet;
pub use self::local::{LocalSet, spawn_local};
pub use self::spawn::{spawn, spawn_blocking};
pub use self::task_group::{Failure, TaskGroup, TaskGroupError};
pub use self::yield_now::yield_now;
pub use weft_io::coop;

pub(crate) use self::list::OwnedTasks;

use self::raw::RawTask;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;

/// What a scheduler provides to the tasks it runs.
pub(crate) trait Schedule: Sized + 'static {
    /// Removes the task from the owner list, returning the list's reference (or
    /// `None` if shutdown already took it out).
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>>;

    /// Queues a task that was woken.
    fn schedule(&self, task: Notified<Self>);

    /// Queues a task that woke itself while running (it yielded): behind the others.
    fn yield_now(&self, task: Notified<Self>) {
        self.schedule(task);
    }

    /// A task panicked and nobody will observe it.
    fn unhandled_panic(&self, report: &PanicReport<'_>) {
        report.print();
    }
}

/// A panic that no join handle will observe.
pub(crate) struct PanicReport<'a> {
    pub(crate) id: Id,
    pub(crate) name: Option<&'a str>,
    pub(crate) location: &'static Location<'static>,
    pub(crate) error: &'a JoinError,
}

impl PanicReport<'_> {
    /// Reports on stderr; a detached task's panic is never silent.
    pub(crate) fn print(&self) {
        eprintln!("weft: {self}");
    }
}

impl fmt::Display for PanicReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "detached task {}", self.id)?;
        if let Some(name) = self.name {
            write!(f, " ({name:?})")?;
        }
        write!(f, " spawned at {} panicked", self.location)?;
        if let Some(msg) = self.error.panic_message() {
            write!(f, " with message {msg:?}")?;
        }
        write!(
            f,
            "; nobody holds its JoinHandle, so the panic is reported here"
        )
    }
}

/// A task reference held by the owner list.
pub(crate) struct Task<S: 'static> {
    raw: RawTask,
    _scheduler: PhantomData<S>,
}

// SAFETY: a `Task` is a counted pointer whose shared state is arbitrated by the atomic
// state word; schedulers keep `!Send` futures on their own thread (see `local.rs`).
unsafe impl<S> Send for Task<S> {}
// SAFETY: as for `Send`.
unsafe impl<S> Sync for Task<S> {}

/// A task that was woken and waits in a run queue; owns one reference.
pub(crate) struct Notified<S: 'static>(Task<S>);

impl<S: 'static> Task<S> {
    fn from_raw(raw: RawTask) -> Task<S> {
        Task {
            raw,
            _scheduler: PhantomData,
        }
    }

    /// The task's id.
    pub(crate) fn id(&self) -> Id {
        self.raw.id()
    }

    /// Cancels the task if it is idle (see "Cancellation"), giving up this reference.
    pub(crate) fn shutdown(self) {
        let raw = self.raw;
        std::mem::forget(self);
        // SAFETY: we owned this reference and hand it over.
        unsafe { raw.shutdown() }
    }
}

impl<S: 'static> Drop for Task<S> {
    fn drop(&mut self) {
        // SAFETY: a `Task` owns one reference.
        unsafe { self.raw.drop_reference() }
    }
}

impl<S: 'static> Notified<S> {
    /// Polls the task once, consuming this notification.
    pub(crate) fn run(self) {
        let raw = self.0.raw;
        std::mem::forget(self);
        // SAFETY: the `Notified`'s reference passes to the poll (state invariant 3).
        unsafe { raw.poll() }
    }

    /// The task's id.
    pub(crate) fn id(&self) -> Id {
        self.0.id()
    }

    /// Cancels a task that was queued but will never run (its queue is going away).
    pub(crate) fn shutdown(self) {
        self.0.shutdown();
    }

    /// The raw pointer, for queues that store tasks untyped.
    pub(crate) fn into_raw(self) -> NotifiedRaw {
        let raw = self.0.raw;
        std::mem::forget(self);
        NotifiedRaw(raw)
    }

    /// # Safety
    ///
    /// `raw` came from `into_raw` of a `Notified<S>` with this same `S`.
    pub(crate) unsafe fn from_raw(raw: NotifiedRaw) -> Notified<S> {
        Notified(Task::from_raw(raw.0))
    }
}

/// An untyped `Notified` for fixed-size queue slots; leaks its reference if dropped,
/// so every queue converts it back before dropping.
#[derive(Clone, Copy)]
pub(crate) struct NotifiedRaw(RawTask);

impl<S: 'static> fmt::Debug for Notified<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified").field("id", &self.id()).finish()
    }
}

/// Spawn-time metadata kept for diagnostics.
pub(crate) struct Meta {
    pub(crate) id: Id,
    pub(crate) name: Option<Box<str>>,
    pub(crate) location: &'static Location<'static>,
}

impl Meta {
    #[track_caller]
    pub(crate) fn new(name: Option<Box<str>>) -> Meta {
        Meta {
            id: Id::next(),
            name,
            location: Location::caller(),
        }
    }
}

/// Allocates a task: the owner list's `Task`, the first `Notified`, the `JoinHandle`.
pub(crate) fn new_task<F, S>(
    future: F,
    scheduler: S,
    meta: Meta,
) -> (Task<S>, Notified<S>, JoinHandle<F::Output>)
where
    F: Future + 'static,
    S: Schedule,
{
    let cell = self::core::Cell::new(
        future,
        scheduler,
        meta.id,
        self::origin::Origin::new(meta.location, meta.name),
        harness::vtable::<F, S>(),
    );
    // SAFETY: `Box::into_raw` never returns null.
    let ptr = unsafe { std::ptr::NonNull::new_unchecked(Box::into_raw(cell)) };
    let raw = RawTask::from_header(ptr.cast());
    // The three handles take the three initial references (state.rs, `INITIAL`).
    let task = Task::from_raw(raw);
    let notified = Notified(Task::from_raw(raw));
    // SAFETY: the output type is `F::Output`, and this is the only join handle.
    let join = unsafe { JoinHandle::new(raw) };
    (task, notified, join)
}
