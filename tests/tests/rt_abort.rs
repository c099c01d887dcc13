//! Cancellation: aborting idle, running and finished tasks, `AbortHandle` living
//! longer than the `JoinHandle` (and the runtime), and `is_finished`.
//!
//! Each aborted future holds a `DropToken`, so "cancelled" also means "its future was
//! dropped, exactly once".

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use weft::task::{self, AbortHandle};
use weft_tests::{DropCounter, Gate, build_with_leak_probe, rt_test};

rt_test! {
    async fn abort_an_idle_task() {
        let drops = DropCounter::new();
        let started = Gate::new();
        let handle = weft::spawn({
            let token = drops.token();
            let started = started.open_on_drop();
            async move {
                let _token = token;
                drop(started);
                std::future::pending::<()>().await
            }
        });
        // The task has run and is parked forever.
        started.wait().await;
        assert!(!handle.is_finished());
        assert_eq!(drops.dropped(), 0);
        handle.abort();
        let handle_id = handle.id();
        let err = handle.await.expect_err("the task was aborted");
        assert!(err.is_cancelled(), "{err}");
        assert!(!err.is_panic());
        assert_eq!(err.id(), handle_id);
        assert_eq!(drops.dropped(), 1, "the future was dropped before the handle resolved");
    }
}

rt_test! {
    async fn abort_before_the_first_poll_and_abort_twice() {
        let drops = DropCounter::new();
        let handles: Vec<_> = (0..if cfg!(miri) { 10 } else { 1_000 })
            .map(|_| {
                let token = drops.token();
                let handle = weft::spawn(async move {
                    let _token = token;
                    std::future::pending::<()>().await
                });
                // On one thread the task cannot have run yet; with workers it may have.
                handle.abort();
                handle.abort();
                handle
            })
            .collect();
        let total = handles.len();
        for handle in handles {
            assert!(handle.await.expect_err("aborted").is_cancelled());
        }
        assert_eq!(drops.dropped(), total);
        assert_eq!(drops.alive(), 0);
    }
}

rt_test! {
    async fn a_task_that_aborts_itself_stops_at_its_next_yield() {
        let drops = DropCounter::new();
        let own: Arc<OnceLock<AbortHandle>> = Arc::new(OnceLock::new());
        let ready = Gate::new();
        let reached = Arc::new(AtomicUsize::new(0));
        let handle = weft::spawn({
            let (own, ready, reached, token) = (own.clone(), ready.clone(), reached.clone(), drops.token());
            async move {
                let _token = token;
                ready.wait().await;
                own.get().expect("set before the gate opened").abort();
                // Still running: aborting does not unwind the current poll...
                reached.fetch_add(1, Ordering::SeqCst);
                // ...but the task never comes back from its next yield.
                task::yield_now().await;
                reached.fetch_add(100, Ordering::SeqCst);
            }
        });
        own.set(handle.abort_handle()).expect("set once");
        ready.open();
        let err = handle.await.expect_err("the task aborted itself");
        assert!(err.is_cancelled(), "{err}");
        assert_eq!(reached.load(Ordering::SeqCst), 1);
        assert_eq!(drops.dropped(), 1);
    }
}

rt_test! {
    async fn abort_a_task_spinning_on_yield_now_from_another_task() {
        let drops = DropCounter::new();
        let spins = Arc::new(AtomicUsize::new(0));
        let victim = weft::spawn({
            let (spins, token) = (spins.clone(), drops.token());
            async move {
                let _token = token;
                loop {
                    spins.fetch_add(1, Ordering::SeqCst);
                    task::yield_now().await;
                }
            }
        });
        let abort = victim.abort_handle();
        let aborter = weft::spawn({
            let spins = spins.clone();
            async move {
                // With two workers the victim may be mid-poll on the other one now.
                while spins.load(Ordering::SeqCst) < 10 {
                    task::yield_now().await;
                }
                abort.abort();
            }
        });
        aborter.await.expect("no panic");
        let err = victim.await.expect_err("the spinner was aborted");
        assert!(err.is_cancelled(), "{err}");
        assert_eq!(drops.dropped(), 1);
        // Nothing polls the dropped future any more.
        let after = spins.load(Ordering::SeqCst);
        weft::spawn(async {}).await.expect("no panic");
        assert_eq!(spins.load(Ordering::SeqCst), after);
    }
}

