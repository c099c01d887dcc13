//! A gate that parks many tasks on futures that complete only when it is released.
//!
//! Invariant: every waker slot is allocated and written when the gate is built, so
//! parking a task on it allocates nothing and touches no new memory pages: RSS
//! growth measured while tasks park belongs to the runtime, not to the gate. No task
//! misses the release: release publishes `released` before draining the slots, and a
//! waiter re-checks `released` after storing its waker under the slot's lock.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::task::{Context, Poll, Waker};

use crate::Counter;

/// Holds up to `slots` parked futures until [`release`](Gate::release), and counts
/// how many have parked (registered a waker on their first poll).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::task::{Context, Poll, Wake, Waker};
/// use weft_benches::Gate;
///
/// struct Flag(std::sync::atomic::AtomicBool);
/// impl Wake for Flag {
///     fn wake(self: Arc<Self>) { self.0.store(true, std::sync::atomic::Ordering::SeqCst) }
/// }
///
/// let gate = Gate::new(1);
/// let flag = Arc::new(Flag(false.into()));
/// let waker = Waker::from(Arc::clone(&flag));
/// let mut wait = Box::pin(gate.wait(0));
/// let mut cx = Context::from_waker(&waker);
/// assert!(wait.as_mut().poll(&mut cx).is_pending());
/// assert_eq!(gate.parked().get(), 1);
/// gate.release();
/// assert!(flag.0.load(std::sync::atomic::Ordering::SeqCst));
/// assert!(wait.as_mut().poll(&mut cx).is_ready());
/// ```
#[derive(Debug)]
pub struct Gate {
    released: AtomicBool,
    slots: Box<[Mutex<Option<Waker>>]>,
    parked: Counter,
}

impl Gate {
    /// A closed gate with room for `slots` waiters, all slots written now.
    ///
    /// # Examples
    ///
    /// ```
    /// let gate = weft_benches::Gate::new(10);
    /// assert_eq!(gate.parked().get(), 0);
    /// ```
    pub fn new(slots: usize) -> Gate {
        Gate {
            released: AtomicBool::new(false),
            // Built element by element so every page is written (resident) now.
            slots: (0..slots).map(|_| Mutex::new(None)).collect(),
            parked: Counter::new(),
        }
    }

    /// A future that completes once the gate is released, parking in slot `index`.
    /// Each slot must be used by one waiter at a time.
    ///
    /// # Panics
    ///
    /// When polled with `index` out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// let gate = weft_benches::Gate::new(1);
    /// gate.release();
    /// futures_lite::future::block_on(gate.wait(0));
    /// ```
    pub fn wait(&self, index: usize) -> Wait<'_> {
        Wait {
            gate: self,
            index,
            parked: false,
        }
    }

    /// Opens the gate for good and wakes every parked waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// let gate = weft_benches::Gate::new(2);
    /// gate.release();
    /// futures_lite::future::block_on(async { gate.wait(0).await; gate.wait(1).await });
    /// ```
    pub fn release(&self) {
        self.released.store(true, SeqCst);
        for slot in &self.slots {
            let waker = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            // Woken after the slot's lock is dropped: a runtime may poll at once.
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    /// How many waiters have parked (each counted once, on its first pending poll).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft_benches::Gate::new(1).parked().get(), 0);
    /// ```
    pub fn parked(&self) -> &Counter {
        &self.parked
    }
}

/// The future returned by [`Gate::wait`].
///
/// # Examples
///
/// ```
/// let gate = weft_benches::Gate::new(1);
/// let wait: weft_benches::Wait<'_> = gate.wait(0);
/// gate.release();
/// futures_lite::future::block_on(wait);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Wait<'a> {
    gate: &'a Gate,
    index: usize,
    parked: bool,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let gate = self.gate;
        if gate.released.load(SeqCst) {
            return Poll::Ready(());
        }
        {
            let mut slot = gate.slots[self.index]
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            match &*slot {
                Some(waker) if waker.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
        }
        // A release that drained this slot before we filled it has already set
        // `released`, so this check sees it.
        if gate.released.load(SeqCst) {
            return Poll::Ready(());
        }
        if !self.parked {
            self.parked = true;
            gate.parked.bump();
        }
        Poll::Pending
    }
}
