//! Worker threads: the run loop, scheduling, stealing, parking and shutdown.
//!
//! # Invariants
//!
//! 1. A `Core` is owned by at most one thread. While its worker polls a task or
//!    parks, the core sits in the thread's `Context` so that spawns and wakes on that
//!    thread can push to it; otherwise the loop holds it by value.
//! 2. A task in a LIFO slot is never stolen; before parking a worker has run it.
//! 3. See `idle.rs` for the rule that keeps wake-ups from being lost.
//! 4. `block_in_place` moves the core to a new thread (from the blocking pool),
//!    which runs this same loop with it; the old thread finishes the poll it is in
//!    without a core and then stops being a worker. The number of cores never
//!    changes, so shutdown still collects every one.

use super::idle::Idle;
use super::park::{Parker, SharedDriver, Unparker};
use super::queue;
use crate::loom::Mutex;
use crate::loom::atomic::{Ordering::SeqCst, fence};
use crate::runtime::blocking;
use crate::runtime::config::Config;
use crate::runtime::context;
use crate::runtime::scheduler::inject::Inject;
use crate::task::{self, JoinHandle, Meta, Notified, OwnedTasks, Schedule, Task};
use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// At most this many tasks run from the LIFO slot in a row.
const MAX_LIFO_POLLS: u32 = 3;

/// A worker whose last stretch between two parks lasted this long counts as one
/// that stays busy: when it next leaves the driver with work, it wakes a sleeping
/// worker to watch the reactor in its place (see `Context::park_timeout`).
const LONG_BUSY: Duration = Duration::from_micros(100);

/// The scheduler state shared by all workers; tasks hold an `Arc` of it.
pub(crate) struct Handle {
    remotes: Box<[Remote]>,
    inject: Inject<Arc<Handle>>,
    idle: Idle,
    pub(crate) owned: OwnedTasks<Arc<Handle>>,
    #[allow(clippy::vec_box)] // cores move between threads as boxes; no need to re-box
    shutdown_cores: Mutex<Vec<Box<Core>>>,
    pub(crate) driver: Arc<SharedDriver>,
    pub(crate) blocking: blocking::Spawner,
    pub(crate) config: Config,
}

struct Remote {
    steal: queue::Steal<Arc<Handle>>,
    unpark: Unparker,
}

/// A worker's private state.
pub(crate) struct Core {
    index: usize,
    tick: u32,
    lifo_slot: Option<Notified<Arc<Handle>>>,
    run_queue: queue::Local<Arc<Handle>>,
    is_searching: bool,
    is_shutdown: bool,
    park: Option<Parker>,
    rand: FastRand,
    /// When this worker last left `park` (the start of its current busy stretch).
    busy_since: Instant,
}

/// The thread-local view of a worker: which runtime, and its core while lent out.
pub(crate) struct Context {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
}

/// The cores to start threads for, returned by `create`.
#[allow(clippy::vec_box)] // each box moves to its worker thread as is
pub(crate) struct Launch(Vec<Box<Core>>);

/// Builds the scheduler: the shared handle and one core per worker.
pub(crate) fn create(
    size: usize,
    driver: Arc<SharedDriver>,
    blocking: blocking::Spawner,
    config: Config,
) -> (Arc<Handle>, Launch) {
    let mut cores = Vec::with_capacity(size);
    let mut remotes = Vec::with_capacity(size);
    for index in 0..size {
        let (steal, run_queue) = queue::local();
        let park = Parker::new(driver.clone());
        remotes.push(Remote {
            steal,
            unpark: park.unparker(),
        });
        cores.push(Box::new(Core {
            index,
            tick: 0,
            lifo_slot: None,
            run_queue,
            is_searching: false,
            is_shutdown: false,
            park: Some(park),
            rand: FastRand::new(index as u64 + 1),
            busy_since: Instant::now(),
        }));
    }
    let handle = Arc::new(Handle {
        remotes: remotes.into_boxed_slice(),
        inject: Inject::new(),
        idle: Idle::new(size),
        owned: OwnedTasks::new(size * 4),
        shutdown_cores: Mutex::new(Vec::with_capacity(size)),
        driver,
        blocking,
        config,
    });
    (handle, Launch(cores))
}

