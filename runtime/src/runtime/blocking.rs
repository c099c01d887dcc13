//! The blocking pool: threads for closures that block (file I/O, CPU-heavy work,
//! blocking libraries), so they never stall a worker.
//!
//! Threads start on demand, up to `max_blocking_threads`; an idle thread waits
//! `thread_keep_alive` for new work and then exits. Work is taken in FIFO order. A
//! blocking closure runs inside a task like any other (`BlockingTask`), so
//! `spawn_blocking` returns the same `JoinHandle` and panics are caught the same way.
//!
//! # Thread states
//!
//! A pool thread is always in one of these states, each but *busy* counted in
//! `Shared` (or, for *returning*, in `Inner::returning`) and left only under the lock:
//!
//! - **starting** (`num_starting`): reserved by `find_taker` (run by a submitter or by a
//!   pool thread passing a wake-up on), not yet at the queue;
//! - **busy**: running a job, or holding the lock about to look at the queue;
//! - **returning** (`Inner::returning`): its job's closure has returned and the job
//!   is completing (storing the output, waking the awaiting task); entered without
//!   the lock, just before the wake-up, so that a task that submits its next job as
//!   soon as it is woken finds this thread already counted;
//! - **spinning** (`num_spinning`): just finished a job and the queue was empty, so
//!   it watches `Inner::queued` for a short while instead of sleeping at once — the
//!   next job of a task that submits one job at a time (`fs::read` in a loop) is then
//!   taken with no condvar round trip at all;
//! - **idle** (`num_idle`): asleep on the condvar, not yet handed a notification;
//! - **notified** (`num_notify`): taken off `num_idle` by `find_taker`, which signalled
//!   the condvar for it, not yet awake.
//!
//! Starting, returning, spinning and notified threads are *on their way* to the
//! queue: each looks at it again soon, without waiting for any job to finish.
//!
//! # Invariants
//!
//! 1. Every queued job gets a thread on its way, unless the pool is at its cap.
//!    Whenever `queue.len()` exceeds the threads on their way, a thread is being
//!    woken or started (`num_notify + num_starting > 0`) — or the pool is at its cap
//!    and the job waits for the next thread to finish one. `find_taker` keeps this
//!    after every push; a woken or started thread calls it again when it takes a
//!    job and more are waiting, so a burst wakes threads one after another (the
//!    submitter pays for at most one wake-up) instead of all from the submitter. A
//!    thread leaves an on-the-way state only under the lock, and then looks at the
//!    queue before it may sleep; so a job never waits for a busy thread while the
//!    pool could run it elsewhere.
//! 2. After shutdown no task starts: queued tasks are cancelled, running ones are
//!    waited for up to the shutdown timeout.
//! 3. Every pool thread counts in `num_threads` from the moment `find_taker` reserves
//!    it until its `ExitGuard` runs; its `JoinHandle` is then in `exited`, or, if it
//!    ended before its starter got the handle back from `spawn`, its id is in
//!    `exited_early` until the starter moves the handle to `exited`. A live
//!    thread's handle is in `workers` once registered.
//! 4. `num_threads + exited.len() + exited_early.len()` (every OS thread of the pool
//!    not yet joined) never exceeds `max_threads`: a reservation checks it under the
//!    lock, and only `join` lowers it. So the pool never has more live OS threads
//!    than `max_blocking_threads`, not even for the instant an exiting thread takes to
//!    unwind.
//! 5. An idle thread exits once it has been idle for `keep_alive` in one spell;
//!    wake-ups that bring it no work do not restart the clock.
//! 6. Threads are started and condvars signalled with the lock released, so a slow
//!    `clone(2)` never stalls the threads that are draining the queue.

use crate::loom::atomic::{AtomicUsize, Ordering};
use crate::loom::{Condvar, Mutex, MutexGuard};
use crate::runtime::config::ThreadConfig;
use crate::runtime::context;
use crate::task::{self, JoinHandle, Meta, Notified, Schedule, Task};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

/// How long a thread that has just finished a job watches the queue before it
/// sleeps. Long enough to cover a worker's wake-up and its next submission (the
/// `fs::read`-in-a-loop pattern), short enough that an idle pool costs nothing.
const SPIN_FOR: Duration = Duration::from_micros(if cfg!(miri) { 0 } else { 50 });

/// At most this many threads spin at once; the others go straight to the condvar.
/// One spinner already catches a sequence of single submissions, and every extra one
/// would only burn a core that the workers may need.
const MAX_SPINNING: usize = 1;

