//! Spawning: many tasks from inside and outside the runtime, nested spawns, what
//! happens outside a runtime, `Handle::{current, try_current, enter}`, `block_on`
//! inside a runtime, task ids, and task names in `JoinError`s.
//!
//! Every output is checked against what its task was given, so a lost, duplicated or
//! mixed-up task fails the test.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use weft::runtime::{Handle, Runtime};
use weft::task::{self, JoinHandle};
use weft_tests::{Flavor, Gate, catch_panic_message, rt_test};

/// Tasks per spawning test.
const MANY: usize = if cfg!(miri) { 200 } else { 100_000 };

/// Each task's output is derived from its index, so swapped outputs are caught.
fn output_of(i: usize) -> u64 {
    (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xABCD
}

/// Awaits every handle, checking that handle `i` gives `output_of(first + i)`.
async fn check_outputs(first: usize, handles: Vec<JoinHandle<u64>>) {
    for (i, handle) in handles.into_iter().enumerate() {
        let out = handle
            .await
            .expect("the task did not panic or get cancelled");
        assert_eq!(
            out,
            output_of(first + i),
            "task {} gave another's output",
            first + i
        );
    }
}

rt_test! {
    async fn many_tasks_spawned_from_inside_complete() {
        let ran = Arc::new(AtomicUsize::new(0));
        // Half from the `block_on` future, half from inside a task.
        let handles: Vec<_> = (0..MANY / 2)
            .map(|i| {
                let ran = ran.clone();
                weft::spawn(async move {
                    ran.fetch_add(1, Ordering::Relaxed);
                    output_of(i)
                })
            })
            .collect();
        let from_task = weft::spawn({
            let ran = ran.clone();
            async move {
                (MANY / 2..MANY)
                    .map(|i| {
                        let ran = ran.clone();
                        weft::spawn(async move {
                            ran.fetch_add(1, Ordering::Relaxed);
                            output_of(i)
                        })
                    })
                    .collect::<Vec<_>>()
            }
        })
        .await
        .expect("the spawning task did not panic");
        check_outputs(0, handles).await;
        check_outputs(MANY / 2, from_task).await;
        assert_eq!(ran.load(Ordering::Relaxed), MANY);
    }
}

rt_test! {
    fn many_tasks_spawned_from_outside_complete(flavor) {
        let rt = flavor.runtime();
        let quarter = MANY / 4;
        // A quarter through `Runtime::spawn` on this thread...
        let from_main: Vec<_> = (0..quarter).map(|i| rt.spawn(async move { output_of(i) })).collect();
        // ...a quarter through `Handle::spawn` on this thread...
        let from_handle: Vec<_> = (quarter..2 * quarter)
            .map(|i| rt.handle().spawn(async move { output_of(i) }))
            .collect();
        // ...and a quarter from each of two foreign std threads; the second also waits
        // for its own tasks with `Handle::block_on` while this thread does the same.
        let foreign = |range: std::ops::Range<usize>| {
            let handle = rt.handle().clone();
            std::thread::spawn(move || {
                range.map(|i| handle.spawn(async move { output_of(i) })).collect::<Vec<_>>()
            })
        };
        let first = foreign(2 * quarter..3 * quarter);
        let second = {
            let handle = rt.handle().clone();
            std::thread::spawn(move || {
                let handles: Vec<_> = (3 * quarter..4 * quarter)
                    .map(|i| handle.spawn(async move { output_of(i) }))
                    .collect();
                handle.block_on(check_outputs(3 * quarter, handles));
            })
        };
        let first = first.join().expect("the first foreign thread did not panic");
        rt.block_on(async {
            check_outputs(0, from_main).await;
            check_outputs(quarter, from_handle).await;
            check_outputs(2 * quarter, first).await;
        });
        second.join().expect("the second foreign thread's tasks all completed");
    }
}

rt_test! {
    async fn nested_spawns_three_levels_deep() {
        const FAN: usize = if cfg!(miri) { 3 } else { 12 };
        let leaves = Arc::new(AtomicUsize::new(0));
        let top = weft::spawn({
            let leaves = leaves.clone();
            async move {
                let children: Vec<_> = (0..FAN)
                    .map(|a| {
                        let leaves = leaves.clone();
                        weft::spawn(async move {
                            let grandchildren: Vec<_> = (0..FAN)
                                .map(|b| {
                                    let leaves = leaves.clone();
                                    weft::spawn(async move {
                                        let great: Vec<_> = (0..FAN)
                                            .map(|c| {
                                                let leaves = leaves.clone();
                                                weft::spawn(async move {
                                                    leaves.fetch_add(1, Ordering::Relaxed);
                                                    (a * FAN + b) * FAN + c
                                                })
                                            })
                                            .collect();
                                        let mut sum = 0;
                                        for h in great {
                                            sum += h.await.expect("level 3 did not panic");
                                        }
                                        sum
                                    })
                                })
                                .collect();
                            let mut sum = 0;
                            for h in grandchildren {
                                sum += h.await.expect("level 2 did not panic");
                            }
                            sum
                        })
                    })
                    .collect();
                let mut sum = 0;
                for h in children {
                    sum += h.await.expect("level 1 did not panic");
                }
                sum
            }
        });
        let total = FAN * FAN * FAN;
        // Every leaf index 0..total appears once, so the sum is that of 0..total.
        assert_eq!(top.await.expect("the top task did not panic"), total * (total - 1) / 2);
        assert_eq!(leaves.load(Ordering::Relaxed), total);
    }
}

#[test]
fn spawn_outside_a_runtime_panics_with_what_to_do() {
    let msg = catch_panic_message(|| weft::spawn(async {}));
    assert!(msg.contains("#[weft::main]"), "{msg}");
    assert!(
        msg.contains("weft::spawn"),
        "the message names the call: {msg}"
    );

    let msg = catch_panic_message(|| weft::spawn_blocking(|| ()));
    assert!(msg.contains("#[weft::main]"), "{msg}");

    let msg = catch_panic_message(Handle::current);
    assert!(msg.contains("#[weft::main]"), "{msg}");

    let err = Handle::try_current().expect_err("no runtime is current on a test thread");
    assert!(err.to_string().contains("Handle::enter"), "{err}");

    let err = task::Builder::new()
        .name("orphan")
        .spawn(async {})
        .expect_err("no runtime to spawn on");
    assert!(err.to_string().contains("#[weft::main]"), "{err}");
}

#[test]
fn spawn_after_the_runtime_is_gone_panics() {
    let rt = Flavor::MultiThread1.runtime();
    {
        let _guard = rt.enter();
        assert!(Handle::try_current().is_ok());
    }
    drop(rt);
    // The guard is gone, so is the runtime: nothing is current any more.
    let msg = catch_panic_message(|| weft::spawn(async {}));
    assert!(msg.contains("#[weft::main]"), "{msg}");
}

rt_test! {
    async fn handle_current_spawns_on_the_same_runtime() {
        let handle = Handle::current();
        assert_eq!(handle.spawn(async { 5 }).await.expect("no panic"), 5);
        // From inside a task, too; and the task's runtime is still current there.
        let inner = weft::spawn(async {
            let handle = Handle::try_current().expect("a task has a current runtime");
            handle.spawn(async { 6 }).await.expect("no panic")
        });
        assert_eq!(inner.await.expect("no panic"), 6);
    }
}

/// The name of the thread a task spawned with `weft::spawn` runs on, found by
/// driving `rt` (the task must land on `rt` for this to finish).
fn spawned_thread_name(rt: &Runtime) -> String {
    let handle = weft::spawn(async { std::thread::current().name().map(str::to_owned) });
    rt.block_on(handle)
        .expect("no panic")
        .expect("runtime threads are named")
}

#[test]
fn enter_makes_a_runtime_current_and_nests() {
    weft_tests::with_deadline(
        "enter_makes_a_runtime_current_and_nests",
        weft_tests::DEADLINE,
        || {
            let a = Flavor::MultiThread1
                .builder()
                .thread_name("rt-a")
                .build()
                .expect("runtime a");
            let b = Flavor::MultiThread1
                .builder()
                .thread_name("rt-b")
                .build()
                .expect("runtime b");
            assert!(Handle::try_current().is_err());
            {
                let _a = a.enter();
                assert_eq!(spawned_thread_name(&a), "rt-a");
                {
                    let _b = b.handle().enter();
                    assert_eq!(spawned_thread_name(&b), "rt-b", "the inner guard wins");
                }
                assert_eq!(
                    spawned_thread_name(&a),
                    "rt-a",
                    "dropping the inner guard restores a"
                );
            }
            assert!(
                Handle::try_current().is_err(),
                "dropping the last guard restores none"
            );
        },
    );
}

rt_test! {
    fn block_on_inside_a_runtime_panics_with_a_clear_message(flavor) {
        let outer = flavor.runtime();
        let other = Arc::new(Flavor::CurrentThread.runtime());
        let expect_refusal = |what: &str, msg: String| {
            assert!(msg.contains("from inside a runtime"), "{what}: {msg}");
            assert!(msg.contains(".await"), "{what} says what to do instead: {msg}");
        };
        // In the `block_on` future itself...
        let msg = outer.block_on(async {
            catch_panic_message(AssertUnwindSafe(|| Handle::current().block_on(async {})))
        });
        expect_refusal("Handle::block_on in block_on", msg);
        // ...and in a spawned task, with another runtime's `Runtime::block_on`.
        let msg = outer.block_on({
            let other = other.clone();
            async move {
                weft::spawn(async move {
                    catch_panic_message(AssertUnwindSafe(|| other.block_on(async {})))
                })
                .await
                .expect("the task caught the panic itself")
            }
        });
        expect_refusal("Runtime::block_on in a task", msg);
        // The refusal did not break either runtime.
        assert_eq!(outer.block_on(async { weft::spawn(async { 1 }).await.expect("no panic") }), 1);
        assert_eq!(other.block_on(async { 2 }), 2);
    }
}

rt_test! {
    async fn task_ids_are_those_of_the_running_task() {
        let handles: Vec<_> = (0..if cfg!(miri) { 4 } else { 64 })
            .map(|_| {
                weft::spawn(async {
                    let before = task::id();
                    // Run another task to completion in between: the id comes back.
                    weft::spawn(async { task::id() }).await.expect("no panic");
                    task::yield_now().await;
                    assert_eq!(task::try_id(), Some(before));
                    before
                })
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        for handle in handles {
            let id = handle.id();
            assert_eq!(handle.await.expect("no panic"), id);
            assert!(seen.insert(id), "task id {id} was handed out twice");
        }
    }
}

#[test]
fn task_id_outside_a_task() {
    weft_tests::with_deadline("task_id_outside_a_task", weft_tests::DEADLINE, || {
        assert_eq!(task::try_id(), None);
        let msg = catch_panic_message(task::id);
        assert!(
            msg.contains("try_id"),
            "the message says what to use instead: {msg}"
        );
        // A runtime's `block_on` future is not a task either, and the id of a task that
        // ran on this thread does not linger after it.
        let rt = Flavor::CurrentThread.runtime();
        rt.block_on(async {
            weft::spawn(async {}).await.expect("no panic");
            assert_eq!(task::try_id(), None);
        });
        assert_eq!(task::try_id(), None);
    });
}

rt_test! {
    async fn task_names_appear_in_join_errors() {
        let panicked = task::Builder::new()
            .name("fetcher-7")
            .spawn(async { panic!("connection refused") })
            .expect("inside a runtime")
            .await
            .expect_err("the task panicked");
        let text = panicked.to_string();
        assert!(panicked.is_panic());
        assert!(text.contains("fetcher-7"), "{text}");
        assert!(text.contains("connection refused"), "{text}");

        let gate = Gate::new();
        let handle = task::Builder::new()
            .name("sleeper")
            .spawn({
                let gate = gate.clone();
                async move { gate.wait().await }
            })
            .expect("inside a runtime");
        let id = handle.id();
        handle.abort();
        let cancelled = handle.await.expect_err("the task was aborted");
        let text = cancelled.to_string();
        assert!(cancelled.is_cancelled());
        assert_eq!(cancelled.id(), id);
        assert!(text.contains("sleeper"), "{text}");
        assert!(text.contains(&id.to_string()), "the error names the task id: {text}");
        assert!(text.contains("cancelled"), "{text}");

        let blocking = task::Builder::new()
            .name("crunch")
            .spawn_blocking(|| panic!("out of range"))
            .expect("inside a runtime")
            .await
            .expect_err("the closure panicked");
        assert!(blocking.to_string().contains("crunch"), "{blocking}");

        // Unnamed tasks still say which task it was.
        let unnamed = weft::spawn(async { panic!("x") });
        let id = unnamed.id();
        let text = unnamed.await.expect_err("panicked").to_string();
        assert!(text.contains(&id.to_string()), "{text}");
    }
}

rt_test! {
    fn spawn_on_a_given_handle_from_a_foreign_thread(flavor) {
        let rt = flavor.runtime();
        let handle = rt.handle().clone();
        let named = std::thread::spawn(move || {
            task::Builder::new()
                .name("remote")
                .spawn_on(async { panic!("far away") }, &handle)
                .expect("a handle always has a runtime")
        })
        .join()
        .expect("the foreign thread did not panic");
        let err = rt.block_on(named).expect_err("the task panicked");
        assert!(err.to_string().contains("remote"), "{err}");
    }
}
