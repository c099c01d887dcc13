//! Test support shared by the task and queue models: a scheduler that queues
//! woken tasks in a list, and `model`, which runs a body under loom when
//! `--cfg loom` is on and a few times on real threads otherwise (so the same
//! models also run under Miri).

use super::{Meta, Notified, OwnedTasks, Schedule, Task};
use crate::loom::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;

/// A scheduler whose run queue is a locked list the test drains by hand.
pub(crate) struct TestSched {
    pub(crate) queue: Mutex<VecDeque<Notified<Arc<TestSched>>>>,
    pub(crate) owned: OwnedTasks<Arc<TestSched>>,
}

impl TestSched {
    pub(crate) fn new() -> Arc<TestSched> {
        Arc::new(TestSched {
            queue: Mutex::new(VecDeque::new()),
            owned: OwnedTasks::new(1),
        })
    }

    /// Spawns `future`, binding it and queueing its first run.
    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F) -> super::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, notified, join) = super::new_task(future, self.clone(), Meta::new(None));
        if let Some(n) = self.owned.bind(task, notified) {
            self.schedule(n);
        }
        join
    }

    /// Runs queued tasks until the queue is empty.
    pub(crate) fn run_all(&self) {
        loop {
            let next = self.queue.lock().pop_front();
            match next {
                Some(task) => task.run(),
                None => return,
            }
        }
    }

    /// Cancels every task and drops the queue (what a runtime does at shutdown).
    pub(crate) fn shutdown(&self) {
        self.owned.close_and_shutdown_all();
        let queue = std::mem::take(&mut *self.queue.lock());
        drop(queue);
    }
}

impl Schedule for Arc<TestSched> {
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }

    fn schedule(&self, task: Notified<Self>) {
        self.queue.lock().push_back(task);
    }

    fn unhandled_panic(&self, _report: &super::PanicReport<'_>) {}
}

/// Runs `f` as a loom model, or repeatedly on real threads without loom.
pub(crate) fn model(f: impl Fn() + Sync + Send + 'static) {
    #[cfg(loom)]
    loom::model(f);
    #[cfg(not(loom))]
    for _ in 0..if cfg!(miri) { 2 } else { 200 } {
        f();
    }
}
