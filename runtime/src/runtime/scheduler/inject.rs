//! The injection queue: tasks scheduled from outside a worker, and overflow from
//! full local queues. FIFO, behind one lock, with a lock-free length so workers can
//! skip it when empty.
//!
//! # Invariant
//!
//! Once closed, nothing is added: a task pushed after `close` is dropped at once
//! (its `Notified` reference released), because shutdown has already cancelled it
//! or will through the owner list.

use crate::loom::Mutex;
use crate::loom::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::task::Notified;
use std::collections::VecDeque;

pub(crate) struct Inject<S: 'static> {
    queue: Mutex<Queue<S>>,
    len: AtomicUsize,
    /// Mirrors `Queue::closed` for lock-free checks in worker loops.
    closed: AtomicBool,
}

struct Queue<S: 'static> {
    tasks: VecDeque<Notified<S>>,
    closed: bool,
}

impl<S: 'static> crate::runtime::scheduler::multi_thread::queue::Overflow<S> for Inject<S> {
    fn push_batch(&self, tasks: impl Iterator<Item = Notified<S>>) {
        Inject::push_batch(self, tasks);
    }
}

impl<S: 'static> Inject<S> {
    pub(crate) fn new() -> Self {
        Inject {
            queue: Mutex::new(Queue {
                tasks: VecDeque::new(),
                closed: false,
            }),
            len: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        }
    }

    /// A racy hint: whether the queue looks empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    pub(crate) fn push(&self, task: Notified<S>) {
        let mut q = self.queue.lock();
        if q.closed {
            drop(q);
            drop(task);
            return;
        }
        q.tasks.push_back(task);
        self.len.store(q.tasks.len(), Ordering::Release);
    }

    pub(crate) fn push_batch(&self, tasks: impl Iterator<Item = Notified<S>>) {
        let mut q = self.queue.lock();
        if q.closed {
            drop(q);
            tasks.for_each(drop);
            return;
        }
        q.tasks.extend(tasks);
        self.len.store(q.tasks.len(), Ordering::Release);
    }

    pub(crate) fn pop(&self) -> Option<Notified<S>> {
        if self.is_empty() {
            return None;
        }
        let mut q = self.queue.lock();
        let task = q.tasks.pop_front();
        self.len.store(q.tasks.len(), Ordering::Release);
        task
    }

    /// Pops up to `max` tasks into `out` under one lock acquisition.
    pub(crate) fn pop_n(&self, max: usize, mut out: impl FnMut(Notified<S>)) -> usize {
        if self.is_empty() || max == 0 {
            return 0;
        }
        let mut q = self.queue.lock();
        let n = max.min(q.tasks.len());
        let batch: Vec<_> = q.tasks.drain(..n).collect();
        self.len.store(q.tasks.len(), Ordering::Release);
        drop(q);
        batch.into_iter().for_each(&mut out);
        n
    }

    /// Closes the queue; returns true if this call closed it.
    pub(crate) fn close(&self) -> bool {
        let mut q = self.queue.lock();
        self.closed.store(true, Ordering::Release);
        !std::mem::replace(&mut q.closed, true)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Drops every queued task (after close).
    pub(crate) fn drain(&self) {
        let tasks = std::mem::take(&mut self.queue.lock().tasks);
        self.len.store(0, Ordering::Release);
        drop(tasks);
    }
}
