//! The one allocation that holds a task: header, core (scheduler + stage), trailer.
//!
//! ```text
//! Cell<F, S> (#[repr(C)], one heap block)
//! ├── Header   state word, vtable, owner-list links, id        ← wakers point here
//! ├── Core     scheduler handle S, stage: future | output (a union)
//! └── Trailer  join waker slot, origin (spawn location + optional name, one word)
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
//!
//! # Which half of the stage is live
//!
//! The stage is an untagged union, so a task pays no discriminant word; the state word
//! says what it holds (state invariant 6):
//!
//! - not `COMPLETE`: the future. Only a `RUNNING` holder may briefly hold neither
//!   (between dropping the future and storing the output, with `COMPLETE` not yet
//!   set), and it finishes that before letting go of the task.
//! - `COMPLETE`, not `OUTPUT_TAKEN`: the output, unless the completer found no join
//!   interest and dropped it, or the join handle dropped it on its way out.
//! - `COMPLETE` and `OUTPUT_TAKEN`: nothing; the join handle moved the output out.
//!
//! So when the last reference goes, a task that is not `COMPLETE` still holds its
//! future (dropped then), and a `COMPLETE` one holds nothing: the output has been
//! read or dropped by whoever held the join interest when it ended.
//! - `Trailer::waker`: as state invariant 5 says (protocol J in `task/mod.rs`).
//! - Everything else is immutable after spawn.

use super::error::JoinError;
use super::id::Id;
use super::origin::Origin;
use super::raw::Vtable;
use super::state::State;
use crate::loom::UnsafeCell;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

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

/// The future or its output; which one is live is kept in the state word (see
/// "Which half of the stage is live").
pub(super) union Stage<F: Future> {
    future: ManuallyDrop<F>,
    output: ManuallyDrop<Result<F::Output, JoinError>>,
}

/// The scheduler and the stage.
#[repr(C)]
pub(super) struct Core<F: Future, S> {
    pub(super) scheduler: S,
    stage: UnsafeCell<Stage<F>>,
}

/// Cold fields: read on join, on completion and for diagnostics.
#[repr(C)]
pub(crate) struct Trailer {
    pub(super) waker: UnsafeCell<Option<Waker>>,
    pub(super) origin: Origin,
}

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
        origin: Origin,
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
                stage: UnsafeCell::new(Stage {
                    future: ManuallyDrop::new(future),
                }),
            },
            trailer: Trailer {
                waker: UnsafeCell::new(None),
                origin,
            },
        })
    }
}

impl<F: Future, S> Core<F, S> {
    /// Polls the future.
    ///
    /// # Safety
    ///
    /// The caller holds `RUNNING` and the stage holds the future.
    pub(super) unsafe fn poll(&self, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.stage.with_mut(|stage| {
            // SAFETY: RUNNING makes this the only access to the stage (state invariant
            // 1); the future lives in the heap cell and is dropped in place, never
            // moved, so pinning it is sound.
            let future = unsafe { Pin::new_unchecked(&mut *(*stage).future) };
            future.poll(cx)
        })
    }

    /// Drops the future in place; the stage then holds nothing.
    ///
    /// # Safety
    ///
    /// The caller holds `RUNNING`, or the last reference, and the stage holds the
    /// future, which nobody touches again.
    pub(super) unsafe fn drop_future(&self) {
        // SAFETY: exclusive access per the contract, and the future is live.
        self.stage
            .with_mut(|stage| unsafe { ManuallyDrop::drop(&mut (*stage).future) });
    }

    /// Stores the output in an empty stage.
    ///
    /// # Safety
    ///
    /// The caller holds `RUNNING` and the stage holds nothing (the future was dropped).
    pub(super) unsafe fn store_output(&self, output: Result<F::Output, JoinError>) {
        // SAFETY: exclusive access per the contract; overwriting the union drops
        // nothing, which is right for an empty stage.
        self.stage.with_mut(|stage| unsafe {
            (*stage).output = ManuallyDrop::new(output);
        });
    }

    /// Moves the output out; the stage then holds nothing.
    ///
    /// # Safety
    ///
    /// The caller has exclusive access to the output (see "Who may touch which field")
    /// and the stage holds it; nobody reads it again.
    pub(super) unsafe fn take_output(&self) -> Result<F::Output, JoinError> {
        // SAFETY: exclusive access to a live output, per the contract.
        self.stage
            .with_mut(|stage| unsafe { ManuallyDrop::take(&mut (*stage).output) })
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
        self.origin.name()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Parks once; 48 bytes, like an async block holding two references, an index
    /// and a small awaited future.
    struct Parked(#[allow(dead_code)] [usize; 6]);

    impl Future for Parked {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            Poll::Pending
        }
    }

    #[test]
    fn a_small_task_fits_a_128_byte_malloc_chunk() {
        // Header (state, vtable, owner links, id) and trailer (join waker, origin)
        // are fixed; the stage is exactly as large as the larger of future and output.
        assert_eq!(size_of::<Header>(), 40);
        assert_eq!(size_of::<Trailer>(), 24);
        assert_eq!(size_of::<Stage<Parked>>(), size_of::<Parked>());
        // 120 bytes plus malloc's 8-byte chunk header is one 128-byte chunk; the idle
        // memory bench (BENCHMARKS.md) depends on it.
        assert_eq!(size_of::<Cell<Parked, Arc<()>>>(), 120);
    }
}
