//! The one allocation that holds a task: header, core (scheduler + stage), trailer.
//!
//! ```text
//! Cell<F, S> (#[repr(C)], one heap block)
//! ├── Header   state word, vtable, owner-list links, id        ← wakers point here
//! ├── Core     scheduler handle S, stage: future | output | consumed
//! └── Trailer  join waker slot, spawn location, optional name
//! ```
//!
//! The header comes first so a `NonNull<Header>` is also a pointer to the whole cell;
//! code that does not know `F` reaches the rest through the vtable's functions.
//!
//! # Who may touch which field
//!
//! - `Header::state`: anyone, atomically.
//! - `Header::owned`: only the owner list, under the lock of the task's shard.
//! - `Core::stage`: only the holder of `RUNNING` (state invariant 1), or after
//!   `COMPLETE` the holder of `JOIN_INTEREST` (to take the output), or the last
//!   reference (to drop it).
//! - `Trailer::waker`: as state invariant 5 says (protocol J in `task/mod.rs`).
//! - Everything else is immutable after spawn.

use super::error::JoinError;
use super::id::Id;
use super::raw::Vtable;
use super::state::State;
use crate::loom::UnsafeCell;
use std::future::Future;
use std::panic::Location;
use std::ptr::NonNull;
use std::task::Waker;

/// The part of a task every handle can read without knowing the future's type.
#[repr(C)]
pub(crate) struct Header {
    pub(super) state: State,
    pub(super) vtable: &'static Vtable,
    /// Links of the owner list (`task/list.rs`); guarded by its shard lock.
    pub(super) owned: UnsafeCell<Links>,
    pub(super) id: Id,
}

/// Intrusive doubly linked list links.
#[derive(Default)]
pub(crate) struct Links {
    pub(super) prev: Option<NonNull<Header>>,
    pub(super) next: Option<NonNull<Header>>,
}

/// What the task holds at each point of its life.
pub(super) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

/// The scheduler and the stage.
#[repr(C)]
pub(super) struct Core<F: Future, S> {
    pub(super) scheduler: S,
    pub(super) stage: UnsafeCell<Stage<F>>,
}

/// Cold fields: read on join, on completion and for diagnostics.
#[repr(C)]
pub(crate) struct Trailer {
    pub(super) waker: UnsafeCell<Option<Waker>>,
    pub(super) location: &'static Location<'static>,
    /// Boxed so unnamed tasks pay one word for it.
    pub(super) name: Option<Box<TaskName>>,
}

/// A task's name, boxed to keep the trailer small.
pub(crate) struct TaskName(pub(crate) Box<str>);

/// The whole allocation.
#[repr(C)]
pub(super) struct Cell<F: Future, S> {
    pub(super) header: Header,
    pub(super) core: Core<F, S>,
    pub(super) trailer: Trailer,
}

impl<F: Future, S> Cell<F, S> {
    pub(super) fn new(
        future: F,
        scheduler: S,
        id: Id,
        location: &'static Location<'static>,
        name: Option<Box<str>>,
        vtable: &'static Vtable,
    ) -> Box<Self> {
        Box::new(Cell {
            header: Header {
                state: State::new(),
                vtable,
                owned: UnsafeCell::new(Links::default()),
                id,
            },
            core: Core {
                scheduler,
                stage: UnsafeCell::new(Stage::Running(future)),
            },
            trailer: Trailer {
                waker: UnsafeCell::new(None),
                location,
                name: name.map(|n| Box::new(TaskName(n))),
            },
        })
    }
}

impl Trailer {
    /// # Safety
    ///
    /// The caller owns the waker slot (state invariant 5).
    pub(super) unsafe fn set_waker(&self, waker: Option<Waker>) {
        // SAFETY: the caller owns the slot, so no other access is concurrent.
        self.waker.with_mut(|slot| unsafe { *slot = waker });
    }

    /// # Safety
    ///
    /// The caller owns the waker slot, or holds `JOIN_WAKER` access read-only.
    pub(super) unsafe fn will_wake(&self, waker: &Waker) -> bool {
        // SAFETY: per the caller's contract nobody writes the slot meanwhile.
        self.waker
            .with(|slot| unsafe { (*slot).as_ref() }.is_some_and(|w| w.will_wake(waker)))
    }

    /// # Safety
    ///
    /// The caller is the task, after `COMPLETE`, with `JOIN_WAKER` set (protocol J).
    pub(super) unsafe fn wake_join(&self) {
        // SAFETY: with JOIN_WAKER set the handle does not touch the slot.
        self.waker.with(|slot| match unsafe { &*slot } {
            Some(waker) => waker.wake_by_ref(),
            None => panic!("join waker flag set without a waker"),
        });
    }

    pub(crate) fn name(&self) -> Option<&str> {
        self.name.as_deref().map(|n| &*n.0)
    }
}
