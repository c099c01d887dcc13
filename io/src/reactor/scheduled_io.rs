//! [`ScheduledIo`]: what the driver and the tasks share about one registered source —
//! its readiness word and the wakers of the tasks waiting on it.
//!
//! # Protocol (no lost wake-up)
//!
//! 1. The driver stores readiness in the word first, then locks `waiters` and takes
//!    the wakers of the directions that became ready.
//! 2. A task reads the word; if its direction is not ready it locks `waiters`, stores
//!    its waker, and reads the word *again* before unlocking.
//!
//! Either the driver's store happened before the task's second read (the task sees
//! it and proceeds), or the driver's lock came after the task's (the driver finds the
//! waker). The mutex orders the two.
//!
//! Each direction has one slot for `poll_*_ready` callers (one task per direction at
//! a time, like a socket half) and a slab of keyed slots for [`Readiness`] futures,
//! which any number of tasks may await at once; a dropped future removes its slot.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use slab::Slab;

use super::state::{Observed, ReadyEvent, State, wakes};
use super::wake_batch::WakeBatch;
use super::{Direction, RuntimeGone};
use crate::loom::Mutex;

/// Shared state of one registration.
#[derive(Debug)]
pub(crate) struct ScheduledIo {
    /// The generation in this registration's token (see `token.rs`).
    pub(crate) generation: usize,
    state: State,
    waiters: Mutex<Waiters>,
}

#[derive(Debug, Default)]
struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
    /// Wakers of [`Readiness`] futures; `None` once woken, until polled again.
    keyed: Slab<(Direction, Option<Waker>)>,
}

impl Waiters {
    fn slot(&mut self, dir: Direction) -> &mut Option<Waker> {
        match dir {
            Direction::Read => &mut self.reader,
            Direction::Write => &mut self.writer,
        }
    }
}

impl ScheduledIo {
    pub(crate) fn new(generation: usize) -> ScheduledIo {
        ScheduledIo {
            generation,
            state: State::new(),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// Driver side (protocol step 1): records readiness and moves the wakers it
    /// satisfies into `batch`, stopping early if the batch is full. Returns `true`
    /// when every matching waker was taken.
    pub(crate) fn set_ready(&self, ready: usize, tick: usize, batch: &mut WakeBatch) -> bool {
        self.state.set_ready(ready, tick);
        self.take_wakers(|dir| ready & wakes(dir) != 0, batch)
    }

    /// Marks the driver gone and moves every waker into `batch` (while it has room).
    pub(crate) fn shutdown(&self, batch: &mut WakeBatch) -> bool {
        self.state.set_shutdown();
        self.take_wakers(|_| true, batch)
    }

    fn take_wakers(&self, wanted: impl Fn(Direction) -> bool, batch: &mut WakeBatch) -> bool {
        let mut waiters = self.waiters.lock();
        for dir in [Direction::Read, Direction::Write] {
            if wanted(dir) && waiters.slot(dir).is_some() {
                if !batch.has_room() {
                    return false;
                }
                if let Some(waker) = waiters.slot(dir).take() {
                    batch.push(waker);
                }
            }
        }
        for (_, (dir, waker)) in waiters.keyed.iter_mut() {
            if wanted(*dir) && waker.is_some() {
                if !batch.has_room() {
                    return false;
                }
                if let Some(waker) = waker.take() {
                    batch.push(waker);
                }
            }
        }
        true
    }

    /// Task side (protocol step 2) for the single per-direction slot.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        if let Some(done) = finished(self.state.observe(dir)) {
            return Poll::Ready(done);
        }
        let mut waiters = self.waiters.lock();
        let slot = waiters.slot(dir);
        match slot {
            Some(old) if old.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
        match finished(self.state.observe(dir)) {
            Some(done) => Poll::Ready(done),
            None => Poll::Pending,
        }
    }

    /// The readiness of `dir` right now, without registering interest.
    pub(crate) fn ready_now(&self, dir: Direction) -> Option<io::Result<ReadyEvent>> {
        finished(self.state.observe(dir))
    }

    /// Forgets `dir`'s readiness after a `WouldBlock`, unless newer readiness arrived.
    pub(crate) fn clear(&self, event: ReadyEvent, dir: Direction) {
        self.state.clear(event, dir);
    }

    /// Forgets `dir`'s readiness after a short transfer, unless newer readiness
    /// arrived or the event also reported an error or a hang-up.
    pub(crate) fn clear_after_short(&self, event: ReadyEvent, dir: Direction) {
        self.state.clear_after_short(event, dir);
    }

    /// A future that completes once `dir` is ready; many may wait at once.
    pub(crate) fn readiness(&self, dir: Direction) -> Readiness<'_> {
        Readiness {
            io: self,
            dir,
            key: None,
        }
    }
}

fn finished(observed: Observed) -> Option<io::Result<ReadyEvent>> {
    match observed {
        Observed::Ready(ev) => Some(Ok(ev)),
        Observed::Shutdown => Some(Err(RuntimeGone::error())),
        Observed::NotReady => None,
    }
}

/// Completes once a direction is ready, or with an error once the driver is gone.
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub(crate) struct Readiness<'a> {
    io: &'a ScheduledIo,
    dir: Direction,
    /// This future's slot in `Waiters::keyed`, once it has one.
    key: Option<usize>,
}

impl Future for Readiness<'_> {
    type Output = io::Result<ReadyEvent>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Some(done) = this.io.ready_now(this.dir) {
            return Poll::Ready(done);
        }
        let mut waiters = this.io.waiters.lock();
        match this.key.and_then(|key| waiters.keyed.get_mut(key)) {
            Some((_, slot)) => match slot {
                Some(old) if old.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            },
            None => this.key = Some(waiters.keyed.insert((this.dir, Some(cx.waker().clone())))),
        }
        match this.io.ready_now(this.dir) {
            Some(done) => Poll::Ready(done),
            None => Poll::Pending,
        }
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let waker = self.io.waiters.lock().keyed.try_remove(key);
            // Dropped after the lock is released (style rule 6).
            drop(waker);
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use std::task::{Context, Poll, Wake, Waker};

    use super::super::state::WRITABLE;
    use super::*;
    use crate::loom::Arc;
    use crate::loom::atomic::{AtomicBool, Ordering};

    struct Flag(AtomicBool);

    impl Wake for Flag {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    /// A task clears readiness after a short write and then waits, while the driver
    /// delivers a new edge: whatever the interleaving, the task either sees the new
    /// readiness when it polls or is woken afterwards (protocol steps 1 and 2 with
    /// the tick check of `state.rs`).
    #[test]
    fn clear_then_wait_never_misses_a_concurrent_edge() {
        loom::model(|| {
            let io = Arc::new(ScheduledIo::new(0));
            let mut batch = WakeBatch::new();
            assert!(io.set_ready(WRITABLE, 1, &mut batch));
            let Some(Ok(event)) = io.ready_now(Direction::Write) else {
                panic!("writable was set")
            };
            let driver = {
                let io = io.clone();
                loom::thread::spawn(move || {
                    let mut batch = WakeBatch::new();
                    assert!(io.set_ready(WRITABLE, 2, &mut batch));
                    batch.wake_all();
                })
            };
            let flag = std::sync::Arc::new(Flag(AtomicBool::new(false)));
            let waker = Waker::from(flag.clone());
            io.clear_after_short(event, Direction::Write);
            let polled = io.poll_ready(&mut Context::from_waker(&waker), Direction::Write);
            driver.join().unwrap();
            let woken = flag.0.load(Ordering::SeqCst);
            assert!(matches!(polled, Poll::Ready(Ok(_))) || woken);
        });
    }
}
