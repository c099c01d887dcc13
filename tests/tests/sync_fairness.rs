//! Fairness on the real runtime: waiters of `Semaphore`, `Mutex` and `RwLock` are
//! served in arrival order, a newcomer never overtakes a queued waiter, and a large
//! `acquire_many` is not starved by a stream of small acquires.
//!
//! Arrival order is made certain, not hoped for: each waiter is spawned only after the
//! previous one is confirmed queued (its first poll returned `Pending`).

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};

use weft::sync::{Mutex, RwLock, Semaphore, TryAcquireError, mpsc, oneshot};
use weft::task::yield_now;
use weft_tests::sync_support::{on_every_flavour, signal_when_pending};

const WAITERS: usize = if cfg!(miri) { 4 } else { 32 };

/// Spawns the `spawn_one(i, started)` tasks one by one, waiting after each until it
/// reports that it is queued.
async fn spawn_queued<T, Fut>(
    n: usize,
    mut spawn_one: impl FnMut(usize, oneshot::Sender<()>) -> Fut,
) -> Vec<weft::task::JoinHandle<T>>
where
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut handles = Vec::with_capacity(n);
    for i in 0..n {
        let (tx, rx) = oneshot::channel();
        handles.push(weft::spawn(spawn_one(i, tx)));
        rx.await
            .unwrap_or_else(|_| panic!("waiter {i} completed instead of queueing"));
    }
    handles
}

