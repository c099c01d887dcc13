//! Panics: a panicking task never takes a worker or the runtime down, its payload
//! reaches the `JoinHandle`, a panicking `Drop` during cancellation is reported as a
//! panic, and `UnhandledPanic` decides what a detached task's panic does.
//!
//! These tests panic on purpose; the test harness captures what the panic hook
//! prints, so the output stays quiet unless a test fails.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use weft::runtime::UnhandledPanic;
use weft::task;
use weft_tests::procfs::threads_named;
use weft_tests::{DropCounter, Flavor, Gate, catch_panic_message, panic_message, rt_test};

const PANICKERS: usize = if cfg!(miri) { 20 } else { 1_000 };

rt_test! {
    fn a_thousand_panicking_tasks_do_not_stop_the_runtime(flavor) {
        // A name per flavour: tests run in parallel, and the thread count must be ours.
        let name = match flavor {
            Flavor::CurrentThread => "panic-iso-ct",
            Flavor::MultiThread1 => "panic-iso-mt1",
            Flavor::MultiThread2 => "panic-iso-mt2",
        };
        let (started_tx, started) = std::sync::mpsc::channel();
        let started_tx = std::sync::Mutex::new(started_tx);
        let rt = flavor
            .builder()
            .thread_name(name)
            .on_thread_start(move || {
                let _ = started_tx.lock().expect("not poisoned").send(());
            })
            .build()
            .expect("runtime");
        let workers = if flavor.is_multi_thread() { flavor.workers() } else { 0 };
        // A thread names itself before it runs the start hook.
        for _ in 0..workers {
            started.recv().expect("every worker starts");
        }
        assert_eq!(threads_named(name), workers);
        rt.block_on(async {
            let handles: Vec<_> = (0..PANICKERS)
                .map(|i| weft::spawn(async move {
                    task::yield_now().await;
                    if i % 2 == 0 {
                        panic!("task {i} panics on purpose");
                    }
                    std::panic::panic_any(i);
                }))
                .collect();
            for (i, handle) in handles.into_iter().enumerate() {
                let err = handle.await.expect_err("every task panicked");
                assert!(err.is_panic(), "{err}");
                let payload = err.into_panic();
                if i % 2 == 0 {
                    assert_eq!(panic_message(&*payload), Some(&*format!("task {i} panics on purpose")));
                } else {
                    assert_eq!(payload.downcast_ref::<usize>(), Some(&i));
                }
            }
        });
        // Every worker survived, and the runtime still serves new tasks, from inside and
        // from outside.
        assert_eq!(threads_named(name), workers, "a worker thread died");
        let sum = rt.block_on(async {
            let handles: Vec<_> = (0..PANICKERS).map(|i| weft::spawn(async move { i })).collect();
            let mut sum = 0;
            for handle in handles {
                sum += handle.await.expect("no panic");
            }
            sum
        });
        assert_eq!(sum, PANICKERS * (PANICKERS - 1) / 2);
        assert_eq!(rt.block_on(rt.spawn(async { 9 })).expect("no panic"), 9);
    }
}

rt_test! {
    async fn panic_payloads_reach_the_join_handle() {
        #[derive(Debug, PartialEq)]
        struct Custom(u32, &'static str);

        let err = weft::spawn(async { std::panic::panic_any(Custom(7, "seven")) })
            .await
            .expect_err("panicked");
        assert_eq!(*err.into_panic().downcast::<Custom>().expect("a Custom"), Custom(7, "seven"));

        let err = weft::spawn(async {
            let n = 3;
            panic!("formatted {n}")
        })
        .await
        .expect_err("panicked");
        assert!(err.to_string().contains("formatted 3"), "{err}");
        let payload = err.try_into_panic().expect("a panic, not a cancellation");
        assert_eq!(panic_message(&*payload), Some("formatted 3"));

        // Resuming the payload re-raises the very same panic.
        let err = weft::spawn(async { std::panic::panic_any(41_u8) }).await.expect_err("panicked");
        let resumed = std::panic::catch_unwind(AssertUnwindSafe(|| {
            std::panic::resume_unwind(err.into_panic())
        }))
        .expect_err("resume_unwind panics");
        assert_eq!(resumed.downcast_ref::<u8>(), Some(&41));

        // `into_panic` on a cancelled error is a misuse with a message.
        let cancelled = weft::spawn(std::future::pending::<()>());
        cancelled.abort();
        let err = cancelled.await.expect_err("aborted");
        let msg = catch_panic_message(AssertUnwindSafe(|| err.into_panic()));
        assert!(msg.contains("is_panic"), "{msg}");
    }
}

/// Panics in its `Drop`, after counting it.
struct PanicOnDrop {
    _counted: weft_tests::DropToken,
}

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("drop of the cancelled future panics");
    }
}

