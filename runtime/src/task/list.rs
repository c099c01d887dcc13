//! `OwnedTasks`: every live task of one scheduler, so shutdown can cancel them all.
//!
//! An intrusive doubly linked list through `Header::owned`, split into shards (each
//! behind its own lock, chosen by task id) so spawns and completions on different
//! workers rarely meet on a lock. The list holds one reference to each task it
//! contains.
//!
//! # Invariants
//!
//! 1. A task's `owned` links are read or written only under its shard's lock.
//! 2. Once `closed` is set (before any shard is locked for shutdown), no task is
//!    added: `bind` checks the flag under the shard lock and shuts the task down
//!    instead, so a spawn racing with shutdown cannot escape it.
//! 3. A task leaves the list at most once: `remove` checks membership under the
//!    lock, so completion after a shutdown pop is a no-op.

use super::core::Header;
use super::raw::RawTask;
use super::{Notified, Schedule, Task};
use crate::loom::Mutex;
use crate::loom::atomic::{AtomicBool, Ordering};
use std::marker::PhantomData;
use std::ptr::NonNull;

/// The tasks of one scheduler.
pub(crate) struct OwnedTasks<S: 'static> {
    shards: Box<[Shard]>,
    mask: usize,
    closed: AtomicBool,
    _scheduler: PhantomData<S>,
}

#[repr(align(64))]
struct Shard(Mutex<List>);

struct List {
    head: Option<NonNull<Header>>,
    /// Tasks in this shard. Counted per shard, under the lock already held, rather
    /// than in one shared counter every spawn and completion would fight over.
    len: usize,
}

// SAFETY: the raw pointers in a `List` are only followed under its shard lock
// (invariant 1), and the tasks they point to are `Send` by construction.
unsafe impl Send for List {}

impl<S: Schedule> OwnedTasks<S> {
    /// A list with at least `shards` shards (rounded up to a power of two).
    pub(crate) fn new(shards: usize) -> Self {
        // One shard under loom: shards are picked by the process-wide task id, which
        // differs between model iterations and would make the model nondeterministic.
        let n = if crate::loom::LOOM {
            1
        } else {
            shards.clamp(1, 256).next_power_of_two()
        };
        OwnedTasks {
            shards: (0..n)
                .map(|_| Shard(Mutex::new(List { head: None, len: 0 })))
                .collect(),
            mask: n - 1,
            closed: AtomicBool::new(false),
            _scheduler: PhantomData,
        }
    }

    fn shard(&self, header: &Header) -> &Mutex<List> {
        &self.shards[header.id.as_u64() as usize & self.mask].0
    }

    /// Adds a new task. Returns its first `Notified`, or `None` if the list is closed
    /// (the task was cancelled at once and its join handle reports that).
    pub(crate) fn bind(&self, task: Task<S>, notified: Notified<S>) -> Option<Notified<S>> {
        let header = task.raw.header_ptr();
        {
            // SAFETY: the task is alive: we hold references to it.
            let mut list = self.shard(unsafe { header.as_ref() }).lock();
            // Invariant 2.
            if !self.closed.load(Ordering::Acquire) {
                // SAFETY: invariant 1, we hold the lock; the task is in no list yet.
                unsafe { list.push_front(header) };
                // The list keeps the `Task`'s reference.
                std::mem::forget(task);
                return Some(notified);
            }
        }
        drop(notified);
        task.shutdown();
        None
    }

    /// Removes `task` if it is still in the list, returning the list's reference.
    pub(crate) fn remove(&self, task: &Task<S>) -> Option<Task<S>> {
        let header = task.raw.header_ptr();
        let mut list = self.shard(task.raw.header()).lock();
        // SAFETY: invariant 1, we hold the lock.
        if unsafe { list.remove(header) } {
            Some(Task::from_raw(task.raw))
        } else {
            None
        }
    }

    /// Closes the list and cancels every task in it. Tasks running elsewhere are
    /// cancelled by their poller when it sees `CANCELLED`.
    pub(crate) fn close_and_shutdown_all(&self) {
        self.closed.store(true, Ordering::Release);
        for shard in self.shards.iter() {
            loop {
                // Pop under the lock, shut down outside it: completing a task
                // removes it, which takes this same lock.
                let popped = shard.0.lock().pop_front();
                let Some(header) = popped else { break };
                Task::<S>::from_raw(RawTask::from_header(header)).shutdown();
            }
        }
    }

    /// How many tasks are in the list (locks each shard in turn: for metrics and
    /// tests, not hot paths).
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|shard| shard.0.lock().len).sum()
    }

    /// Whether the list holds no task.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl List {
    /// # Safety
    ///
    /// Invariant 1 holds for `header` and every task in the list, and `header` is in
    /// no list.
    unsafe fn push_front(&mut self, header: NonNull<Header>) {
        // SAFETY: per the contract, we may write these links.
        unsafe {
            header.as_ref().owned.with_mut(|links| {
                (*links).prev = None;
                (*links).next = self.head;
            });
            if let Some(old) = self.head {
                old.as_ref()
                    .owned
                    .with_mut(|links| (*links).prev = Some(header));
            }
        }
        self.head = Some(header);
        self.len += 1;
    }

    /// # Safety
    ///
    /// Invariant 1 holds for `header` and every task in the list.
    unsafe fn remove(&mut self, header: NonNull<Header>) -> bool {
        // SAFETY: per the contract, we may read and write these links.
        unsafe {
            let (prev, next) = header
                .as_ref()
                .owned
                .with(|links| ((*links).prev, (*links).next));
            match prev {
                Some(prev) => prev.as_ref().owned.with_mut(|l| (*l).next = next),
                // Not the head and no predecessor: not in this list (invariant 3).
                None if self.head != Some(header) => return false,
                None => self.head = next,
            }
            if let Some(next) = next {
                next.as_ref().owned.with_mut(|l| (*l).prev = prev);
            }
            header.as_ref().owned.with_mut(|links| {
                (*links).prev = None;
                (*links).next = None;
            });
        }
        self.len -= 1;
        true
    }

    fn pop_front(&mut self) -> Option<NonNull<Header>> {
        let head = self.head?;
        // SAFETY: the caller holds this list's lock (it is behind the shard mutex).
        unsafe { self.remove(head) };
        Some(head)
    }
}
