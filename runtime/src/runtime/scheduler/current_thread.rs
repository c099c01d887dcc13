//! The current-thread scheduler: every task runs on the thread inside `block_on`.
//!
//! The `Core` (local run queue and driver) is taken by whichever thread calls
//! `block_on`; a second thread calling `block_on` at the same time polls only its
//! own future and waits until the core comes back (it is woken then) or its future
//! completes. Tasks woken on the core's thread go to the local queue; tasks woken
//! elsewhere go to the injection queue and unpark the driver.
//!
//! # Invariants
//!
//! 1. At most one thread holds the `Core`; it lends it to the thread-local `Context`
//!    while polling a task or the `block_on` future or parking, so wakes on that
//!    thread reach the local queue.
//! 2. The `block_on` future is polled only when `woken` was set since its last poll
//!    (it starts set), so an idle `block_on` costs nothing.

use crate::loom::Mutex;
use crate::loom::atomic::{AtomicBool, Ordering::SeqCst};
use crate::runtime::blocking;
use crate::runtime::config::Config;
use crate::runtime::context;
use crate::runtime::driver::{Driver, DriverHandle};
use crate::runtime::park::ParkThread;
use crate::runtime::scheduler::inject::Inject;
use crate::task::{self, JoinHandle, Meta, Notified, OwnedTasks, Schedule, Task};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Poll, Wake, Waker};
use std::time::Duration;

/// Shared state; tasks hold an `Arc` of it.
pub(crate) struct Handle {
    inject: Inject<Arc<Handle>>,
    pub(crate) owned: OwnedTasks<Arc<Handle>>,
    woken: AtomicBool,
    core: Mutex<Option<Box<Core>>>,
    core_waiters: Mutex<Vec<Waker>>,
    pub(crate) driver: DriverHandle,
    pub(crate) blocking: blocking::Spawner,
    pub(crate) config: Config,
}

/// The part one thread drives.
pub(crate) struct Core {
    tasks: VecDeque<Notified<Arc<Handle>>>,
    tick: u32,
    driver: Option<Driver>,
}

/// The thread-local view while a thread drives the core.
pub(crate) struct Context {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
}

pub(crate) fn create(
    driver: Driver,
    driver_handle: DriverHandle,
    blocking: blocking::Spawner,
    config: Config,
) -> Arc<Handle> {
    Arc::new(Handle {
        inject: Inject::new(),
        owned: OwnedTasks::new(1),
        woken: AtomicBool::new(false),
        core: Mutex::new(Some(Box::new(Core {
            tasks: VecDeque::with_capacity(64),
            tick: 0,
            driver: Some(driver),
        }))),
        core_waiters: Mutex::new(Vec::new()),
        driver: driver_handle,
        blocking,
        config,
    })
}

/// Wakes the `block_on` future: marks it woken and unparks the driver.
struct MainWaker(Arc<Handle>);

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.woken.store(true, SeqCst);
        self.0.driver.unpark();
    }
}

impl Handle {
    /// Runs `future` to completion, driving the scheduler meanwhile if the core is
    /// free.
    pub(crate) fn block_on<F: Future>(self: &Arc<Self>, future: F) -> F::Output {
        let mut future = pin!(future);
        let mut park = ParkThread::new();
        let waker = park.waker();
        let mut cx = std::task::Context::from_waker(&waker);
        loop {
            let core = self.core.lock().take();
            if let Some(core) = core {
                return self.block_on_core(core, future.as_mut());
            }
            // Another thread drives the tasks: register to hear when it stops.
            self.core_waiters.lock().push(waker.clone());
            if let Poll::Ready(v) = task::coop::with_budget(|| future.as_mut().poll(&mut cx)) {
                return v;
            }
            park.park();
        }
    }