impl Launch {
    /// The work each worker thread runs, one closure per core.
    pub(crate) fn into_workers(
        self,
        handle: &Arc<Handle>,
    ) -> impl Iterator<Item = Box<dyn FnOnce() + Send>> + '_ {
        self.0.into_iter().map(move |core| {
            let handle = handle.clone();
            Box::new(move || run(handle, core)) as Box<dyn FnOnce() + Send>
        })
    }
}

/// Runs `f` on this thread, first handing this worker's core (its queues and its
/// place in the scheduler) to a new thread so the other tasks keep running.
pub(crate) fn block_in_place<R>(f: impl FnOnce() -> R) -> R {
    context::with_scheduler(|cx| {
        if let Some(crate::runtime::scheduler::Context::MultiThread(cx)) = cx {
            // `None` if an outer `block_in_place` in this poll already handed it off.
            let core = cx.core.borrow_mut().take();
            if let Some(core) = core {
                let handle = cx.handle.clone();
                let worker = handle.clone();
                // Detached: the loop ends at shutdown; the pool waits for it then.
                drop(
                    handle
                        .blocking
                        .spawn_blocking(move || run(worker, core), Meta::new(None)),
                );
            }
        }
    });
    context::exit_runtime(f)
}

fn run(handle: Arc<Handle>, core: Box<Core>) {
    let rt_handle = crate::runtime::scheduler::Handle::MultiThread(handle.clone());
    let _enter = context::enter_runtime(rt_handle);
    let cx = crate::runtime::scheduler::Context::MultiThread(Context {
        handle,
        core: RefCell::new(None),
    });
    context::set_scheduler(&cx, || {
        let crate::runtime::scheduler::Context::MultiThread(cx) = &cx else {
            unreachable!()
        };
        // `Err` means the core was taken from us (never happens yet: reserved for
        // `block_in_place`); either way this thread's work is done.
        let _ = cx.run(core);
    });
}

impl Context {
    fn run(&self, mut core: Box<Core>) -> Result<(), ()> {
        while !core.is_shutdown {
            core.tick = core.tick.wrapping_add(1);
            core = self.maintenance(core);
            if core.is_shutdown {
                break;
            }
            if let Some(task) = core.next_task(&self.handle) {
                core = self.run_task(task, core)?;
                continue;
            }
            if let Some(task) = core.steal_work(&self.handle) {
                core = self.run_task(task, core)?;
                continue;
            }
            core = self.park(core);
        }
        self.handle.shutdown_core(core);
        Ok(())
    }

    /// Every `event_interval` ticks: poll the driver without blocking and notice a
    /// shutdown.
    fn maintenance(&self, mut core: Box<Core>) -> Box<Core> {
        if core.tick % self.handle.config.event_interval == 0 {
            *self.core.borrow_mut() = Some(core);
            self.handle.driver.poll_nonblocking();
            core = self
                .core
                .borrow_mut()
                .take()
                .expect("core missing after maintenance");
            core.is_shutdown = self.handle.inject.is_closed();
        }
        core
    }

    fn run_task(&self, task: Notified<Arc<Handle>>, mut core: Box<Core>) -> Result<Box<Core>, ()> {
        core.transition_from_searching(&self.handle);
        *self.core.borrow_mut() = Some(core);
        task::coop::with_budget(|| task.run());
        let mut lifo_polls = 0;
        loop {
            let Some(mut core) = self.core.borrow_mut().take() else {
                return Err(());
            };
            let Some(task) = core.lifo_slot.take() else {
                return Ok(core);
            };
            if lifo_polls >= MAX_LIFO_POLLS {
                // Give the rest of the queue a turn; the task becomes stealable.
                core.run_queue
                    .push_back_or_overflow(task, &self.handle.inject);
                self.handle.notify_parked();
                return Ok(core);
            }
            lifo_polls += 1;
            *self.core.borrow_mut() = Some(core);
            task::coop::with_budget(|| task.run());
        }
    }

    fn park(&self, mut core: Box<Core>) -> Box<Core> {
        if !core.transition_to_parked(&self.handle) {
            return core;
        }
        let long_busy = core.busy_since.elapsed() >= LONG_BUSY;
        while !core.is_shutdown {
            core = self.park_timeout(core, None, long_busy);
            core.is_shutdown = self.handle.inject.is_closed();
            if core.transition_from_parked(&self.handle) {
                break;
            }
        }
        core.busy_since = Instant::now();
        core
    }

