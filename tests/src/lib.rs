//! Shared support for the weft integration tests: the one place helpers live, so no
//! test file copies another's.
//!
//! - [`rt_test!`] runs one test body on every scheduler [`Flavor`] (current-thread,
//!   multi-thread with 1 worker, multi-thread with 2 workers), one `#[test]` each,
//!   under a [deadline](with_deadline) so a runtime bug fails the test instead of
//!   hanging the suite. [`run_guarded`] does the same for one flavour, where only
//!   some flavours need an `#[ignore]`.
//! - [`DropCounter`] / [`DropToken`] count drops, to show a future was dropped exactly
//!   once (or that nothing leaked).
//! - [`with_deadline`] runs a closure on its own thread and fails with a clear message
//!   if it does not finish in time. It is a guard against hangs, never a timing
//!   assertion: the deadline is far beyond what any passing run needs.
//! - [`Gate`] is a hand-written one-shot event whose waker can be fired from any
//!   thread: the async "something happened" signal the tests synchronise on.
//! - [`build_with_leak_probe`] ties a token to the runtime's shared state, to show that
//!   no task (each holds that state) outlives the runtime and its handles.
//! - [`panic_message`], [`catch_panic_message`] and [`procfs::threads_named`] read what
//!   a panic said and which threads are alive; [`wait_until`] spins until another
//!   thread has published some state there is no event for.
//!
//! Invariant: nothing here sleeps to let something happen; helpers wait on events
//! (channels, condvars, joins) or, in `wait_until`, on the awaited state itself.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, unreachable_pub, missing_docs)]

pub mod combinators;
pub mod http_support;
pub mod process_support;
pub mod procfs;
pub mod sync_support;

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, UnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// How long a guarded test body may run before it is declared hung: generous,
/// because the suite shares two cores with other work (and Miri is slow).
pub const DEADLINE: Duration = if cfg!(miri) {
    Duration::from_secs(1800)
} else {
    Duration::from_secs(60)
};

/// A scheduler configuration every runtime test runs on.
///
/// ```
/// use weft_tests::Flavor;
///
/// for flavor in Flavor::ALL {
///     let rt = flavor.runtime();
///     assert_eq!(rt.block_on(async { weft::spawn(async { 2 }).await.unwrap() }), 2);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// `Builder::new_current_thread()`: every task runs on the `block_on` thread.
    CurrentThread,
    /// `Builder::new_multi_thread().worker_threads(1)`.
    MultiThread1,
    /// `Builder::new_multi_thread().worker_threads(2)`: stealing is possible.
    MultiThread2,
}

impl Flavor {
    /// Every flavour, in the order `rt_test!` generates them.
    ///
    /// ```
    /// assert_eq!(weft_tests::Flavor::ALL.len(), 3);
    /// ```
    pub const ALL: [Flavor; 3] = [
        Flavor::CurrentThread,
        Flavor::MultiThread1,
        Flavor::MultiThread2,
    ];

    /// A builder for this flavour, to add more options before `build()`.
    ///
    /// ```
    /// let rt = weft_tests::Flavor::MultiThread2
    ///     .builder()
    ///     .thread_name("doc-worker")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.block_on(async { 1 }), 1);
    /// ```
    pub fn builder(self) -> weft::runtime::Builder {
        match self {
            Flavor::CurrentThread => weft::runtime::Builder::new_current_thread(),
            Flavor::MultiThread1 | Flavor::MultiThread2 => {
                let mut builder = weft::runtime::Builder::new_multi_thread();
                builder.worker_threads(self.workers());
                builder
            }
        }
    }

    /// A runtime of this flavour with default options.
    ///
    /// # Panics
    ///
    /// If the runtime cannot be built (out of threads or descriptors).
    ///
    /// ```
    /// let rt = weft_tests::Flavor::CurrentThread.runtime();
    /// assert_eq!(rt.block_on(async { 3 }), 3);
    /// ```
    pub fn runtime(self) -> weft::runtime::Runtime {
        self.builder()
            .build()
            .unwrap_or_else(|e| panic!("could not build a {self} runtime: {e}"))
    }