    fn block_on_core<F: Future>(
        self: &Arc<Self>,
        core: Box<Core>,
        future: std::pin::Pin<&mut F>,
    ) -> F::Output {
        /// Returns the core and wakes waiting `block_on` callers, even on panic.
        struct CoreGuard<'a> {
            cx: &'a crate::runtime::scheduler::Context,
            handle: &'a Arc<Handle>,
        }
        impl Drop for CoreGuard<'_> {
            fn drop(&mut self) {
                let crate::runtime::scheduler::Context::CurrentThread(cx) = self.cx else {
                    unreachable!()
                };
                let core = cx.core.borrow_mut().take();
                if let Some(core) = core {
                    *self.handle.core.lock() = Some(core);
                }
                let waiters = std::mem::take(&mut *self.handle.core_waiters.lock());
                waiters.into_iter().for_each(Waker::wake);
            }
        }

        let cx = crate::runtime::scheduler::Context::CurrentThread(Context {
            handle: self.clone(),
            core: RefCell::new(None),
        });
        let guard = CoreGuard {
            cx: &cx,
            handle: self,
        };
        let crate::runtime::scheduler::Context::CurrentThread(inner) = &cx else {
            unreachable!()
        };
        let main_waker = Waker::from(Arc::new(MainWaker(self.clone())));
        self.woken.store(true, SeqCst);
        let out = context::set_scheduler(&cx, || inner.run(core, future, &main_waker));
        drop(guard);
        out
    }

    #[track_caller]
    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F, meta: Meta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, notified, join) = task::new_task(future, self.clone(), meta);
        if let Some(notified) = self.owned.bind(task, notified) {
            self.schedule_task(notified);
        }
        join
    }

    fn schedule_task(self: &Arc<Self>, task: Notified<Arc<Handle>>) {
        let task = context::with_scheduler(|cx| {
            if let Some(crate::runtime::scheduler::Context::CurrentThread(cx)) = cx
                && Arc::ptr_eq(&cx.handle, self)
                && let Ok(mut core) = cx.core.try_borrow_mut()
                && let Some(core) = core.as_mut()
            {
                core.tasks.push_back(task);
                return None;
            }
            Some(task)
        });
        if let Some(task) = task {
            self.inject.push(task);
            self.driver.unpark();
        }
    }

    /// Stops the scheduler: cancels every task and drops the queues.
    pub(crate) fn shutdown(self: &Arc<Self>) {
        self.inject.close();
        self.owned.close_and_shutdown_all();
        let core = self.core.lock().take();
        if let Some(mut core) = core {
            core.tasks.clear();
            if let Some(driver) = core.driver.as_mut() {
                driver.shutdown();
            }
        }
        self.inject.drain();
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.owned.len()
    }
}

impl Context {
    fn run<F: Future>(
        &self,
        mut core: Box<Core>,
        mut future: std::pin::Pin<&mut F>,
        waker: &Waker,
    ) -> F::Output {
        let handle = &self.handle;
        let mut cx = std::task::Context::from_waker(waker);
        loop {
            if handle.woken.swap(false, SeqCst) {
                let (c, res) = self.enter(core, || {
                    task::coop::with_budget(|| future.as_mut().poll(&mut cx))
                });
                core = c;
                if let Poll::Ready(v) = res {
                    *self.core.borrow_mut() = Some(core);
                    return v;
                }
            }
            let mut idle = false;
            for _ in 0..handle.config.event_interval {
                if handle.inject.is_closed() {
                    *self.core.borrow_mut() = Some(core);
                    panic!(
                        "the weft runtime was shut down while `block_on` was running (a \
                         detached task panicked under `UnhandledPanic::ShutdownRuntime`)"
                    );
                }
                // The `block_on` future waits for this batch even if it was woken:
                // a `yield_now` there must let the woken tasks run first.
                core.tick = core.tick.wrapping_add(1);
                let Some(task) = core.next_task(handle) else {
                    idle = true;
                    break;
                };
                let (c, ()) = self.enter(core, || task::coop::with_budget(|| task.run()));
                core = c;
            }
            // Park when idle; otherwise just let the driver look for events.
            let timeout = if idle && !handle.woken.load(SeqCst) {
                None
            } else {
                Some(Duration::ZERO)
            };
            core = self.park(core, timeout);
        }
    }

    /// Lends the core to the thread-local context while `f` runs (invariant 1).
    fn enter<R>(&self, core: Box<Core>, f: impl FnOnce() -> R) -> (Box<Core>, R) {
        *self.core.borrow_mut() = Some(core);
        let res = f();
        let core = self.core.borrow_mut().take().expect("core missing");
        (core, res)
    }

    fn park(&self, mut core: Box<Core>, timeout: Option<Duration>) -> Box<Core> {
        let mut driver = core.driver.take().expect("driver missing");
        let (mut core, ()) = self.enter(core, || driver.park(timeout));
        core.driver = Some(driver);
        core
    }
}

impl Core {
    fn next_task(&mut self, handle: &Handle) -> Option<Notified<Arc<Handle>>> {
        if self.tick % handle.config.global_queue_interval == 0 {
            handle.inject.pop().or_else(|| self.tasks.pop_front())
        } else {
            self.tasks.pop_front().or_else(|| handle.inject.pop())
        }
    }
}

impl Schedule for Arc<Handle> {
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }

    fn schedule(&self, task: Notified<Self>) {
        self.schedule_task(task);
    }

    fn unhandled_panic(&self, report: &task::PanicReport<'_>) {
        self.config.unhandled_panic(report, || {
            self.inject.close();
            self.driver.unpark();
        });
    }
}
