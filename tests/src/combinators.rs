//! Helpers for the combinator tests (`future_*`, `macros_select`, `task_join_set`,
//! `task_group`): a one-shot [`Gate`] to finish futures in a chosen order, a
//! [`DropCount`] to see which futures were dropped, and a [`Polls`] counter.
//!
//! Invariant: nothing here sleeps or spins on time; every wait is on an event.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

#[derive(Default)]
struct GateState {
    open: bool,
    waker: Option<Waker>,
}

/// A future that completes once its [`Opener`] is opened (from any thread).
///
/// ```
/// let (opener, gate) = weft_tests::combinators::gate();
/// opener.open();
/// weft::run(gate);
/// ```
#[derive(Clone)]
pub struct Gate(Arc<Mutex<GateState>>);

/// Opens its [`Gate`].
///
/// ```
/// let (opener, gate) = weft_tests::combinators::gate();
/// assert!(!opener.is_open());
/// opener.open();
/// assert!(opener.is_open());
/// # drop(gate);
/// ```
#[derive(Clone)]
pub struct Opener(Arc<Mutex<GateState>>);

/// A closed gate and the opener for it.
///
/// ```
/// let (opener, gate) = weft_tests::combinators::gate();
/// std::thread::spawn(move || opener.open());
/// weft::run(gate);
/// ```
pub fn gate() -> (Opener, Gate) {
    let state = Arc::new(Mutex::new(GateState::default()));
    (Opener(state.clone()), Gate(state))
}

/// `n` gates and their openers.
///
/// ```
/// let (openers, gates) = weft_tests::combinators::gates(2);
/// assert_eq!((openers.len(), gates.len()), (2, 2));
/// ```
pub fn gates(n: usize) -> (Vec<Opener>, Vec<Gate>) {
    (0..n).map(|_| gate()).unzip()
}

impl Opener {
    /// Opens the gate and wakes whoever waits on it.
    ///
    /// ```
    /// let (opener, gate) = weft_tests::combinators::gate();
    /// opener.open();
    /// weft::run(gate);
    /// ```
    pub fn open(&self) {
        let waker = {
            let mut state = self.0.lock().unwrap();
            state.open = true;
            state.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Whether it was opened.
    ///
    /// ```
    /// let (opener, _gate) = weft_tests::combinators::gate();
    /// assert!(!opener.is_open());
    /// ```
    pub fn is_open(&self) -> bool {
        self.0.lock().unwrap().open
    }
}

impl Future for Gate {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.0.lock().unwrap();
        if state.open {
            Poll::Ready(())
        } else {
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// Counts drops of the [`DropToken`]s it hands out.
///
/// ```
/// let count = weft_tests::combinators::DropCount::new();
/// drop(count.token());
/// assert_eq!(count.get(), 1);
/// ```
#[derive(Clone, Default)]
pub struct DropCount(Arc<AtomicUsize>);

/// Adds one to its [`DropCount`] when dropped.
pub struct DropToken(Arc<AtomicUsize>);

impl DropCount {
    /// A counter at zero.
    ///
    /// ```
    /// assert_eq!(weft_tests::combinators::DropCount::new().get(), 0);
    /// ```
    pub fn new() -> DropCount {
        DropCount::default()
    }

    /// A token that counts here when dropped.
    ///
    /// ```
    /// let count = weft_tests::combinators::DropCount::new();
    /// let t = count.token();
    /// assert_eq!(count.get(), 0);
    /// drop(t);
    /// assert_eq!(count.get(), 1);
    /// ```
    pub fn token(&self) -> DropToken {
        DropToken(self.0.clone())
    }

    /// Drops so far.
    ///
    /// ```
    /// assert_eq!(weft_tests::combinators::DropCount::new().get(), 0);
    /// ```
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Drop for DropToken {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Counts polls of the futures wrapped with [`Polls::wrap`].
///
/// ```
/// let polls = weft_tests::combinators::Polls::new();
/// weft::run(polls.wrap(async {}));
/// assert_eq!(polls.get(), 1);
/// ```
#[derive(Clone, Default)]
pub struct Polls(Arc<AtomicUsize>);

impl Polls {
    /// A counter at zero.
    ///
    /// ```
    /// assert_eq!(weft_tests::combinators::Polls::new().get(), 0);
    /// ```
    pub fn new() -> Polls {
        Polls::default()
    }

    /// `future`, counting each of its polls here.
    ///
    /// ```
    /// let polls = weft_tests::combinators::Polls::new();
    /// weft::run(polls.wrap(weft::task::yield_now()));
    /// assert_eq!(polls.get(), 2);
    /// ```
    pub fn wrap<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        let count = self.0.clone();
        let mut future = Box::pin(future);
        std::future::poll_fn(move |cx| {
            count.fetch_add(1, Ordering::Relaxed);
            future.as_mut().poll(cx)
        })
    }

    /// Polls so far.
    ///
    /// ```
    /// assert_eq!(weft_tests::combinators::Polls::new().get(), 0);
    /// ```
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// Yields to the scheduler until `done()` is true: waits on an event that another
/// task brings about, without sleeping.
///
/// ```
/// weft::run(weft_tests::combinators::until(|| true));
/// ```
pub async fn until(mut done: impl FnMut() -> bool) {
    while !done() {
        weft::task::yield_now().await;
    }
}
