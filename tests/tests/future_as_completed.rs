//! `as_completed` yields in completion order, with input indices; `shield` keeps its
//! future running after the caller is gone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use weft::future::{as_completed, shield};
use weft::stream::{Stream, StreamExt};
use weft_tests::combinators::{Polls, gate, gates};

#[weft::test]
async fn as_completed_yields_in_completion_order_with_indices() {
    let (openers, gates) = gates(4);
    let mut stream = as_completed(gates.into_iter().enumerate().map(|(i, g)| async move {
        g.await;
        char::from(b'a' + i as u8)
    }));
    assert_eq!(stream.size_hint(), (4, Some(4)));
    let mut seen = Vec::new();
    for i in [3, 1, 0, 2] {
        openers[i].open();
        seen.push(stream.next().await.unwrap());
    }
    assert_eq!(seen, [(3, 'd'), (1, 'b'), (0, 'a'), (2, 'c')]);
    assert_eq!(stream.next().await, None);
    assert_eq!(stream.next().await, None, "the stream stays ended");
}

/// Several children ready in the same round are all yielded, one per `next`, and
/// none is polled again after it finished.
#[weft::test]
async fn as_completed_drains_a_round_without_repolling() {
    let n = if cfg!(miri) { 20 } else { 1000 };
    let polls = Polls::new();
    let all: Vec<_> = as_completed((0..n).map(|i| polls.wrap(async move { i })))
        .collect()
        .await;
    assert_eq!(all.len(), n);
    assert!(all.iter().all(|&(i, v)| i == v));
    assert_eq!(polls.get(), n);
}

#[weft::test]
async fn stream_adapters_compose() {
    let out: Vec<usize> = as_completed((0..10).map(|i| async move { i }))
        .map(|(_, v)| v * 3)
        .filter(|v| v % 2 == 0)
        .take(3)
        .collect()
        .await;
    assert_eq!(out, [0, 6, 12]);
}

/// The caller awaiting a shielded future is aborted; the future still runs to the
/// end on its own task.
#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn shield_survives_the_callers_cancellation() {
    let (started_tx, started) = gate();
    let (opener, gate) = gate();
    let finished = Arc::new(AtomicBool::new(false));
    let flag = finished.clone();
    let caller = weft::spawn(async move {
        let shielded = shield(async move {
            started_tx.open();
            gate.await;
            flag.store(true, Ordering::SeqCst);
            "done"
        });
        shielded.await
    });
    started.await;
    caller.abort();
    assert!(caller.await.unwrap_err().is_cancelled());
    assert!(!finished.load(Ordering::SeqCst));
    opener.open();
    weft_tests::combinators::until(|| finished.load(Ordering::SeqCst)).await;
}

/// Stop waiting on a shield (here: lose a race), then await it again for the output.
#[weft::test]
async fn shield_can_be_awaited_after_the_caller_gave_up() {
    let (opener, gate) = gate();
    let mut shielded = shield(async move {
        gate.await;
        7
    });
    let first = weft::future::race([
        Box::pin(&mut shielded) as std::pin::Pin<Box<dyn std::future::Future<Output = i32> + Send>>,
        Box::pin(async { -1 }),
    ])
    .await;
    assert_eq!(first, -1);
    assert!(!shielded.is_finished());
    opener.open();
    assert_eq!(shielded.await, 7);
}

#[weft::test]
#[should_panic(expected = "inner failure")]
async fn shield_resumes_the_futures_panic() {
    shield(async { panic!("inner failure") }).await
}
