//! `Builder`: every knob of a runtime, and the code that assembles one.

use super::blocking;
use super::config::{Config, ThreadConfig, UnhandledPanic};
use super::driver::Driver;
use super::rt::WorkerThreads;
use super::scheduler::{self, current_thread, multi_thread};
use super::{Handle, Runtime};
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

/// Builds a [`Runtime`] with custom settings.
///
/// ```
/// use weft::runtime::Builder;
///
/// let rt = Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { weft::spawn(async { 1 + 1 }).await.unwrap() }), 2);
/// ```
pub struct Builder {
    kind: Kind,
    worker_threads: Option<usize>,
    max_blocking_threads: usize,
    keep_alive: Duration,
    thread_name: Arc<dyn Fn() -> String + Send + Sync>,
    stack_size: Option<usize>,
    on_start: Option<super::config::Callback>,
    on_stop: Option<super::config::Callback>,
    global_queue_interval: u32,
    event_interval: u32,
    unhandled_panic: UnhandledPanic,
    start_paused: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    CurrentThread,
    MultiThread,
}

impl Builder {
    /// A builder for the work-stealing runtime (one worker per core by default).
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().build().unwrap();
    /// rt.block_on(async {});
    /// ```
    pub fn new_multi_thread() -> Builder {
        Builder::new(Kind::MultiThread)
    }

    /// A builder for the runtime that runs every task on the `block_on` thread.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {});
    /// ```
    pub fn new_current_thread() -> Builder {
        Builder::new(Kind::CurrentThread)
    }

    fn new(kind: Kind) -> Builder {
        Builder {
            kind,
            worker_threads: None,
            max_blocking_threads: 512,
            keep_alive: Duration::from_secs(10),
            thread_name: Arc::new(|| "weft-runtime-worker".to_owned()),
            stack_size: None,
            on_start: None,
            on_stop: None,
            global_queue_interval: 61,
            event_interval: 61,
            unhandled_panic: UnhandledPanic::default(),
            start_paused: false,
        }
    }

