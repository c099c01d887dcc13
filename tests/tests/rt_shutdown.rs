//! Shutdown and resource hygiene: dropping a runtime drops every task's future
//! exactly once and cancels its `JoinHandle`; a million spawn/complete cycles leak
//! nothing; `shutdown_timeout` does not wait for a stuck blocking task; the blocking
//! pool delivers results and panics; dropping a runtime joins its threads; the
//! thread hooks fire once per thread.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::ThreadId;
use std::time::Duration;
use weft::runtime::{Handle, Runtime};
use weft_tests::procfs::threads_named;
use weft_tests::{
    DEADLINE, DropCounter, Flavor, Gate, build_with_leak_probe, panic_message, rt_test, wait_until,
};

/// Pending tasks per drop-on-shutdown test.
const PENDING: usize = if cfg!(miri) { 20 } else { 1_000 };

/// Spawns `n` tasks on `rt` that each hold a token of `drops` and park forever;
/// returns their handles once every one of them has been polled.
fn spawn_parked(rt: &Runtime, n: usize, drops: &DropCounter) -> Vec<weft::task::JoinHandle<()>> {
    let parked = Arc::new(AtomicUsize::new(0));
    let all_parked = Gate::new();
    let handles = (0..n)
        .map(|_| {
            let (token, parked, all_parked) = (drops.token(), parked.clone(), all_parked.clone());
            rt.spawn(async move {
                let _token = token;
                if parked.fetch_add(1, Ordering::SeqCst) + 1 == n {
                    all_parked.open();
                }
                std::future::pending::<()>().await
            })
        })
        .collect();
    rt.block_on(all_parked.wait());
    handles
}

rt_test! {
    fn dropping_the_runtime_drops_every_future_once(flavor) {
        let freed = DropCounter::new();
        let rt = build_with_leak_probe(flavor.builder(), freed.token());
        let drops = DropCounter::new();
        // Parked tasks that have run...
        let mut handles = spawn_parked(&rt, PENDING, &drops);
        // ...tasks that were queued and (on one thread) never ran...
        handles.extend((0..PENDING).map(|_| {
            let token = drops.token();
            rt.spawn(async move {
                let _token = token;
                std::future::pending::<()>().await
            })
        }));
        // ...and a task whose waker a foreign thread holds on to.
        let gate = Gate::new();
        handles.push(rt.spawn({
            let (gate, token) = (gate.clone(), drops.token());
            async move {
                let _token = token;
                gate.wait().await
            }
        }));
        let waker = std::thread::scope(|s| {
            let waiter = s.spawn(|| gate.wait_for_waiter().expect("the gate is closed"));
            // The current-thread runtime runs the task only while something drives it.
            rt.block_on(async {
                while !waiter.is_finished() {
                    weft::spawn(async {}).await.expect("no panic");
                }
            });
            waiter.join().expect("no panic")
        });
        assert_eq!(drops.dropped(), 0);
        // The helper tasks above are finished, if not yet all released (see
        // `num_alive_tasks_after_join`): the count settles on the parked ones.
        wait_until("only the parked tasks are alive", || {
            rt.handle().num_alive_tasks() == handles.len()
        });

        drop(rt);
        assert_eq!(drops.dropped(), drops.created(), "every future was dropped by the drop");
        assert_eq!(drops.alive(), 0);
        // The handles, kept outside, resolve to cancelled errors on another runtime.
        let second = Flavor::CurrentThread.runtime();
        second.block_on(async {
            for handle in handles {
                let err = handle.await.expect_err("the runtime's drop cancelled it");
                assert!(err.is_cancelled(), "{err}");
            }
        });
        // Firing the kept waker now is harmless; dropping it frees the last task, and
        // with it the runtime's state.
        waker.wake_by_ref();
        drop(gate);
        assert_eq!(freed.alive(), 1, "the waker holds its task");
        drop(waker);
        assert_eq!(freed.alive(), 0, "a task or the runtime leaked");
        assert_eq!(drops.dropped(), drops.created(), "nothing was dropped twice");
    }
}

/// Spawn/complete cycles of the leak test, in batches of `BATCH` tasks at a time.
const CYCLES: usize = if cfg!(miri) { 200 } else { 1_000_000 };
const BATCH: usize = if cfg!(miri) { 20 } else { 1_000 };

