//! Scheduling: the cooperative budget stops a task that never yields from starving
//! the others, an idle worker steals a busy worker's tasks, and `LocalSet` runs
//! `!Send` tasks on its own thread.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::ThreadId;
use weft::task::{self, LocalSet, coop};
use weft_tests::{DEADLINE, DropCounter, Flavor, Gate, catch_panic_message, rt_test};

rt_test! {
    async fn a_task_that_never_yields_lets_others_progress() {
        // The spinner only ever meets a ready future (`consume_budget`); the budget
        // makes it give the thread back, so the setter runs even with one thread.
        let spinner = |flag: Arc<AtomicBool>| async move {
            let mut spins = 0_u64;
            while !flag.load(Ordering::SeqCst) {
                coop::consume_budget().await;
                spins += 1;
            }
            spins
        };
        // Setter spawned after the spinner, from outside it...
        let flag = Arc::new(AtomicBool::new(false));
        let spin = weft::spawn(spinner(flag.clone()));
        let set = weft::spawn({
            let flag = flag.clone();
            async move { flag.store(true, Ordering::SeqCst) }
        });
        spin.await.expect("no panic");
        set.await.expect("no panic");

        // ...and spawned by the spinner itself just before it starts spinning, so the
        // setter waits in the same worker's queue (its LIFO slot, on multi-thread).
        let flag = Arc::new(AtomicBool::new(false));
        let spin = weft::spawn({
            let flag = flag.clone();
            async move {
                let set = weft::spawn({
                    let flag = flag.clone();
                    async move { flag.store(true, Ordering::SeqCst) }
                });
                let spins = spinner(flag).await;
                set.await.expect("no panic");
                spins
            }
        });
        spin.await.expect("no panic");
    }
}

