//! [`Deadline`]: a connection's read deadline, moved once per request without
//! touching the runtime's timer wheel.
//!
//! A keep-alive connection gets a fresh deadline for every request. Arming a timer
//! per request would cost a wheel insert and a removal (each under the timer's
//! lock) for every request served, although the timer almost never fires. Instead
//! one timer per connection stays armed, and moving the deadline later only stores
//! the new instant.
//!
//! Invariant: the armed timer is never due after `at`. Deadlines normally only move
//! later, so a timer armed for an older deadline wakes the connection early at worst;
//! then [`Deadline::poll_elapsed`] sees that `at` has not passed yet and re-arms the
//! timer for `at`. A deadline moved earlier than the armed timer resets the timer at
//! once, so the invariant also holds then.

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use weft::time::{Instant, Sleep, sleep_until};

/// When the reads of one connection give up; see the module doc.
#[derive(Debug)]
pub(crate) struct Deadline {
    /// The deadline in force.
    at: Instant,
    /// Armed on the first wait. # Invariant: due at or before `at` (module doc).
    timer: Option<Pin<Box<Sleep>>>,
    /// The waker the armed timer holds, so that a poll from the same task need not
    /// poll the timer again (polling it takes the timer's lock).
    waker: Option<Waker>,
}

impl Deadline {
    /// A deadline at `at`, with no timer armed yet.
    pub(crate) fn new(at: Instant) -> Deadline {
        Deadline {
            at,
            timer: None,
            waker: None,
        }
    }

    /// Moves the deadline to `at`; later costs nothing, earlier resets the timer.
    pub(crate) fn set(&mut self, at: Instant) {
        if let Some(timer) = &mut self.timer
            && at < timer.deadline()
        {
            // The reset keeps the timer's waker, so `waker` stays true.
            timer.as_mut().reset(at);
        }
        self.at = at;
    }

    /// `Ready` once the deadline has passed; otherwise makes sure the timer will wake
    /// `cx`'s task by then (or earlier, see the module doc) and returns `Pending`.
    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            if Instant::now() >= self.at {
                return Poll::Ready(());
            }
            let at = self.at;
            let timer = self.timer.get_or_insert_with(|| Box::pin(sleep_until(at)));
            let same_task = self.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker()));
            if same_task && !timer.is_elapsed() {
                // Armed, due by `at`, and holding this task's waker.
                return Poll::Pending;
            }
            if timer.is_elapsed() {
                // It fired for an older deadline: re-arm it for the one in force.
                timer.as_mut().reset(at);
            }
            if timer.as_mut().poll(cx).is_pending() {
                self.waker = Some(cx.waker().clone());
                return Poll::Pending;
            }
            // Fired already (the clock moved on while we looked): check `at` again.
            self.waker = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::time::Duration;

    use super::Deadline;
    use weft::time::Instant;

    fn paused() -> weft::runtime::Runtime {
        weft::runtime::Builder::new_current_thread()
            .start_paused(true)
            .build()
            .expect("a current-thread runtime builds")
    }

    #[test]
    fn a_deadline_moved_later_fires_at_the_later_time() {
        paused().block_on(async {
            let start = Instant::now();
            let mut deadline = Deadline::new(start + Duration::from_secs(1));
            // Arm the timer for the first deadline, then move the deadline later.
            assert!(
                poll_fn(|cx| std::task::Poll::Ready(deadline.poll_elapsed(cx)))
                    .await
                    .is_pending()
            );
            deadline.set(start + Duration::from_secs(3));
            poll_fn(|cx| deadline.poll_elapsed(cx)).await;
            assert_eq!(start.elapsed(), Duration::from_secs(3));
        });
    }

    #[test]
    fn a_deadline_moved_earlier_fires_at_the_earlier_time() {
        paused().block_on(async {
            let start = Instant::now();
            let mut deadline = Deadline::new(start + Duration::from_secs(5));
            assert!(
                poll_fn(|cx| std::task::Poll::Ready(deadline.poll_elapsed(cx)))
                    .await
                    .is_pending()
            );
            deadline.set(start + Duration::from_secs(2));
            poll_fn(|cx| deadline.poll_elapsed(cx)).await;
            assert_eq!(start.elapsed(), Duration::from_secs(2));
        });
    }

    #[test]
    fn a_passed_deadline_is_ready_at_once() {
        paused().block_on(async {
            let mut deadline = Deadline::new(Instant::now());
            poll_fn(|cx| deadline.poll_elapsed(cx)).await;
        });
    }
}