rt_test! {
    async fn a_panicking_drop_during_cancellation_is_a_panic_error() {
        let drops = DropCounter::new();
        let started = Gate::new();
        let handle = weft::spawn({
            let (guard, started) = (PanicOnDrop { _counted: drops.token() }, started.open_on_drop());
            async move {
                let _guard = guard;
                drop(started);
                std::future::pending::<()>().await
            }
        });
        started.wait().await;
        handle.abort();
        let err = handle.await.expect_err("aborted");
        assert!(err.is_panic(), "the Drop's panic wins over the cancellation: {err}");
        assert_eq!(
            panic_message(&*err.into_panic()),
            Some("drop of the cancelled future panics")
        );
        assert_eq!(drops.dropped(), 1);
        // The worker that ran the drop is fine.
        assert_eq!(weft::spawn(async { 3 }).await.expect("no panic"), 3);
    }
}

rt_test! {
    fn a_panicking_drop_during_shutdown_does_not_escape(flavor) {
        let rt = flavor.runtime();
        let drops = DropCounter::new();
        let started = Gate::new();
        let handle = rt.spawn({
            let (guard, started) = (PanicOnDrop { _counted: drops.token() }, started.open_on_drop());
            async move {
                let _guard = guard;
                drop(started);
                std::future::pending::<()>().await
            }
        });
        rt.block_on(started.wait());
        // Dropping the runtime drops the future; its panic must not escape the drop.
        drop(rt);
        assert_eq!(drops.dropped(), 1);
        let err = Flavor::CurrentThread.runtime().block_on(handle).expect_err("shut down");
        assert!(err.is_panic(), "{err}");
    }
}

rt_test! {
    fn unhandled_panic_shutdown_runtime_cancels_every_task(flavor) {
        const VICTIMS: usize = 100;
        let rt = flavor
            .builder()
            .unhandled_panic(UnhandledPanic::ShutdownRuntime)
            .build()
            .expect("runtime");
        let drops = DropCounter::new();
        let parked = Arc::new(AtomicUsize::new(0));
        let all_parked = Gate::new();
        let mut victims: Vec<_> = (0..VICTIMS)
            .map(|_| {
                let (token, parked, all_parked) = (drops.token(), parked.clone(), all_parked.clone());
                rt.spawn(async move {
                    let _token = token;
                    if parked.fetch_add(1, Ordering::SeqCst) + 1 == VICTIMS {
                        all_parked.open();
                    }
                    std::future::pending::<()>().await
                })
            })
            .collect();
        rt.block_on(all_parked.wait());
        assert_eq!(drops.dropped(), 0);
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(async {
                // A panic in a task whose JoinHandle is gone: nobody can observe it.
                drop(weft::spawn(async { panic!("detached task panics") }));
                for victim in victims.iter_mut() {
                    let err = victim.await.expect_err("the shutdown cancelled the victim");
                    assert!(err.is_cancelled(), "{err}");
                }
            })
        }));
        match outcome {
            // The multi-thread runtime shuts down around the `block_on` future, which
            // sees every victim cancelled.
            Ok(()) => {
                assert!(flavor.is_multi_thread(), "current_thread's block_on returned");
                assert_eq!(drops.dropped(), VICTIMS);
                victims.clear();
            }
            // The current-thread runtime's `block_on` is the scheduler itself: it stops
            // by panicking with a message that says why.
            Err(payload) => {
                assert_eq!(flavor, Flavor::CurrentThread, "multi_thread's block_on panicked");
                let msg = panic_message(&*payload).expect("a message");
                assert!(msg.contains("ShutdownRuntime"), "{msg}");
            }
        }
        // The runtime takes no new work: a task spawned now never runs.
        let late = rt.spawn(async { "ran after the shutdown" });
        drop(rt);
        assert_eq!(drops.dropped(), VICTIMS, "every victim's future was dropped once");
        let second = Flavor::CurrentThread.runtime();
        for victim in victims {
            assert!(second.block_on(victim).expect_err("cancelled").is_cancelled());
        }
        assert!(second.block_on(late).expect_err("never ran").is_cancelled());
    }
}

