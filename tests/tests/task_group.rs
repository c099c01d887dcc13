//! `TaskGroup`: values in spawn order, the first failure cancels the siblings, every
//! failure is collected, and `join` never returns while a child still runs.

use std::future::pending;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use weft::task::{Failure, TaskGroup};
use weft_tests::combinators::{DropCount, gate, gates, until};

#[weft::test]
async fn values_come_back_in_spawn_order() {
    let (openers, gates) = gates(3);
    let mut group = TaskGroup::new();
    for (i, gate) in gates.into_iter().enumerate() {
        group.spawn(async move {
            gate.await;
            Ok::<_, String>(i * 10)
        });
    }
    for i in [2, 1, 0] {
        openers[i].open();
    }
    assert_eq!(group.join().await.unwrap(), [0, 10, 20]);
}

#[weft::test]
async fn an_error_cancels_the_siblings() {
    let drops = DropCount::new();
    let finished = Arc::new(AtomicBool::new(false));
    let mut group = TaskGroup::new();
    for _ in 0..3 {
        let token = drops.token();
        let finished = finished.clone();
        group.spawn(async move {
            let _token = token;
            pending::<()>().await;
            finished.store(true, Ordering::SeqCst);
            Ok(())
        });
    }
    let (opener, gate) = gate();
    group.spawn(async move {
        gate.await;
        Err("child 3 failed")
    });
    opener.open();
    let err = group.join().await.unwrap_err();
    assert!(matches!(
        err.failures(),
        [Failure::Error {
            index: 3,
            error: "child 3 failed"
        }]
    ));
    assert_eq!(drops.get(), 3, "every sibling was cancelled and dropped");
    assert!(!finished.load(Ordering::SeqCst));
}

#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_cancels_the_siblings() {
    let drops = DropCount::new();
    let mut group = TaskGroup::<(), ()>::new();
    let token = drops.token();
    group.spawn(async move {
        let _token = token;
        pending().await
    });
    group.spawn(async { panic!("child 1 panics") });
    let err = group.join().await.unwrap_err();
    match err.failures() {
        [Failure::Panic { index: 1, error }] => assert!(error.is_panic()),
        other => panic!("unexpected failures {other:?}"),
    }
    assert_eq!(drops.get(), 1);
}

/// Panics when dropped: a child that fails while it is being cancelled.
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("failed while being cancelled");
    }
}

/// The first failure cancels the others; a sibling that fails while being cancelled
/// is reported too, and a sibling that is simply cancelled is not.
#[weft::test]
async fn every_failure_is_collected() {
    let drops = DropCount::new();
    let (opener, gate) = gate();
    let mut group = TaskGroup::new();
    group.spawn(async move {
        gate.await;
        Err("first")
    });
    group.spawn(async move {
        let _bomb = PanicOnDrop;
        // The first child fails only once this one holds its bomb.
        opener.open();
        pending::<Result<(), &str>>().await
    });
    let token = drops.token();
    group.spawn(async move {
        let _token = token;
        pending::<Result<(), &str>>().await
    });
    group.spawn(async { Ok(()) });
    let err = group.join().await.unwrap_err();
    let failures = err.into_failures();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(matches!(
        failures[0],
        Failure::Error {
            index: 0,
            error: "first"
        }
    ));
    match &failures[1] {
        Failure::Panic { index: 1, error } => assert!(error.is_panic()),
        other => panic!("unexpected failure {other:?}"),
    }
    assert_eq!(drops.get(), 1);
}

/// A child busy inside one poll cannot be stopped until that poll returns; `join`
/// waits for it rather than returning while it still runs.
#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_waits_for_a_child_that_is_still_running() {
    let (started_opener, started) = gate();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let busy_done = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicBool::new(false));
    let mut group = TaskGroup::new();
    let done = busy_done.clone();
    group.spawn(async move {
        started_opener.open();
        // Busy in this poll (a blocking call) until the test releases it.
        release_rx.recv().unwrap();
        done.store(true, Ordering::SeqCst);
        weft::task::yield_now().await;
        Ok(())
    });
    let seen = failed.clone();
    group.spawn(async move {
        started.await;
        seen.store(true, Ordering::SeqCst);
        Err("sibling failed")
    });
    let joined = weft::spawn(group.join());
    until(|| failed.load(Ordering::SeqCst)).await;
    for _ in 0..100 {
        weft::task::yield_now().await;
    }
    assert!(
        !joined.is_finished(),
        "join returned while a child was running"
    );
    release_tx.send(()).unwrap();
    let err = joined.await.unwrap().unwrap_err();
    assert!(busy_done.load(Ordering::SeqCst));
    assert_eq!(err.failures().len(), 1);
}

#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_group_aborts_its_children() {
    let drops = DropCount::new();
    let mut group = TaskGroup::<(), ()>::new();
    for _ in 0..4 {
        let token = drops.token();
        group.spawn(async move {
            let _token = token;
            pending().await
        });
    }
    drop(group);
    until(|| drops.get() == 4).await;
}

#[weft::test]
async fn an_empty_group_joins_at_once() {
    let group = TaskGroup::<u8, u8>::new();
    assert_eq!(group.join().await.unwrap(), Vec::<u8>::new());
}
