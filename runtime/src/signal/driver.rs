//! The per-runtime half of signal handling: a task on each runtime that has
//! listeners, which reads the self-pipe through the reactor and wakes every
//! listener; and the list of listeners' wakers.
//!
//! The self-pipe is process-wide but reactors are per runtime, so each runtime
//! with listeners registers its own descriptor of the pipe's read end with its own
//! reactor. Whichever driver task drains a byte wakes *every* listener, of every
//! runtime: a byte drained by one runtime's driver can never be lost to another's.
//! Listeners then compare the generation counters (`registry.rs`) with the last
//! value they saw, so a wake-up that is not for their signal costs one check.
//!
//! # Invariants
//!
//! 1. A runtime has at most one driver task, found in `DRIVERS` under its key (the
//!    address of its scheduler's shared state, alive while the task is).
//! 2. The driver's entry leaves `DRIVERS` and its `alive` flag turns false when its
//!    task's future is dropped (at runtime shutdown); listeners then get `None`.
//! 3. A listener stores its waker, then checks its generation again, so a delivery
//!    broadcast between its first check and the store is never missed.

use super::registry;
use crate::runtime::{context, scheduler};
use crate::task::Meta;
use slab::Slab;
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;
use weft_io::reactor::{Direction, PollEvented};

/// The wakers of listeners waiting for a delivery.
static LISTENERS: Mutex<Slab<Option<Waker>>> = Mutex::new(Slab::new());

/// Invariant 1: the runtimes that have a driver task, by key.
static DRIVERS: Mutex<Vec<(usize, Arc<Liveness>)>> = Mutex::new(Vec::new());

/// Whether a runtime's driver task is still there to wake listeners.
#[derive(Debug)]
pub(crate) struct Liveness {
    alive: AtomicBool,
}

impl Liveness {
    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::SeqCst)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every critical section here leaves its data consistent before anything that can
    // panic, so a poisoned lock is still good.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes sure the current runtime has a driver task, returning its liveness flag.
///
/// # Panics
///
/// Outside a runtime.
#[track_caller]
pub(crate) fn ensure_driver() -> io::Result<Arc<Liveness>> {
    let Some(handle) = context::with_current(scheduler::Handle::clone) else {
        panic!("weft signals: {}", context::NO_RUNTIME);
    };
    let key = match &handle {
        scheduler::Handle::CurrentThread(h) => Arc::as_ptr(h) as usize,
        scheduler::Handle::MultiThread(h) => Arc::as_ptr(h) as usize,
    };
    let mut drivers = lock(&DRIVERS);
    if let Some((_, live)) = drivers
        .iter()
        .find(|(k, live)| *k == key && live.is_alive())
    {
        return Ok(live.clone());
    }
    let pipe = PollEvented::new(mio::net::UnixStream::from_std(registry::reader()?))?;
    let live = Arc::new(Liveness {
        alive: AtomicBool::new(true),
    });
    drivers.push((key, live.clone()));
    drop(drivers);
    let guard = DriverGuard {
        key,
        live: live.clone(),
    };
    drop(handle.spawn(
        run(pipe, guard),
        Meta::new(Some("weft-signal-driver".into())),
    ));
    Ok(live)
}

/// Removes the driver's entry when its future goes (invariant 2).
struct DriverGuard {
    key: usize,
    live: Arc<Liveness>,
}

impl Drop for DriverGuard {
    fn drop(&mut self) {
        self.live.alive.store(false, Ordering::SeqCst);
        lock(&DRIVERS).retain(|(k, live)| !(*k == self.key && Arc::ptr_eq(live, &self.live)));
        // Listeners of this runtime learn that nobody will wake them any more.
        wake_all();
    }
}

async fn run(pipe: PollEvented<mio::net::UnixStream>, guard: DriverGuard) {
    let _guard = guard;
    let mut buf = [0u8; 64];
    loop {
        let read = pipe
            .async_io(Direction::Read, || pipe.get_ref().read(&mut buf))
            .await;
        match read {
            // Deliveries: every listener looks at its generation again.
            Ok(n) if n > 0 => wake_all(),
            // The write end is never closed and the reactor only fails when it is
            // gone: either way this runtime can deliver no more signals.
            _ => return,
        }
    }
}

/// Wakes every waiting listener (each checks its own signal's generation).
fn wake_all() {
    let wakers: Vec<Waker> = lock(&LISTENERS)
        .iter_mut()
        .filter_map(|(_, w)| w.take())
        .collect();
    // Woken after the lock is released: a waker may run arbitrary code.
    wakers.into_iter().for_each(Waker::wake);
}

/// A listener's place in `LISTENERS`.
#[derive(Debug)]
pub(crate) struct ListenerSlot(usize);

impl ListenerSlot {
    pub(crate) fn new() -> ListenerSlot {
        ListenerSlot(lock(&LISTENERS).insert(None))
    }

    /// Stores the waker to wake on the next delivery (invariant 3: the caller checks
    /// its generation again afterwards).
    pub(crate) fn set_waker(&self, waker: &Waker) {
        let mut listeners = lock(&LISTENERS);
        match &mut listeners[self.0] {
            Some(w) if w.will_wake(waker) => {}
            slot => *slot = Some(waker.clone()),
        }
    }
}

impl Drop for ListenerSlot {
    fn drop(&mut self) {
        let waker = lock(&LISTENERS).remove(self.0);
        drop(waker);
    }
}

/// The delivery count of `signum`, for listeners.
pub(crate) fn generation(signum: libc::c_int) -> usize {
    registry::generation(signum)
}