rt_test! {
    async fn abort_a_finished_task_keeps_its_output() {
        // Waiting happens in a task: the runtime's own tasks can yield to each other.
        let out = weft::spawn(async {
            let drops = DropCounter::new();
            let handle = weft::spawn({
                let token = drops.token();
                async move {
                    drop(token);
                    String::from("done")
                }
            });
            while !handle.is_finished() {
                task::yield_now().await;
            }
            assert_eq!(drops.dropped(), 1);
            handle.abort();
            handle.abort_handle().abort();
            assert!(handle.is_finished());
            handle.await
        });
        assert_eq!(out.await.expect("no panic").expect("finished before the abort"), "done");
    }
}

rt_test! {
    async fn abort_handle_outlives_the_join_handle() {
        let drops = DropCounter::new();
        let dropped = Gate::new();
        let handle = weft::spawn({
            let (token, dropped) = (drops.token(), dropped.open_on_drop());
            async move {
                let _guards = (token, dropped);
                std::future::pending::<()>().await
            }
        });
        let abort = handle.abort_handle();
        let id = handle.id();
        drop(handle); // detached: still running
        assert_eq!(abort.id(), id);
        assert!(!abort.is_finished());
        assert_eq!(drops.dropped(), 0);
        abort.abort();
        dropped.wait().await; // its future's drop is what opens the gate
        assert_eq!(drops.dropped(), 1);
        // `is_finished` turns true once the task's completion is published, which
        // follows the future's drop; the aborter may look before that on another
        // worker, so wait for it here rather than assert at once.
        weft::spawn(async move {
            while !abort.is_finished() {
                task::yield_now().await;
            }
            abort.abort(); // aborting a finished task again is harmless
        })
        .await
        .expect("no panic");
    }
}

rt_test! {
    fn abort_handle_outlives_the_runtime(flavor) {
        let freed = DropCounter::new();
        let rt = build_with_leak_probe(flavor.builder(), freed.token());
        let handle = rt.spawn(std::future::pending::<()>());
        let abort = handle.abort_handle();
        drop(handle);
        drop(rt);
        assert!(abort.is_finished(), "the runtime's drop cancelled the task");
        abort.abort(); // no runtime left: must do nothing, and not crash
        let abort = std::thread::spawn(move || {
            abort.abort();
            abort
        })
        .join()
        .expect("no panic");
        assert_eq!(freed.alive(), 1, "the abort handle still holds the task");
        drop(abort);
        assert_eq!(freed.alive(), 0, "the last handle freed the task and the runtime");
    }
}

rt_test! {
    fn abort_from_a_foreign_thread(flavor) {
        let rt = flavor.runtime();
        let drops = DropCounter::new();
        let gate = Gate::new();
        let handle = rt.spawn({
            let (gate, token) = (gate.clone(), drops.token());
            async move {
                let _token = token;
                gate.wait().await;
                "opened"
            }
        });
        let abort = handle.abort_handle();
        let aborter = std::thread::spawn(move || {
            // Once the task is parked, cancel it from here.
            assert!(gate.wait_for_waiter().is_some());
            abort.abort();
        });
        let err = rt.block_on(handle).expect_err("aborted from the foreign thread");
        assert!(err.is_cancelled(), "{err}");
        aborter.join().expect("no panic");
        assert_eq!(drops.dropped(), 1);
    }
}

rt_test! {
    fn is_finished_follows_the_task(flavor) {
        let rt = flavor.runtime();
        let gate = Gate::new();
        let handle = rt.spawn({
            let gate = gate.clone();
            async move { gate.wait().await }
        });
        let abort = handle.abort_handle();
        assert!(!handle.is_finished());
        assert!(!abort.is_finished());
        gate.open();
        rt.block_on(async {
            // Poll the handle in a task that yields, until the other task is done.
            weft::spawn(async move {
                while !abort.is_finished() {
                    task::yield_now().await;
                }
                assert!(handle.is_finished());
                handle.await.expect("finished normally");
            })
            .await
            .expect("no panic");
        });
    }
}
