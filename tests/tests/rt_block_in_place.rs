//! `block_in_place` hands the worker's queue to another thread: with a single
//! worker, a task queued behind the blocked one still runs.

use std::sync::mpsc;
use std::time::Duration;

/// A failure guard, not a timing assertion: a broken hand-off would hang forever.
const GUARD: Duration = Duration::from_secs(60);

#[test]
fn queued_task_runs_while_the_only_worker_blocks() {
    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let got = rt.block_on(async {
        weft::spawn(async {
            let (tx, rx) = mpsc::channel();
            // Queued on this worker (its LIFO slot): it can only run elsewhere.
            let sender = weft::spawn(async move { tx.send(7).unwrap() });
            let got = weft::task::block_in_place(|| rx.recv_timeout(GUARD));
            sender.await.unwrap();
            got
        })
        .await
        .unwrap()
    });
    assert_eq!(got, Ok(7));
}

#[test]
fn many_blockers_in_a_row_keep_the_runtime_serving() {
    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let total = rt.block_on(async {
        let handles: Vec<_> = (0..20u64)
            .map(|i| {
                weft::spawn(async move {
                    let x = weft::task::block_in_place(|| i * 2);
                    weft::task::yield_now().await;
                    x
                })
            })
            .collect();
        let mut total = 0;
        for h in handles {
            total += h.await.unwrap();
        }
        total
    });
    assert_eq!(total, 380);
    // Shutdown still finds every core (the test would hang otherwise).
    drop(rt);
}

#[test]
fn block_on_is_allowed_inside_block_in_place() {
    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let out = rt.block_on(async {
        weft::spawn(async {
            let handle = weft::runtime::Handle::current();
            weft::task::block_in_place(|| handle.block_on(async { 5 }))
        })
        .await
        .unwrap()
    });
    assert_eq!(out, 5);
}

#[test]
fn current_thread_runtime_refuses_with_a_message() {
    let rt = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = rt
        .block_on(async { weft::spawn(async { weft::task::block_in_place(|| ()) }).await })
        .unwrap_err();
    assert!(err.is_panic());
    // The Display of a panic JoinError carries the panic message.
    let msg = err.to_string();
    assert!(msg.contains("spawn_blocking"), "{msg}");
}

#[test]
fn outside_a_runtime_it_just_runs() {
    assert_eq!(weft::task::block_in_place(|| 3), 3);
}
