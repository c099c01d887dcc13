//! Task ids: unique for the life of the process, and the id of the running task.

use std::cell::Cell;
use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

/// A task's id, unique among all tasks ever spawned in this process.
///
/// ```
/// # weft::run(async {
/// let handle = weft::spawn(async { weft::task::id() });
/// let id = handle.id();
/// assert_eq!(handle.await.unwrap(), id);
/// # });
/// ```
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq, Ord, PartialOrd)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn next() -> Id {
        // Relaxed: uniqueness needs only the atomicity of the increment.
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        Id(NonZeroU64::new(id).expect("task ids exhausted"))
    }

    pub(crate) fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

thread_local! {
    static CURRENT: Cell<Option<Id>> = const { Cell::new(None) };
}

/// Restores the previous current id when dropped.
pub(super) struct CurrentGuard(Option<Id>);

/// Makes `id` the current task id until the guard drops.
pub(super) fn set_current(id: Id) -> CurrentGuard {
    CurrentGuard(CURRENT.with(|c| c.replace(Some(id))))
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        let prev = self.0;
        let _ = CURRENT.try_with(|c| c.set(prev));
    }
}

/// The id of the task being polled.
///
/// # Panics
///
/// Outside a task. Use [`try_id`] where that can happen.
///
/// ```
/// # weft::run(async {
/// let id = weft::spawn(async { weft::task::id() }).await.unwrap();
/// println!("the task was {id}");
/// # });
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect(
        "`weft::task::id()` was called outside a task: call it from inside a future \
         that was spawned with `weft::spawn`, or use `weft::task::try_id()`",
    )
}

/// The id of the task being polled, or `None` outside a task.
///
/// ```
/// assert!(weft::task::try_id().is_none());
/// ```
pub fn try_id() -> Option<Id> {
    CURRENT.try_with(|c| c.get()).ok().flatten()
}
