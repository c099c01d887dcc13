//! Helpers shared by the `sync_*` and `queue_*` integration tests: running one test
//! body on every scheduler flavour, learning (by an event, never by sleeping) that a
//! future has started waiting, running a driver as a task, scaling loop counts under
//! Miri, and a small seeded random source.
//!
//! Invariant kept: nothing here waits on time. "Has started waiting" is observed as
//! "the future's first poll returned `Pending`", which for every weft primitive means
//! it is linked in its wait list.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use weft::runtime::{Builder, Runtime};
use weft::sync::oneshot;

/// The scheduler flavours every runtime-level sync test runs on.
///
/// ```
/// use weft_tests::sync_support::Flavour;
/// let rt = Flavour::TwoWorkers.runtime();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// `Builder::new_current_thread()`: every task on the `block_on` thread.
    CurrentThread,
    /// `Builder::new_multi_thread().worker_threads(1)`.
    OneWorker,
    /// `Builder::new_multi_thread().worker_threads(2)`: real parallelism here.
    TwoWorkers,
}

impl Flavour {
    /// Every flavour, the single-threaded one first.
    pub const ALL: [Flavour; 3] = [
        Flavour::CurrentThread,
        Flavour::OneWorker,
        Flavour::TwoWorkers,
    ];

    /// Builds a fresh runtime of this flavour.
    ///
    /// ```
    /// use weft_tests::sync_support::Flavour;
    /// for flavour in Flavour::ALL {
    ///     flavour.runtime().block_on(async {});
    /// }
    /// ```
    pub fn runtime(self) -> Runtime {
        let mut builder = match self {
            Flavour::CurrentThread => Builder::new_current_thread(),
            Flavour::OneWorker => {
                let mut b = Builder::new_multi_thread();
                b.worker_threads(1);
                b
            }
            Flavour::TwoWorkers => {
                let mut b = Builder::new_multi_thread();
                b.worker_threads(2);
                b
            }
        };
        builder
            .build()
            .unwrap_or_else(|e| panic!("cannot build a {self:?} runtime: {e}"))
    }

    /// Whether tasks of this flavour can run in parallel with each other.
    ///
    /// ```
    /// use weft_tests::sync_support::Flavour;
    /// assert!(Flavour::TwoWorkers.is_parallel());
    /// assert!(!Flavour::OneWorker.is_parallel());
    /// ```
    pub fn is_parallel(self) -> bool {
        self == Flavour::TwoWorkers
    }
}

/// Runs `body` to completion once on a fresh runtime of every flavour (in
/// [`Flavour::ALL`] order), handing it the flavour so it can say which one failed.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// let runs = AtomicUsize::new(0);
/// weft_tests::sync_support::on_every_flavour(|_flavour| async {
///     runs.fetch_add(1, Ordering::Relaxed);
/// });
/// assert_eq!(runs.into_inner(), 3);
/// ```
pub fn on_every_flavour<F, Fut>(body: F)
where
    F: Fn(Flavour) -> Fut,
    Fut: Future<Output = ()>,
{
    for flavour in Flavour::ALL {
        flavour.runtime().block_on(body(flavour));
    }
}

/// Wraps `future` so that `started` is sent the moment its first poll returns
/// `Pending` (it is then queued in its primitive's wait list), or dropped unsent if it
/// completes at once — so the receiver sees `Err` instead of waiting forever.
///
/// ```
/// use weft::sync::{oneshot, Semaphore};
/// use weft_tests::sync_support::{Flavour, signal_when_pending};
/// use std::sync::Arc;
///
/// Flavour::CurrentThread.runtime().block_on(async {
///     let sem = Arc::new(Semaphore::new(0));
///     let (tx, rx) = oneshot::channel();
///     let s = sem.clone();
///     let waiter = weft::spawn(async move { signal_when_pending(s.acquire(), tx).await.is_ok() });
///     rx.await.expect("the acquire is queued");
///     sem.add_permits(1);
///     assert!(waiter.await.unwrap());
/// });
/// ```
pub fn signal_when_pending<F: Future>(
    future: F,
    started: oneshot::Sender<()>,
) -> SignalWhenPending<F> {
    SignalWhenPending {
        future: Box::pin(future),
        started: Some(started),
    }
}

/// The future returned by [`signal_when_pending`].
///
/// ```
/// use weft::sync::oneshot;
/// let (tx, _rx) = oneshot::channel();
/// let _f: weft_tests::sync_support::SignalWhenPending<std::future::Ready<()>> =
///     weft_tests::sync_support::signal_when_pending(std::future::ready(()), tx);
/// ```
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct SignalWhenPending<F> {
    future: Pin<Box<F>>,
    started: Option<oneshot::Sender<()>>,
}

impl<F: Future> Future for SignalWhenPending<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // The inner future is boxed, so `Self` is `Unpin` and needs no projection.
        let this = self.get_mut();
        match this.future.as_mut().poll(cx) {
            Poll::Ready(out) => {
                this.started = None;
                Poll::Ready(out)
            }
            Poll::Pending => {
                if let Some(tx) = this.started.take() {
                    // The test may have stopped listening; that is its business.
                    let _ = tx.send(());
                }
                Poll::Pending
            }
        }
    }
}

/// `full` normally and a token count under Miri: the loop counts of stress tests.
///
/// ```
/// let n = weft_tests::sync_support::scaled(100_000);
/// assert!(n >= 10 && n <= 100_000);
/// ```
pub fn scaled(full: usize) -> usize {
    if cfg!(miri) {
        (full / 1000).max(10)
    } else {
        full
    }
}

/// A tiny seeded xorshift generator, so "random" abort points are reproducible.
///
/// ```
/// let mut a = weft_tests::sync_support::Rng::new(7);
/// let mut b = weft_tests::sync_support::Rng::new(7);
/// assert_eq!(a.below(100), b.below(100));
/// ```
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence depends only on `seed`.
    ///
    /// ```
    /// let _ = weft_tests::sync_support::Rng::new(0);
    /// ```
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A number in `0..n` (`n` must be non-zero).
    ///
    /// ```
    /// let mut rng = weft_tests::sync_support::Rng::new(1);
    /// assert!(rng.below(3) < 3);
    /// ```
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Runs `future` as a spawned task of the current runtime and returns its output,
/// re-raising its panic. Test drivers that `yield_now` in a loop use it: on the
/// current-thread runtime a `block_on` future that yields is polled again before any
/// spawned task runs (see `sync_coop.rs`), while a spawned task yields to the others.
///
/// ```
/// use weft_tests::sync_support::{Flavour, in_task};
/// let rt = Flavour::CurrentThread.runtime();
/// assert_eq!(rt.block_on(in_task(async { 3 })), 3);
/// ```
pub async fn in_task<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match weft::spawn(future).await {
        Ok(out) => out,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
