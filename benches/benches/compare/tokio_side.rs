//! The tokio side: a multi-thread runtime with 2 workers and the time and I/O
//! drivers on (as `#[tokio::main]` would have it), and tokio's own sync
//! primitives, timers, TCP, `JoinSet`, blocking pool and fs; `join_all` from
//! futures-util stands in for the `gather` tokio lacks.
//!
//! Invariant: every call goes straight to tokio's public API.

use std::future::Future;
use std::net::SocketAddr;
use std::ops::DerefMut;
use std::path::Path;
use std::pin::pin;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::{Builder, Handle, Runtime};

use crate::peer::{
    Blocking, ChannelKind, GatherKind, MutexKind, Oneshot, Peer, SemaphoreKind, Spawn, TaskSet,
    Tcp, Timers,
};

/// tokio's multi-thread runtime.
pub(crate) struct TokioPeer {
    rt: Runtime,
}

impl Peer for TokioPeer {
    const NAME: &'static str = "tokio";
    type Handle = Handle;

    fn start(workers: usize) -> Self {
        let rt = Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_time()
            .enable_io()
            .build()
            .expect("tokio runtime builds");
        TokioPeer { rt }
    }

    fn handle(&self) -> Handle {
        self.rt.handle().clone()
    }

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }
}

impl Spawn for Handle {
    fn spawn<F>(&self, f: F) -> impl Future<Output = F::Output> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let join = Handle::spawn(self, f);
        async move { join.await.expect("tokio task failed") }
    }

    fn spawn_detached<F>(&self, f: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        drop(Handle::spawn(self, f));
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }
}

/// `tokio::sync::oneshot`.
pub(crate) enum TokioOneshot {}

impl Oneshot for TokioOneshot {
    type Tx = tokio::sync::oneshot::Sender<()>;
    type Rx = tokio::sync::oneshot::Receiver<()>;

    fn channel() -> (Self::Tx, Self::Rx) {
        tokio::sync::oneshot::channel()
    }

    fn send(tx: Self::Tx) {
        tx.send(()).expect("receiver is alive");
    }

    async fn recv(rx: Self::Rx) {
        rx.await.expect("sender sent")
    }
}

impl SemaphoreKind for tokio::sync::Semaphore {
    fn with_permits(permits: usize) -> Self {
        tokio::sync::Semaphore::new(permits)
    }

    async fn take(&self) -> impl Send + '_ {
        self.acquire().await.expect("semaphore is never closed")
    }
}

impl MutexKind for tokio::sync::Mutex<u64> {
    fn holding(value: u64) -> Self {
        tokio::sync::Mutex::new(value)
    }

    fn guard(&self) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send + '_ {
        self.lock()
    }
}

/// `tokio::sync::mpsc` bounded channel.
pub(crate) enum TokioMpsc {}

impl ChannelKind for TokioMpsc {
    type Tx = tokio::sync::mpsc::Sender<u64>;
    type Rx = tokio::sync::mpsc::Receiver<u64>;

    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        tokio::sync::mpsc::channel(capacity)
    }

    async fn send(tx: &Self::Tx, value: u64) {
        tx.send(value).await.expect("receiver is alive")
    }

    async fn recv(rx: &mut Self::Rx) -> u64 {
        rx.recv().await.expect("a value is still due")
    }
}

/// `tokio::time`.
pub(crate) enum TokioTime {}

impl Timers for TokioTime {
    async fn timeout_ready(value: u64) -> u64 {
        tokio::time::timeout(Duration::from_secs(1), std::future::ready(value))
            .await
            .expect("a ready future beats the deadline")
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }

    async fn churn_one() {
        let mut sleep = pin!(tokio::time::sleep(Duration::from_secs(1)));
        futures_lite::future::poll_once(sleep.as_mut()).await;
        sleep
            .as_mut()
            .reset(tokio::time::Instant::now() + Duration::from_secs(2));
    }
}

/// `tokio::net` with `tokio::io`'s extension traits.
pub(crate) enum TokioTcp {}

impl Tcp for TokioTcp {
    type Listener = tokio::net::TcpListener;
    type Stream = tokio::net::TcpStream;

    async fn bind_loopback() -> (Self::Listener, SocketAddr) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
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
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
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

/// `futures_util::future::join_all`: what tokio and smol users reach for to await
/// many futures inside one task (neither tokio nor futures-lite has a `gather`);
/// the smol side uses it too.
pub(crate) enum JoinAll {}

impl GatherKind for JoinAll {
    fn gather<F>(futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send,
        F::Output: Send,
    {
        futures_util::future::join_all(futures)
    }
}

impl TaskSet<Handle> for tokio::task::JoinSet<u64> {
    fn empty() -> Self {
        tokio::task::JoinSet::new()
    }

    fn spawn_in<F>(&mut self, handle: &Handle, task: F)
    where
        F: Future<Output = u64> + Send + 'static,
    {
        self.spawn_on(task, handle);
    }

    async fn join_sum(mut self) -> u64 {
        let mut sum = 0;
        while let Some(joined) = self.join_next().await {
            sum += joined.expect("tokio task failed");
        }
        sum
    }
}

impl Blocking for Handle {
    fn spawn_blocking<F, T>(&self, f: F) -> impl Future<Output = T> + Send + 'static
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let join = Handle::spawn_blocking(self, f);
        async move { join.await.expect("tokio blocking task failed") }
    }

    async fn read_file(path: &Path) -> Vec<u8> {
        tokio::fs::read(path)
            .await
            .expect("the bench file is readable")
    }
}
