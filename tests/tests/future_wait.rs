//! `wait`: each `ReturnWhen` mode with and without a timeout, and the pending
//! futures it hands back can be awaited afterwards.
//!
//! Timeouts only ever fire here while the remaining futures are blocked on gates
//! that nobody opens before the timeout, so no result depends on how long anything
//! takes; with the paused clock the timeouts pass as soon as the runtime is idle.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use weft::future::{ReturnWhen, wait};
use weft_tests::combinators::{Gate, Opener, gates, until};

const TIMEOUT: Option<Duration> = Some(Duration::from_millis(30));

type Child = Pin<Box<dyn Future<Output = Result<usize, String>> + Send>>;

/// Child `i` waits for gate `i`, then returns `Ok(i)`, or `Err` if `fails[i]`, and
/// counts itself finished.
fn children(fails: &[bool]) -> (Vec<Opener>, Vec<Child>, Arc<AtomicUsize>) {
    let (openers, gates) = gates(fails.len());
    let finished = Arc::new(AtomicUsize::new(0));
    let children = gates
        .into_iter()
        .zip(fails.iter().copied())
        .enumerate()
        .map(|(i, (gate, fails)): (usize, (Gate, bool))| {
            let finished = finished.clone();
            Box::pin(async move {
                gate.await;
                finished.fetch_add(1, Ordering::SeqCst);
                if fails {
                    Err(format!("child {i} failed"))
                } else {
                    Ok(i)
                }
            }) as Child
        })
        .collect();
    (openers, children, finished)
}

/// Opens the gates in `order` from another task, each after the previous child was
/// seen to finish, so the completion order is exactly `order`.
fn open_in_order(openers: Vec<Opener>, finished: Arc<AtomicUsize>, order: Vec<usize>) {
    weft::spawn(async move {
        for (step, i) in order.into_iter().enumerate() {
            openers[i].open();
            until(|| finished.load(Ordering::SeqCst) == step + 1).await;
        }
    });
}

fn indices<T>(list: &[(usize, T)]) -> Vec<usize> {
    list.iter().map(|(i, _)| *i).collect()
}

#[weft::test(start_paused = true)]
async fn all_completed_reports_every_output_in_completion_order() {
    let (openers, children, finished) = children(&[false, false, false]);
    open_in_order(openers, finished, vec![1, 0, 2]);
    let (done, pending) = wait(children, ReturnWhen::AllCompleted, None).await;
    assert_eq!(done, [(1, Ok(1)), (0, Ok(0)), (2, Ok(2))]);
    assert!(pending.is_empty());
}

#[weft::test(start_paused = true)]
async fn all_completed_with_timeout_returns_what_is_done_and_the_rest_can_be_awaited() {
    let (openers, children, _) = children(&[false, false, false]);
    openers[0].open();
    openers[2].open();
    let (done, pending) = wait(children, ReturnWhen::AllCompleted, TIMEOUT).await;
    let mut done_indices = indices(&done);
    done_indices.sort();
    assert_eq!(done_indices, [0, 2]);
    assert_eq!(indices(&pending), [1]);
    openers[1].open();
    let (_, rest) = pending.into_iter().next().unwrap();
    assert_eq!(rest.await, Ok(1));
}

#[weft::test(start_paused = true)]
async fn first_completed_returns_after_one_and_hands_back_the_rest() {
    let (openers, children, _) = children(&[false, false, false]);
    openers[1].open();
    let (done, pending) = wait(children, ReturnWhen::FirstCompleted, None).await;
    assert_eq!(done, [(1, Ok(1))]);
    assert_eq!(indices(&pending), [0, 2]);
    // The pending futures keep going, and can be waited on again.
    openers[2].open();
    openers[0].open();
    let (done, pending) = wait(
        pending.into_iter().map(|(_, f)| f),
        ReturnWhen::AllCompleted,
        None,
    )
    .await;
    let mut outs: Vec<_> = done.into_iter().map(|(_, o)| o).collect();
    outs.sort();
    assert_eq!(outs, [Ok(0), Ok(2)]);
    assert!(pending.is_empty());
}

#[weft::test(start_paused = true)]
async fn first_completed_with_timeout_returns_nothing_done_when_nothing_finished() {
    let (openers, children, _) = children(&[false, false]);
    let (done, pending) = wait(children, ReturnWhen::FirstCompleted, TIMEOUT).await;
    assert!(done.is_empty());
    assert_eq!(indices(&pending), [0, 1]);
    for o in &openers {
        o.open();
    }
    for (i, fut) in pending {
        assert_eq!(fut.await, Ok(i));
    }
}

#[weft::test(start_paused = true)]
async fn first_error_returns_at_the_first_failure() {
    let (openers, children, finished) = children(&[false, true, false]);
    open_in_order(openers, finished, vec![0, 1]);
    let (done, pending) = wait(children, ReturnWhen::FirstError, None).await;
    assert_eq!(done, [(0, Ok(0)), (1, Err("child 1 failed".to_string()))]);
    assert_eq!(indices(&pending), [2]);
}

#[weft::test(start_paused = true)]
async fn first_error_without_failures_waits_for_all() {
    let (openers, children, finished) = children(&[false, false]);
    open_in_order(openers, finished, vec![1, 0]);
    let (done, pending) = wait(children, ReturnWhen::FirstError, None).await;
    assert_eq!(done, [(1, Ok(1)), (0, Ok(0))]);
    assert!(pending.is_empty());
}

#[weft::test(start_paused = true)]
async fn first_error_with_timeout_returns_successes_so_far() {
    let (openers, children, _) = children(&[false, true]);
    openers[0].open();
    let (done, pending) = wait(children, ReturnWhen::FirstError, TIMEOUT).await;
    assert_eq!(done, [(0, Ok(0))]);
    assert_eq!(indices(&pending), [1]);
    openers[1].open();
    let (_, failing) = pending.into_iter().next().unwrap();
    assert!(failing.await.is_err());
}

/// For tasks, a panic or a cancellation is a failure.
#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_error_counts_panicked_and_cancelled_tasks() {
    let (openers, gates) = gates(2);
    let mut gates = gates.into_iter();
    let (g0, g1) = (gates.next().unwrap(), gates.next().unwrap());
    let tasks = vec![
        weft::spawn(async move {
            g0.await;
            panic!("task zero panics")
        }),
        weft::spawn(g1),
        weft::spawn(std::future::pending::<()>()),
    ];
    openers[0].open();
    let (done, pending) = wait(tasks, ReturnWhen::FirstError, None).await;
    assert_eq!(indices(&done), [0]);
    assert!(done[0].1.as_ref().unwrap_err().is_panic());
    assert_eq!(indices(&pending), [1, 2]);

    pending[1].1.abort();
    let (done, pending) = wait(
        pending.into_iter().map(|(_, t)| t),
        ReturnWhen::FirstError,
        None,
    )
    .await;
    assert_eq!(indices(&done), [1], "index within the second call's input");
    assert!(done[0].1.as_ref().unwrap_err().is_cancelled());
    openers[1].open();
    let (_, last) = pending.into_iter().next().unwrap();
    last.await.unwrap();
}

#[weft::test]
async fn wait_on_nothing_returns_at_once() {
    let (done, pending) = wait(Vec::<Child>::new(), ReturnWhen::FirstCompleted, None).await;
    assert!(done.is_empty() && pending.is_empty());
}
