//! `Children`: a fixed set of futures pinned in one allocation, polled through a
//! [`ReadySet`] so that only woken children are polled again.
//!
//! This is the engine shared by `gather`, `try_gather`, `race`, `wait` and
//! `as_completed`; each of them only decides what to do with an output and when to
//! stop.
//!
//! # Invariant
//!
//! The futures live in a boxed slice that is pinned for the life of `Children`: no
//! element is ever moved while it holds a future. A finished or discarded child is
//! dropped in place (`Pin::set(None)`); only `take`, which requires `F: Unpin`,
//! moves a future out.

use super::ready_set::{ReadySet, Repoll};
use crate::task::coop;
use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll};

pub(crate) struct Children<F> {
    /// `None` once the child finished or was taken out (see the invariant).
    slots: Pin<Box<[Option<F>]>>,
    ready: ReadySet,
    /// Children still in `slots`.
    live: usize,
}

impl<F> Children<F> {
    /// How many children there were to begin with.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// How many children have neither finished nor been dropped or taken.
    pub(crate) fn live(&self) -> usize {
        self.live
    }
}

impl<F: Future> Children<F> {
    pub(crate) fn new(futures: impl IntoIterator<Item = F>) -> Children<F> {
        let slots: Box<[Option<F>]> = futures.into_iter().map(Some).collect();
        let len = slots.len();
        Children {
            slots: Box::into_pin(slots),
            ready: ReadySet::with_len(len, Repoll::Never),
            live: len,
        }
    }

    /// Polls the children woken since the last call. Each output is handed to
    /// `on_ready` with its index (the child is dropped first); if `on_ready` breaks,
    /// the rest of this round stays queued for the next call.
    pub(crate) fn poll_woken(
        &mut self,
        cx: &Context<'_>,
        mut on_ready: impl FnMut(usize, F::Output) -> ControlFlow<()>,
    ) {
        self.ready.begin_poll();
        loop {
            // A spent budget makes every leaf child (a `JoinHandle`, a channel) return
            // `Pending` and queue itself again, so going on would sweep the whole
            // batch for nothing, poll after poll. Stop and come back after a yield.
            if self.ready.round_left() && !coop::has_budget_remaining() {
                cx.waker().wake_by_ref();
                return;
            }
            let Some(index) = self.ready.next(cx) else {
                return;
            };
            let mut slot = slot(&mut self.slots, index);
            let Some(fut) = slot.as_mut().as_pin_mut() else {
                continue; // a stale wake of a finished child
            };
            let mut child_cx = Context::from_waker(self.ready.waker(index));
            if let Poll::Ready(out) = fut.poll(&mut child_cx) {
                slot.set(None);
                self.live -= 1;
                if on_ready(index, out).is_break() {
                    return;
                }
            }
        }
    }

    /// Drops every child that has not finished, at once.
    pub(crate) fn drop_all(&mut self) {
        self.slots = Box::into_pin(Box::default());
        self.live = 0;
        self.ready.clear();
    }
}

/// Child `index`, still pinned.
fn slot<F>(slots: &mut Pin<Box<[Option<F>]>>, index: usize) -> Pin<&mut Option<F>> {
    // SAFETY: projecting a pinned slice onto one element keeps it pinned: the element
    // is not moved here, and the struct invariant says it is never moved while it
    // holds a future.
    unsafe { slots.as_mut().map_unchecked_mut(|s| &mut s[index]) }
}

impl<F: Future + Unpin> Children<F> {
    /// Moves the unfinished children out, with their indices, in input order.
    pub(crate) fn take_live(&mut self) -> Vec<(usize, F)> {
        let mut out = Vec::with_capacity(self.live);
        for (index, slot) in self.slots.as_mut().get_mut().iter_mut().enumerate() {
            if let Some(fut) = slot.take() {
                out.push((index, fut));
            }
        }
        self.drop_all();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    /// `!Unpin` children are polled in place, finished ones are dropped in place,
    /// and only the woken ones are polled again.
    #[test]
    fn polls_pinned_children_and_drops_finished_ones() {
        let mut children = Children::new((0..3).map(|i| async move {
            let local = [i; 4];
            let r = &local; // a self-reference across the yield: the future is `!Unpin`
            crate::task::yield_now().await;
            r[0] * 2
        }));
        let cx = Context::from_waker(Waker::noop());
        let mut outs = Vec::new();
        children.poll_woken(&cx, |i, o| {
            outs.push((i, o));
            ControlFlow::Continue(())
        });
        assert!(outs.is_empty());
        assert_eq!(children.live(), 3);
        children.poll_woken(&cx, |i, o| {
            outs.push((i, o));
            ControlFlow::Continue(())
        });
        assert_eq!(outs, [(0, 0), (1, 2), (2, 4)]);
        assert_eq!(children.live(), 0);
    }

    #[test]
    fn take_live_hands_back_the_unfinished_in_input_order() {
        let mut children = Children::new([
            Box::pin(std::future::ready(1)) as Pin<Box<dyn Future<Output = i32>>>,
            Box::pin(std::future::pending()),
            Box::pin(std::future::pending()),
        ]);
        let cx = Context::from_waker(Waker::noop());
        let mut done = Vec::new();
        children.poll_woken(&cx, |i, o| {
            done.push((i, o));
            ControlFlow::Continue(())
        });
        assert_eq!(done, [(0, 1)]);
        let rest: Vec<usize> = children.take_live().into_iter().map(|(i, _)| i).collect();
        assert_eq!(rest, [1, 2]);
        assert_eq!(children.live(), 0);
    }
}
