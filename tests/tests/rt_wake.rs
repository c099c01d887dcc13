//! Wakers: fired from foreign threads, fired after their task finished, cloned and
//! dropped on other threads; and `yield_now` letting other tasks run.
//!
//! Leaks are caught with `build_with_leak_probe`: a token owned by the runtime's shared
//! state, which every task holds, is dropped only once every task is freed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::task::{Poll, Waker};
use weft::task;
use weft_tests::{DropCounter, Flavor, Gate, build_with_leak_probe, rt_test, run_guarded};

/// Rounds of park-and-wake per task.
const ROUNDS: usize = if cfg!(miri) { 20 } else { 2_000 };

rt_test! {
    async fn wakers_fired_from_foreign_threads() {
        const TASKS: usize = 4;
        // Each task parks on a fresh gate per round and hands it to a std thread,
        // which waits until the task is really parked and then opens it.
        let (gates_tx, gates_rx) = mpsc::channel::<Gate>();
        let gates_rx = Arc::new(std::sync::Mutex::new(gates_rx));
        let openers: Vec<_> = (0..2)
            .map(|_| {
                let gates_rx = gates_rx.clone();
                std::thread::spawn(move || {
                    let mut opened = 0;
                    loop {
                        let gate = match gates_rx.lock().expect("not poisoned").recv() {
                            Ok(gate) => gate,
                            Err(mpsc::RecvError) => return opened,
                        };
                        // `None` only if the gate is open, which nobody else does.
                        assert!(gate.wait_for_waiter().is_some());
                        gate.open();
                        opened += 1;
                    }
                })
            })
            .collect();
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let gates_tx = gates_tx.clone();
                weft::spawn(async move {
                    for _ in 0..ROUNDS {
                        let gate = Gate::new();
                        gates_tx.send(gate.clone()).expect("the openers are alive");
                        gate.wait().await;
                    }
                    t
                })
            })
            .collect();
        drop(gates_tx);
        for (t, handle) in tasks.into_iter().enumerate() {
            assert_eq!(handle.await.expect("no panic"), t);
        }
        let opened: usize = openers.into_iter().map(|o| o.join().expect("no panic")).sum();
        assert_eq!(opened, TASKS * ROUNDS);
    }
}

rt_test! {
    fn wakers_fired_after_the_task_finished_do_no_harm(flavor) {
        let freed = DropCounter::new();
        let rt = build_with_leak_probe(flavor.builder(), freed.token());
        let futures = DropCounter::new();
        let gate = Gate::new();
        let handle = rt.spawn({
            let gate = gate.clone();
            let token = futures.token();
            async move {
                let _token = token;
                gate.wait().await;
                7
            }
        });
        // Keep a clone of the task's waker, then let the task finish.
        let opener = std::thread::spawn({
            let gate = gate.clone();
            move || {
                let waker = gate.wait_for_waiter().expect("the gate is closed");
                gate.open();
                waker
            }
        });
        assert_eq!(rt.block_on(handle).expect("no panic"), 7);
        let kept = opener.join().expect("no panic");
        assert_eq!(futures.dropped(), 1, "the finished task's future was dropped once");

        // Fire the stale waker many times, from here and from another thread.
        for _ in 0..100 {
            kept.wake_by_ref();
        }
        let clone = kept.clone();
        std::thread::spawn(move || clone.wake()).join().expect("no panic");
        // The runtime still works, and nothing ran the finished future again.
        assert_eq!(rt.block_on(async { weft::spawn(async { 1 }).await.expect("no panic") }), 1);
        assert_eq!(futures.dropped(), 1);

        // The waker keeps the task (and so the runtime's state) alive, even past the
        // runtime; firing it then is harmless too, and dropping it frees everything.
        drop(rt);
        assert_eq!(freed.alive(), 1, "the kept waker still holds the task");
        kept.wake_by_ref();
        kept.wake();
        assert_eq!(freed.alive(), 0, "the last waker freed the task and the runtime");
    }
}

rt_test! {
    fn wakers_cloned_and_dropped_on_other_threads(flavor) {
        const THREADS: usize = 4;
        let freed = DropCounter::new();
        let rt = build_with_leak_probe(flavor.builder(), freed.token());
        let handles: Vec<_> = (0..ROUNDS / 10)
            .map(|round| {
                rt.spawn(async move {
                    // On its first poll the task sends clones of its waker to several
                    // threads; each clones and drops more, and exactly one wakes it.
                    let woken = Arc::new(AtomicBool::new(false));
                    let mut threads = Vec::new();
                    std::future::poll_fn(|cx| {
                        if woken.load(Ordering::SeqCst) {
                            return Poll::Ready(());
                        }
                        if threads.is_empty() {
                            for t in 0..THREADS {
                                let waker: Waker = cx.waker().clone();
                                let woken = woken.clone();
                                threads.push(std::thread::spawn(move || {
                                    let clones: Vec<Waker> =
                                        (0..8).map(|_| waker.clone()).collect();
                                    drop(clones);
                                    if t == round % THREADS {
                                        woken.store(true, Ordering::SeqCst);
                                        waker.wake();
                                    }
                                }));
                            }
                        }
                        Poll::Pending
                    })
                    .await;
                    for thread in threads {
                        thread.join().expect("no panic");
                    }
                    round
                })
            })
            .collect();
        rt.block_on(async {
            for (round, handle) in handles.into_iter().enumerate() {
                assert_eq!(handle.await.expect("no panic"), round);
            }
        });
        drop(rt);
        assert_eq!(freed.alive(), 0, "a waker reference leaked");
    }
}

