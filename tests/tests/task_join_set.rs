//! `JoinSet`: completion order, abort, drop aborts, and many tasks.

use std::future::pending;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use weft::task::JoinSet;
use weft_tests::combinators::{DropCount, gates, until};

#[weft::test]
async fn join_next_yields_in_completion_order() {
    let (openers, gates) = gates(3);
    let mut set = JoinSet::new();
    for (i, gate) in gates.into_iter().enumerate() {
        set.spawn(async move {
            gate.await;
            i
        });
    }
    assert_eq!(set.len(), 3);
    for i in [2, 0, 1] {
        openers[i].open();
        assert_eq!(set.join_next().await.unwrap().unwrap(), i);
    }
    assert!(set.is_empty());
    assert!(set.join_next().await.is_none());
}

#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_set_aborts_every_task() {
    let n = 16;
    let drops = DropCount::new();
    let completed = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicUsize::new(0));
    let mut set = JoinSet::new();
    for _ in 0..n {
        let token = drops.token();
        let completed = completed.clone();
        let started = started.clone();
        set.spawn(async move {
            let _token = token;
            started.fetch_add(1, Ordering::SeqCst);
            pending::<()>().await;
            completed.store(true, Ordering::SeqCst);
        });
    }
    until(|| started.load(Ordering::SeqCst) == n).await;
    drop(set);
    until(|| drops.get() == n).await;
    assert!(!completed.load(Ordering::SeqCst));
}

#[weft::test]
async fn abort_all_keeps_the_tasks_to_report_cancellation() {
    let mut set = JoinSet::new();
    set.spawn(async { 1 });
    set.join_next().await.unwrap().unwrap();
    let abort = set.spawn(pending::<i32>());
    set.spawn(pending::<i32>());
    assert!(!abort.is_finished());
    set.abort_all();
    let mut cancelled = 0;
    while let Some(res) = set.join_next().await {
        assert!(res.unwrap_err().is_cancelled());
        cancelled += 1;
    }
    assert_eq!(cancelled, 2);
}

#[weft::test]
async fn panics_are_reported_per_task() {
    let mut set = JoinSet::new();
    set.spawn(async { panic!("one task fails") });
    let err = set.join_next().await.unwrap().unwrap_err();
    assert!(err.is_panic());
}

#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_are_all_joined() {
    let n = if cfg!(miri) { 100 } else { 50_000 };
    let mut set = JoinSet::new();
    for i in 0..n {
        set.spawn(async move {
            weft::task::yield_now().await;
            i
        });
    }
    let mut seen = vec![false; n];
    while let Some(res) = set.join_next().await {
        let i = res.unwrap();
        assert!(!seen[i], "task {i} joined twice");
        seen[i] = true;
    }
    assert!(seen.iter().all(|&s| s));
}

#[weft::test]
async fn join_all_and_shutdown() {
    let mut set = JoinSet::new();
    for i in 0..4 {
        set.spawn(async move { i });
    }
    let mut all = set.join_all().await;
    all.sort();
    assert_eq!(all, [0, 1, 2, 3]);

    let drops = DropCount::new();
    let mut set = JoinSet::new();
    let token = drops.token();
    set.spawn(async move {
        let _t = token;
        pending::<()>().await
    });
    set.shutdown().await;
    assert!(set.is_empty());
    assert_eq!(drops.get(), 1);
}