rt_test! {
    fn a_million_spawn_complete_cycles_leak_nothing(flavor) {
        cycles_leak_nothing(flavor, CYCLES);
    }
}

fn cycles_leak_nothing(flavor: Flavor, cycles: usize) {
    let freed = DropCounter::new();
    let rt = build_with_leak_probe(flavor.builder(), freed.token());
    let drops = DropCounter::new();
    let total = rt.block_on({
        let drops = drops.clone();
        async move {
            let mut total = 0_u64;
            for batch in 0..cycles / BATCH {
                let handles: Vec<_> = (0..BATCH)
                    .map(|i| {
                        let token = drops.token();
                        weft::spawn(async move {
                            drop(token);
                            (batch * BATCH + i) as u64
                        })
                    })
                    .collect();
                for handle in handles {
                    total += handle.await.expect("no panic");
                }
            }
            total
        }
    });
    let n = (cycles / BATCH * BATCH) as u64;
    assert_eq!(total, n * (n - 1) / 2);
    assert_eq!(drops.created(), cycles / BATCH * BATCH);
    assert_eq!(drops.alive(), 0, "a future outlived its task");
    // A worker may still be releasing the last task it completed just after its
    // JoinHandle woke us; the count reaches zero once that is done.
    wait_until("num_alive_tasks returns to 0", || {
        rt.handle().num_alive_tasks() == 0
    });
    drop(rt);
    assert_eq!(freed.alive(), 0, "a task or the runtime leaked");
}

rt_test! {
    fn shutdown_timeout_returns_while_a_blocking_task_runs(flavor) {
        let rt = flavor.runtime();
        let (started_tx, started) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let blocked = rt.spawn_blocking(move || {
            started_tx.send(()).expect("the test waits for this");
            // Generous: the test releases it as soon as `shutdown_timeout` returns.
            released.recv_timeout(DEADLINE).expect("released by the test");
            "finished after the shutdown"
        });
        started.recv().expect("the blocking task started");
        // The blocking task cannot finish before `release` is sent, which happens only
        // after this returns: reaching the next line proves the bound was honoured.
        rt.shutdown_timeout(Duration::from_millis(50));
        release.send(()).expect("the blocking task is still waiting");
        // It was running, not queued, so it completes and delivers its output.
        let out = Flavor::CurrentThread.runtime().block_on(blocked);
        assert_eq!(out.expect("a running blocking task is not cancelled"), "finished after the shutdown");
    }
}

rt_test! {
    fn shutdown_background_does_not_wait(flavor) {
        let rt = flavor.runtime();
        let drops = DropCounter::new();
        let parked = spawn_parked(&rt, 10, &drops);
        let (release, released) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel();
        let blocked = rt.spawn_blocking(move || {
            started_tx.send(()).expect("the test waits for this");
            released.recv_timeout(DEADLINE).expect("released by the test");
        });
        started.recv().expect("the blocking task started");
        rt.shutdown_background();
        release.send(()).expect("the blocking task is still waiting");
        let second = Flavor::CurrentThread.runtime();
        second.block_on(blocked).expect("a running blocking task completes");
        for handle in parked {
            assert!(second.block_on(handle).expect_err("cancelled").is_cancelled());
        }
        assert_eq!(drops.alive(), 0);
    }
}

rt_test! {
    async fn spawn_blocking_delivers_results_and_panics() {
        assert_eq!(weft::spawn_blocking(|| 6 * 7).await.expect("no panic"), 42);
        let err = weft::spawn_blocking(|| panic!("blocking closure panics"))
            .await
            .expect_err("the closure panicked");
        assert!(err.is_panic(), "{err}");
        assert_eq!(panic_message(&*err.into_panic()), Some("blocking closure panics"));
        // Many at once, from the `block_on` future, from tasks and through the handle;
        // each closure sees the runtime as current.
        const N: usize = if cfg!(miri) { 8 } else { 200 };
        let handles: Vec<_> = (0..N)
            .map(|i| {
                let direct = weft::spawn_blocking(move || {
                    assert!(Handle::try_current().is_ok(), "blocking threads enter the runtime");
                    i
                });
                let from_task = weft::spawn(async move {
                    weft::task::spawn_blocking(move || i + N).await.expect("no panic")
                });
                let via_handle = Handle::current().spawn_blocking(move || i + 2 * N);
                (direct, from_task, via_handle)
            })
            .collect();
        for (i, (direct, from_task, via_handle)) in handles.into_iter().enumerate() {
            assert_eq!(direct.await.expect("no panic"), i);
            assert_eq!(from_task.await.expect("no panic"), i + N);
            assert_eq!(via_handle.await.expect("no panic"), i + 2 * N);
        }
        // A blocking panic left the pool working.
        assert_eq!(weft::spawn_blocking(|| 1).await.expect("no panic"), 1);
    }
}

