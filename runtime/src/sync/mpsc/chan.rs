//! The core shared by the bounded and unbounded `mpsc` channels: the message store,
//! the sender count, the closed flag, and the parked receiver's waker.
//!
//! # Protocol
//!
//! 1. **Store.** A bounded channel of at most [`MAX_RING`] slots keeps its values in a
//!    lock-free [`Ring`]; senders take a slot permit from `sem` (fair, so senders
//!    waiting for room are served in order) and give it up by pushing, and the
//!    receiver gives one back for each value it pops. Larger bounded channels and
//!    unbounded ones keep a locked `VecDeque` (the permits still bound the former).
//! 2. **Wake only a parked receiver.** The receiver that finds nothing stores its waker
//!    under `rx_waker`'s lock, sets `rx_parked`, issues a `SeqCst` fence and looks
//!    again. A sender publishes its value (or its last drop, or a returned permit),
//!    issues a `SeqCst` fence, and takes the lock to wake only if it sees `rx_parked`.
//!    The two fences order these pairs, so at least one side sees the other: either the
//!    receiver's second look finds the news, or the sender wakes it. A sender that
//!    finds the receiver running pays a fence and a load, no lock.
//! 3. **Closing.** `close_rx` sets `rx_closed` and closes `sem`, failing waiting and
//!    later senders. With the locked store, a push checks `rx_closed` under the lock,
//!    so no value is queued after the close. With the ring, a sender that checked the
//!    flag just before the close may still push; it holds a slot permit until then, so
//!    the receiver reports the end only once every permit is home (the ring is
//!    drained and no push is in flight). A sender that finds the channel closed after
//!    taking a permit gives the permit back and wakes the receiver (rule 2).
//! 4. **The end.** `poll_recv` returns `None` when the store is empty and either every
//!    sender is gone or the receiver closed and nothing is in flight (rule 3). It looks
//!    at the store once more after seeing that, since a sender's last push happens
//!    before its drop.
//! 5. `closed_notify` gets `notify_waiters` when the receiver closes; `Sender::closed`
//!    enables its `Notified` before checking the flag, so it cannot miss it.

use super::error::TryRecvError;
use super::ring::{MAX_RING, Ring};
use crate::loom::Mutex;
use crate::loom::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
use crate::sync::{Notify, Semaphore};
use crate::task::coop;
use std::collections::VecDeque;
use std::pin::pin;
use std::task::{Context, Poll, Waker, ready};

/// Where the values wait (rule 1).
// The ring's size is its cache-line padding, on purpose; there is one per channel.
#[allow(clippy::large_enum_variant)]
enum Store<T> {
    Ring(Ring<T>),
    /// The deque, and whether the receiver closed (mirrored in `Chan::rx_closed`).
    Locked(Mutex<(VecDeque<T>, bool)>),
}

pub(crate) struct Chan<T> {
    store: Store<T>,
    /// `Some` for a bounded channel: one permit per free slot (rule 1).
    pub(crate) sem: Option<Semaphore>,
    /// Bounded capacity (0 when unbounded).
    pub(crate) capacity: usize,
    senders: AtomicUsize,
    rx_closed: AtomicBool,
    /// Set while the receiver waits with its waker stored (rule 2).
    rx_parked: AtomicBool,
    rx_waker: Mutex<Option<Waker>>,
    closed_notify: Notify,
}

impl<T> Chan<T> {
    pub(crate) fn new(capacity: Option<usize>) -> Self {
        let store = match capacity {
            Some(c) if c <= MAX_RING => Store::Ring(Ring::new(c)),
            _ => Store::Locked(Mutex::new((VecDeque::new(), false))),
        };
        Self {
            store,
            sem: capacity.map(Semaphore::new),
            capacity: capacity.unwrap_or(0),
            senders: AtomicUsize::new(1),
            rx_closed: AtomicBool::new(false),
            rx_parked: AtomicBool::new(false),
            rx_waker: Mutex::new(None),
            closed_notify: Notify::new(),
        }
    }

    /// Queues `value` unless the receiver closed (rule 3). A bounded channel's caller
    /// has taken a slot permit and forgotten it: the push uses it, or gives it back.
    pub(crate) fn push(&self, value: T) -> Result<(), T> {
        match &self.store {
            Store::Ring(ring) => {
                if self.rx_closed.load(Ordering::Acquire) {
                    self.free_slot();
                    self.wake_rx();
                    return Err(value);
                }
                // SAFETY: our caller took a slot permit for this push (rule 1).
                unsafe { ring.push(value) };
            }
            Store::Locked(queue) => {
                let mut queue = queue.lock();
                if queue.1 {
                    drop(queue);
                    self.free_slot();
                    return Err(value);
                }
                queue.0.push_back(value);
            }
        }
        self.wake_rx();
        Ok(())
    }

