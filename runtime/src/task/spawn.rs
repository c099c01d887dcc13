//! `spawn` and `spawn_blocking`: start work on whatever runtime is current.

use super::{JoinHandle, Meta};
use crate::runtime::context;
use std::future::Future;

/// Starts `future` as a new task on the current runtime and returns a handle to
/// its output. The task starts running at once, whether or not the handle is
/// awaited; dropping the handle detaches it.
///
/// Library code can call it without knowing which runtime (or flavour) runs it.
///
/// # Panics
///
/// Outside a runtime, with a message saying how to get one.
///
/// ```
/// # weft::run(async {
/// let handles: Vec<_> = (0..10).map(|i| weft::spawn(async move { i * 2 })).collect();
/// let mut sum = 0;
/// for h in handles {
///     sum += h.await.unwrap();
/// }
/// assert_eq!(sum, 90);
/// # });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let meta = Meta::new(None);
    match context::with_current(|handle| handle.spawn(future, meta)) {
        Some(join) => join,
        None => panic!("`weft::spawn`: {}", context::NO_RUNTIME),
    }
}

/// Runs the blocking closure `f` on the runtime's blocking pool (asyncio's
/// `to_thread`), returning a handle to its result.
///
/// Use it for file I/O, CPU-heavy work or blocking libraries, which would
/// otherwise stall a worker and every task queued on it.
///
/// # Panics
///
/// Outside a runtime.
///
/// ```
/// # weft::run(async {
/// let len = weft::spawn_blocking(|| std::fs::read_dir(".").unwrap().count()).await.unwrap();
/// assert!(len > 0);
/// # });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let meta = Meta::new(None);
    match context::with_current(|handle| handle.blocking_spawner().spawn_blocking(f, meta)) {
        Some(join) => join,
        None => panic!("`weft::spawn_blocking`: {}", context::NO_RUNTIME),
    }
}
