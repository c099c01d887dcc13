//! The core shared by the bounded and unbounded `mpsc` channels: a locked `VecDeque`
//! with the receiver's waker, plus (when bounded) a [`Semaphore`] of free slots.
//!
//! # Protocol
//!
//! 1. `state` (a `crate::loom::Mutex`) guards the queue, the sender count, the
//!    `rx_closed` flag and the receiver's waker. A push or a sender's last drop takes the
//!    receiver's waker under the lock and wakes it after unlocking.
//! 2. Bounded: a sender takes a slot permit from `sem` before it pushes, and the receiver
//!    gives one back for each value it pops. `sem` is fair, so senders waiting for room
//!    are served in order; closing the receiver closes `sem`, failing waiting senders.
//! 3. A push checks `rx_closed` under the lock: after the receiver closed, no value is
//!    ever queued again (the sender gets it back), so dropping the receiver and draining
//!    once frees everything.
//! 4. `closed_notify` gets `notify_waiters` when the receiver closes; `Sender::closed`
//!    enables its `Notified` before checking the flag, so it cannot miss it.

use super::error::TryRecvError;
use crate::loom::Mutex;
use crate::loom::atomic::{AtomicBool, Ordering};
use crate::sync::{Notify, Semaphore};
use crate::task::coop;
use std::collections::VecDeque;
use std::pin::pin;
use std::task::{Context, Poll, Waker, ready};

struct State<T> {
    queue: VecDeque<T>,
    senders: usize,
    rx_closed: bool,
    rx_waker: Option<Waker>,
}

pub(crate) struct Chan<T> {
    state: Mutex<State<T>>,
    /// `Some` for a bounded channel: one permit per free slot (rule 2).
    pub(crate) sem: Option<Semaphore>,
    /// Bounded capacity (0 when unbounded).
    pub(crate) capacity: usize,
    /// Mirror of `State::rx_closed`, so `is_closed` needs no lock.
    rx_closed: AtomicBool,
    closed_notify: Notify,
}

impl<T> Chan<T> {
    pub(crate) fn new(capacity: Option<usize>) -> Self {
        Self {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                senders: 1,
                rx_closed: false,
                rx_waker: None,
            }),
            sem: capacity.map(Semaphore::new),
            capacity: capacity.unwrap_or(0),
            rx_closed: AtomicBool::new(false),
            closed_notify: Notify::new(),
        }
    }

    /// Queues `value` unless the receiver closed (rule 3).
    pub(crate) fn push(&self, value: T) -> Result<(), T> {
        let mut state = self.state.lock();
        if state.rx_closed {
            return Err(value);
        }
        state.queue.push_back(value);
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Gives back the slot of a popped value; called after unlocking, since it may
    /// wake a sender.
    fn free_slot(&self) {
        if let Some(sem) = &self.sem {
            sem.release(1);
        }
    }

    pub(crate) fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let budget = ready!(coop::poll_proceed(cx));
        let mut state = self.state.lock();
        if let Some(v) = state.queue.pop_front() {
            drop(state);
            self.free_slot();
            budget.made_progress();
            return Poll::Ready(Some(v));
        }
        if state.senders == 0 || state.rx_closed {
            // Drained, and nothing more can come (rule 3).
            budget.made_progress();
            return Poll::Ready(None);
        }
        match &state.rx_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => state.rx_waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut state = self.state.lock();
        match state.queue.pop_front() {
            Some(v) => {
                drop(state);
                self.free_slot();
                Ok(v)
            }
            None if state.senders == 0 || state.rx_closed => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.state.lock().queue.len()
    }

    /// The receiver refuses further values; queued ones can still be received.
    pub(crate) fn close_rx(&self) {
        self.state.lock().rx_closed = true;
        self.rx_closed.store(true, Ordering::Release);
        if let Some(sem) = &self.sem {
            sem.close();
        }
        self.closed_notify.notify_waiters();
    }

    /// The receiver is gone: close, then drop whatever is queued (rule 3).
    pub(crate) fn drop_rx(&self) {
        self.close_rx();
        let queued = std::mem::take(&mut self.state.lock().queue);
        drop(queued);
    }

    pub(crate) fn add_sender(&self) {
        self.state.lock().senders += 1;
    }

    pub(crate) fn drop_sender(&self) {
        let mut state = self.state.lock();
        state.senders -= 1;
        let waker = if state.senders == 0 {
            state.rx_waker.take()
        } else {
            None
        };
        drop(state);
        if let Some(w) = waker {
            w.wake();
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.rx_closed.load(Ordering::Acquire)
    }

    /// Waits for the receiver to close (rule 4).
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
