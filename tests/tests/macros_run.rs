//! `#[weft::test]` bodies that use the runtime for real: spawning tasks from the body
//! and from other tasks, and awaiting their `JoinHandle`s, on each flavour.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const TASKS: usize = if cfg!(miri) { 4 } else { 64 };

async fn spawn_many_and_sum() {
    let ran = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..TASKS)
        .map(|i| {
            let ran = ran.clone();
            weft::spawn(async move {
                ran.fetch_add(1, Ordering::Relaxed);
                i * 2
            })
        })
        .collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.expect("the task did not panic");
    }
    assert_eq!(sum, TASKS * (TASKS - 1));
    assert_eq!(ran.load(Ordering::Relaxed), TASKS);
}

#[weft::test]
async fn current_thread_spawns_and_awaits() {
    spawn_many_and_sum().await;
}

#[weft::test(flavor = "multi_thread")]
async fn multi_thread_spawns_and_awaits() {
    spawn_many_and_sum().await;
}

#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_spawn_and_await() {
    spawn_many_and_sum().await;
}

#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_spawn_tasks() {
    let outer = weft::spawn(async {
        let inner = weft::spawn(async { String::from("inner") });
        let text = inner.await.expect("the inner task did not panic");
        format!("{text} then outer")
    });
    assert_eq!(
        outer.await.expect("the outer task did not panic"),
        "inner then outer"
    );
}

async fn panics() -> u32 {
    panic!("this task panics on purpose");
}

#[weft::test]
async fn a_panicking_task_gives_a_join_error() {
    let handle = weft::spawn(panics());
    let error = handle.await.expect_err("the task panicked");
    assert!(error.is_panic());
}

#[weft::test(flavor = "multi_thread")]
async fn body_returns_a_result_through_question_mark() -> Result<(), weft::task::JoinError> {
    let a = weft::spawn(async { 40 }).await?;
    let b = weft::spawn(async { 2 }).await?;
    assert_eq!(a + b, 42);
    Ok(())
}