rt_test! {
    fn spawn_blocking_from_outside_the_runtime(flavor) {
        let rt = flavor.runtime();
        let handles: Vec<_> = (0..if cfg!(miri) { 4 } else { 50 }).map(|i| rt.spawn_blocking(move || i * 3)).collect();
        rt.block_on(async {
            for (i, handle) in handles.into_iter().enumerate() {
                assert_eq!(handle.await.expect("no panic"), i * 3);
            }
        });
    }
}

/// A thread name unique to one test and flavour (at most 15 bytes for /proc).
fn thread_name(prefix: &str, flavor: Flavor) -> String {
    let suffix = match flavor {
        Flavor::CurrentThread => "ct",
        Flavor::MultiThread1 => "m1",
        Flavor::MultiThread2 => "m2",
    };
    format!("{prefix}-{suffix}")
}

/// Counts the runtime threads' start and stop hooks.
#[derive(Clone, Default)]
struct Hooks {
    started: Arc<AtomicUsize>,
    stopped: Arc<AtomicUsize>,
}

impl Hooks {
    /// `builder` with both hooks counting, and its threads named `name`.
    fn build(&self, mut builder: weft::runtime::Builder, name: &str) -> Runtime {
        let (started, stopped) = (self.started.clone(), self.stopped.clone());
        builder
            .thread_name(name)
            .on_thread_start(move || {
                started.fetch_add(1, Ordering::SeqCst);
            })
            .on_thread_stop(move || {
                stopped.fetch_add(1, Ordering::SeqCst);
            })
            .build()
            .expect("runtime")
    }

    fn counts(&self) -> (usize, usize) {
        (
            self.started.load(Ordering::SeqCst),
            self.stopped.load(Ordering::SeqCst),
        )
    }
}

rt_test! {
    fn dropping_the_runtime_joins_its_worker_threads(flavor) {
        let name = thread_name("join-w", flavor);
        let hooks = Hooks::default();
        let rt = hooks.build(flavor.builder(), &name);
        let workers = if flavor.is_multi_thread() { flavor.workers() } else { 0 };
        // A thread names itself before it runs its start hook.
        wait_until("every worker started", || hooks.counts().0 == workers);
        assert_eq!(threads_named(&name), workers);
        rt.block_on(async { weft::spawn(async {}).await.expect("no panic") });
        drop(rt);
        // A stop hook runs last thing on its thread: all ran, so all threads ended.
        assert_eq!(hooks.counts(), (workers, workers), "a worker outlived the runtime's drop");
        wait_until("the kernel reaps the workers", || threads_named(&name) == 0);
    }
}

rt_test! {
    fn dropping_the_runtime_joins_its_blocking_threads(flavor) {
        // Repeat to give the race a chance; each round's drop must leave no thread
        // running (every thread that started has run its stop hook).
        for round in 0..if cfg!(miri) { 2 } else { 50 } {
            let hooks = Hooks::default();
            let rt = hooks.build(flavor.builder(), &thread_name("join-b", flavor));
            let handles: Vec<_> = (0..4).map(|i| rt.spawn_blocking(move || i)).collect();
            rt.block_on(async {
                for handle in handles {
                    handle.await.expect("no panic");
                }
            });
            drop(rt);
            let (started, stopped) = hooks.counts();
            assert_eq!(stopped, started, "round {round}: a thread outlived the runtime's drop");
        }
    }
}