#[test]
fn semaphore_waiters_acquire_in_arrival_order() {
    on_every_flavour(|flavour| async move {
        let sem = Arc::new(Semaphore::new(0));
        let order = Arc::new(StdMutex::new(Vec::new()));
        let handles = spawn_queued(WAITERS, |i, started| {
            let (sem, order) = (sem.clone(), order.clone());
            async move {
                let permit = signal_when_pending(sem.acquire(), started).await.unwrap();
                order.lock().unwrap().push(i);
                // Dropping the permit hands it to the next in line.
                drop(permit);
            }
        })
        .await;
        assert_eq!(sem.try_acquire().err(), Some(TryAcquireError::NoPermits));
        sem.add_permits(1);
        // A newcomer may only get the permit once every queued waiter had it.
        if let Ok(permit) = sem.try_acquire() {
            order.lock().unwrap().push(usize::MAX);
            drop(permit);
        }
        for h in handles {
            h.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        let expected: Vec<_> = (0..WAITERS).collect();
        assert_eq!(order[..WAITERS], expected[..], "{flavour:?}");
        assert!(
            order[WAITERS..].iter().all(|&i| i == usize::MAX),
            "{flavour:?}"
        );
        assert_eq!(sem.available_permits(), 1, "{flavour:?}");
    });
}

#[test]
fn mutex_waiters_lock_in_arrival_order() {
    on_every_flavour(|flavour| async move {
        let mutex = Arc::new(Mutex::new(Vec::new()));
        let guard = mutex.lock().await;
        let handles = spawn_queued(WAITERS, |i, started| {
            let mutex = mutex.clone();
            async move {
                signal_when_pending(mutex.lock(), started).await.push(i);
            }
        })
        .await;
        assert!(mutex.try_lock().is_err(), "{flavour:?}: lock overtaken");
        drop(guard);
        for h in handles {
            h.await.unwrap();
        }
        let expected: Vec<_> = (0..WAITERS).collect();
        assert_eq!(*mutex.lock().await, expected, "{flavour:?}");
    });
}

#[test]
fn rwlock_queued_writer_holds_back_later_readers() {
    on_every_flavour(|flavour| async move {
        let lock = Arc::new(RwLock::new(Vec::new()));
        let read = lock.read().await;
        // Queue: writer 0, reader 1, writer 2, reader 3, ... behind our read guard.
        let handles = spawn_queued(8, |i, started| {
            let lock = lock.clone();
            async move {
                if i % 2 == 0 {
                    signal_when_pending(lock.write(), started).await.push(i);
                    i
                } else {
                    // Readers report how many writes they saw.
                    signal_when_pending(lock.read(), started).await.len()
                }
            }
        })
        .await;
        // A new reader would overtake the queued writer: refused.
        assert!(
            lock.try_read().is_err(),
            "{flavour:?}: reader overtook a writer"
        );
        drop(read);
        let mut seen_by_readers = Vec::new();
        for (i, h) in handles.into_iter().enumerate() {
            let out: usize = h.await.unwrap();
            if i % 2 == 1 {
                seen_by_readers.push(out);
            }
        }
        // Reader 2k+1 runs after writers 0, 2, ..., 2k and before writer 2k+2.
        assert_eq!(seen_by_readers, vec![1, 2, 3, 4], "{flavour:?}");
        assert_eq!(*lock.read().await, vec![0, 2, 4, 6], "{flavour:?}");
    });
}

#[test]
fn big_acquire_many_is_served_before_later_small_acquires() {
    on_every_flavour(|flavour| async move {
        let sem = Arc::new(Semaphore::new(0));
        let (granted_tx, mut granted) = mpsc::unbounded_channel();
        // Waiter 0 wants 1 permit, waiter 1 wants 5, waiters 2 and 3 want 1 each.
        let wants = [1u32, 5, 1, 1];
        let handles = spawn_queued(wants.len(), |i, started| {
            let (sem, granted_tx) = (sem.clone(), granted_tx.clone());
            async move {
                let permit = signal_when_pending(sem.acquire_many(wants[i]), started)
                    .await
                    .unwrap();
                assert_eq!(permit.num_permits(), wants[i] as usize);
                permit.forget();
                granted_tx.send(i).unwrap();
            }
        })
        .await;
        sem.add_permits(1);
        assert_eq!(granted.recv().await, Some(0), "{flavour:?}");
        for _ in 0..4 {
            // The big waiter collects these; the small ones behind it must not.
            sem.add_permits(1);
            assert!(sem.try_acquire().is_err(), "{flavour:?}: newcomer overtook");
        }
        sem.add_permits(1);
        // Had a small waiter been served early, it would show up here first.
        assert_eq!(granted.recv().await, Some(1), "{flavour:?}");
        sem.add_permits(1);
        assert_eq!(granted.recv().await, Some(2), "{flavour:?}");
        sem.add_permits(1);
        assert_eq!(granted.recv().await, Some(3), "{flavour:?}");
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(sem.available_permits(), 0, "{flavour:?}");
    });
}

#[test]
fn big_acquire_many_is_not_starved_by_a_stream_of_small_ones() {
    const PERMITS: usize = 4;
    const SMALL: usize = 8;
    let rounds = if cfg!(miri) { 50 } else { 2_000 };
    on_every_flavour(|flavour| async move {
        let sem = Arc::new(Semaphore::new(PERMITS));
        // Small rounds completed (counted after the permit is released).
        let done = Arc::new(AtomicUsize::new(0));
        let (churning_tx, churning) = oneshot::channel();
        let mut churning_tx = Some(churning_tx);
        let smalls: Vec<_> = (0..SMALL)
            .map(|s| {
                let (sem, done) = (sem.clone(), done.clone());
                let churning_tx = if s == 0 { churning_tx.take() } else { None };
                weft::spawn(async move {
                    let mut churning_tx = churning_tx;
                    for round in 0..rounds {
                        let permit = sem.acquire().await.unwrap();
                        yield_now().await;
                        drop(permit);
                        done.fetch_add(1, Ordering::SeqCst);
                        if round == 20 {
                            if let Some(tx) = churning_tx.take() {
                                let _ = tx.send(());
                            }
                        }
                    }
                })
            })
            .collect();
        churning.await.expect("the small tasks are running");
        let (sem2, done2) = (sem.clone(), done.clone());
        let big = weft::spawn(async move {
            // The permits are almost always busy; should they all be free at the
            // instant we ask, the acquire proves nothing and we ask again.
            for _ in 0..1_000 {
                let mut acquire = pin!(sem2.acquire_many(PERMITS as u32));
                let mut done_when_queued = None;
                let permit = poll_fn(|cx| {
                    let poll = acquire.as_mut().poll(cx);
                    if poll.is_pending() && done_when_queued.is_none() {
                        done_when_queued = Some(done2.load(Ordering::SeqCst));
                    }
                    poll
                })
                .await
                .unwrap();
                let done_when_granted = done2.load(Ordering::SeqCst);
                drop(permit);
                if let Some(queued) = done_when_queued {
                    return (queued, done_when_granted);
                }
                yield_now().await;
            }
            panic!("the big acquire never had to wait: the small tasks hold no permits");
        });
        let (queued, granted) = big.await.unwrap();
        for h in smalls {
            h.await.unwrap();
        }
        assert_eq!(done.load(Ordering::SeqCst), SMALL * rounds);
        // Once the big request is queued, every later small acquire queues behind it,
        // so each small task completes at most the one round it was already in.
        assert!(
            granted - queued <= SMALL,
            "{flavour:?}: {} small rounds overtook the big acquire",
            granted - queued
        );
        assert!(
            granted < SMALL * rounds,
            "{flavour:?}: starved until the end"
        );
        assert_eq!(sem.available_permits(), PERMITS);
    });
}
