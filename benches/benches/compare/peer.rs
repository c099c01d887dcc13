//! What a runtime and its primitives must offer for the workloads to be written once
//! and run on each of weft, tokio and smol.
//!
//! Invariant: the traits only forward to each runtime's own API (its spawn, join
//! handle, yield, oneshot, semaphore, mutex, channel, timers, TCP, gather, task
//! set, blocking pool and fs); they add at most one `async` wrapper per call, the
//! same for every runtime, and no allocation, lock or atomic of their own.

use std::future::Future;
use std::net::SocketAddr;
use std::ops::DerefMut;
use std::path::Path;
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

/// A TCP stack over loopback, with the runtime's own async read and write.
pub(crate) trait Tcp: 'static {
    /// A listening socket.
    type Listener: Send + Sync + 'static;
    /// A connected stream.
    type Stream: Send + 'static;
    /// Binds a listener on `127.0.0.1`, on a port the OS picks, and returns it
    /// with its address.
    fn bind_loopback() -> impl Future<Output = (Self::Listener, SocketAddr)> + Send;
    /// Accepts the next connection, with `TCP_NODELAY` set.
    fn accept(listener: &Self::Listener) -> impl Future<Output = Self::Stream> + Send + '_;
    /// Connects to `addr`, with `TCP_NODELAY` set.
    fn connect(addr: SocketAddr) -> impl Future<Output = Self::Stream> + Send;
    /// Fills `buf` from the stream.
    fn read_exact<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = ()> + Send + 'a;
    /// Reads what is available into `buf`; 0 means the peer closed its side.
    fn read<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = usize> + Send + 'a;
    /// Writes all of `buf`.
    fn write_all<'a>(
        stream: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = ()> + Send + 'a;
}

/// Runs many futures concurrently inside the calling task, outputs in input order
/// (weft's `gather`, or `join_all` where the runtime has none).
pub(crate) trait GatherKind: 'static {
    /// Awaits every future of `futures`.
    fn gather<F>(futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send,
        F::Output: Send;
}

/// A set of spawned tasks joined together (a `JoinSet`, or its stand-in).
pub(crate) trait TaskSet<H: Spawn>: Send + 'static {
    /// An empty set.
    fn empty() -> Self;
    /// Spawns `task` onto the runtime of `handle` as a member of the set.
    fn spawn_in<F>(&mut self, handle: &H, task: F)
    where
        F: Future<Output = u64> + Send + 'static;
    /// Joins every member and returns the sum of their outputs.
    fn join_sum(self) -> impl Future<Output = u64> + Send;
}

/// The runtime's blocking pool and the file system calls built on it.
pub(crate) trait Blocking: Spawn {
    /// Runs `f` on the blocking pool; the future resolves to its result.
    fn spawn_blocking<F, T>(&self, f: F) -> impl Future<Output = T> + Send + 'static
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;
    /// Reads the whole file at `path`.
    fn read_file(path: &Path) -> impl Future<Output = Vec<u8>> + Send + '_;
}
