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
//! 3. Every pool thread's `JoinHandle` is in `workers` (keyed by its id) while the
//!    thread counts in `num_threads`, and in `exited` once it has left the count
//!    (after its stop hook ran). Threads are spawned with the lock held, so a thread
//!    always finds its own handle when it exits.
//! 4. Before a new thread starts, every thread in `exited` is joined: the number of
//!    live OS threads of the pool never exceeds `max_blocking_threads`, not even for
//!    the instant an exiting thread takes to unwind.
//! 5. An idle thread exits once it has been idle for `keep_alive` in one spell;
//!    wake-ups that bring it no work do not restart the clock.

use crate::loom::{Condvar, Mutex};
use crate::runtime::config::ThreadConfig;
use crate::runtime::context;
use crate::task::{self, JoinHandle, Meta, Notified, Schedule, Task};
use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

thread_local! {
    /// The pool this thread belongs to (its `Inner`'s address), or null: a pool
    /// shut down from one of its own threads must not wait for, or join, itself.
    static CURRENT_POOL: Cell<*const Inner> = const { Cell::new(std::ptr::null()) };
}

/// Submits closures to the pool; cheap to clone.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    condvar: Condvar,
    /// Signalled whenever a thread leaves `num_threads` after shutdown.
    thread_exited: Condvar,
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
    /// Invariant 3: the handles of the threads counted in `num_threads`.
    workers: HashMap<usize, thread::JoinHandle<()>>,
    /// Invariant 3: handles of threads that left the count but were not joined yet.
    exited: Vec<thread::JoinHandle<()>>,
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
                    workers: HashMap::new(),
                    exited: Vec::new(),
                    handle: None,
                }),
                condvar: Condvar::new(),
                thread_exited: Condvar::new(),
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
        loop {
            if shared.num_idle > 0 {
                // Invariant 1: hand the work to an idle thread.
                shared.num_idle -= 1;
                shared.num_notify += 1;
                self.inner.condvar.notify_one();
                return Ok(());
            }
            if shared.shutdown || shared.num_threads >= self.inner.max_threads {
                // Queued for a busy thread (or already cancelled by the shutdown).
                return Ok(());
            }
            if shared.exited.is_empty() {
                break;
            }
            // Invariant 4: reap the threads that left before starting another. They
            // no longer touch the lock, so joining them is short; it happens outside
            // the lock all the same, and the situation is looked at again after.
            let exited = std::mem::take(&mut shared.exited);
            drop(shared);
            exited.into_iter().for_each(|t| {
                let _ = t.join();
            });
            shared = self.inner.shared.lock();
        }
        let id = shared.next_thread_id;
        shared.next_thread_id += 1;
        // Invariant 3: spawned with the lock held, so the handle is in `workers`
        // before the thread can look for it.
        match self.spawn_thread(id, shared.handle.clone()) {
            Ok(join) => {
                shared.num_threads += 1;
                shared.workers.insert(id, join);
            }
            Err(err) => {
                // No new thread: a busy thread will take the task when it is free. With
                // no thread at all nobody would, so fail loudly instead of hanging.
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
    ) -> std::io::Result<thread::JoinHandle<()>> {
        let inner = self.inner.clone();
        let builder = self.inner.threads.builder();
        builder.spawn(move || {
            // Leaves the count even if a hook panics, so shutdown never waits for a
            // thread that is gone.
            let exit = ExitGuard { inner: &inner, id };
            CURRENT_POOL.with(|p| p.set(Arc::as_ptr(&inner)));
            {
                let _enter = handle.map(context::enter_handle);
                inner.threads.started();
                inner.run();
                inner.threads.stopped();
            }
            drop(exit);
        })
    }

    /// Stops the pool: cancels queued tasks, then waits up to `timeout` (forever if
    /// `None`) for running ones, and joins every thread that has finished.
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
        // Invariant 2: a task queued but not started is cancelled, never waited for.
        queued.into_iter().for_each(Notified::shutdown);
        // A pool shut down from one of its own threads waits for the others only.
        let on_own_thread = CURRENT_POOL.with(|p| std::ptr::eq(p.get(), Arc::as_ptr(&self.inner)));
        let own = usize::from(on_own_thread);
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut shared = self.inner.shared.lock();
        while shared.num_threads > own {
            match deadline {
                None => shared = self.inner.thread_exited.wait(shared),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    shared = self
                        .inner
                        .thread_exited
                        .wait_timeout(shared, deadline - now);
                }
            }
        }
        // Threads still running past the deadline are left to finish on their own;
        // those that have left the count are joined, so their stop hooks have run and
        // they are gone when the runtime's drop returns.
        let exited = std::mem::take(&mut shared.exited);
        drop(shared);
        exited.into_iter().for_each(|t| {
            let _ = t.join();
        });
    }
}

/// Takes a pool thread out of the count when it ends (invariant 3).
struct ExitGuard<'a> {
    inner: &'a Inner,
    id: usize,
}

impl Drop for ExitGuard<'_> {
    fn drop(&mut self) {
        let mut shared = self.inner.shared.lock();
        shared.num_threads -= 1;
        if let Some(join) = shared.workers.remove(&self.id) {
            shared.exited.push(join);
        }
        if shared.shutdown {
            self.inner.thread_exited.notify_all();
        }
    }
}

impl Inner {
    fn run(&self) {
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
            // Invariant 5: one deadline for the whole idle spell.
            let idle_until = Instant::now() + self.keep_alive;
            loop {
                let left = idle_until.saturating_duration_since(Instant::now());
                shared = self.condvar.wait_timeout(shared, left);
                if shared.num_notify > 0 {
                    // Invariant 1: the pusher already took us off `num_idle`.
                    shared.num_notify -= 1;
                    continue 'outer;
                }
                if shared.shutdown {
                    shared.num_idle -= 1;
                    break 'outer;
                }
                if Instant::now() >= idle_until {
                    // Idle for the whole keep-alive: exit.
                    shared.num_idle -= 1;
                    break 'outer;
                }
            }
        }
    }
}