/// Deterministic form of the race above, on the current-thread flavour (whose only
/// runtime threads are blocking-pool threads): the stop hook waits, boundedly, for a
/// message the test sends only after `drop(rt)` returned. If the drop joins the
/// thread, the hook's wait times out first and it reports that it ran before the drop
/// returned; if the drop does not wait, the hook receives the message.
#[test]
fn blocking_thread_stop_hook_runs_before_the_drop_returns() {
    weft_tests::with_deadline("stop hook ordering", DEADLINE, || {
        let (after_drop_tx, after_drop) = mpsc::channel::<()>();
        let after_drop = Mutex::new(after_drop);
        let (verdict_tx, verdict) = mpsc::channel::<bool>();
        let verdict_tx = Mutex::new(verdict_tx);
        let rt = Flavor::CurrentThread
            .builder()
            .on_thread_stop(move || {
                let ran_after_drop = after_drop
                    .lock()
                    .expect("not poisoned")
                    .recv_timeout(Duration::from_secs(2))
                    .is_ok();
                let _ = verdict_tx
                    .lock()
                    .expect("not poisoned")
                    .send(ran_after_drop);
            })
            .build()
            .expect("runtime");
        rt.block_on(rt.spawn_blocking(|| ())).expect("no panic");
        drop(rt);
        let _ = after_drop_tx.send(());
        let ran_after_drop = verdict.recv().expect("the blocking thread's stop hook ran");
        assert!(
            !ran_after_drop,
            "the blocking thread was still running after the drop"
        );
    });
}

rt_test! {
    fn thread_hooks_fire_once_per_thread(flavor) {
        type Log = Arc<Mutex<HashMap<ThreadId, (usize, usize)>>>;
        let log: Log = Arc::default();
        let (started_tx, started) = mpsc::channel();
        let rt = flavor
            .builder()
            .thread_name(thread_name("hooks", flavor))
            .on_thread_start({
                let log = log.clone();
                move || {
                    log.lock().expect("not poisoned").entry(std::thread::current().id()).or_default().0 += 1;
                    started_tx.send(()).expect("the test waits");
                }
            })
            .on_thread_stop({
                let log = log.clone();
                move || {
                    log.lock().expect("not poisoned").entry(std::thread::current().id()).or_default().1 += 1;
                }
            })
            .build()
            .expect("runtime");
        let workers = if flavor.is_multi_thread() { flavor.workers() } else { 0 };
        for _ in 0..workers {
            started.recv().expect("every worker starts");
        }
        // Hooks run on the runtime's own threads, never on the caller's.
        rt.block_on(async { weft::spawn(async {}).await.expect("no panic") });
        drop(rt);
        let log = log.lock().expect("not poisoned");
        assert_eq!(log.len(), workers, "one start per worker thread: {log:?}");
        assert!(!log.contains_key(&std::thread::current().id()));
        for (thread, counts) in log.iter() {
            assert_eq!(*counts, (1, 1), "thread {thread:?} started/stopped {counts:?} times");
        }
    }
}

/// `num_alive_tasks` counts tasks that "have not finished": once a task's
/// `JoinHandle` returned its output, the task has finished.
fn num_alive_tasks_after_join(flavor: Flavor) {
    let rt = flavor.runtime();
    for round in 0..if cfg!(miri) { 10 } else { 2_000 } {
        rt.block_on(async { weft::spawn(async {}).await.expect("no panic") });
        assert_eq!(
            rt.handle().num_alive_tasks(),
            0,
            "round {round}: a task whose JoinHandle returned is still counted"
        );
    }
}

// Not `rt_test!`: only the multi-thread flavours have the bug.
#[test]
fn num_alive_tasks_is_zero_once_join_handles_returned_current_thread() {
    weft_tests::run_guarded(
        Flavor::CurrentThread,
        "num_alive_tasks_after_join",
        num_alive_tasks_after_join,
    );
}

#[test]
fn num_alive_tasks_is_zero_once_join_handles_returned_multi_thread_1_worker() {
    weft_tests::run_guarded(
        Flavor::MultiThread1,
        "num_alive_tasks_after_join",
        num_alive_tasks_after_join,
    );
}

#[test]
fn num_alive_tasks_is_zero_once_join_handles_returned_multi_thread_2_workers() {
    weft_tests::run_guarded(
        Flavor::MultiThread2,
        "num_alive_tasks_after_join",
        num_alive_tasks_after_join,
    );
}
