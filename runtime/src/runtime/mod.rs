//! The runtime: builder, handle, schedulers, driver, blocking pool and the
//! per-thread context.
//!
//! `Runtime` owns the threads; `Handle` is a cheap reference to the scheduler that
//! spawns onto it from anywhere. `scheduler/` holds the two schedulers,
//! `driver.rs` what idle workers sleep in, `blocking.rs` the blocking pool.

pub(crate) mod blocking;
mod builder;
pub(crate) mod config;
pub(crate) mod context;
pub(crate) mod driver;
mod handle;
pub(crate) mod park;
mod rt;
pub(crate) mod scheduler;

pub use self::builder::Builder;
pub use self::config::UnhandledPanic;
pub use self::handle::{EnterGuard, Handle, TryCurrentError};
pub use self::rt::Runtime;