/// A detached task panics under `policy`; the runtime must carry on: a task parked
/// before the panic still completes, and new tasks run.
fn detached_panic_does_not_shut_down(flavor: Flavor, policy: UnhandledPanic) {
    let rt = flavor
        .builder()
        .unhandled_panic(policy)
        .build()
        .expect("runtime");
    rt.block_on(async {
        let release = Gate::new();
        let survivor = weft::spawn({
            let release = release.clone();
            async move {
                release.wait().await;
                5
            }
        });
        let unwound = Gate::new();
        let detached = weft::spawn({
            let unwound = unwound.open_on_drop();
            async move {
                let _unwound = unwound;
                panic!("detached task panics")
            }
        });
        let finished = detached.abort_handle();
        drop(detached);
        // The panicking future was dropped while unwinding; then the task completes and
        // its panic is handled by the policy.
        unwound.wait().await;
        weft::spawn(async move {
            while !finished.is_finished() {
                task::yield_now().await;
            }
        })
        .await
        .expect("no panic");
        assert!(!survivor.is_finished());
        release.open();
        assert_eq!(survivor.await.expect("not cancelled"), 5);
        assert_eq!(weft::spawn(async { 6 }).await.expect("not cancelled"), 6);
    });
    assert_eq!(
        rt.block_on(rt.spawn(async { 7 })).expect("not cancelled"),
        7
    );
}

rt_test! {
    fn unhandled_panic_report_is_the_default_and_carries_on(flavor) {
        assert_eq!(UnhandledPanic::default(), UnhandledPanic::Report);
        detached_panic_does_not_shut_down(flavor, UnhandledPanic::Report);
    }
}

rt_test! {
    fn unhandled_panic_ignore_carries_on(flavor) {
        detached_panic_does_not_shut_down(flavor, UnhandledPanic::Ignore);
    }
}

rt_test! {
    fn a_panic_in_the_block_on_future_reaches_the_caller(flavor) {
        let rt = flavor.runtime();
        let msg = catch_panic_message(AssertUnwindSafe(|| {
            rt.block_on(async { panic!("the main future panics") })
        }));
        assert_eq!(msg, "the main future panics");
        // The runtime is still usable afterwards.
        assert_eq!(rt.block_on(async { weft::spawn(async { 8 }).await.expect("no panic") }), 8);
    }
}

/// A future that panics in `poll` (on the first poll, or once it is done) and whose
/// `Drop` panics too.
struct PanicsTwice {
    _counted: weft_tests::DropToken,
    in_poll: bool,
}

impl std::future::Future for PanicsTwice {
    type Output = u32;
    fn poll(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<u32> {
        if self.in_poll {
            panic!("poll panics");
        }
        std::task::Poll::Ready(7)
    }
}

impl Drop for PanicsTwice {
    fn drop(&mut self) {
        panic!("drop panics");
    }
}

rt_test! {
    async fn a_panicking_poll_reports_its_panic_and_still_drops_the_future_once() {
        let drops = DropCounter::new();
        let handle = weft::spawn(PanicsTwice { _counted: drops.token(), in_poll: true });
        let err = handle.await.expect_err("poll panicked");
        // The first panic is the story; the `Drop`'s second panic is swallowed.
        assert_eq!(panic_message(&*err.into_panic()), Some("poll panics"));
        assert_eq!(drops.dropped(), 1);
        assert_eq!(weft::spawn(async { 3 }).await.expect("no panic"), 3);
    }
}

rt_test! {
    async fn a_panicking_drop_after_ready_turns_the_output_into_a_panic_error() {
        let drops = DropCounter::new();
        let handle = weft::spawn(PanicsTwice { _counted: drops.token(), in_poll: false });
        let err = handle.await.expect_err("the future's drop panicked");
        assert_eq!(panic_message(&*err.into_panic()), Some("drop panics"));
        assert_eq!(drops.dropped(), 1);
    }
}

rt_test! {
    async fn polling_a_join_handle_after_it_returned_panics_with_a_clear_message() {
        let mut handle = weft::spawn(async { 5 });
        assert_eq!((&mut handle).await.expect("no panic"), 5);
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let msg = catch_panic_message(AssertUnwindSafe(|| {
            let _ = std::pin::Pin::new(&mut handle).poll(&mut cx);
        }));
        assert!(msg.contains("polled after it returned its output"), "{msg}");
        // Dropping the handle afterwards must not touch the moved-out output.
        drop(handle);
    }
}
