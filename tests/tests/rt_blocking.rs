//! The blocking pool: parallelism, the thread cap, idle exit, panics, shutdown,
//! hooks, and use from plain threads.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::time::{Duration, Instant};
use weft::runtime::{Builder, Runtime};
use weft_tests::poll_until;
use weft_tests::procfs::threads_named;

/// A current-thread runtime, so every thread named `name` is a pool thread.
fn pool(name: &str, max: usize, keep_alive: Duration) -> Runtime {
    Builder::new_current_thread()
        .thread_name(name)
        .max_blocking_threads(max)
        .thread_keep_alive(keep_alive)
        .build()
        .unwrap()
}

#[test]
fn a_thousand_sleepers_run_in_parallel_under_the_cap() {
    const NAME: &str = "rtb-many";
    const MAX: usize = 64;
    let rt = pool(NAME, MAX, Duration::from_secs(10));
    let seen_max = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    rt.block_on(async {
        let handles: Vec<_> = (0..1000)
            .map(|_| {
                let seen_max = seen_max.clone();
                weft::spawn_blocking(move || {
                    seen_max.fetch_max(threads_named(NAME), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(10));
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
    });
    // One after another they would take 10 s; 64 at a time, about 160 ms. The
    // bound is generous on purpose: it proves parallelism, not speed.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    let seen = seen_max.load(Ordering::Relaxed);
    assert!(seen <= MAX, "saw {seen} pool threads, cap {MAX}");
    assert!(seen > 1, "the pool never ran two threads at once");
    assert!(threads_named(NAME) <= MAX);
}

/// Makes the current thread linger after it has left the pool: its thread-local
/// destructor (run after the pool's own exit code) reports `lingering`, then waits
/// for `release` (or half a second, so a correct pool that waits for it goes on).
fn linger_on_exit(lingering: mpsc::Sender<()>, release: Arc<Mutex<mpsc::Receiver<()>>>) {
    struct Linger(mpsc::Sender<()>, Arc<Mutex<mpsc::Receiver<()>>>);
    impl Drop for Linger {
        fn drop(&mut self) {
            let _ = self.0.send(());
            let _ = self
                .1
                .lock()
                .unwrap()
                .recv_timeout(Duration::from_millis(500));
        }
    }
    thread_local! {
        static LINGER: std::cell::RefCell<Option<Linger>> = const { std::cell::RefCell::new(None) };
    }
    LINGER.with(|l| *l.borrow_mut() = Some(Linger(lingering, release)));
}

#[test]
fn the_thread_cap_holds_while_old_threads_are_still_exiting() {
    const NAME: &str = "rtb-linger";
    const MAX: usize = 2;
    let rt = pool(NAME, MAX, Duration::from_millis(20));
    let (lingering_tx, lingering_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    let release_rx = Arc::new(Mutex::new(release_rx));
    let seen_max = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        // Two threads, each set to linger when it exits.
        let barrier = Arc::new(Barrier::new(MAX));
        let handles: Vec<_> = (0..MAX)
            .map(|_| {
                let (barrier, tx, rx) = (barrier.clone(), lingering_tx.clone(), release_rx.clone());
                weft::spawn_blocking(move || {
                    linger_on_exit(tx, rx);
                    barrier.wait();
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
    });
    // Both threads have left the pool (keep-alive over) but are still alive.
    for _ in 0..MAX {
        lingering_rx.recv().unwrap();
    }
    rt.block_on(async {
        let barrier = Arc::new(Barrier::new(MAX));
        let handles: Vec<_> = (0..MAX)
            .map(|_| {
                let (barrier, seen_max) = (barrier.clone(), seen_max.clone());
                weft::spawn_blocking(move || {
                    barrier.wait();
                    seen_max.fetch_max(threads_named(NAME), Ordering::SeqCst);
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
    });
    let _ = release_tx.send(());
    let _ = release_tx.send(());
    let seen = seen_max.load(Ordering::SeqCst);
    assert!(seen <= MAX, "saw {seen} pool threads, cap {MAX}");
}

#[test]
fn idle_threads_exit_after_the_keep_alive() {
    const NAME: &str = "rtb-idle";
    let rt = pool(NAME, 8, Duration::from_millis(50));
    rt.block_on(async {
        // Four tasks that can only finish together need four threads.
        let barrier = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let barrier = barrier.clone();
                weft::spawn_blocking(move || {
                    barrier.wait();
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
    });
    assert!(threads_named(NAME) >= 1);
    assert!(
        poll_until(Duration::from_secs(20), || threads_named(NAME) == 0),
        "{} idle pool threads still alive",
        threads_named(NAME)
    );
    // The pool starts threads again on demand.
    assert_eq!(rt.block_on(rt.spawn_blocking(|| 5)).unwrap(), 5);
}

#[test]
fn a_panic_reaches_the_join_handle() {
    let rt = pool("rtb-panic", 2, Duration::from_secs(10));
    let err = rt
        .block_on(rt.spawn_blocking(|| -> u8 { panic!("boom in the pool") }))
        .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(
        err.into_panic().downcast_ref::<&str>(),
        Some(&"boom in the pool")
    );
    // The thread survived: the pool still works.
    assert_eq!(rt.block_on(rt.spawn_blocking(|| 1)).unwrap(), 1);
}

#[test]
fn shutdown_timeout_cancels_queued_tasks_and_leaves_running_ones() {
    let rt = pool("rtb-shut", 1, Duration::from_secs(10));
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let running = rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        release_rx.recv().unwrap();
        "finished"
    });
    started_rx.recv().unwrap();
    // The only thread is busy: this one waits in the queue.
    let ran = Arc::new(AtomicBool::new(false));
    let queued = rt.spawn_blocking({
        let ran = ran.clone();
        move || ran.store(true, Ordering::SeqCst)
    });
    rt.shutdown_timeout(Duration::from_millis(20));

    let other = pool("rtb-other", 1, Duration::from_secs(10));
    let err = other.block_on(queued).unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    // The running task was not interrupted: released now, it delivers its result.
    release_tx.send(()).unwrap();
    assert_eq!(other.block_on(running).unwrap(), "finished");
    assert!(
        !ran.load(Ordering::SeqCst),
        "a queued task ran after shutdown"
    );
}

#[test]
fn spawning_after_shutdown_reports_cancellation() {
    let rt = pool("rtb-late", 1, Duration::from_secs(10));
    let handle = rt.handle().clone();
    rt.shutdown_timeout(Duration::from_secs(5));
    let late = handle.spawn_blocking(|| 1);
    let err = pool("rtb-late2", 1, Duration::from_secs(1))
        .block_on(late)
        .unwrap_err();
    assert!(err.is_cancelled());
}

#[test]
fn hooks_run_on_pool_threads_and_drop_joins_them() {
    let starts = Arc::new(AtomicUsize::new(0));
    let stops = Arc::new(AtomicUsize::new(0));
    let rt = Builder::new_current_thread()
        .thread_name("rtb-hooks")
        .on_thread_start({
            let starts = starts.clone();
            move || {
                starts.fetch_add(1, Ordering::SeqCst);
            }
        })
        .on_thread_stop({
            let stops = stops.clone();
            move || {
                stops.fetch_add(1, Ordering::SeqCst);
            }
        })
        .build()
        .unwrap();
    let names = rt.block_on(async {
        let barrier = Arc::new(Barrier::new(3));
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let barrier = barrier.clone();
                weft::spawn_blocking(move || {
                    barrier.wait();
                    std::thread::current().name().map(String::from)
                })
            })
            .collect();
        let mut names = Vec::new();
        for h in handles {
            names.push(h.await.unwrap());
        }
        names
    });
    assert!(names.iter().all(|n| n.as_deref() == Some("rtb-hooks")));
    assert_eq!(starts.load(Ordering::SeqCst), 3);
    drop(rt);
    // Drop joined the pool threads: their stop hooks have all run by now.
    assert_eq!(stops.load(Ordering::SeqCst), 3);
    assert_eq!(threads_named("rtb-hooks"), 0);
}

#[test]
fn plain_threads_submit_work_like_a_thread_pool_executor() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(4)
        .build()
        .unwrap();
    let handle = rt.handle().clone();
    // submit/map from code that is not async at all...
    let futures: Vec<_> = (0..8u64)
        .map(|i| handle.spawn_blocking(move || i * i))
        .collect();
    // ...and collect the results, in submission order.
    let results: Vec<u64> = futures
        .into_iter()
        .map(|f| handle.block_on(f).unwrap())
        .collect();
    assert_eq!(results, (0..8u64).map(|i| i * i).collect::<Vec<_>>());
}

#[test]
fn blocking_tasks_run_in_fifo_order_on_one_thread() {
    let rt = pool("rtb-fifo", 1, Duration::from_secs(10));
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    rt.block_on(async {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let order = order.clone();
                weft::spawn_blocking(move || order.lock().unwrap().push(i))
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
    });
    assert_eq!(*order.lock().unwrap(), (0..20).collect::<Vec<_>>());
}

#[test]
fn the_pool_sees_its_runtime() {
    let rt = pool("rtb-ctx", 1, Duration::from_secs(10));
    let inner =
        rt.block_on(rt.spawn_blocking(|| weft::runtime::Handle::current().spawn_blocking(|| 7)));
    assert_eq!(rt.block_on(inner.unwrap()).unwrap(), 7);
}

#[test]
fn aborting_a_queued_blocking_task_keeps_it_from_running() {
    let rt = pool("rtb-abort", 1, Duration::from_secs(10));
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let busy = rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        release_rx.recv().unwrap();
    });
    started_rx.recv().unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let queued = rt.spawn_blocking({
        let ran = ran.clone();
        move || ran.store(true, Ordering::SeqCst)
    });
    queued.abort();
    release_tx.send(()).unwrap();
    rt.block_on(busy).unwrap();
    assert!(rt.block_on(queued).unwrap_err().is_cancelled());
    // The pool's only thread has passed the aborted task by now.
    rt.block_on(rt.spawn_blocking(|| ())).unwrap();
    assert!(!ran.load(Ordering::SeqCst));
}

weft_tests::rt_test! {
    /// A task that submits its next job only when the last one is done (the
    /// `fs::read`-in-a-loop pattern) is served by one pool thread: the thread counts
    /// as on its way back before its job's result wakes the task, so the next
    /// submission never starts or wakes another.
    async fn one_job_at_a_time_runs_on_one_pool_thread() {
        let jobs = if cfg!(miri) { 20 } else { 2_000 };
        let mut threads = HashSet::new();
        for i in 0..jobs {
            let (id, back) = weft::spawn_blocking(move || (std::thread::current().id(), i))
                .await
                .unwrap();
            assert_eq!(back, i);
            threads.insert(id);
        }
        assert_eq!(threads.len(), 1, "{jobs} jobs in turn used {} threads", threads.len());
    }
}

#[test]
fn a_burst_of_jobs_that_wait_for_each_other_gets_a_thread_each() {
    // The submitter wakes or starts one thread; each new thread passes the wake-up
    // on. A broken chain would leave some job without a thread, and the barrier
    // would never open (the deadline turns that hang into a failure).
    const JOBS: usize = if cfg!(miri) { 4 } else { 48 };
    weft_tests::with_deadline("a burst of waiting jobs", weft_tests::DEADLINE, || {
        let rt = pool("rtb-burst", JOBS, Duration::from_secs(10));
        let barrier = Arc::new(Barrier::new(JOBS));
        let handles: Vec<_> = (0..JOBS)
            .map(|i| {
                let barrier = barrier.clone();
                rt.spawn_blocking(move || {
                    barrier.wait();
                    i
                })
            })
            .collect();
        let done: Vec<usize> = handles
            .into_iter()
            .map(|h| rt.block_on(h).unwrap())
            .collect();
        assert_eq!(done, (0..JOBS).collect::<Vec<_>>());
        assert!(threads_named("rtb-burst") <= JOBS);
    });
}