    /// How many threads run tasks: 1 for current-thread (the `block_on` thread).
    ///
    /// ```
    /// assert_eq!(weft_tests::Flavor::MultiThread2.workers(), 2);
    /// ```
    pub fn workers(self) -> usize {
        match self {
            Flavor::CurrentThread | Flavor::MultiThread1 => 1,
            Flavor::MultiThread2 => 2,
        }
    }

    /// Whether tasks run on threads of the runtime's own (not the `block_on` thread).
    ///
    /// ```
    /// assert!(!weft_tests::Flavor::CurrentThread.is_multi_thread());
    /// ```
    pub fn is_multi_thread(self) -> bool {
        self != Flavor::CurrentThread
    }

    /// Builds a runtime of this flavour and blocks on `future`, under [`DEADLINE`].
    /// This is what each test generated by [`rt_test!`] does.
    ///
    /// ```
    /// let out = weft_tests::Flavor::MultiThread1.block_on(|| async { 4 });
    /// assert_eq!(out, 4);
    /// ```
    pub fn block_on<M, F>(self, make: M) -> F::Output
    where
        M: FnOnce() -> F + Send + 'static,
        F: Future,
        F::Output: Send + 'static,
    {
        with_deadline(&format!("test body on {self}"), DEADLINE, move || {
            self.runtime().block_on(make())
        })
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavor::CurrentThread => "current_thread",
            Flavor::MultiThread1 => "multi_thread (1 worker)",
            Flavor::MultiThread2 => "multi_thread (2 workers)",
        })
    }
}

