//! `block_in_place`: run blocking code on a worker thread without stalling the
//! tasks queued behind it.

use crate::runtime::{context, scheduler};

/// Runs the blocking closure `f` right here, on the current worker thread, after
/// handing this worker's queued tasks (and its place in the scheduler) to a new
/// thread, so the rest of the runtime keeps running meanwhile.
///
/// Unlike [`spawn_blocking`](crate::spawn_blocking), `f` may borrow from the
/// caller, and needs no `'static` or `Send`. Inside `f`, blocking calls such as
/// `Handle::block_on` are allowed. Outside a runtime, `f` simply runs.
///
/// # Panics
///
/// On a current-thread runtime: its only thread cannot be handed off, so blocking
/// it would stall every task. Use `spawn_blocking` there.
///
/// ```
/// # weft::run(async {
/// let data = vec![1u64; 1_000];
/// let sum = weft::task::block_in_place(|| data.iter().sum::<u64>());
/// assert_eq!(sum, 1_000);
/// # });
/// ```
#[track_caller]
pub fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    let on_current_thread =
        context::with_scheduler(|cx| matches!(cx, Some(scheduler::Context::CurrentThread(_))));
    if on_current_thread {
        panic!(
            "`block_in_place` cannot be used on a current-thread runtime, whose only \
             thread runs every task: use `weft::task::spawn_blocking`, or a \
             multi-thread runtime"
        );
    }
    scheduler::multi_thread::block_in_place(f)
}
