//! The cooperative budget: how many leaf operations a task may complete in one poll.
//!
//! A task that only ever meets ready futures (a channel with items waiting, a socket
//! with bytes buffered) would never return `Pending` and so never give its worker
//! back. To prevent that, whoever polls a task grants it a budget with
//! [`with_budget`]; every leaf future (sockets, channels, locks, timers) calls
//! [`poll_proceed`] before it completes, which spends one unit. When the budget is
//! spent, `poll_proceed` wakes the task and returns `Pending`, so the task yields and
//! the scheduler runs something else before polling it again.
//!
//! The budget lives in a thread-local. It belongs here, beside the I/O resources that
//! spend it, because `weft-io` must not depend on the scheduler; the scheduler only
//! sets the budget around each poll.
//!
//! # Invariant
//!
//! Outside [`with_budget`] the budget is *unconstrained*: leaf futures polled by hand
//! or by another executor never yield for budget reasons.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Units a task gets per poll: enough to amortise the cost of a reschedule, small
/// enough that a busy task gives way within a few microseconds.
pub const INITIAL_BUDGET: u8 = 128;

/// `None` means unconstrained; `Some(n)` means `n` units are left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Budget(Option<u8>);

thread_local! {
    static BUDGET: Cell<Budget> = const { Cell::new(Budget(None)) };
}

/// Puts the previous budget back when dropped, so a panic inside [`with_budget`]
/// cannot leave a stale budget on the thread.
struct ResetGuard(Budget);

impl Drop for ResetGuard {
    fn drop(&mut self) {
        let prev = self.0;
        let _ = BUDGET.try_with(|b| b.set(prev));
    }
}

fn with_set<R>(budget: Budget, f: impl FnOnce() -> R) -> R {
    let prev = BUDGET.try_with(|b| b.replace(budget)).unwrap_or(Budget(None));
    let _guard = ResetGuard(prev);
    f()
}

/// Runs `f` with a fresh budget of [`INITIAL_BUDGET`] units, then restores the
/// budget that was there before. Schedulers call this around every task poll.
///
/// ```
/// use weft_io::coop;
///
/// assert!(coop::has_budget_remaining());
/// coop::with_budget(|| assert!(coop::has_budget_remaining()));
/// ```
pub fn with_budget<R>(f: impl FnOnce() -> R) -> R {
    with_set(Budget(Some(INITIAL_BUDGET)), f)
}

/// Runs `f` with no budget at all: nothing inside it yields for budget reasons.
///
/// ```
/// use weft_io::coop;
///
/// coop::with_budget(|| coop::unconstrained(|| assert!(coop::has_budget_remaining())));
/// ```
pub fn unconstrained<R>(f: impl FnOnce() -> R) -> R {
    with_set(Budget(None), f)
}

/// Whether the current task may still complete a leaf operation without yielding.
///
/// ```
/// assert!(weft_io::coop::has_budget_remaining());
/// ```
pub fn has_budget_remaining() -> bool {
    BUDGET
        .try_with(|b| b.get().0 != Some(0))
        .unwrap_or(true)
}

/// Spends one unit of the budget, or wakes the task and returns `Pending` when the
/// budget is spent.
///
/// A leaf future calls this *before* doing its work. If the work then turns out not
/// to be ready, the future drops the returned guard without calling
/// [`RestoreOnPending::made_progress`], which refunds the unit: only completed
/// operations are charged.
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// use weft_io::coop;
///
/// let mut cx = Context::from_waker(Waker::noop());
/// coop::with_budget(|| {
///     for _ in 0..coop::INITIAL_BUDGET {
///         let Poll::Ready(guard) = coop::poll_proceed(&mut cx) else { unreachable!() };
///         guard.made_progress();
///     }
///     assert!(coop::poll_proceed(&mut cx).is_pending());
/// });
/// ```
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    let res = BUDGET.try_with(|cell| {
        let budget = cell.get();
        match budget.0 {
            None => Poll::Ready(RestoreOnPending(Cell::new(budget))),
            Some(0) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(n) => {
                cell.set(Budget(Some(n - 1)));
                Poll::Ready(RestoreOnPending(Cell::new(budget)))
            }
        }
    });
    res.unwrap_or(Poll::Ready(RestoreOnPending(Cell::new(Budget(None)))))
}

/// Refunds the unit taken by [`poll_proceed`] unless the operation made progress.
#[derive(Debug)]
#[must_use = "dropping the guard at once refunds the unit it took"]
pub struct RestoreOnPending(Cell<Budget>);

impl RestoreOnPending {
    /// Keeps the unit spent: the operation completed.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use weft_io::coop;
    ///
    /// let mut cx = Context::from_waker(Waker::noop());
    /// if let std::task::Poll::Ready(guard) = coop::poll_proceed(&mut cx) {
    ///     guard.made_progress();
    /// }
    /// ```
    pub fn made_progress(&self) {
        self.0.set(Budget(None));
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        // Only a constrained budget was decremented; put the unit back.
        if let Budget(Some(n)) = self.0.get() {
            let _ = BUDGET.try_with(|cell| {
                if let Budget(Some(_)) = cell.get() {
                    cell.set(Budget(Some(n)));
                }
            });
        }
    }
}

/// Spends one unit of the budget, yielding first if it is spent. Put it in a loop
/// that does CPU work between awaits of futures that are always ready.
///
/// ```
/// # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// # let mut fut = std::pin::pin!(async {
/// for _ in 0..1000 {
///     weft_io::coop::consume_budget().await;
/// }
/// # });
/// # assert!(fut.as_mut().poll(&mut cx).is_ready());
/// ```
pub fn consume_budget() -> ConsumeBudget {
    ConsumeBudget { _priv: () }
}

/// The future returned by [`consume_budget`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct ConsumeBudget {
    _priv: (),
}

impl Future for ConsumeBudget {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match poll_proceed(cx) {
            Poll::Ready(guard) => {
                guard.made_progress();
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn unconstrained_outside_with_budget() {
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..1000 {
            assert!(poll_proceed(&mut cx).is_ready());
        }
    }

    #[test]
    fn pending_refunds_the_unit() {
        let mut cx = Context::from_waker(Waker::noop());
        with_budget(|| {
            for _ in 0..1000 {
                // Dropped without progress: never charged.
                let _ = poll_proceed(&mut cx);
            }
            assert!(has_budget_remaining());
        });
    }

    #[test]
    fn budget_is_restored_after_panic() {
        let _ = std::panic::catch_unwind(|| with_budget(|| panic!("boom")));
        assert_eq!(BUDGET.with(|b| b.get()), Budget(None));
    }
}
