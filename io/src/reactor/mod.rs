//! The reactor: a [`Driver`] around `mio::Poll` that a scheduler parks and unparks,
//! the [`Handle`] through which resources register, and [`PollEvented`], the
//! readiness wrapper every socket is built on.
//!
//! # How readiness reaches a task
//!
//! 1. A resource registers its mio source: `Registrations` hands it a slab slot and a
//!    token packing the slot index with a fresh generation (`token.rs`); the slot
//!    holds an `Arc<ScheduledIo>` shared with the resource.
//! 2. The thread that parks the [`Driver`] sleeps in `mio::Poll::poll` (edge-triggered
//!    epoll). On return it bumps its tick and hands the events to
//!    `Registrations::dispatch`, which finds each slot under one lock, drops events
//!    whose generation is stale, ORs the readiness bits and tick into the slot's
//!    readiness word (`state.rs`), and moves the satisfied wakers into a `WakeBatch`.
//! 3. After the locks are released the batch wakes the tasks; their next poll sees
//!    the bits and retries the operation.
//! 4. An operation that hits `WouldBlock` clears its direction's bits, but only if the
//!    tick is unchanged, so an edge delivered during the attempt is never lost.
//! 5. Dropping a resource deregisters it from mio and frees its slot; dropping the
//!    driver fails every pending wait with [`RuntimeGone`].
//!
//! Lock order: the registrations mutex, then a `ScheduledIo`'s waiters mutex; no
//! waker is called while either is held.
//!
//! Architecture Invariant: nothing here knows the scheduler. Blocking work (host-name
//! lookups) goes through the spawner the runtime installs with
//! [`Handle::set_blocking_spawner`].

pub(crate) mod blocking;
mod direction;
mod driver;
mod error;
mod handle;
mod poll_evented;
mod registration;
mod registrations;
mod scheduled_io;
mod state;
mod token;
mod wake_batch;

pub use direction::Direction;
pub use driver::Driver;
pub use error::RuntimeGone;
pub use handle::{BlockingSpawner, EnterGuard, Handle};
pub use poll_evented::PollEvented;
