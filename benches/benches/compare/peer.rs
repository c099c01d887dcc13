//! What a runtime and its primitives must offer for the workloads to be written once
//! and run on each of weft, tokio and smol.
//!
//! Invariant: the traits only forward to each runtime's own API (its spawn, join
//! handle, yield, oneshot, semaphore, mutex, channel and timers); they add at most
//! one `async` wrapper per call, the same for every runtime, and no allocation,
//! lock or atomic of their own.

use std::future::Future;
use std::ops::DerefMut;
use std::time::Duration;

/// Worker threads of every runtime in every workload.
pub(crate) const WORKERS: usize = 2;

/// One workload bound to one started runtime: each call runs the workload once and
/// returns the time it measured. Dropping it shuts the runtime down.
pub(crate) type Fixture = Box<dyn FnMut() -> Duration>;

/// A runtime with its worker threads running.
pub(crate) trait Peer: Sized + 'static {
    /// The column this runtime fills in the report.
    const NAME: &'static str;
    /// A cheap, clonable handle that spawns onto this runtime from anywhere.
    type Handle: Spawn;
    /// Builds the runtime with `workers` worker threads.
    fn start(workers: usize) -> Self;
    /// A handle to this runtime.
    fn handle(&self) -> Self::Handle;
    /// Runs `f` to completion on the calling (non-worker) thread.
    fn block_on<F: Future>(&self, f: F) -> F::Output;
}

/// Spawning and yielding, through a handle.
pub(crate) trait Spawn: Clone + Send + Sync + 'static {
    /// Spawns `f`; the returned future resolves to its output (and panics if the
    /// task failed).
    fn spawn<F>(&self, f: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
    /// Spawns `f` and lets it run on without a join handle.
    fn spawn_detached<F>(&self, f: F)
    where
        F: Future<Output = ()> + Send + 'static;
    /// The runtime's own `yield_now`.
    fn yield_now() -> impl Future<Output = ()> + Send;
}

/// A one-shot handoff of `()` (the runtime's oneshot channel or its stand-in).
pub(crate) trait Oneshot: 'static {
    /// Sending half.
    type Tx: Send + 'static;
    /// Receiving half.
    type Rx: Send + 'static;
    /// A fresh channel.
    fn channel() -> (Self::Tx, Self::Rx);
    /// Sends `()` without waiting.
    fn send(tx: Self::Tx);
    /// Waits for the `()`.
    fn recv(rx: Self::Rx) -> impl Future<Output = ()> + Send;
}

/// A counting semaphore whose permit is released on drop.
pub(crate) trait SemaphoreKind: Send + Sync + 'static {
    /// A semaphore with `permits` permits.
    fn with_permits(permits: usize) -> Self;
    /// Waits for one permit.
    fn take(&self) -> impl Future<Output = impl Send + '_> + Send + '_;
}

/// An async mutex around a `u64`.
pub(crate) trait MutexKind: Send + Sync + 'static {
    /// A mutex holding `value`.
    fn holding(value: u64) -> Self;
    /// Waits for the lock.
    fn guard(&self) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send + '_;
}

/// A bounded multi-producer channel (or queue) of `u64`.
pub(crate) trait ChannelKind: 'static {
    /// Sending half, cloned per producer.
    type Tx: Clone + Send + Sync + 'static;
    /// Receiving half, owned by the one consumer.
    type Rx: Send + 'static;
    /// A channel holding at most `capacity` messages.
    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx);
    /// Sends `value`, waiting while the channel is full.
    fn send(tx: &Self::Tx, value: u64) -> impl Future<Output = ()> + Send + '_;
    /// Receives the next value (the workloads never receive past the last one).
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = u64> + Send + '_;
}

/// The runtime's timers, used the way its users would.
pub(crate) trait Timers: 'static {
    /// `timeout(1 s, ready(value))`, unwrapped.
    fn timeout_ready(value: u64) -> impl Future<Output = u64> + Send;
    /// Sleeps for `duration`.
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send;
    /// Creates a 1 s sleep, polls it once (registering it), resets it to 2 s from
    /// now, and drops it.
    fn churn_one() -> impl Future<Output = ()> + Send;
}