rt_test! {
    async fn many_spinners_all_finish() {
        // Several never-yielding tasks, each released by the next one's first turn:
        // only a fair rotation lets them all finish.
        const N: usize = if cfg!(miri) { 3 } else { 16 };
        let started: Arc<Vec<AtomicBool>> = Arc::new((0..N).map(|_| AtomicBool::new(false)).collect());
        let handles: Vec<_> = (0..N)
            .map(|i| {
                let started = started.clone();
                weft::spawn(async move {
                    started[i].store(true, Ordering::SeqCst);
                    let next = (i + 1) % N;
                    while !started[next].load(Ordering::SeqCst) {
                        coop::consume_budget().await;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.expect("no panic");
        }
    }
}

/// Where a task ran.
fn here() -> ThreadId {
    std::thread::current().id()
}

#[test]
fn work_is_stolen_by_the_idle_worker() {
    weft_tests::with_deadline("work stealing", DEADLINE, || {
        let rt = Flavor::MultiThread2
            .builder()
            .thread_name("steal-test")
            .build()
            .expect("runtime");
        for round in 0..if cfg!(miri) { 2 } else { 20 } {
            let (workers, outcome) = rt.block_on(async {
                weft::spawn(async {
                    // Two tasks spawned onto this worker's own queue, each of which
                    // blocks its thread until the other has run: one of them runs here
                    // and blocks this worker, so the other can only run if the idle
                    // worker steals it.
                    let (a_tx, a_rx) = mpsc::channel();
                    let (b_tx, b_rx) = mpsc::channel();
                    let rendezvous = |tx: mpsc::Sender<()>, rx: mpsc::Receiver<()>| async move {
                        tx.send(()).expect("the peer is alive");
                        // Generous: the peer normally answers at once.
                        let met = rx.recv_timeout(DEADLINE / 2).is_ok();
                        (
                            here(),
                            std::thread::current().name().map(str::to_owned),
                            met,
                        )
                    };
                    let a = weft::spawn(rendezvous(a_tx, b_rx));
                    let b = weft::spawn(rendezvous(b_tx, a_rx));
                    let spawner = here();
                    let a = a.await.expect("no panic");
                    let b = b.await.expect("no panic");
                    (spawner, (a, b))
                })
                .await
                .expect("no panic")
            });
            let (spawner, ((a_thread, a_name, a_met), (b_thread, b_name, b_met))) =
                (workers, outcome);
            assert!(
                a_met && b_met,
                "round {round}: the tasks never ran at the same time"
            );
            assert_ne!(a_thread, b_thread, "round {round}: both ran on one thread");
            assert!(
                a_thread == spawner || b_thread == spawner,
                "one ran where it was spawned"
            );
            assert_eq!(a_name.as_deref(), Some("steal-test"));
            assert_eq!(b_name.as_deref(), Some("steal-test"));
        }
    });
}

#[test]
fn an_overloaded_worker_shares_its_queue() {
    weft_tests::with_deadline("sharing a full queue", DEADLINE, || {
        let rt = Flavor::MultiThread2.runtime();
        let threads = rt.block_on(async {
            weft::spawn(async {
                // Many tasks spawned from one worker, each of which waits (spinning on
                // the budget, never parking) until tasks have run on two threads: the
                // idle worker must take some of them.
                const N: usize = if cfg!(miri) { 8 } else { 256 };
                let seen = Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
                let handles: Vec<_> = (0..N)
                    .map(|_| {
                        let seen = seen.clone();
                        weft::spawn(async move {
                            // Record the thread on every turn: a task may move.
                            let on_two_threads = || {
                                let mut threads = seen.lock().expect("not poisoned");
                                threads.insert(here());
                                threads.len() == 2
                            };
                            while !on_two_threads() {
                                coop::consume_budget().await;
                            }
                        })
                    })
                    .collect();
                for handle in handles {
                    handle.await.expect("no panic");
                }
                seen.lock().expect("not poisoned").len()
            })
            .await
            .expect("no panic")
        });
        assert_eq!(threads, 2, "the tasks of one worker ran on both workers");
    });
}

rt_test! {
    fn local_set_runs_not_send_tasks(flavor) {
        let rt = flavor.runtime();
        let local = LocalSet::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        let out = local.block_on(&rt, {
            let log = log.clone();
            async move {
                let thread = here();
                let handles: Vec<_> = (0..if cfg!(miri) { 5 } else { 100 })
                    .map(|i| {
                        let log = log.clone();
                        task::spawn_local(async move {
                            task::yield_now().await;
                            log.borrow_mut().push(i);
                            assert_eq!(here(), thread, "a local task left its thread");
                            Rc::new(i)
                        })
                    })
                    .collect();
                let mut sum = 0;
                for handle in handles {
                    sum += *handle.await.expect("no panic");
                }
                sum
            }
        });
        let n = if cfg!(miri) { 5 } else { 100 };
        assert_eq!(out, n * (n - 1) / 2);
        let mut log = log.borrow().clone();
        log.sort_unstable();
        assert_eq!(log, (0..n).collect::<Vec<_>>());
    }
}

#[test]
fn spawn_local_outside_a_local_set_panics_with_what_to_do() {
    let msg = catch_panic_message(|| task::spawn_local(async {}));
    assert!(msg.contains("LocalSet"), "{msg}");
    // Inside a runtime but outside a set is still outside.
    let rt = Flavor::CurrentThread.runtime();
    let msg = rt.block_on(async { catch_panic_message(|| task::spawn_local(async {})) });
    assert!(msg.contains("LocalSet"), "{msg}");
    let err = task::Builder::new()
        .name("stray")
        .spawn_local(async {})
        .expect_err("no LocalSet here");
    assert!(err.to_string().contains("LocalSet"), "{err}");
}

rt_test! {
    fn dropping_a_local_set_cancels_its_tasks(flavor) {
        const N: usize = if cfg!(miri) { 5 } else { 100 };
        let rt = flavor.runtime();
        let local = LocalSet::new();
        let drops = DropCounter::new();
        let parked = Rc::new(Cell::new(0));
        let all_parked = Gate::new();
        let mut handles: Vec<_> = (0..N)
            .map(|_| {
                let (token, parked, all_parked) = (drops.token(), parked.clone(), all_parked.clone());
                local.spawn_local(async move {
                    let _token = token;
                    let _not_send = Rc::new(());
                    parked.set(parked.get() + 1);
                    if parked.get() == N {
                        all_parked.open();
                    }
                    std::future::pending::<()>().await
                })
            })
            .collect();
        // Some never ran at all.
        handles.extend((0..N).map(|_| {
            let token = drops.token();
            local.spawn_local(async move {
                let _token = token;
                std::future::pending::<()>().await
            })
        }));
        local.block_on(&rt, all_parked.wait());
        assert_eq!(drops.dropped(), 0);
        drop(local);
        assert_eq!(drops.dropped(), 2 * N, "every local future was dropped by the set's drop");
        rt.block_on(async {
            for handle in handles {
                assert!(handle.await.expect_err("cancelled").is_cancelled());
            }
        });
        assert_eq!(drops.alive(), 0);
    }
}

rt_test! {
    fn a_local_task_woken_from_another_thread_runs(flavor) {
        let rt = flavor.runtime();
        let local = LocalSet::new();
        let rounds = if cfg!(miri) { 5 } else { 200 };
        let (gates_tx, gates_rx) = mpsc::channel::<Gate>();
        let opener = std::thread::spawn(move || {
            for gate in gates_rx {
                assert!(gate.wait_for_waiter().is_some(), "nobody else opens it");
                gate.open();
            }
        });
        let thread = here();
        let count = local.block_on(&rt, async move {
            let count = Rc::new(Cell::new(0));
            let handle = task::spawn_local({
                let count = count.clone();
                async move {
                    for _ in 0..rounds {
                        let gate = Gate::new();
                        gates_tx.send(gate.clone()).expect("the opener is alive");
                        gate.wait().await;
                        assert_eq!(here(), thread, "woken elsewhere, still run here");
                        count.set(count.get() + 1);
                    }
                }
            });
            handle.await.expect("no panic");
            count.get()
        });
        assert_eq!(count, rounds);
        opener.join().expect("no panic");
    }
}

rt_test! {
    fn awaiting_a_local_set_waits_for_all_its_tasks(flavor) {
        let rt = flavor.runtime();
        let local = LocalSet::new();
        let done = Rc::new(Cell::new(0));
        let n = if cfg!(miri) { 5 } else { 100 };
        let gate = Gate::new();
        for i in 0..n {
            let (done, gate) = (done.clone(), gate.clone());
            // Detached (handle dropped): the set itself must still wait for them.
            drop(local.spawn_local(async move {
                for _ in 0..i % 5 {
                    task::yield_now().await;
                }
                if i == n - 1 {
                    // One task also waits for a foreign thread.
                    gate.wait().await;
                }
                // Tasks spawned by set tasks belong to the set too.
                let done2 = done.clone();
                task::spawn_local(async move { done2.set(done2.get() + 1) });
                done.set(done.get() + 1);
            }));
        }
        let opener = std::thread::spawn({
            let gate = gate.clone();
            move || {
                gate.wait_for_waiter();
                gate.open();
            }
        });
        rt.block_on(local);
        assert_eq!(done.get(), 2 * n, "the set finished before its tasks");
        opener.join().expect("no panic");
    }
}

rt_test! {
    fn a_nested_local_set_keeps_task_ids(flavor) {
        // A set run inside a task polls its own tasks within that task's poll; each
        // sees its own id, and the outer task gets its id back afterwards.
        let rt = flavor.runtime();
        let outer_set = LocalSet::new();
        let handle = outer_set.spawn_local(async {
            let outer = task::id();
            let inner_set = LocalSet::new();
            let (seen, inner) = inner_set
                .run_until(async {
                    let h = task::spawn_local(async { task::id() });
                    let id = h.id();
                    (h.await.expect("no panic"), id)
                })
                .await;
            assert_eq!(seen, inner, "the inner task saw its own id");
            assert_ne!(inner, outer);
            assert_eq!(task::id(), outer, "the outer task's id came back");
            outer
        });
        let id = handle.id();
        assert_eq!(outer_set.block_on(&rt, handle).expect("no panic"), id);
    }
}
