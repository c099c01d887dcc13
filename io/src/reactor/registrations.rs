//! [`Registrations`]: the slab of live registrations of one driver, indexed by the
//! slot half of a token and guarded by one mutex.
//!
//! # Invariants
//!
//! 1. A slot's [`ScheduledIo`] carries the generation that was packed into the token
//!    handed to mio for it; an event is delivered only if both halves match, so a
//!    reused slot never wakes the task of a previous tenant.
//! 2. Once `shutdown` is set no slot is added, and every slot present then has been
//!    marked shut down and had its wakers woken.
//! 3. Lock order: this mutex, then a `ScheduledIo`'s waiter mutex. Wakers are woken
//!    only after both are released.

use std::io;
use std::sync::Arc;

use mio::Token;
use slab::Slab;

use super::RuntimeGone;
use super::scheduled_io::ScheduledIo;
use super::token::{self, GENERATION_MASK, INDEX_MASK};
use super::wake_batch::WakeBatch;
use crate::loom::Mutex;

/// The registrations of one driver.
#[derive(Debug, Default)]
pub(crate) struct Registrations {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    slots: Slab<Arc<ScheduledIo>>,
    /// The generation the next registration gets (wrapping inside its mask).
    next_generation: usize,
    shutdown: bool,
}

impl Registrations {
    /// Claims a slot; returns its shared state and the token to register with mio.
    pub(crate) fn allocate(&self) -> io::Result<(Arc<ScheduledIo>, Token)> {
        let mut inner = self.inner.lock();
        if inner.shutdown {
            return Err(RuntimeGone::error());
        }
        let generation = inner.next_generation;
        inner.next_generation = (generation + 1) & GENERATION_MASK;
        let entry = inner.slots.vacant_entry();
        let index = entry.key();
        if index > INDEX_MASK {
            return Err(io::Error::other(format!(
                "the weft reactor already holds {} I/O resources; drop some before creating more",
                INDEX_MASK + 1
            )));
        }
        let io = Arc::new(ScheduledIo::new(generation));
        entry.insert(io.clone());
        Ok((io, token::pack(index, generation)))
    }

    /// Frees the slot of `token`, if it still belongs to that registration.
    pub(crate) fn release(&self, token: Token) {
        let (index, generation) = token::unpack(token);
        let mut inner = self.inner.lock();
        if inner
            .slots
            .get(index)
            .is_some_and(|io| io.generation == generation)
        {
            let io = inner.slots.remove(index);
            drop(inner);
            drop(io);
        }
    }

    /// Delivers readiness events, waking the tasks they satisfy (invariant 1).
    pub(crate) fn dispatch(&self, events: impl Iterator<Item = (Token, usize)>, tick: usize) {
        let mut batch = WakeBatch::new();
        let mut inner = self.inner.lock();
        for (token, ready) in events {
            let (index, generation) = token::unpack(token);
            while let Some(io) = inner.slots.get(index) {
                if io.generation != generation {
                    break; // A stale event for the slot's previous tenant.
                }
                if io.set_ready(ready, tick, &mut batch) {
                    break;
                }
                // The batch is full: release the lock, wake, look the slot up again
                // (it may have been freed meanwhile) and finish taking its wakers.
                drop(inner);
                batch.wake_all();
                inner = self.inner.lock();
            }
        }
        drop(inner);
        batch.wake_all();
    }

    /// Refuses new registrations and fails every pending readiness (invariant 2).
    pub(crate) fn shutdown(&self) {
        let live: Vec<Arc<ScheduledIo>> = {
            let mut inner = self.inner.lock();
            inner.shutdown = true;
            inner.slots.iter().map(|(_, io)| io.clone()).collect()
        };
        let mut batch = WakeBatch::new();
        for io in live {
            while !io.shutdown(&mut batch) {
                batch.wake_all();
            }
        }
        batch.wake_all();
    }

    /// How many registrations are live.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn len(&self) -> usize {
        self.inner.lock().slots.len()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll, Wake, Waker};

    use super::super::Direction;
    use super::super::state::READABLE;
    use super::*;

    struct CountWakes(AtomicUsize);
    impl Wake for CountWakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counting_waker() -> (Arc<CountWakes>, Waker) {
        let count = Arc::new(CountWakes(AtomicUsize::new(0)));
        (count.clone(), Waker::from(count))
    }

    #[test]
    fn stale_generation_never_wakes_the_new_tenant() {
        let regs = Registrations::default();
        let (old, old_token) = regs.allocate().unwrap();
        regs.release(old_token);
        drop(old);
        let (new, new_token) = regs.allocate().unwrap();
        // Same slot, different tenant.
        assert_eq!(token::unpack(old_token).0, token::unpack(new_token).0);
        assert_ne!(old_token, new_token);

        let (count, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(new.poll_ready(&mut cx, Direction::Read).is_pending());

        regs.dispatch([(old_token, READABLE)].into_iter(), 1);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
        assert!(new.ready_now(Direction::Read).is_none());

        regs.dispatch([(new_token, READABLE)].into_iter(), 2);
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(matches!(
            new.poll_ready(&mut cx, Direction::Read),
            Poll::Ready(Ok(_))
        ));
    }

    #[test]
    fn release_with_stale_token_keeps_the_new_tenant() {
        let regs = Registrations::default();
        let (_old, old_token) = regs.allocate().unwrap();
        regs.release(old_token);
        let (_new, _new_token) = regs.allocate().unwrap();
        regs.release(old_token);
        assert_eq!(regs.len(), 1);
    }

    #[test]
    fn more_waiters_than_one_batch_are_all_woken() {
        let regs = Registrations::default();
        let (io, token) = regs.allocate().unwrap();
        let (count, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut futures: Vec<_> = (0..100)
            .map(|_| Box::pin(io.readiness(Direction::Read)))
            .collect();
        for fut in &mut futures {
            assert!(fut.as_mut().poll(&mut cx).is_pending());
        }
        regs.dispatch([(token, READABLE)].into_iter(), 1);
        assert_eq!(count.0.load(Ordering::SeqCst), 100);
    }

    #[test]
    fn shutdown_fails_waiters_and_new_registrations() {
        let regs = Registrations::default();
        let (io, _token) = regs.allocate().unwrap();
        let (count, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(io.poll_ready(&mut cx, Direction::Write).is_pending());
        regs.shutdown();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        let Poll::Ready(Err(err)) = io.poll_ready(&mut cx, Direction::Write) else {
            panic!("expected the shutdown error")
        };
        assert!(RuntimeGone::is(&err));
        assert!(RuntimeGone::is(&regs.allocate().unwrap_err()));
    }

    use std::future::Future;
}