    /// `long_busy`: the stretch before this park lasted at least `LONG_BUSY`.
    fn park_timeout(
        &self,
        mut core: Box<Core>,
        timeout: Option<std::time::Duration>,
        long_busy: bool,
    ) -> Box<Core> {
        let mut park = core.park.take().expect("parker missing");
        *self.core.borrow_mut() = Some(core);
        park.park(timeout);
        let mut core = self
            .core
            .borrow_mut()
            .take()
            .expect("core missing after park");
        core.park = Some(park);
        let woken = usize::from(core.lifo_slot.is_some()) + core.run_queue.len();
        // The driver may have woken several tasks into our queue: we run one (the
        // LIFO slot's, or the queue's head), so wake a worker to share the rest.
        //
        // With just one, a worker that tends to stay busy (say a task that moves
        // megabytes per poll) still wakes one: otherwise no one watches the reactor
        // while it works, the other workers sleep on their condition variables, and
        // every task that I/O wakes meanwhile waits for this one worker (a reader
        // and a writer of one socket pair would take turns on one core). A short
        // stretch, like a request answered in microseconds, doesn't pay for that
        // extra wake-up.
        if woken > 1 || (woken == 1 && long_busy) {
            self.handle.notify_parked();
        }
        core
    }
}

impl Core {
    fn next_task(&mut self, handle: &Handle) -> Option<Notified<Arc<Handle>>> {
        if self.tick % handle.config.global_queue_interval == 0 {
            // Fairness: the injection queue first now and then.
            return handle.inject.pop().or_else(|| self.next_local_task());
        }
        if let Some(task) = self.next_local_task() {
            return Some(task);
        }
        // Refill from the injection queue: our fair share, at most half a queue.
        let fair = handle.inject.len() / handle.remotes.len() + 1;
        let n = fair.min(self.run_queue.remaining_slots() / 2).max(1);
        let mut first = None;
        handle.inject.pop_n(n, |task| {
            if first.is_none() {
                first = Some(task);
            } else {
                self.run_queue.push_back_or_overflow(task, &handle.inject);
            }
        });
        first
    }

    fn next_local_task(&mut self) -> Option<Notified<Arc<Handle>>> {
        self.lifo_slot.take().or_else(|| self.run_queue.pop())
    }

    fn steal_work(&mut self, handle: &Handle) -> Option<Notified<Arc<Handle>>> {
        if !self.transition_to_searching(handle) {
            return None;
        }
        let n = handle.remotes.len();
        let start = self.rand.below(n as u32) as usize;
        for i in 0..n {
            let victim = (start + i) % n;
            if victim == self.index {
                continue;
            }
            if let Some(task) = handle.remotes[victim].steal.steal_into(&mut self.run_queue) {
                return Some(task);
            }
        }
        handle.inject.pop()
    }

    fn transition_to_searching(&mut self, handle: &Handle) -> bool {
        if !self.is_searching {
            self.is_searching = handle.idle.transition_worker_to_searching();
        }
        self.is_searching
    }

    fn transition_from_searching(&mut self, handle: &Handle) {
        if !self.is_searching {
            return;
        }
        self.is_searching = false;
        if handle.idle.transition_worker_from_searching() {
            // We were the last searcher: a notifier that saw us searching left its
            // task for us (the no-lost-wake-up rule in `idle.rs`), so if any work is
            // still visible, wake another worker to take it. Waking one
            // unconditionally would cost every lone wake-up (a blocking job's
            // completion, one socket's readiness) a second thread's futex round
            // trip for nothing.
            handle.notify_if_work_pending();
        }
    }

    fn has_tasks(&self) -> bool {
        self.lifo_slot.is_some() || !self.run_queue.is_empty()
    }

    fn transition_to_parked(&mut self, handle: &Handle) -> bool {
        if self.has_tasks() || self.is_shutdown {
            return false;
        }
        let last_searcher = handle
            .idle
            .transition_worker_to_parked(self.index, self.is_searching);
        self.is_searching = false;
        if last_searcher {
            handle.notify_if_work_pending();
        }
        true
    }

