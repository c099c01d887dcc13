//! The smol side, built from the crates smol re-exports: an
//! `async_executor::Executor` run by 2 plain threads, each in
//! `async_io::block_on(ex.run(stop.recv()))` (that is `smol::block_on`, which also
//! drives the async-io reactor and its timers while the thread is idle), with
//! async-channel, async-lock, async-io's `Timer`, async-net, the `blocking` pool
//! and async-fs as the primitives.
//!
//! Invariant: the executor threads run until [`SmolPeer`] is dropped, which closes
//! the stop channel and joins them, so no thread outlives its workload.

use std::future::Future;
use std::net::SocketAddr;
use std::ops::DerefMut;
use std::path::Path;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use async_executor::Executor;
use async_io::Timer;
use futures_lite::FutureExt as _;
use futures_lite::{AsyncReadExt, AsyncWriteExt};

use crate::peer::{
    Blocking, ChannelKind, MutexKind, Oneshot, Peer, SemaphoreKind, Spawn, TaskSet, Tcp, Timers,
};

/// An executor and the threads that run it.
pub(crate) struct SmolPeer {
    ex: Arc<Executor<'static>>,
    /// Closing this (by dropping it) ends every executor thread's `run`.
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl Peer for SmolPeer {
    const NAME: &'static str = "smol";
    type Handle = SmolHandle;

    fn start(workers: usize) -> Self {
        let ex = Arc::new(Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..workers)
            .map(|i| {
                let ex = Arc::clone(&ex);
                let stopped = stopped.clone();
                thread::Builder::new()
                    .name(format!("smol-worker-{i}"))
                    .spawn(move || {
                        async_io::block_on(ex.run(async move {
                            // Err once the sender is dropped: time to stop.
                            let _ = stopped.recv().await;
                        }));
                    })
                    .expect("executor thread starts")
            })
            .collect();
        SmolPeer {
            ex,
            stop: Some(stop),
            threads,
        }
    }

    fn handle(&self) -> SmolHandle {
        SmolHandle(Arc::clone(&self.ex))
    }

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        async_io::block_on(f)
    }
}

impl Drop for SmolPeer {
    fn drop(&mut self) {
        drop(self.stop.take());
        for thread in self.threads.drain(..) {
            thread.join().expect("executor thread did not panic");
        }
    }
}

/// A shared executor: smol users spawn through an `Arc<Executor>`.
#[derive(Clone)]
pub(crate) struct SmolHandle(Arc<Executor<'static>>);

impl Spawn for SmolHandle {
    fn spawn<F>(&self, f: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // A `Task` is itself the join future; dropping it would cancel the task.
        self.0.spawn(f)
    }

    fn spawn_detached<F>(&self, f: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.0.spawn(f).detach();
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        futures_lite::future::yield_now()
    }
}

/// async-channel `bounded(1)` standing in for a oneshot (smol has no oneshot type);
/// the send is `try_send`, which never waits on a fresh capacity-1 channel.
pub(crate) enum AsyncChannelOneshot {}

impl Oneshot for AsyncChannelOneshot {
    type Tx = async_channel::Sender<()>;
    type Rx = async_channel::Receiver<()>;

    fn channel() -> (Self::Tx, Self::Rx) {
        async_channel::bounded(1)
    }

    fn send(tx: Self::Tx) {
        tx.try_send(())
            .expect("a fresh capacity-1 channel has room");
    }

    async fn recv(rx: Self::Rx) {
        rx.recv().await.expect("sender sent")
    }
}

impl SemaphoreKind for async_lock::Semaphore {
    fn with_permits(permits: usize) -> Self {
        async_lock::Semaphore::new(permits)
    }

    fn take(&self) -> impl Future<Output = impl Send + '_> + Send + '_ {
        self.acquire()
    }
}

impl MutexKind for async_lock::Mutex<u64> {
    fn holding(value: u64) -> Self {
        async_lock::Mutex::new(value)
    }

    fn guard(&self) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send + '_ {
        self.lock()
    }
}

