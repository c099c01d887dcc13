//! The weft side: `Builder::new_multi_thread().worker_threads(2)`, and weft's own
//! primitives (compiled only with the cargo feature of their area: `weft-sync`,
//! `weft-time`, `weft-net`, `weft-future`, `weft-blocking`).
//!
//! Invariant: every call goes straight to weft's public API as
//! `notes/runtime-api.md` and the design name it (tokio's signatures).

use std::future::Future;

use weft::runtime::{Builder, Handle, Runtime};

use crate::peer::{Peer, Spawn};

/// weft's multi-thread runtime.
pub(crate) struct WeftPeer {
    rt: Runtime,
}

impl Peer for WeftPeer {
    const NAME: &'static str = "weft";
    type Handle = Handle;

    fn start(workers: usize) -> Self {
        let rt = Builder::new_multi_thread()
            .worker_threads(workers)
            .build()
            .expect("weft runtime builds");
        WeftPeer { rt }
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
        async move { join.await.expect("weft task failed") }
    }

    fn spawn_detached<F>(&self, f: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        drop(Handle::spawn(self, f));
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        weft::task::yield_now()
    }
}

#[cfg(feature = "weft-sync")]
pub(crate) use sync::{WeftMpsc, WeftOneshot, WeftQueue};

#[cfg(feature = "weft-sync")]
mod sync {
    use std::future::Future;
    use std::ops::DerefMut;

    use crate::peer::{ChannelKind, MutexKind, Oneshot, SemaphoreKind};

    /// `weft::sync::oneshot`.
    pub(crate) enum WeftOneshot {}

    impl Oneshot for WeftOneshot {
        type Tx = weft::sync::oneshot::Sender<()>;
        type Rx = weft::sync::oneshot::Receiver<()>;

        fn channel() -> (Self::Tx, Self::Rx) {
            weft::sync::oneshot::channel()
        }

        fn send(tx: Self::Tx) {
            tx.send(()).expect("receiver is alive");
        }

        async fn recv(rx: Self::Rx) {
            rx.await.expect("sender sent")
        }
    }

    impl SemaphoreKind for weft::sync::Semaphore {
        fn with_permits(permits: usize) -> Self {
            weft::sync::Semaphore::new(permits)
        }

        async fn take(&self) -> impl Send + '_ {
            self.acquire().await.expect("semaphore is never closed")
        }
    }

    impl MutexKind for weft::sync::Mutex<u64> {
        fn holding(value: u64) -> Self {
            weft::sync::Mutex::new(value)
        }

        fn guard(
            &self,
        ) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send + '_ {
            self.lock()
        }
    }

    /// `weft::sync::mpsc` bounded channel.
    pub(crate) enum WeftMpsc {}

    impl ChannelKind for WeftMpsc {
        type Tx = weft::sync::mpsc::Sender<u64>;
        type Rx = weft::sync::mpsc::Receiver<u64>;

        fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
            weft::sync::mpsc::channel(capacity)
        }

        async fn send(tx: &Self::Tx, value: u64) {
            tx.send(value).await.expect("receiver is alive")
        }

        async fn recv(rx: &mut Self::Rx) -> u64 {
            rx.recv().await.expect("a value is still due")
        }
    }

    /// `weft::queue::Queue` (asyncio.Queue): one bounded queue, two clones of it.
    pub(crate) enum WeftQueue {}

    impl ChannelKind for WeftQueue {
        type Tx = weft::queue::Queue<u64>;
        type Rx = weft::queue::Queue<u64>;

        fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
            let queue = weft::queue::Queue::bounded(capacity);
            (queue.clone(), queue)
        }

        async fn send(tx: &Self::Tx, value: u64) {
            tx.put(value).await.expect("queue is never closed")
        }

        async fn recv(rx: &mut Self::Rx) -> u64 {
            rx.get().await.expect("queue is never closed")
        }
    }
}

/// `weft::time`.
#[cfg(feature = "weft-time")]
pub(crate) enum WeftTime {}

#[cfg(feature = "weft-time")]
impl crate::peer::Timers for WeftTime {
    async fn timeout_ready(value: u64) -> u64 {
        weft::time::timeout(
            weft::time::Duration::from_secs(1),
            std::future::ready(value),
        )
        .await
        .expect("a ready future beats the deadline")
    }

    fn sleep(duration: std::time::Duration) -> impl Future<Output = ()> + Send {
        weft::time::sleep(duration)
    }

    async fn churn_one() {
        let mut sleep = std::pin::pin!(weft::time::sleep(weft::time::Duration::from_secs(1)));
        futures_lite::future::poll_once(sleep.as_mut()).await;
        sleep
            .as_mut()
            .reset(weft::time::Instant::now() + weft::time::Duration::from_secs(2));
    }
}

/// `weft::net` with `weft::io`'s extension traits.
#[cfg(feature = "weft-net")]
pub(crate) enum WeftTcp {}

#[cfg(feature = "weft-net")]
impl crate::peer::Tcp for WeftTcp {
    type Listener = weft::net::TcpListener;
    type Stream = weft::net::TcpStream;

    async fn bind_loopback() -> (Self::Listener, std::net::SocketAddr) {
        let listener = weft::net::TcpListener::bind("127.0.0.1:0")
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

    async fn connect(addr: std::net::SocketAddr) -> Self::Stream {
        let stream = weft::net::TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("set TCP_NODELAY");
        stream
    }

    async fn read_exact<'a>(stream: &'a mut Self::Stream, buf: &'a mut [u8]) {
        weft::io::AsyncReadExt::read_exact(stream, buf)
            .await
            .expect("read_exact");
    }

    async fn read<'a>(stream: &'a mut Self::Stream, buf: &'a mut [u8]) -> usize {
        weft::io::AsyncReadExt::read(stream, buf)
            .await
            .expect("read")
    }

    async fn write_all<'a>(stream: &'a mut Self::Stream, buf: &'a [u8]) {
        weft::io::AsyncWriteExt::write_all(stream, buf)
            .await
            .expect("write_all");
    }
}

/// `weft::future::gather`.
#[cfg(feature = "weft-future")]
pub(crate) enum WeftGather {}

#[cfg(feature = "weft-future")]
impl crate::peer::GatherKind for WeftGather {
    fn gather<F>(futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send,
        F::Output: Send,
    {
        weft::future::gather(futures)
    }
}

#[cfg(feature = "weft-future")]
impl crate::peer::TaskSet<Handle> for weft::task::JoinSet<u64> {
    fn empty() -> Self {
        weft::task::JoinSet::new()
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
            sum += joined.expect("weft task failed");
        }
        sum
    }
}

/// weft's blocking pool and `weft::fs`, which runs on it.
#[cfg(feature = "weft-blocking")]
impl crate::peer::Blocking for Handle {
    fn spawn_blocking<F, T>(&self, f: F) -> impl Future<Output = T> + Send + 'static
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let join = Handle::spawn_blocking(self, f);
        async move { join.await.expect("weft blocking task failed") }
    }

    async fn read_file(path: &std::path::Path) -> Vec<u8> {
        weft::fs::read(path)
            .await
            .expect("the bench file is readable")
    }
}