    /// Gives back an unused slot permit, waking the receiver if it waits for the
    /// permits to come home after a close (rule 3).
    pub(crate) fn return_slot(&self) {
        self.free_slot();
        if self.rx_closed.load(Ordering::Acquire) {
            self.wake_rx();
        }
    }

    /// Wakes the receiver if it is parked (rule 2).
    fn wake_rx(&self) {
        fence(Ordering::SeqCst);
        if !self.rx_parked.load(Ordering::Relaxed) {
            return;
        }
        let waker = {
            let mut slot = self.rx_waker.lock();
            self.rx_parked.store(false, Ordering::Relaxed);
            slot.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Gives back the slot of a popped value; it may wake a sender.
    fn free_slot(&self) {
        if let Some(sem) = &self.sem {
            sem.release(1);
        }
    }

    /// Takes the next value, giving its slot back.
    ///
    /// # Safety
    ///
    /// Only the one receiver calls this, never concurrently.
    unsafe fn pop(&self) -> Option<T> {
        let value = match &self.store {
            // SAFETY: forwarded from the caller (ring rule 3).
            Store::Ring(ring) => unsafe { ring.pop() },
            Store::Locked(queue) => queue.lock().0.pop_front(),
        }?;
        self.free_slot();
        Some(value)
    }

    /// Whether nothing more can come once the store is empty (rule 4).
    fn finished(&self) -> bool {
        if self.senders.load(Ordering::Acquire) == 0 {
            return true;
        }
        if !self.rx_closed.load(Ordering::Acquire) {
            return false;
        }
        match (&self.store, &self.sem) {
            // Every permit home: no push in flight (rule 3).
            (Store::Ring(_), Some(sem)) => sem.available_permits() == self.capacity,
            _ => true,
        }
    }

    /// Polls for the next value.
    ///
    /// # Safety
    ///
    /// Only the one receiver calls this, never concurrently.
    pub(crate) unsafe fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let budget = ready!(coop::poll_proceed(cx));
        // SAFETY: only the one receiver polls (our caller's contract).
        let res = match unsafe { self.try_recv() } {
            Ok(v) => Some(v),
            Err(TryRecvError::Disconnected) => None,
            Err(TryRecvError::Empty) => {
                {
                    let mut slot = self.rx_waker.lock();
                    match &*slot {
                        Some(w) if w.will_wake(cx.waker()) => {}
                        _ => *slot = Some(cx.waker().clone()),
                    }
                    self.rx_parked.store(true, Ordering::Relaxed);
                }
                fence(Ordering::SeqCst);
                // SAFETY: as above.
                match unsafe { self.try_recv() } {
                    Ok(v) => Some(v),
                    Err(TryRecvError::Disconnected) => None,
                    Err(TryRecvError::Empty) => return Poll::Pending,
                }
            }
        };
        // Running again: senders need not wake us (a stale wake-up is harmless). Only
        // written when set, so that the line senders read stays shared.
        if self.rx_parked.load(Ordering::Relaxed) {
            self.rx_parked.store(false, Ordering::Relaxed);
        }
        budget.made_progress();
        Poll::Ready(res)
    }

    /// Takes the next value without waiting.
    ///
    /// # Safety
    ///
    /// Only the one receiver calls this, never concurrently.
    pub(crate) unsafe fn try_recv(&self) -> Result<T, TryRecvError> {
        // SAFETY: only the one receiver calls us (our caller's contract).
        if let Some(v) = unsafe { self.pop() } {
            return Ok(v);
        }
        if !self.finished() {
            return Err(TryRecvError::Empty);
        }
        // The last pushes happen before the end is visible: look once more (rule 4).
        // SAFETY: as above.
        unsafe { self.pop() }.ok_or(TryRecvError::Disconnected)
    }

    pub(crate) fn len(&self) -> usize {
        match &self.store {
            Store::Ring(ring) => ring.len(),
            Store::Locked(queue) => queue.lock().0.len(),
        }
    }

    /// The receiver refuses further values; queued ones can still be received.
    pub(crate) fn close_rx(&self) {
        match &self.store {
            Store::Ring(_) => self.rx_closed.store(true, Ordering::Release),
            Store::Locked(queue) => {
                // Under the lock, so no push lands after it (rule 3).
                queue.lock().1 = true;
                self.rx_closed.store(true, Ordering::Release);
            }
        }
        if let Some(sem) = &self.sem {
            sem.close();
        }
        self.closed_notify.notify_waiters();
    }

    /// The receiver is gone: close, then drop whatever is queued. A value a sender
    /// pushes after this (rule 3) is dropped with the channel.
    ///
    /// # Safety
    ///
    /// Only the one receiver calls this, never concurrently.
    pub(crate) unsafe fn drop_rx(&self) {
        self.close_rx();
        match &self.store {
            // SAFETY: forwarded from the caller.
            Store::Ring(_) => while unsafe { self.pop() }.is_some() {},
            Store::Locked(queue) => {
                let queued = std::mem::take(&mut queue.lock().0);
                drop(queued);
            }
        }
    }

    pub(crate) fn add_sender(&self) {
        self.senders.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn drop_sender(&self) {
        // AcqRel: our pushes happen before the receiver sees the count reach zero.
        if self.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.wake_rx();
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.rx_closed.load(Ordering::Acquire)
    }

    /// Waits for the receiver to close (rule 5).
    pub(crate) async fn closed(&self) {
        loop {
            let mut notified = pin!(self.closed_notify.notified());
            notified.as_mut().enable();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::Arc;
    use crate::sync::test_util::block_on;
    use loom::thread;

    /// Runs a model with at most three preemptions per execution: with a semaphore,
    /// a parking receiver and the ring, three threads explore for hours unbounded,
    /// while the races checked here need at most two forced switches.
    fn model(f: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(f);
    }

    /// A sender laps a one-slot ring while the receiver drains it: the second value
    /// waits for the slot the first one frees, both arrive in order, and the end is
    /// seen after the last one.
    #[test]
    fn loom_sender_laps_one_slot() {
        model(|| {
            let chan = Arc::new(Chan::new(Some(1)));
            let c2 = chan.clone();
            let sender = thread::spawn(move || {
                let sem = c2.sem.as_ref().unwrap();
                for v in 0..2u8 {
                    block_on(sem.acquire()).unwrap().forget();
                    c2.push(v).unwrap();
                }
                c2.drop_sender();
            });
            let mut got = Vec::new();
            // SAFETY: this thread is the only receiver.
            while let Some(v) = block_on(std::future::poll_fn(|cx| unsafe { chan.poll_recv(cx) })) {
                got.push(v);
            }
            sender.join().unwrap();
            assert_eq!(got, [0, 1]);
        });
    }

    /// Two senders with a slot each publish concurrently: the receiver gets both values
    /// once, whichever order the claims took.
    #[test]
    fn loom_two_senders_race() {
        model(|| {
            let chan = Arc::new(Chan::new(Some(2)));
            chan.add_sender();
            let senders: Vec<_> = (0..2u8)
                .map(|id| {
                    let chan = chan.clone();
                    thread::spawn(move || {
                        chan.sem.as_ref().unwrap().try_take(1).unwrap();
                        chan.push(id).unwrap();
                        chan.drop_sender();
                    })
                })
                .collect();
            let mut got = Vec::new();
            // SAFETY: this thread is the only receiver.
            while let Some(v) = block_on(std::future::poll_fn(|cx| unsafe { chan.poll_recv(cx) })) {
                got.push(v);
            }
            for s in senders {
                s.join().unwrap();
            }
            got.sort_unstable();
            assert_eq!(got, [0, 1]);
        });
    }

    /// A close races with a sender that already holds its permit: the receiver either
    /// gets the value or the sender gets it back, and the end comes either way.
    #[test]
    fn loom_close_vs_push() {
        model(|| {
            let chan = Arc::new(Chan::new(Some(1)));
            let c2 = chan.clone();
            let sender = thread::spawn(move || {
                let sent = match c2.sem.as_ref().unwrap().try_take(1) {
                    Ok(()) => c2.push(7u8).is_ok(),
                    Err(_) => false,
                };
                c2.drop_sender();
                sent
            });
            chan.close_rx();
            // SAFETY: this thread is the only receiver.
            let got = block_on(std::future::poll_fn(|cx| unsafe { chan.poll_recv(cx) }));
            // SAFETY: as above.
            let after = block_on(std::future::poll_fn(|cx| unsafe { chan.poll_recv(cx) }));
            let sent = sender.join().unwrap();
            assert_eq!(got.is_some(), sent);
            assert_eq!(after, None);
            assert_eq!(chan.sem.as_ref().unwrap().available_permits(), 1);
        });
    }
}