/// Generates one `#[test]` per [`Flavor`] from one body, in a module named after the
/// test (`name::current_thread`, `name::multi_thread_1_worker`,
/// `name::multi_thread_2_workers`). Each test runs under [`DEADLINE`].
///
/// Three forms:
///
/// - `async fn name() { .. }`: the body runs inside `block_on` of a fresh runtime.
/// - `async fn name(flavor) { .. }`: the same, with `flavor: Flavor` in scope.
/// - `fn name(flavor) { .. }`: a plain body that builds its own runtime(s) from
///   `flavor` (for custom builder options, or code that must run outside a runtime).
///
/// Attributes written before `fn` (such as `#[ignore = "…"]`) go on every generated
/// test. The module glob-imports the file's items (`use super::*`). The functions
/// are `#[test]`s in test builds and plain public functions otherwise (so the
/// example below can call them).
///
/// ```
/// weft_tests::rt_test! {
///     async fn spawns() {
///         assert_eq!(weft::spawn(async { 1 }).await.unwrap(), 1);
///     }
/// }
/// weft_tests::rt_test! {
///     fn builds_its_own(flavor) {
///         let rt = flavor.builder().thread_name("own").build().unwrap();
///         assert_eq!(rt.block_on(async { 2 }), 2);
///     }
/// }
/// # fn main() {
/// #     spawns::current_thread();
/// #     spawns::multi_thread_2_workers();
/// #     builds_its_own::multi_thread_1_worker();
/// # }
/// ```
#[macro_export]
macro_rules! rt_test {
    ($(#[$attr:meta])* async fn $name:ident() $body:block) => {
        $crate::rt_test! {
            $(#[$attr])*
            fn $name(flavor) {
                flavor.block_on(move || async move $body)
            }
        }
    };
    ($(#[$attr:meta])* async fn $name:ident($flavor:ident) $body:block) => {
        $crate::rt_test! {
            $(#[$attr])*
            fn $name(flavor) {
                flavor.block_on(move || async move {
                    let $flavor: $crate::Flavor = flavor;
                    let _ = $flavor;
                    $body
                })
            }
        }
    };
    ($(#[$attr:meta])* fn $name:ident($flavor:ident) $body:block) => {
        #[allow(unused_imports)]
        mod $name {
            use super::*;

            fn body($flavor: $crate::Flavor) $body

            $(#[$attr])*
            #[cfg_attr(test, test)]
            pub fn current_thread() {
                $crate::run_guarded($crate::Flavor::CurrentThread, stringify!($name), body);
            }

            $(#[$attr])*
            #[cfg_attr(test, test)]
            pub fn multi_thread_1_worker() {
                $crate::run_guarded($crate::Flavor::MultiThread1, stringify!($name), body);
            }

            $(#[$attr])*
            #[cfg_attr(test, test)]
            pub fn multi_thread_2_workers() {
                $crate::run_guarded($crate::Flavor::MultiThread2, stringify!($name), body);
            }
        }
    };
}

/// Runs `body(flavor)` under [`DEADLINE`]; the expansion of [`rt_test!`].
///
/// ```
/// weft_tests::run_guarded(weft_tests::Flavor::CurrentThread, "doc", |flavor| {
///     assert_eq!(flavor.runtime().block_on(async { 5 }), 5);
/// });
/// ```
pub fn run_guarded(flavor: Flavor, name: &str, body: fn(Flavor)) {
    with_deadline(&format!("`{name}` on {flavor}"), DEADLINE, move || {
        body(flavor)
    });
}

/// Runs `f` on a new thread and returns its result, or panics with a message naming
/// `what` if it has not finished after `deadline` — so a test that would hang on a
/// runtime bug fails instead. A panic inside `f` is re-raised here with its payload.
///
/// The hung thread is left behind (there is no way to kill it); the test process
/// ends anyway once the harness has reported.
///
/// ```
/// use std::time::Duration;
/// let out = weft_tests::with_deadline("adding", Duration::from_secs(60), || 1 + 1);
/// assert_eq!(out, 2);
///
/// let hung = std::panic::catch_unwind(|| {
///     weft_tests::with_deadline("waiting forever", Duration::from_millis(1), || {
///         let (_tx, rx) = std::sync::mpsc::channel::<()>();
///         let _ = rx.recv_timeout(Duration::from_secs(5));
///     })
/// });
/// let msg = weft_tests::panic_message(&*hung.unwrap_err()).unwrap().to_owned();
/// assert!(msg.contains("waiting forever"), "{msg}");
/// ```
#[track_caller]
pub fn with_deadline<F, R>(what: &str, deadline: Duration, f: F) -> R
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let body = std::thread::Builder::new()
        .name("weft-test-body".to_owned())
        .spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(f));
            // The receiver is gone only if the deadline passed; nothing to report to.
            let _ = tx.send(result);
        })
        .expect("could not start the test body's thread");
    match rx.recv_timeout(deadline) {
        Ok(Ok(value)) => {
            body.join()
                .expect("the test body's thread panicked after it finished");
            value
        }
        Ok(Err(payload)) => {
            let _ = body.join();
            std::panic::resume_unwind(payload)
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "{what} did not finish within {deadline:?}: it is hung (a lost wake-up, a \
             deadlock, or a shutdown that never ends); this deadline is a hang guard, not \
             a timing assertion"
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            unreachable!("the body's thread always sends its result before exiting")
        }
    }
}

/// Counts the drops of the [`DropToken`]s it hands out, to prove that a runtime
/// dropped a future (or its output) exactly once, or that nothing leaked.
///
/// Cloning the counter shares the counts.
///
/// ```
/// let counter = weft_tests::DropCounter::new();
/// let token = counter.token();
/// assert_eq!((counter.created(), counter.dropped(), counter.alive()), (1, 0, 1));
/// drop(token);
/// assert_eq!((counter.created(), counter.dropped(), counter.alive()), (1, 1, 0));
/// ```
#[derive(Clone, Default)]
pub struct DropCounter {
    inner: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    created: AtomicUsize,
    dropped: AtomicUsize,
}

impl DropCounter {
    /// A counter with nothing counted yet.
    ///
    /// ```
    /// assert_eq!(weft_tests::DropCounter::new().alive(), 0);
    /// ```
    pub fn new() -> DropCounter {
        DropCounter::default()
    }

    /// A new token; its drop is counted.
    ///
    /// ```
    /// let counter = weft_tests::DropCounter::new();
    /// let future = {
    ///     let token = counter.token();
    ///     async move {
    ///         let _token = token;
    ///         std::future::pending::<()>().await
    ///     }
    /// };
    /// drop(future); // never polled: the captured token is dropped with it
    /// assert_eq!(counter.dropped(), 1);
    /// ```
    pub fn token(&self) -> DropToken {
        self.inner.created.fetch_add(1, Ordering::SeqCst);
        DropToken {
            inner: self.inner.clone(),
        }
    }

    /// How many tokens were made.
    ///
    /// ```
    /// let counter = weft_tests::DropCounter::new();
    /// let _a = counter.token();
    /// assert_eq!(counter.created(), 1);
    /// ```
    pub fn created(&self) -> usize {
        self.inner.created.load(Ordering::SeqCst)
    }

    /// How many tokens were dropped.
    ///
    /// ```
    /// let counter = weft_tests::DropCounter::new();
    /// drop(counter.token());
    /// assert_eq!(counter.dropped(), 1);
    /// ```
    pub fn dropped(&self) -> usize {
        self.inner.dropped.load(Ordering::SeqCst)
    }

    /// Tokens made and not yet dropped.
    ///
    /// # Panics
    ///
    /// If more tokens were dropped than made (a double drop).
    ///
    /// ```
    /// let counter = weft_tests::DropCounter::new();
    /// let _kept = counter.token();
    /// drop(counter.token());
    /// assert_eq!(counter.alive(), 1);
    /// ```
    pub fn alive(&self) -> usize {
        // Read `dropped` first: a token is created before it can be dropped, so this
        // order never sees more drops than creations unless a token dropped twice.
        let dropped = self.dropped();
        let created = self.created();
        created.checked_sub(dropped).unwrap_or_else(|| {
            panic!("{dropped} drops counted for {created} tokens: something dropped twice")
        })
    }
}

impl fmt::Debug for DropCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DropCounter")
            .field("created", &self.created())
            .field("dropped", &self.dropped())
            .finish()
    }
}

/// One counted value: increments its [`DropCounter`]'s drop count when dropped.
/// Move it into a future to count that future's drop.
///
/// ```
/// let counter = weft_tests::DropCounter::new();
/// let rt = weft_tests::Flavor::CurrentThread.runtime();
/// let token = counter.token();
/// rt.block_on(async move { weft::spawn(async move { drop(token) }).await.unwrap() });
/// assert_eq!(counter.dropped(), 1);
/// ```
pub struct DropToken {
    inner: Arc<Counts>,
}

impl Drop for DropToken {
    fn drop(&mut self) {
        self.inner.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

impl fmt::Debug for DropToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DropToken")
    }
}

/// The message of a panic payload, if it is a string (as `panic!` makes).
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
/// assert_eq!(weft_tests::panic_message(&*payload), Some("boom 1"));
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// Runs `f`, which must panic, and returns its panic message.
///
/// # Panics
///
/// If `f` returns normally, or panics with a payload that is not a string.
///
/// ```
/// let msg = weft_tests::catch_panic_message(|| {
///     weft::spawn(async {});
/// });
/// assert!(msg.contains("#[weft::main]"), "{msg}");
/// ```
#[track_caller]
pub fn catch_panic_message<R>(f: impl FnOnce() -> R + UnwindSafe) -> String {
    match std::panic::catch_unwind(f) {
        Ok(_) => panic!("expected a panic, but the closure returned"),
        Err(payload) => panic_message(&*payload)
            .expect("the panic payload is not a string")
            .to_owned(),
    }
}

/// A one-shot event built by hand on `Waker`: a task awaits [`Gate::wait`] until some
/// thread calls [`Gate::open`]. It uses no weft primitive, so it tests the runtime's
/// wakers rather than trusting them, and it lets a foreign std thread fire the waker
/// ([`Gate::wait_for_waiter`]) once the task is really parked.
///
/// One waiter at a time: a new poll replaces the stored waker. Clones share the gate.
///
/// ```
/// use weft_tests::Gate;
///
/// let rt = weft_tests::Flavor::MultiThread1.runtime();
/// let gate = Gate::new();
/// let task = rt.spawn({
///     let gate = gate.clone();
///     async move { gate.wait().await; "opened" }
/// });
/// let opener = std::thread::spawn(move || {
///     gate.wait_for_waiter(); // the task is parked on the gate now
///     gate.open(); // wakes it from this foreign thread
/// });
/// assert_eq!(rt.block_on(task).unwrap(), "opened");
/// opener.join().unwrap();
/// ```
#[derive(Clone, Default)]
pub struct Gate {
    inner: Arc<GateInner>,
}

#[derive(Default)]
struct GateInner {
    state: Mutex<GateState>,
    /// Signalled when a waiter stores its waker.
    registered: Condvar,
}

#[derive(Default)]
struct GateState {
    open: bool,
    waker: Option<Waker>,
}

impl Gate {
    /// A closed gate.
    ///
    /// ```
    /// assert!(!weft_tests::Gate::new().is_open());
    /// ```
    pub fn new() -> Gate {
        Gate::default()
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        // A panicking test thread must not wedge the others: the state stays valid.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens the gate (for good) and wakes the waiter, if any. Callable from any
    /// thread; the waker is fired after the lock is released.
    ///
    /// ```
    /// let gate = weft_tests::Gate::new();
    /// gate.open();
    /// assert!(gate.is_open());
    /// ```
    pub fn open(&self) {
        let waker = {
            let mut state = self.lock();
            state.open = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether [`Gate::open`] was called.
    ///
    /// ```
    /// let gate = weft_tests::Gate::new();
    /// assert!(!gate.is_open());
    /// ```
    pub fn is_open(&self) -> bool {
        self.lock().open
    }

    /// A future that completes once the gate is open.
    ///
    /// ```
    /// let gate = weft_tests::Gate::new();
    /// gate.open();
    /// weft_tests::Flavor::CurrentThread.runtime().block_on(gate.wait());
    /// ```
    pub fn wait(&self) -> GateWait {
        GateWait { gate: self.clone() }
    }

    /// Blocks this (non-runtime) thread until a waiter has parked on the closed gate,
    /// and returns a clone of its waker; returns `None` if the gate is open.
    ///
    /// # Panics
    ///
    /// After [`DEADLINE`] with no waiter: a task that should have parked never did.
    ///
    /// ```
    /// let gate = weft_tests::Gate::new();
    /// let rt = weft_tests::Flavor::MultiThread1.runtime();
    /// let task = rt.spawn({
    ///     let gate = gate.clone();
    ///     async move { gate.wait().await }
    /// });
    /// let waker = gate.wait_for_waiter().expect("the gate is closed");
    /// waker.wake_by_ref(); // a spurious wake: the task polls, finds it closed, parks again
    /// gate.open();
    /// rt.block_on(task).unwrap();
    /// ```
    #[track_caller]
    pub fn wait_for_waiter(&self) -> Option<Waker> {
        let start = Instant::now();
        let mut state = self.lock();
        loop {
            if state.open {
                return None;
            }
            if let Some(waker) = &state.waker {
                return Some(waker.clone());
            }
            let left = DEADLINE.checked_sub(start.elapsed()).unwrap_or_else(|| {
                panic!("no task parked on the gate within {DEADLINE:?}: a task never ran")
            });
            state = self
                .inner
                .registered
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// A guard that opens the gate when dropped: move it into a future to learn,
    /// asynchronously, that the runtime dropped that future.
    ///
    /// ```
    /// let gate = weft_tests::Gate::new();
    /// drop(gate.open_on_drop());
    /// assert!(gate.is_open());
    /// ```
    pub fn open_on_drop(&self) -> OpenOnDrop {
        OpenOnDrop { gate: self.clone() }
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Gate")
            .field("open", &state.open)
            .field("waiting", &state.waker.is_some())
            .finish()
    }
}

/// The future returned by [`Gate::wait`].
///
/// ```
/// let gate = weft_tests::Gate::new();
/// let wait: weft_tests::GateWait = gate.wait();
/// gate.open();
/// weft_tests::Flavor::CurrentThread.runtime().block_on(wait);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct GateWait {
    gate: Gate,
}

impl Future for GateWait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.gate.lock();
        if state.open {
            return Poll::Ready(());
        }
        match &mut state.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        drop(state);
        self.gate.inner.registered.notify_all();
        Poll::Pending
    }
}

/// Opens its [`Gate`] when dropped; see [`Gate::open_on_drop`].
///
/// ```
/// let gate = weft_tests::Gate::new();
/// let guard: weft_tests::OpenOnDrop = gate.open_on_drop();
/// assert!(!gate.is_open());
/// drop(guard);
/// assert!(gate.is_open());
/// ```
#[derive(Debug)]
pub struct OpenOnDrop {
    gate: Gate,
}

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.gate.open();
    }
}

/// Builds a runtime from `builder` with `token` tied to the runtime's shared state,
/// so the token is dropped only when that state is freed: after the runtime is
/// dropped *and* every task (each task holds the state), waker, `JoinHandle`,
/// `AbortHandle` and `Handle` of it is gone. If the token is still alive once all of
/// those are dropped, something leaked.
///
/// The builder is consumed because it shares the hook that owns the token. The hook
/// is the builder's `on_thread_stop` slot (a no-op that owns the token), so do not
/// set that hook yourself.
///
/// Avoid `spawn_blocking` on such a runtime: blocking-pool threads are not joined, so
/// the last one may still hold the state for a moment after the runtime's drop.
///
/// # Panics
///
/// If the runtime cannot be built.
///
/// ```
/// let counter = weft_tests::DropCounter::new();
/// let builder = weft_tests::Flavor::MultiThread2.builder();
/// let rt = weft_tests::build_with_leak_probe(builder, counter.token());
/// let handle = rt.spawn(std::future::pending::<()>());
/// drop(rt);
/// assert_eq!(counter.alive(), 1, "the JoinHandle still refers to the task");
/// drop(handle);
/// assert_eq!(counter.alive(), 0);
/// ```
pub fn build_with_leak_probe(
    mut builder: weft::runtime::Builder,
    token: DropToken,
) -> weft::runtime::Runtime {
    builder.on_thread_stop(move || {
        let _owned_by_the_runtime = &token;
    });
    builder
        .build()
        .unwrap_or_else(|e| panic!("could not build the runtime: {e}"))
}

/// Spins, yielding the thread, until `done()` holds: for state that another thread
/// is about to publish with no event to wait on (a runtime thread finishing its
/// bookkeeping, the kernel reaping a thread). It waits for a fact, never for time.
///
/// # Panics
///
/// If `done()` is still false after [`DEADLINE`]: what was awaited never happened.
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
///
/// let flag = Arc::new(AtomicBool::new(false));
/// let setter = std::thread::spawn({
///     let flag = flag.clone();
///     move || flag.store(true, Ordering::SeqCst)
/// });
/// weft_tests::wait_until("the flag is set", || flag.load(Ordering::SeqCst));
/// setter.join().unwrap();
/// ```
#[track_caller]
pub fn wait_until(what: &str, done: impl FnMut() -> bool) {
    assert!(
        poll_until(DEADLINE, done),
        "waited {DEADLINE:?} for {what}, and it never happened"
    );
}

/// Polls `cond` until it holds or `deadline` passes; returns whether it held. The one
/// polling loop of the test suite, for state there is no event for (a thread or a
/// child process gone from `/proc`): the condition itself is what is waited for.
///
/// ```
/// use std::time::Duration;
/// assert!(weft_tests::poll_until(Duration::from_secs(1), || true));
/// ```
pub fn poll_until(deadline: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if cond() {
            return true;
        }
        if start.elapsed() >= deadline {
            return false;
        }
        std::thread::yield_now();
    }
}
