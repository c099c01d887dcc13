//! weft: a work-stealing multi-core async runtime with the concurrency toolbox of
//! Python's asyncio, threading and concurrent.futures.
//!
//! ```
//! #[weft::main]
//! async fn main() {
//!     let handles: Vec<_> = (0..4).map(|i| weft::spawn(async move { i * i })).collect();
//!     let mut total = 0;
//!     for h in handles {
//!         total += h.await.unwrap();
//!     }
//!     assert_eq!(total, 14);
//! }
//! ```
//!
//! See `ARCHITECTURE.md` in the repository for a map of the code.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, unreachable_pub, missing_docs)]

pub mod future;
pub(crate) mod loom;
#[doc(hidden)]
pub mod macros;
pub mod queue;
pub mod runtime;
pub mod stream;
pub mod sync;
pub mod task;
pub mod time;

pub use crate::task::{spawn, spawn_blocking};

/// Async I/O traits, helpers and adapters (from `weft-io`).
pub use weft_io::io;
/// TCP, UDP and Unix sockets (from `weft-io`).
pub use weft_io::net;

/// Runs `future` on a new multi-thread runtime and returns its output, shutting
/// the runtime down afterwards (asyncio's `run`).
///
/// # Panics
///
/// If the runtime cannot start (no threads left), or if called from inside a
/// runtime.
///
/// ```
/// let out = weft::run(async { weft::spawn(async { 1 }).await.unwrap() + 1 });
/// assert_eq!(out, 2);
/// ```
#[track_caller]
pub fn run<F: std::future::Future>(future: F) -> F::Output {
    runtime::Runtime::new()
        .expect("weft::run could not start the runtime: check the process's thread limit")
        .block_on(future)
}

/// Marks `async fn main` as the program's entry point, run on a weft runtime.
///
/// Options: `flavor = "multi_thread" | "current_thread"`, `worker_threads = N`,
/// `max_blocking_threads = N`, `thread_name = "…"`, `thread_stack_size = N`,
/// `global_queue_interval = N`, `event_interval = N`,
/// `unhandled_panic = "report" | "ignore" | "shutdown_runtime"`, `start_paused = bool`,
/// `crate = "path"`.
///
/// ```
/// #[weft::main(flavor = "current_thread")]
/// async fn main() -> Result<(), std::io::Error> {
///     weft::spawn(async {}).await?;
///     Ok(())
/// }
/// ```
pub use weft_macros::main;

/// Marks `async fn` as a test run on a fresh current-thread runtime (options as for
/// [`main`], default flavour `current_thread`).
///
/// ```
/// #[weft::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn adds() {
///     assert_eq!(weft::spawn(async { 1 + 1 }).await.unwrap(), 2);
/// }
/// ```
pub use weft_macros::test;
