//! The blocking pool: threads for closures that block (file I/O, CPU-heavy work,
//! blocking libraries), so they never stall a worker.
//!
//! Threads start on demand, up to `max_blocking_threads`; an idle thread waits
//! `thread_keep_alive` for new work and then exits. Work is taken in FIFO order. A
//! blocking closure runs inside a task like any other (`BlockingTask`), so
//! `spawn_blocking` returns the same `JoinHandle` and panics are caught the same way.
//!
//! # Invariants
//!
//! 1. `num_idle` counts threads waiting on the condvar that have not been handed a
//!    notification; every push either hands one (`num_notify += 1`) or starts a
//!    thread if below the cap, else leaves the task queued for a busy thread.
//! 2. After shutdown no task starts: queued tasks are cancelled, running ones are
//!    waited for up to the shutdown timeout.

use crate::loom::{Condvar, Mutex};
use crate::runtime::config::ThreadConfig;
use crate::runtime::context;
use crate::task::{self, JoinHandle, Meta, Notified, Schedule, Task};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Submits closures to the pool; cheap to clone.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    condvar: Condvar,
    /// Signalled when the last thread exits after shutdown.
    all_exited: Condvar,
    threads: ThreadConfig,
    max_threads: usize,
    keep_alive: Duration,
}

struct Shared {
    queue: VecDeque<Notified<BlockingSchedule>>,
    num_threads: usize,
    num_idle: usize,
    num_notify: usize,
    shutdown: bool,
    next_thread_id: usize,
    /// The runtime handle blocking threads enter, so `Handle::current` works there.
    handle: Option<crate::runtime::scheduler::Handle>,
}

/// Blocking tasks are never woken: they run once, to completion.
pub(crate) struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn release(&self, _task: &Task<Self>) -> Option<Task<Self>> {
        None
    }

    fn schedule(&self, task: Notified<Self>) {
        // Only an abort reaches here, and only for a task that is idle, which a
        // blocking task never is; dropping the notification is the safe answer.
        drop(task);
    }
}

/// A future that runs a closure on its first poll.
struct BlockingTask<F>(Option<F>);

impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let f = self.0.take().expect("blocking task polled twice");
        // A blocking closure must not be cut short by the budget.
        Poll::Ready(task::coop::unconstrained(f))
    }
}

impl Spawner {
    pub(crate) fn new(threads: ThreadConfig, max_threads: usize, keep_alive: Duration) -> Spawner {
        Spawner {
            inner: Arc::new(Inner {
                shared: Mutex::new(Shared {
                    queue: VecDeque::new(),
                    num_threads: 0,
                    num_idle: 0,
                    num_notify: 0,
                    shutdown: false,
                    next_thread_id: 0,
                    handle: None,
                }),
                condvar: Condvar::new(),
                all_exited: Condvar::new(),
                threads,
                max_threads: max_threads.max(1),
                keep_alive,
            }),
        }
    }

    /// Sets the runtime handle that pool threads enter.
    pub(crate) fn set_handle(&self, handle: crate::runtime::scheduler::Handle) {
        self.inner.shared.lock().handle = Some(handle);
    }

    /// Runs `f` on a pool thread.
    #[track_caller]
    pub(crate) fn spawn_blocking<F, R>(&self, f: F, meta: Meta) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (task, notified, join) = task::new_task(BlockingTask(Some(f)), BlockingSchedule, meta);
        // No owner list: the pool's queue is the only place the task lives before it
        // runs, so the list's reference is released at once.
        drop(task);
        if let Err(notified) = self.push(notified) {
            // The runtime is shutting down: the join handle reports cancellation.
            notified.shutdown();
        }
        join
    }

    fn push(&self, task: Notified<BlockingSchedule>) -> Result<(), Notified<BlockingSchedule>> {
        let mut shared = self.inner.shared.lock();
        if shared.shutdown {
            return Err(task);
        }
        shared.queue.push_back(task);
        if shared.num_idle > 0 {
            // Invariant 1: hand the work to an idle thread.
            shared.num_idle -= 1;
            shared.num_notify += 1;
            self.inner.condvar.notify_one();
        } else if shared.num_threads < self.inner.max_threads {
            let id = shared.next_thread_id;
            shared.next_thread_id += 1;
            shared.num_threads += 1;
            let handle = shared.handle.clone();
            drop(shared);
            if let Err(err) = self.spawn_thread(id, handle) {
                // No new thread: a busy thread will take the task when it is free. With
                // no thread at all nobody would, so fail loudly instead of hanging.
                let mut shared = self.inner.shared.lock();
                shared.num_threads -= 1;
                if shared.num_threads == 0 {
                    let queued = std::mem::take(&mut shared.queue);
                    drop(shared);
                    queued.into_iter().for_each(Notified::shutdown);
                    panic!(
                        "weft could not start a blocking-pool thread ({err}): lower \
                         `max_blocking_threads` or raise the process's thread limit"
                    );
                }
            }
        }
        Ok(())
    }

    fn spawn_thread(
        &self,
        id: usize,
        handle: Option<crate::runtime::scheduler::Handle>,
    ) -> std::io::Result<()> {
        let inner = self.inner.clone();
        let builder = self.inner.threads.builder();
        builder
            .spawn(move || {
                let _enter = handle.map(context::enter_handle);
                inner.threads.started();
                inner.run(id);
                inner.threads.stopped();
            })
            .map(drop)
    }

    /// Stops the pool: cancels queued tasks, then waits up to `timeout` (forever if
    /// `None`) for running ones.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) {
        let queued = {
            let mut shared = self.inner.shared.lock();
            if shared.shutdown {
                return;
            }
            shared.shutdown = true;
            shared.handle = None;
            self.inner.condvar.notify_all();
            std::mem::take(&mut shared.queue)
        };
        queued.into_iter().for_each(Notified::shutdown);
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut shared = self.inner.shared.lock();
        while shared.num_threads > 0 {
            match deadline {
                None => shared = self.inner.all_exited.wait(shared),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    shared = self.inner.all_exited.wait_timeout(shared, deadline - now);
                }
            }
        }
    }
}

impl Inner {
    fn run(&self, _id: usize) {
        let mut shared = self.shared.lock();
        'outer: loop {
            while let Some(task) = shared.queue.pop_front() {
                drop(shared);
                task.run();
                shared = self.shared.lock();
            }
            if shared.shutdown {
                break;
            }
            shared.num_idle += 1;
            loop {
                let started = Instant::now();
                shared = self.condvar.wait_timeout(shared, self.keep_alive);
                if shared.num_notify > 0 {
                    // Invariant 1: the pusher already took us off `num_idle`.
                    shared.num_notify -= 1;
                    continue 'outer;
                }
                if shared.shutdown {
                    shared.num_idle -= 1;
                    break 'outer;
                }
                if started.elapsed() >= self.keep_alive {
                    // Idle for the whole keep-alive: exit.
                    shared.num_idle -= 1;
                    break 'outer;
                }
            }
        }
        shared.num_threads -= 1;
        if shared.num_threads == 0 {
            self.all_exited.notify_all();
        }
    }
}
