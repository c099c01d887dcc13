//! The tokio side: a multi-thread runtime with 2 workers and the time driver on
//! (as `#[tokio::main]` would have it), and tokio's own sync primitives and timers.
//!
//! Invariant: every call goes straight to tokio's public API.

use std::future::Future;
use std::ops::DerefMut;
use std::pin::pin;
use std::time::Duration;

use tokio::runtime::{Builder, Handle, Runtime};

use crate::peer::{ChannelKind, MutexKind, Oneshot, Peer, SemaphoreKind, Spawn, Timers};

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
