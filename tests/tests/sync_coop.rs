//! The cooperative budget on the real runtime: a task looping on an operation that is
//! always ready (a pre-filled channel or queue, an uncontended lock) still gives way,
//! so another task on the same thread gets to run. The other task raises a flag that
//! the looping task checks; the loop must see it before it runs out of work.
//!
//! Only the single-threaded flavours matter here: with two workers the flag-raiser
//! would simply run on the other one.
//!
//! The two ignored tests at the end show a current-thread scheduler bug: a `block_on`
//! future that wakes itself (by `yield_now` or by running out of budget) is polled
//! again before any spawned task runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use weft::queue::Queue;
use weft::sync::{Mutex, mpsc};
use weft::task::yield_now;
use weft_tests::sync_support::Flavour;

const ITEMS: usize = if cfg!(miri) { 1_000 } else { 100_000 };

/// Spawns `looper(flag)` and then a task that raises `flag`, on `flavour`; returns
/// how many ready operations the looper completed before it saw the flag (or `ITEMS`
/// if it never did).
fn rounds_before_flag_seen<Fut>(
    flavour: Flavour,
    looper: impl FnOnce(Arc<AtomicBool>) -> Fut,
) -> usize
where
    Fut: std::future::Future<Output = usize> + Send + 'static,
{
    flavour.runtime().block_on(async move {
        let flag = Arc::new(AtomicBool::new(false));
        // Spawned first, so it runs first and meets only ready operations.
        let looping = weft::spawn(looper(flag.clone()));
        let raiser = weft::spawn(async move { flag.store(true, Ordering::SeqCst) });
        let rounds = looping.await.unwrap();
        raiser.await.unwrap();
        rounds
    })
}

const SINGLE_THREADED: [Flavour; 2] = [Flavour::CurrentThread, Flavour::OneWorker];

#[test]
fn a_task_draining_a_full_mpsc_channel_lets_another_task_run() {
    for flavour in SINGLE_THREADED {
        let (tx, mut rx) = mpsc::channel(ITEMS);
        for i in 0..ITEMS {
            tx.try_send(i).unwrap();
        }
        drop(tx);
        let rounds = rounds_before_flag_seen(flavour, |flag| async move {
            let mut received = 0;
            while !flag.load(Ordering::SeqCst) {
                match rx.recv().await {
                    Some(v) => assert_eq!(v, received),
                    None => break,
                }
                received += 1;
            }
            received
        });
        assert!(
            rounds < ITEMS,
            "{flavour:?}: the receiving task never gave way"
        );
    }
}

#[test]
fn a_task_draining_a_full_queue_lets_another_task_run() {
    for flavour in SINGLE_THREADED {
        let q = Queue::new();
        for i in 0..ITEMS {
            q.try_put(i).unwrap();
        }
        q.close();
        let rounds = rounds_before_flag_seen(flavour, |flag| async move {
            let mut received = 0;
            while !flag.load(Ordering::SeqCst) {
                match q.get().await {
                    Ok(v) => assert_eq!(v, received),
                    Err(_) => break,
                }
                received += 1;
            }
            received
        });
        assert!(
            rounds < ITEMS,
            "{flavour:?}: the getting task never gave way"
        );
    }
}

#[test]
fn a_task_relocking_a_free_mutex_lets_another_task_run() {
    for flavour in SINGLE_THREADED {
        let rounds = rounds_before_flag_seen(flavour, |flag| async move {
            let mutex = Mutex::new(0usize);
            while !flag.load(Ordering::SeqCst) {
                let mut guard = mutex.lock().await;
                *guard += 1;
                if *guard == ITEMS {
                    break;
                }
            }
            mutex.into_inner()
        });
        assert!(
            rounds < ITEMS,
            "{flavour:?}: the locking task never gave way"
        );
    }
}

/// A `block_on` future that yields in a loop must let the spawned tasks run (as with
/// tokio, where `yield_now` in `block_on` runs the ready tasks before the future is
/// polled again). On the current-thread runtime it is polled again at once instead:
/// `CurrentThread::run` stops its task loop as soon as the main future is woken, and
/// `yield_now` wakes it before returning `Pending`, so no task ever runs.
#[test]
fn a_yielding_block_on_future_lets_spawned_tasks_run_on_current_thread() {
    let rt = Flavour::CurrentThread.runtime();
    let ran = rt.block_on(async {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        weft::spawn(async move { f.store(true, Ordering::SeqCst) });
        // Bounded, so the bug shows as a failure rather than a hang.
        for _ in 0..10_000 {
            if flag.load(Ordering::SeqCst) {
                break;
            }
            yield_now().await;
        }
        flag.load(Ordering::SeqCst)
    });
    assert!(
        ran,
        "10 000 yields of the block_on future and the spawned task never ran"
    );
}

/// The same root cause defeats the budget when the busy loop is the `block_on` future
/// itself: its budget runs out, it wakes itself and returns `Pending`, and is polled
/// again before any spawned task runs.
#[test]
fn a_block_on_future_draining_a_full_channel_lets_spawned_tasks_run_on_current_thread() {
    let rt = Flavour::CurrentThread.runtime();
    let (tx, mut rx) = mpsc::channel(ITEMS);
    for i in 0..ITEMS {
        tx.try_send(i).unwrap();
    }
    drop(tx);
    let received = rt.block_on(async move {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        weft::spawn(async move { f.store(true, Ordering::SeqCst) });
        let mut received = 0;
        while !flag.load(Ordering::SeqCst) && rx.recv().await.is_some() {
            received += 1;
        }
        received
    });
    assert!(
        received < ITEMS,
        "the block_on future drained all {ITEMS} items first"
    );
}