thread_local! {
    /// The pool this thread belongs to, or `None` off the pool: a pool shut down from
    /// one of its own threads must not wait for, or join, itself, and a job that
    /// returns announces it to its pool (see `announce_return`).
    static CURRENT_POOL: RefCell<Option<Arc<Inner>>> = const { RefCell::new(None) };
    /// Whether this pool thread counts in its pool's `returning` (invariant 1).
    static RETURNING: Cell<bool> = const { Cell::new(false) };
}

/// Counts this pool thread as on its way back to the queue (invariant 1), before its
/// job's completion wakes the task waiting for it: that task often submits the next
/// job at once, and must not wake or start another thread for it.
fn announce_return() {
    CURRENT_POOL.with(|pool| {
        if let Some(inner) = &*pool.borrow() {
            // Relaxed: a submitter that misses this only wakes a thread for nothing;
            // the decrement, which correctness needs, happens under the lock.
            inner.returning.fetch_add(1, Ordering::Relaxed);
            RETURNING.set(true);
        }
    });
}

/// Submits closures to the pool; cheap to clone.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    /// `shared.queue.len()`, written under the lock, read without it by spinning
    /// threads so that watching for work does not contend with submitters.
    queued: AtomicUsize,
    /// Threads whose job has returned and that have not yet taken the lock again:
    /// raised by `announce_return` without the lock, lowered under it.
    returning: AtomicUsize,
    condvar: Condvar,
    /// Signalled whenever a thread leaves `num_threads`, or a handle reaches `exited`,
    /// after shutdown.
    thread_exited: Condvar,
    threads: ThreadConfig,
    max_threads: usize,
    keep_alive: Duration,
}

struct Shared {
    queue: VecDeque<Notified<BlockingSchedule>>,
    /// Invariant 3: reserved, live, and exiting-but-counted threads.
    num_threads: usize,
    num_starting: usize,
    num_spinning: usize,
    num_idle: usize,
    num_notify: usize,
    shutdown: bool,
    next_thread_id: usize,
    /// Invariant 3: the registered handles of the threads counted in `num_threads`.
    workers: HashMap<usize, thread::JoinHandle<()>>,
    /// Invariant 3: handles of threads that left the count but were not joined yet.
    exited: Vec<thread::JoinHandle<()>>,
    /// Invariant 3: ids of threads that left the count before their handle was
    /// registered.
    exited_early: Vec<usize>,
    /// The runtime handle blocking threads enter, so `Handle::current` works there.
    handle: Option<crate::runtime::scheduler::Handle>,
}

impl Shared {
    /// Threads on their way to the queue (invariant 1), but for those returning from
    /// a job (`Inner::returning`).
    fn on_the_way(&self) -> usize {
        self.num_starting + self.num_spinning + self.num_notify
    }

    /// Every OS thread of the pool that has not been joined (invariant 4).
    fn unjoined(&self) -> usize {
        self.num_threads + self.exited.len() + self.exited_early.len()
    }
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
        let output = task::coop::unconstrained(f);
        announce_return();
        Poll::Ready(output)
    }
}

