//! [`WeftExecutor`]: `hyper::rt::Executor` over `weft::spawn`.
//!
//! Invariant: every future handed to `execute` becomes its own weft task on the
//! current runtime, detached (hyper keeps no join handle), so it runs on whichever
//! worker is free and a panic in it ends only that task.

use std::future::Future;

/// Runs the futures hyper gives it as weft tasks. hyper's HTTP/2 connections and
/// its client use an executor for their per-stream work; the `hyper-server`
/// example also spawns each connection through it.
///
/// # Panics
///
/// `execute` panics outside a weft runtime, as `weft::spawn` does.
///
/// ```
/// use hyper::rt::Executor;
/// use weft_examples::hyper_rt::WeftExecutor;
///
/// weft::run(async {
///     let (tx, rx) = weft::sync::oneshot::channel();
///     WeftExecutor.execute(async move {
///         tx.send(6 * 7).unwrap();
///     });
///     assert_eq!(rx.await.unwrap(), 42);
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct WeftExecutor;

impl<F> hyper::rt::Executor<F> for WeftExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, fut: F) {
        // Detached on purpose: dropping a weft `JoinHandle` lets the task run on.
        drop(weft::spawn(fut));
    }
}