rt_test! {
    async fn yield_now_lets_other_tasks_run(flavor) {
        // From inside a task: the tasks it spawned run before it continues, on the
        // single-threaded flavours right at its first yield (the yielder goes to the
        // back of the queue); with two workers, eventually.
        let out = weft::spawn(async move {
            let ran = Arc::new(AtomicUsize::new(0));
            for _ in 0..3 {
                let ran = ran.clone();
                weft::spawn(async move {
                    ran.fetch_add(1, Ordering::SeqCst);
                });
            }
            task::yield_now().await;
            if flavor.workers() == 1 {
                assert_eq!(ran.load(Ordering::SeqCst), 3, "one yield let the queued tasks run");
            }
            let mut yields = 1;
            while ran.load(Ordering::SeqCst) < 3 {
                task::yield_now().await;
                yields += 1;
            }
            yields
        });
        assert!(out.await.expect("no panic") >= 1);
    }
}

rt_test! {
    async fn two_tasks_alternate_through_yield_now() {
        // Two tasks that each wait for the other's turn: neither can finish unless
        // `yield_now` really gives the worker to the other.
        const TURNS: usize = if cfg!(miri) { 10 } else { 1_000 };
        let turn = Arc::new(AtomicUsize::new(0));
        let player = |me: usize| {
            let turn = turn.clone();
            weft::spawn(async move {
                let mut mine = 0;
                while mine < TURNS {
                    if turn.load(Ordering::SeqCst) % 2 == me {
                        turn.fetch_add(1, Ordering::SeqCst);
                        mine += 1;
                    }
                    task::yield_now().await;
                }
            })
        };
        let (a, b) = (player(0), player(1));
        a.await.expect("no panic");
        b.await.expect("no panic");
        assert_eq!(turn.load(Ordering::SeqCst), 2 * TURNS);
    }
}

/// The `block_on` future is not a task, but yielding there must still let the
/// spawned tasks run (asyncio's `await asyncio.sleep(0)` in the main coroutine).
fn yield_in_block_on(flavor: Flavor) {
    flavor.runtime().block_on(async {
        let done = Arc::new(AtomicBool::new(false));
        weft::spawn({
            let done = done.clone();
            async move { done.store(true, Ordering::SeqCst) }
        });
        while !done.load(Ordering::SeqCst) {
            task::yield_now().await;
        }
    });
}

// Not `rt_test!`: only the current-thread flavour runs the block_on future on the
// thread that runs its tasks, which is what this checks.
#[test]
fn yield_now_in_the_block_on_future_lets_tasks_run_current_thread() {
    run_guarded(
        Flavor::CurrentThread,
        "yield_in_block_on",
        yield_in_block_on,
    );
}

#[test]
fn yield_now_in_the_block_on_future_lets_tasks_run_multi_thread_1_worker() {
    run_guarded(Flavor::MultiThread1, "yield_in_block_on", yield_in_block_on);
}

#[test]
fn yield_now_in_the_block_on_future_lets_tasks_run_multi_thread_2_workers() {
    run_guarded(Flavor::MultiThread2, "yield_in_block_on", yield_in_block_on);
}

#[test]
fn a_waker_outliving_its_runtime_on_another_thread() {
    weft_tests::with_deadline(
        "a_waker_outliving_its_runtime_on_another_thread",
        weft_tests::DEADLINE,
        || {
            // The waker is dropped on a foreign thread after the runtime is gone.
            let freed = DropCounter::new();
            let rt = build_with_leak_probe(Flavor::MultiThread2.builder(), freed.token());
            let gate = Gate::new();
            let handle = rt.spawn({
                let gate = gate.clone();
                async move { gate.wait().await }
            });
            let waker = gate.wait_for_waiter().expect("the gate is closed");
            drop(rt);
            let err = Flavor::CurrentThread
                .runtime()
                .block_on(handle)
                .expect_err("the runtime's drop cancelled the task");
            assert!(err.is_cancelled());
            // The gate held a clone of the waker too (nobody opened it): let it go here.
            drop(gate);
            assert_eq!(freed.alive(), 1, "the waker still holds the task");
            std::thread::spawn(move || {
                waker.wake_by_ref();
                drop(waker);
            })
            .join()
            .expect("no panic");
            assert_eq!(freed.alive(), 0);
        },
    );
}
