//! The weft side: `Builder::new_multi_thread().worker_threads(2)`, and weft's own
//! primitives (compiled only with the cargo feature of their area: `weft-sync`,
//! `weft-time`).
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