    /// Number of worker threads (multi-thread only). Default: one per core, or the
    /// `WEFT_WORKER_THREADS` environment variable.
    ///
    /// # Panics
    ///
    /// If `n` is zero.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn worker_threads(&mut self, n: usize) -> &mut Self {
        assert!(n > 0, "`worker_threads` must be at least 1");
        self.worker_threads = Some(n);
        self
    }

    /// Most threads the blocking pool may run at once. Default: 512.
    ///
    /// # Panics
    ///
    /// If `n` is zero.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().max_blocking_threads(8).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Self {
        assert!(n > 0, "`max_blocking_threads` must be at least 1");
        self.max_blocking_threads = n;
        self
    }

    /// How long an idle blocking-pool thread waits for work before exiting.
    /// Default: 10 s.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .thread_keep_alive(Duration::from_millis(100))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_keep_alive(&mut self, d: Duration) -> &mut Self {
        self.keep_alive = d;
        self
    }

    /// Name of every thread the runtime starts. Default: `weft-runtime-worker`.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().thread_name("io").build().unwrap();
    /// let name = rt.block_on(async {
    ///     weft::spawn(async { std::thread::current().name().map(String::from) }).await.unwrap()
    /// });
    /// assert_eq!(name.as_deref(), Some("io"));
    /// ```
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        let name: String = name.into();
        self.thread_name = Arc::new(move || name.clone());
        self
    }

    /// A function giving each new thread its name.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// static N: AtomicUsize = AtomicUsize::new(0);
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .thread_name_fn(|| format!("w-{}", N.fetch_add(1, Ordering::Relaxed)))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_name_fn(&mut self, f: impl Fn() -> String + Send + Sync + 'static) -> &mut Self {
        self.thread_name = Arc::new(f);
        self
    }

    /// Stack size of every thread the runtime starts. Default: the platform's.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .thread_stack_size(4 << 20)
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Runs `f` on each thread the runtime starts, before it does anything else.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .on_thread_start(|| println!("thread up"))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn on_thread_start(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Self {
        self.on_start = Some(Arc::new(f));
        self
    }

    /// Runs `f` on each runtime thread just before it exits.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread()
    ///     .on_thread_stop(|| println!("thread down"))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn on_thread_stop(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Self {
        self.on_stop = Some(Arc::new(f));
        self
    }

    /// A worker checks the shared queue first every `ticks` tasks, so tasks
    /// scheduled from outside are not starved by local ones. Default: 61.
    ///
    /// # Panics
    ///
    /// If `ticks` is zero.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().global_queue_interval(31).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn global_queue_interval(&mut self, ticks: u32) -> &mut Self {
        assert!(ticks > 0, "`global_queue_interval` must be at least 1");
        self.global_queue_interval = ticks;
        self
    }

    /// A busy worker polls for I/O and timer events every `ticks` tasks. Default: 61.
    ///
    /// # Panics
    ///
    /// If `ticks` is zero.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().event_interval(31).build().unwrap();
    /// # drop(rt);
    /// ```
    #[track_caller]
    pub fn event_interval(&mut self, ticks: u32) -> &mut Self {
        assert!(ticks > 0, "`event_interval` must be at least 1");
        self.event_interval = ticks;
        self
    }

    /// What a panic in a detached task does; see [`UnhandledPanic`].
    ///
    /// ```
    /// use weft::runtime::{Builder, UnhandledPanic};
    /// let rt = Builder::new_multi_thread()
    ///     .unhandled_panic(UnhandledPanic::ShutdownRuntime)
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn unhandled_panic(&mut self, policy: UnhandledPanic) -> &mut Self {
        self.unhandled_panic = policy;
        self
    }

    /// Starts the runtime with its clock paused (for tests): time advances only when
    /// every task is idle, straight to the next timer, or by `weft::time::advance`.
    /// Current-thread runtimes only: `build` fails on a multi-thread one.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn start_paused(&mut self, paused: bool) -> &mut Self {
        self.start_paused = paused;
        self
    }

    /// Kept for source compatibility with tokio: weft always enables I/O and time.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    /// # drop(rt);
    /// ```
    pub fn enable_all(&mut self) -> &mut Self {
        self
    }

    /// Starts the runtime's threads and returns it.
    ///
    /// # Errors
    ///
    /// If the OS refuses a thread or the I/O driver cannot be created (out of file
    /// descriptors, say), or (`InvalidInput`) if `start_paused(true)` was asked of a
    /// multi-thread runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_multi_thread().build()?;
    /// # drop(rt);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn build(&mut self) -> io::Result<Runtime> {
        let threads = ThreadConfig {
            name: self.thread_name.clone(),
            stack_size: self.stack_size,
            on_start: self.on_start.clone(),
            on_stop: self.on_stop.clone(),
        };
        let config = Config {
            global_queue_interval: self.global_queue_interval,
            event_interval: self.event_interval,
            unhandled_panic: self.unhandled_panic,
        };
        let blocking =
            blocking::Spawner::new(threads.clone(), self.max_blocking_threads, self.keep_alive);
        let current_thread = self.kind == Kind::CurrentThread;
        if self.start_paused && !current_thread {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "`start_paused(true)` needs a current-thread runtime: use \
                 `Builder::new_current_thread()` (or `#[weft::test(start_paused = true)]` \
                 without `flavor = \"multi_thread\"`)",
            ));
        }
        let clock = crate::time::Clock::new(current_thread, self.start_paused);
        let (driver, driver_handle) = Driver::new(clock)?;
        match self.kind {
            Kind::CurrentThread => {
                let handle =
                    current_thread::create(driver, driver_handle, blocking.clone(), config);
                let handle = scheduler::Handle::CurrentThread(handle);
                blocking.set_handle(handle.clone());
                install_dns_offload(&handle, &blocking);
                Ok(Runtime::from_parts(
                    Handle { inner: handle },
                    WorkerThreads::new().0,
                    blocking,
                ))
            }
            Kind::MultiThread => {
                let workers = self.worker_threads.unwrap_or_else(default_worker_threads);
                let shared = multi_thread::SharedDriver::new(driver, driver_handle);
                let (mt, launch) = multi_thread::create(workers, shared, blocking.clone(), config);
                let handle = scheduler::Handle::MultiThread(mt.clone());
                blocking.set_handle(handle.clone());
                install_dns_offload(&handle, &blocking);
                let (mut joins, exited) = WorkerThreads::new();
                for work in launch.into_workers(&mt) {
                    let threads = threads.clone();
                    let exit_tx = exited.clone();
                    let spawned = threads.builder().spawn(move || {
                        // Dropped when this thread is done, even by a panic.
                        let _exit_tx = exit_tx;
                        threads.started();
                        work();
                        threads.stopped();
                    });
                    match spawned {
                        Ok(join) => joins.push(join),
                        Err(err) => {
                            handle.shutdown();
                            joins.join(None);
                            blocking.shutdown(None);
                            return Err(err);
                        }
                    }
                }
                // Only the threads hold senders now: the last one out disconnects.
                drop(exited);
                Ok(Runtime::from_parts(
                    Handle { inner: handle },
                    joins,
                    blocking,
                ))
            }
        }
    }
}

/// Host-name lookups in `weft-io` run on this runtime's blocking pool.
fn install_dns_offload(handle: &scheduler::Handle, blocking: &blocking::Spawner) {
    let blocking = blocking.clone();
    handle.driver_handle().io.set_blocking_spawner(Arc::new(
        move |job: Box<dyn FnOnce() + Send>| {
            // Detached: the job reports its result through its own channel.
            drop(blocking.spawn_blocking(job, crate::task::Meta::new(None)));
        },
    ));
}

fn default_worker_threads() -> usize {
    if let Ok(s) = std::env::var("WEFT_WORKER_THREADS")
        && let Ok(n) = s.trim().parse::<usize>()
        && n > 0
    {
        return n;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("kind", &self.kind)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_keep_alive", &self.keep_alive)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .field("unhandled_panic", &self.unhandled_panic)
            .finish_non_exhaustive()
    }
}