impl Spawner {
    pub(crate) fn new(threads: ThreadConfig, max_threads: usize, keep_alive: Duration) -> Spawner {
        Spawner {
            inner: Arc::new(Inner {
                shared: Mutex::new(Shared {
                    queue: VecDeque::new(),
                    num_threads: 0,
                    num_starting: 0,
                    num_spinning: 0,
                    num_idle: 0,
                    num_notify: 0,
                    shutdown: false,
                    next_thread_id: 0,
                    workers: HashMap::new(),
                    exited: Vec::new(),
                    exited_early: Vec::new(),
                    handle: None,
                }),
                queued: AtomicUsize::new(0),
                returning: AtomicUsize::new(0),
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
        let mut shared = self.inner.shared.lock();
        if shared.shutdown {
            drop(shared);
            // The runtime is shutting down: the join handle reports cancellation.
            notified.shutdown();
            return join;
        }
        shared.queue.push_back(notified);
        self.inner
            .queued
            .store(shared.queue.len(), Ordering::Relaxed);
        self.inner.find_taker(shared);
        join
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
            self.inner.queued.store(0, Ordering::Relaxed);
            std::mem::take(&mut shared.queue)
        };
        self.inner.condvar.notify_all();
        // Invariant 2: a task queued but not started is cancelled, never waited for.
        queued.into_iter().for_each(Notified::shutdown);
        // A pool shut down from one of its own threads waits for the others only.
        let on_own_thread = CURRENT_POOL.with(|p| {
            p.borrow()
                .as_ref()
                .is_some_and(|pool| Arc::ptr_eq(pool, &self.inner))
        });
        let own = usize::from(on_own_thread);
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut shared = self.inner.shared.lock();
        // Invariant 3: a thread that ended before its handle was registered is waited
        // for too, so that its handle can be joined below.
        while shared.num_threads > own || !shared.exited_early.is_empty() {
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
        join_all(exited);
    }
}

fn join_all(threads: Vec<thread::JoinHandle<()>>) {
    for t in threads {
        // A pool thread's body catches job panics; a panicking hook has already been
        // reported by the panic hook, and the thread is gone either way.
        let _ = t.join();
    }
}

/// Takes a pool thread out of the count when it ends (invariant 3).
struct ExitGuard<'a> {
    inner: &'a Arc<Inner>,
    id: usize,
    /// Whether the thread has left the starting state (see `Inner::run`).
    started: Cell<bool>,
}

impl Drop for ExitGuard<'_> {
    fn drop(&mut self) {
        let mut shared = self.inner.shared.lock();
        // A thread that ends while counted on its way to the queue never gets there,
        // so it is uncounted (invariant 1). If its start hook panicked, the next
        // thread's would too: the jobs wait for the next submission rather than start
        // a stream of threads that die at once. If it unwound after its job returned
        // (the task harness catches the panics it can, so this is defence in depth),
        // another thread takes over — found while this one still counts and its
        // handle is still in `workers`, so `find_taker` never joins it.
        if !self.started.get() {
            shared.num_starting -= 1;
        }
        if RETURNING.replace(false) {
            self.inner.returning.fetch_sub(1, Ordering::Relaxed);
            self.inner.find_taker(shared);
            shared = self.inner.shared.lock();
        }
        shared.num_threads -= 1;
        match shared.workers.remove(&self.id) {
            Some(join) => shared.exited.push(join),
            None => shared.exited_early.push(self.id),
        }
        if shared.shutdown {
            self.inner.thread_exited.notify_all();
        }
    }
}

impl Inner {
    /// Invariant 1: after a push (or by a thread that took a job while more wait),
    /// makes sure the jobs that have no thread on its way get one coming — wakes an
    /// idle thread or starts a new one, unless one is already being woken or started,
    /// or the pool is at its cap. Consumes the guard: signalling and starting happen
    /// unlocked.
    fn find_taker<'a>(self: &'a Arc<Self>, mut shared: MutexGuard<'a, Shared>) {
        loop {
            let on_the_way = shared.on_the_way() + self.returning.load(Ordering::Relaxed);
            if shared.shutdown || shared.queue.len() <= on_the_way {
                return;
            }
            if shared.num_notify + shared.num_starting > 0 {
                // Invariant 1: a thread is already being woken or started; it calls
                // this again when it takes its job, so the submitter pays for at
                // most one wake-up and a burst grows the pool from within.
                return;
            }
            if shared.num_idle > 0 {
                shared.num_idle -= 1;
                shared.num_notify += 1;
                drop(shared);
                self.condvar.notify_one();
                return;
            }
            if shared.unjoined() >= self.max_threads {
                if shared.exited.is_empty() {
                    // At the cap: the job waits for the next thread to finish one.
                    return;
                }
                // Invariant 4: reap the threads that have left before starting
                // another. They no longer touch the lock, so joining them is short;
                // it happens unlocked all the same, and the situation is looked at
                // again after.
                let exited = std::mem::take(&mut shared.exited);
                drop(shared);
                join_all(exited);
                shared = self.shared.lock();
                continue;
            }
            // Reserve the thread (invariants 3 and 4), then start it unlocked
            // (invariant 6); it counts as on its way from now on.
            shared.num_threads += 1;
            shared.num_starting += 1;
            let id = shared.next_thread_id;
            shared.next_thread_id += 1;
            let handle = shared.handle.clone();
            drop(shared);
            let started = self.spawn_thread(id, handle);
            shared = self.shared.lock();
            match started {
                Ok(join) => {
                    if let Some(at) = shared.exited_early.iter().position(|&e| e == id) {
                        // It came and went already (invariant 3): hand its handle
                        // to whoever joins, and look again, since it freed a slot.
                        shared.exited_early.swap_remove(at);
                        shared.exited.push(join);
                        if shared.shutdown {
                            self.thread_exited.notify_all();
                        }
                    } else {
                        shared.workers.insert(id, join);
                    }
                }
                Err(err) => {
                    shared.num_threads -= 1;
                    shared.num_starting -= 1;
                    if shared.shutdown {
                        self.thread_exited.notify_all();
                    }
                    if shared.num_threads == 0 {
                        // Nobody would ever take the queued jobs: fail loudly
                        // instead of hanging their callers.
                        let queued = std::mem::take(&mut shared.queue);
                        self.queued.store(0, Ordering::Relaxed);
                        drop(shared);
                        queued.into_iter().for_each(Notified::shutdown);
                        panic!(
                            "weft could not start a blocking-pool thread ({err}): lower \
                             `max_blocking_threads` or raise the process's thread limit"
                        );
                    }
                    // A busy thread takes the job when it is free.
                    return;
                }
            }
        }
    }

