//! Concurrency models of the task state machine: wake vs complete vs abort vs
//! dropping the join handle vs shutdown. Under `--cfg loom` loom explores every
//! interleaving; otherwise they run on real threads (and under Miri).
//!
//! Each model counts drops of the future and of the output, and checks that each
//! happens exactly once and that the task's memory is released (the scheduler's
//! owner list ends empty and the queue holds nothing).

use super::test_util::{TestSched, model};
use crate::loom::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::{Arc as LArc, Mutex, thread};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// Counts its own drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Pending on the first poll (handing its waker out), ready on the second.
struct TwoStep {
    slot: LArc<Mutex<Option<Waker>>>,
    polled: bool,
    _drop: Counted,
    out: Option<Counted>,
}

impl Future for TwoStep {
    type Output = Counted;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Counted> {
        if self.polled {
            return Poll::Ready(self.out.take().unwrap());
        }
        self.polled = true;
        *self.slot.lock() = Some(cx.waker().clone());
        Poll::Pending
    }
}

struct Fixture {
    sched: Arc<TestSched>,
    slot: LArc<Mutex<Option<Waker>>>,
    fut_drops: Arc<AtomicUsize>,
    out_drops: Arc<AtomicUsize>,
}

fn fixture() -> (Fixture, super::JoinHandle<Counted>) {
    let sched = TestSched::new();
    let slot = LArc::new(Mutex::new(None));
    let fut_drops = Arc::new(AtomicUsize::new(0));
    let out_drops = Arc::new(AtomicUsize::new(0));
    let join = sched.spawn(TwoStep {
        slot: slot.clone(),
        polled: false,
        _drop: Counted(fut_drops.clone()),
        out: Some(Counted(out_drops.clone())),
    });
    (
        Fixture {
            sched,
            slot,
            fut_drops,
            out_drops,
        },
        join,
    )
}

/// Polls a join handle once with a no-op waker.
fn try_join<T>(join: &mut super::JoinHandle<T>) -> Poll<Result<T, super::JoinError>> {
    Pin::new(join).poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn wake_from_another_thread_while_running() {
    model(|| {
        let (fx, mut join) = fixture();
        fx.sched.run_all(); // first poll: pending, waker stored
        let slot = fx.slot.clone();
        let waker_thread = thread::spawn(move || {
            let waker = slot.lock().take();
            if let Some(w) = waker {
                w.wake();
            }
        });
        fx.sched.run_all();
        waker_thread.join().unwrap();
        fx.sched.run_all();
        let out = match try_join(&mut join) {
            Poll::Ready(Ok(out)) => out,
            other => panic!("task did not complete: {:?}", other.map(|r| r.is_ok())),
        };
        drop(out);
        assert_eq!(fx.fut_drops.load(SeqCst), 1);
        assert_eq!(fx.out_drops.load(SeqCst), 1);
        assert!(fx.sched.owned.is_empty());
    });
}

#[test]
fn abort_races_with_completion() {
    model(|| {
        let (fx, join) = fixture();
        fx.sched.run_all();
        let abort = join.abort_handle();
        let aborter = thread::spawn(move || abort.abort());
        // Meanwhile the waker fires and the task may complete.
        if let Some(w) = fx.slot.lock().take() {
            w.wake();
        }
        fx.sched.run_all();
        aborter.join().unwrap();
        fx.sched.run_all();
        let mut join = join;
        match try_join(&mut join) {
            Poll::Ready(Ok(out)) => drop(out),
            Poll::Ready(Err(e)) => assert!(e.is_cancelled()),
            Poll::Pending => panic!("task neither completed nor was cancelled"),
        }
        drop(join);
        assert_eq!(fx.fut_drops.load(SeqCst), 1);
        assert_eq!(fx.out_drops.load(SeqCst), 1);
        assert!(fx.sched.owned.is_empty());
    });
}

#[test]
fn join_handle_dropped_while_completing() {
    model(|| {
        let (fx, join) = fixture();
        fx.sched.run_all();
        let dropper = thread::spawn(move || drop(join));
        if let Some(w) = fx.slot.lock().take() {
            w.wake();
        }
        fx.sched.run_all();
        dropper.join().unwrap();
        // Whoever came last dropped the output: exactly once either way.
        assert_eq!(fx.fut_drops.load(SeqCst), 1);
        assert_eq!(fx.out_drops.load(SeqCst), 1);
        assert!(fx.sched.owned.is_empty());
    });
}

#[test]
fn join_waker_registered_while_completing() {
    model(|| {
        let (fx, mut join) = fixture();
        fx.sched.run_all();
        let woken = Arc::new(AtomicUsize::new(0));
        let w2 = woken.clone();
        let joiner = thread::spawn(move || {
            let waker = Waker::from(Arc::new(FlagWaker(w2)));
            let res = Pin::new(&mut join).poll(&mut Context::from_waker(&waker));
            (join, res.is_ready())
        });
        if let Some(w) = fx.slot.lock().take() {
            w.wake();
        }
        fx.sched.run_all();
        let (mut join, ready) = joiner.join().unwrap();
        // Protocol J: either the first poll saw the output, or the task woke us.
        assert!(ready || woken.load(SeqCst) == 1);
        if !ready {
            assert!(matches!(try_join(&mut join), Poll::Ready(Ok(_))));
        }
        drop(join);
        assert_eq!(fx.out_drops.load(SeqCst), 1);
    });
}

#[test]
fn shutdown_races_with_wake() {
    model(|| {
        let (fx, mut join) = fixture();
        fx.sched.run_all();
        let slot = fx.slot.clone();
        let waker_thread = thread::spawn(move || {
            if let Some(w) = slot.lock().take() {
                w.wake();
            }
        });
        fx.sched.shutdown();
        waker_thread.join().unwrap();
        fx.sched.shutdown();
        assert!(matches!(try_join(&mut join), Poll::Ready(Err(e)) if e.is_cancelled()));
        assert_eq!(fx.fut_drops.load(SeqCst), 1);
        // The output was never produced, but the future's copy of it was dropped.
        assert_eq!(fx.out_drops.load(SeqCst), 1);
        assert!(fx.sched.owned.is_empty());
    });
}

struct FlagWaker(Arc<AtomicUsize>);

impl std::task::Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}