    fn transition_from_parked(&mut self, handle: &Handle) -> bool {
        if self.has_tasks() {
            // Woken by the driver with work of our own: not a searcher, unless a
            // notifier had picked us meanwhile.
            self.is_searching = handle.idle.unpark_worker_by_id(self.index);
            return true;
        }
        if handle.idle.is_parked(self.index) {
            return false;
        }
        // A notifier took us off the sleeper list and counted us as searching.
        self.is_searching = true;
        true
    }
}

impl Handle {
    /// Spawns a `Send` future on this scheduler.
    #[track_caller]
    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F, meta: Meta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, notified, join) = task::new_task(future, self.clone(), meta);
        if let Some(notified) = self.owned.bind(task, notified) {
            self.schedule_task(notified, false);
        }
        join
    }

    fn schedule_task(self: &Arc<Self>, task: Notified<Arc<Handle>>, is_yield: bool) {
        let task = context::with_scheduler(|cx| {
            if let Some(crate::runtime::scheduler::Context::MultiThread(cx)) = cx
                && Arc::ptr_eq(&cx.handle, self)
                && let Ok(mut core) = cx.core.try_borrow_mut()
                && let Some(core) = core.as_mut()
            {
                self.schedule_local(core, task, is_yield);
                return None;
            }
            Some(task)
        });
        if let Some(task) = task {
            // From outside this runtime's workers (or with the core lent out).
            self.inject.push(task);
            self.notify_parked();
        }
    }

    fn schedule_local(&self, core: &mut Core, task: Notified<Arc<Handle>>, is_yield: bool) {
        let pushed_to_queue = if is_yield {
            core.run_queue.push_back_or_overflow(task, &self.inject);
            true
        } else {
            match core.lifo_slot.replace(task) {
                Some(prev) => {
                    core.run_queue.push_back_or_overflow(prev, &self.inject);
                    true
                }
                None => false,
            }
        };
        // Stealable work appeared: wake an idle worker, unless this worker is in the
        // middle of parking (it shares its queue when it wakes).
        if pushed_to_queue && core.park.is_some() {
            self.notify_parked();
        }
    }

    fn notify_parked(&self) {
        if let Some(index) = self.idle.worker_to_notify() {
            self.remotes[index].unpark.unpark();
        }
    }

    fn notify_if_work_pending(&self) {
        // Pairs with the notifier's fence (`idle.rs`): our SeqCst decrement of the
        // searching count comes before these loads in the single total order.
        fence(SeqCst);
        let pending = self.remotes.iter().any(|r| !r.steal.is_empty()) || !self.inject.is_empty();
        if pending {
            self.notify_parked();
        }
    }

    /// Starts shutdown: no more tasks are accepted; every worker is woken to cancel
    /// what is left.
    pub(crate) fn shutdown(&self) {
        if self.inject.close() {
            for remote in self.remotes.iter() {
                remote.unpark.unpark();
            }
        }
    }

    /// A worker has left its loop: cancel every task, and if this is the last core
    /// back, drain all queues.
    fn shutdown_core(&self, core: Box<Core>) {
        self.owned.close_and_shutdown_all();
        let mut cores = self.shutdown_cores.lock();
        cores.push(core);
        if cores.len() != self.remotes.len() {
            return;
        }
        for mut core in cores.drain(..) {
            // Notified references of tasks that are already cancelled.
            drop(core.lifo_slot.take());
            while core.run_queue.pop().is_some() {}
        }
        drop(cores);
        self.inject.drain();
        self.driver.shutdown();
    }

    /// Number of tasks alive on this scheduler.
    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.owned.len()
    }
}

impl Schedule for Arc<Handle> {
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }

    fn schedule(&self, task: Notified<Self>) {
        self.schedule_task(task, false);
    }

    fn yield_now(&self, task: Notified<Self>) {
        self.schedule_task(task, true);
    }

    fn unhandled_panic(&self, report: &task::PanicReport<'_>) {
        self.config.unhandled_panic(report, || self.shutdown());
    }
}

/// A small xorshift generator for picking steal victims.
struct FastRand(u64);

impl FastRand {
    fn new(seed: u64) -> FastRand {
        FastRand(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: u32) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (((x >> 32) * u64::from(n)) >> 32) as u32
    }
}
