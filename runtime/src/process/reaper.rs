//! Reaping children nobody waits for: a child dropped before it was reaped (with
//! or without `kill_on_drop`) is adopted here, and a task on the runtime reaps it
//! when its `SIGCHLD` arrives, so no zombie is left behind.
//!
//! # Invariants
//!
//! 1. `reaper_running` is true exactly while a reaper task exists (it is cleared
//!    under the lock by the task, when the list is empty or when the task is
//!    dropped), so an adoption either finds a reaper that will see the child or
//!    starts one.
//! 2. The reaper registers its `SIGCHLD` listener before it first looks at the
//!    list, so an exit between a look and the wait is never missed.
//! 3. A child leaves the list once `try_wait` says it exited (reaped) or fails
//!    (someone else reaped it): the list never holds a reaped child.

use crate::runtime::context;
use crate::signal::unix::{SignalKind, signal};
use crate::task::Meta;
use std::process::Child;
use std::sync::{Mutex, MutexGuard};

struct Orphans {
    children: Vec<Child>,
    reaper_running: bool,
}

static ORPHANS: Mutex<Orphans> = Mutex::new(Orphans {
    children: Vec::new(),
    reaper_running: false,
});

fn orphans() -> MutexGuard<'static, Orphans> {
    // The list is consistent at every point where code under the lock could panic.
    ORPHANS.lock().unwrap_or_else(|e| e.into_inner())
}

impl Orphans {
    /// Invariant 3: reaps what has exited; returns whether anyone is left.
    fn reap(&mut self) -> bool {
        self.children
            .retain_mut(|c| matches!(c.try_wait(), Ok(None)));
        !self.children.is_empty()
    }
}

/// Takes over a child that was dropped before it was reaped.
///
/// On a runtime, a reaper task reaps it when it exits. Outside one, it waits in the
/// list for the next adoption made on a runtime.
pub(crate) fn adopt(child: Child) {
    let mut list = orphans();
    list.children.push(child);
    if !list.reap() || list.reaper_running {
        return;
    }
    let Some(handle) = context::with_current(Clone::clone) else {
        return;
    };
    // Invariant 1.
    list.reaper_running = true;
    drop(list);
    drop(handle.spawn(
        reap_orphans(ReaperGuard),
        Meta::new(Some("weft-orphan-reaper".into())),
    ));
}

/// Clears `reaper_running` if the reaper task is dropped before it finishes.
struct ReaperGuard;

impl Drop for ReaperGuard {
    fn drop(&mut self) {
        orphans().reaper_running = false;
    }
}

async fn reap_orphans(guard: ReaperGuard) {
    // Invariant 2: listen first, then look.
    let Ok(mut sigchld) = signal(SignalKind::child()) else {
        return;
    };
    loop {
        {
            let mut list = orphans();
            if !list.reap() {
                // Invariant 1: cleared under the same lock `adopt` checks it with.
                list.reaper_running = false;
                std::mem::forget(guard);
                return;
            }
        }
        if sigchld.recv().await.is_none() {
            return;
        }
    }
}