/// async-channel's bounded MPMC channel.
pub(crate) enum AsyncChannel {}

impl ChannelKind for AsyncChannel {
    type Tx = async_channel::Sender<u64>;
    type Rx = async_channel::Receiver<u64>;

    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        async_channel::bounded(capacity)
    }

    async fn send(tx: &Self::Tx, value: u64) {
        tx.send(value).await.expect("receiver is alive")
    }

    async fn recv(rx: &mut Self::Rx) -> u64 {
        rx.recv().await.expect("a value is still due")
    }
}

/// async-io's `Timer`; a timeout is smol's idiom `fut.or(async { timer; Err })`,
/// where the timer is only created if the future is not ready first.
pub(crate) enum AsyncIoTime {}

impl Timers for AsyncIoTime {
    async fn timeout_ready(value: u64) -> u64 {
        async move { Some(value) }
            .or(async {
                Timer::after(Duration::from_secs(1)).await;
                None
            })
            .await
            .expect("a ready future beats the deadline")
    }

    async fn sleep(duration: Duration) {
        Timer::after(duration).await;
    }

    async fn churn_one() {
        let mut timer = Timer::after(Duration::from_secs(1));
        futures_lite::future::poll_once(&mut timer).await;
        timer.set_after(Duration::from_secs(2));
    }
}

/// async-net (smol's `net`) with futures-lite's extension traits.
pub(crate) enum AsyncNetTcp {}

impl Tcp for AsyncNetTcp {
    type Listener = async_net::TcpListener;
    type Stream = async_net::TcpStream;

    async fn bind_loopback() -> (Self::Listener, SocketAddr) {
        let listener = async_net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback bind");
        let addr = listener
            .local_addr()
            .expect("bound listener has an address");
        (listener, addr)
    }

    async fn accept(listener: &Self::Listener) -> Self::Stream {
        let (stream, _) = listener.accept().await.expect("accept");
        stream.set_nodelay(true).expect("set TCP_NODELAY");
        stream
    }

    async fn connect(addr: SocketAddr) -> Self::Stream {
        let stream = async_net::TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("set TCP_NODELAY");
        stream
    }

    async fn read_exact<'a>(stream: &'a mut Self::Stream, buf: &'a mut [u8]) {
        AsyncReadExt::read_exact(stream, buf)
            .await
            .expect("read_exact");
    }

    async fn read<'a>(stream: &'a mut Self::Stream, buf: &'a mut [u8]) -> usize {
        AsyncReadExt::read(stream, buf).await.expect("read")
    }

    async fn write_all<'a>(stream: &'a mut Self::Stream, buf: &'a [u8]) {
        AsyncWriteExt::write_all(stream, buf)
            .await
            .expect("write_all");
    }
}

/// A `Vec` of smol `Task`s awaited in order: smol has no `JoinSet`, and this is
/// how its users join a batch of tasks.
pub(crate) struct SmolTasks(Vec<async_executor::Task<u64>>);

impl TaskSet<SmolHandle> for SmolTasks {
    fn empty() -> Self {
        SmolTasks(Vec::new())
    }

    fn spawn_in<F>(&mut self, handle: &SmolHandle, task: F)
    where
        F: Future<Output = u64> + Send + 'static,
    {
        self.0.push(handle.0.spawn(task));
    }

    async fn join_sum(self) -> u64 {
        let mut sum = 0;
        for task in self.0 {
            sum += task.await;
        }
        sum
    }
}

/// The `blocking` crate's pool (smol's `unblock`) and async-fs, which runs on it.
impl Blocking for SmolHandle {
    fn spawn_blocking<F, T>(&self, f: F) -> impl Future<Output = T> + Send + 'static
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        blocking::unblock(f)
    }

    async fn read_file(path: &Path) -> Vec<u8> {
        async_fs::read(path)
            .await
            .expect("the bench file is readable")
    }
}