    fn spawn_thread(
        self: &Arc<Self>,
        id: usize,
        handle: Option<crate::runtime::scheduler::Handle>,
    ) -> std::io::Result<thread::JoinHandle<()>> {
        let inner = self.clone();
        let builder = self.threads.builder();
        builder.spawn(move || {
            // Leaves the count even if a hook panics, so shutdown never waits for a
            // thread that is gone.
            let exit = ExitGuard {
                inner: &inner,
                id,
                started: Cell::new(false),
            };
            CURRENT_POOL.with(|p| *p.borrow_mut() = Some(inner.clone()));
            {
                let _enter = handle.map(context::enter_handle);
                inner.threads.started();
                inner.run(&exit);
                inner.threads.stopped();
            }
            drop(exit);
            // Not left to the thread-local's destructor: the pool (and the runtime
            // handle it holds) may be the last reference, best dropped while the
            // thread is still whole.
            CURRENT_POOL.with(|p| p.borrow_mut().take());
        })
    }

    /// Takes the oldest job, keeping `queued` in step.
    fn pop(&self, shared: &mut Shared) -> Option<Notified<BlockingSchedule>> {
        let task = shared.queue.pop_front()?;
        self.queued.store(shared.queue.len(), Ordering::Relaxed);
        Some(task)
    }

    /// A pool thread's life: take jobs until shut down or idle for the keep-alive.
    fn run(self: &Arc<Self>, exit: &ExitGuard<'_>) {
        let mut shared = self.shared.lock();
        // Invariant 1: no longer on its way; it looks at the queue before anything.
        shared.num_starting -= 1;
        exit.started.set(true);
        loop {
            if let Some(task) = self.pop(&mut shared) {
                if shared.queue.is_empty() {
                    drop(shared);
                } else {
                    // Invariant 1: pass the wake-up on before running the job.
                    self.find_taker(shared);
                }
                task.run();
                shared = self.after_job();
                continue;
            }
            if shared.shutdown {
                return;
            }
            match self.sleep(shared) {
                Some(guard) => shared = guard,
                None => return,
            }
        }
    }

    /// Called after a job: spins for the next one if the queue is empty and nobody
    /// else is spinning, then returns the lock with this thread busy again.
    fn after_job(&self) -> MutexGuard<'_, Shared> {
        let mut shared = self.shared.lock();
        if RETURNING.replace(false) {
            // Invariant 1: no longer on its way; the caller looks at the queue, or
            // this thread spins, before the lock is released.
            self.returning.fetch_sub(1, Ordering::Relaxed);
        }
        if !shared.queue.is_empty() || shared.shutdown || shared.num_spinning >= MAX_SPINNING {
            return shared;
        }
        shared.num_spinning += 1;
        drop(shared);
        let until = Instant::now() + SPIN_FOR;
        'spin: loop {
            for _ in 0..32 {
                if self.queued.load(Ordering::Relaxed) > 0 {
                    break 'spin;
                }
                std::hint::spin_loop();
            }
            if Instant::now() >= until {
                break;
            }
            // Let a thread that shares this core (the worker about to submit the next
            // job, often) run instead of us.
            thread::yield_now();
        }
        let mut shared = self.shared.lock();
        // Invariant 1: off the way again under the lock; `run` looks at the queue next.
        shared.num_spinning -= 1;
        shared
    }

    /// Sleeps on the condvar with an empty queue. Returns the lock if woken for work
    /// (this thread busy again), `None` if the thread should exit.
    fn sleep<'a>(&'a self, mut shared: MutexGuard<'a, Shared>) -> Option<MutexGuard<'a, Shared>> {
        shared.num_idle += 1;
        // Invariant 5: one deadline for the whole idle spell.
        let idle_until = Instant::now() + self.keep_alive;
        loop {
            let left = idle_until.saturating_duration_since(Instant::now());
            shared = self.condvar.wait_timeout(shared, left);
            if shared.num_notify > 0 {
                // Invariant 1: `find_taker` already took us off `num_idle`.
                shared.num_notify -= 1;
                return Some(shared);
            }
            if shared.shutdown || Instant::now() >= idle_until {
                // Shut down, or idle for the whole keep-alive: exit.
                shared.num_idle -= 1;
                return None;
            }
        }
    }
}
