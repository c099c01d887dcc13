//! The coordination primitives on the real runtime, on every flavour: `Barrier` (one
//! leader per generation, nobody released early), `Event` (set/clear/wait with many
//! waiters), `OnceCell` (one initializer under a race) and `broadcast` lag accounting.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use weft::sync::{Barrier, Event, OnceCell, broadcast, oneshot};
use weft::task::yield_now;
use weft_tests::sync_support::{on_every_flavour, signal_when_pending};

#[test]
fn barrier_has_one_leader_per_generation_over_a_thousand_generations() {
    const PARTIES: usize = 4;
    let generations = if cfg!(miri) { 20 } else { 1_000 };
    on_every_flavour(|flavour| async move {
        let barrier = Arc::new(Barrier::new(PARTIES));
        let arrived: Arc<Vec<AtomicUsize>> =
            Arc::new((0..generations).map(|_| AtomicUsize::new(0)).collect());
        let leaders: Arc<Vec<AtomicUsize>> =
            Arc::new((0..generations).map(|_| AtomicUsize::new(0)).collect());
        let handles: Vec<_> = (0..PARTIES)
            .map(|p| {
                let (barrier, arrived, leaders) =
                    (barrier.clone(), arrived.clone(), leaders.clone());
                weft::spawn(async move {
                    for g in 0..generations {
                        if (g + p) % 3 == 0 {
                            // Arrive in a different order each generation.
                            yield_now().await;
                        }
                        arrived[g].fetch_add(1, Ordering::SeqCst);
                        let result = barrier.wait().await;
                        assert_eq!(
                            arrived[g].load(Ordering::SeqCst),
                            PARTIES,
                            "released from generation {g} before everyone arrived"
                        );
                        if result.is_leader() {
                            leaders[g].fetch_add(1, Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        for (g, l) in leaders.iter().enumerate() {
            assert_eq!(l.load(Ordering::SeqCst), 1, "{flavour:?}: generation {g}");
        }
    });
}

/// Spawns `n` tasks waiting on `event`, each confirmed queued before the next.
async fn spawn_waiters(
    event: &Arc<Event>,
    n: usize,
    woken: &Arc<AtomicUsize>,
) -> Vec<weft::task::JoinHandle<()>> {
    let mut handles = Vec::with_capacity(n);
    for _ in 0..n {
        let (started, queued) = oneshot::channel();
        let (event, woken) = (event.clone(), woken.clone());
        handles.push(weft::spawn(async move {
            signal_when_pending(event.wait(), started).await;
            woken.fetch_add(1, Ordering::SeqCst);
        }));
        queued
            .await
            .expect("the event is clear, so the waiter queues");
    }
    handles
}

#[test]
fn event_set_wakes_every_waiter_and_clear_makes_new_ones_wait() {
    let rounds = if cfg!(miri) { 3 } else { 50 };
    const WAITERS: usize = if cfg!(miri) { 4 } else { 40 };
    on_every_flavour(|flavour| async move {
        let event = Arc::new(Event::new());
        let woken = Arc::new(AtomicUsize::new(0));
        for round in 0..rounds {
            assert!(!event.is_set());
            let handles = spawn_waiters(&event, WAITERS, &woken).await;
            assert_eq!(
                woken.load(Ordering::SeqCst),
                round * WAITERS,
                "{flavour:?}: woken early"
            );
            event.set();
            assert!(event.is_set());
            // While set, `wait` completes at once.
            event.wait().await;
            for h in handles {
                h.await.unwrap();
            }
            assert_eq!(
                woken.load(Ordering::SeqCst),
                (round + 1) * WAITERS,
                "{flavour:?}"
            );
            event.clear();
        }
    });
}

#[test]
fn event_waiters_woken_by_set_complete_even_if_cleared_at_once() {
    on_every_flavour(|flavour| async move {
        let event = Arc::new(Event::new());
        let woken = Arc::new(AtomicUsize::new(0));
        let handles = spawn_waiters(&event, 16, &woken).await;
        event.set();
        event.clear();
        // asyncio semantics: a set wakes everyone waiting at that moment.
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(woken.load(Ordering::SeqCst), 16, "{flavour:?}");
        assert!(!event.is_set());
        // And a waiter arriving after the clear waits for the next set.
        let late = spawn_waiters(&event, 1, &woken).await;
        event.set();
        for h in late {
            h.await.unwrap();
        }
        assert_eq!(woken.load(Ordering::SeqCst), 17, "{flavour:?}");
    });
}

#[test]
fn once_cell_runs_one_initializer_among_a_hundred_racing_tasks() {
    const RACERS: usize = if cfg!(miri) { 8 } else { 100 };
    on_every_flavour(|flavour| async move {
        let cell = Arc::new(OnceCell::new());
        let inits = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..RACERS)
            .map(|t| {
                let (cell, inits) = (cell.clone(), inits.clone());
                weft::spawn(async move {
                    *cell
                        .get_or_init(|| async move {
                            inits.fetch_add(1, Ordering::SeqCst);
                            // Stay in the initializer a while so the others pile up.
                            for _ in 0..3 {
                                yield_now().await;
                            }
                            t
                        })
                        .await
                })
            })
            .collect();
        let mut values = Vec::new();
        for h in handles {
            values.push(h.await.unwrap());
        }
        assert_eq!(
            inits.load(Ordering::SeqCst),
            1,
            "{flavour:?}: initializers run"
        );
        let winner = *cell.get().expect("initialized");
        assert!(
            values.iter().all(|&v| v == winner),
            "{flavour:?}: {values:?}"
        );
        assert!(cell.set(usize::MAX).is_err());
    });
}

#[test]
fn broadcast_lag_is_reported_and_counted_exactly() {
    const CAPACITY: usize = 4;
    const SENT: usize = 64;
    on_every_flavour(|flavour| async move {
        let (tx, mut idle) = broadcast::channel::<usize>(CAPACITY);
        let mut active = tx.subscribe();
        let (started, queued) = oneshot::channel();
        // One receiver waits in a task and receives as it can; `idle` is not polled
        // until every value is sent.
        let reader = weft::spawn(async move {
            let (mut received, mut missed) = (Vec::new(), 0u64);
            let mut started = Some(started);
            loop {
                let recv = active.recv();
                let res = match started.take() {
                    Some(s) => signal_when_pending(recv, s).await,
                    None => recv.await,
                };
                match res {
                    Ok(v) => received.push(v),
                    Err(broadcast::RecvError::Lagged(n)) => missed += n,
                    Err(broadcast::RecvError::Closed) => return (received, missed),
                }
            }
        });
        queued.await.unwrap();
        for v in 0..SENT {
            tx.send(v).unwrap();
        }
        drop(tx);
        // The idle receiver kept only the newest values.
        assert_eq!(
            idle.recv().await,
            Err(broadcast::RecvError::Lagged((SENT - CAPACITY) as u64)),
            "{flavour:?}"
        );
        for v in SENT - CAPACITY..SENT {
            assert_eq!(idle.recv().await, Ok(v), "{flavour:?}");
        }
        assert_eq!(idle.recv().await, Err(broadcast::RecvError::Closed));
        // The active one got some values and missed others, but lost none untold,
        // and what it got is in order and ends with the last value.
        let (received, missed) = reader.await.unwrap();
        assert_eq!(received.len() as u64 + missed, SENT as u64, "{flavour:?}");
        assert!(
            received.windows(2).all(|w| w[0] < w[1]),
            "{flavour:?}: {received:?}"
        );
        assert_eq!(received.last(), Some(&(SENT - 1)), "{flavour:?}");
    });
}
