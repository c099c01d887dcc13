//! No lost wake-ups: every `weft::sync` primitive under many tasks on the real runtime,
//! on every scheduler flavour (the two-worker one is where races live). Each test counts
//! what went through and checks the exact total, so a lost wake-up shows as a hang or a
//! short count, and a duplicated one as an excess.
//!
//! Loop counts: the full counts of the brief (100 000 semaphore rounds, 10 000
//! ping-pongs, 8 × 10 000 messages, 10 000 oneshots) run in debug builds too (the
//! whole file takes a few seconds there); only Miri scales them down.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use weft::sync::{Mutex, Notify, RwLock, Semaphore, broadcast, mpsc, oneshot, watch};
use weft::task::yield_now;
use weft_tests::sync_support::{Flavour, on_every_flavour, scaled};

const TASKS: usize = if cfg!(miri) { 4 } else { 50 };

#[test]
fn semaphore_rounds_all_finish_and_never_exceed_the_permits() {
    const PERMITS: usize = 4;
    on_every_flavour(|flavour| async move {
        let rounds_per_task = scaled(100_000) / TASKS;
        let sem = Arc::new(Semaphore::new(PERMITS));
        let held = Arc::new(AtomicUsize::new(0));
        let acquisitions = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..TASKS)
            .map(|t| {
                let (sem, held, acquisitions) = (sem.clone(), held.clone(), acquisitions.clone());
                weft::spawn(async move {
                    // Every fifth task asks for two permits at once, so partially
                    // assigned waiters are part of the mix.
                    let n = if t % 5 == 0 { 2 } else { 1 };
                    for round in 0..rounds_per_task {
                        let permit = sem.acquire_many(n as u32).await.expect("never closed");
                        let now = held.fetch_add(n, Ordering::SeqCst) + n;
                        assert!(now <= PERMITS, "{now} permits held at once of {PERMITS}");
                        acquisitions.fetch_add(1, Ordering::Relaxed);
                        if round % 3 == 0 {
                            // Hold across a yield so that others queue behind us.
                            yield_now().await;
                        }
                        held.fetch_sub(n, Ordering::SeqCst);
                        drop(permit);
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.expect("the task did not panic");
        }
        assert_eq!(
            acquisitions.load(Ordering::Relaxed),
            rounds_per_task * TASKS,
            "{flavour:?}"
        );
        assert_eq!(
            sem.available_permits(),
            PERMITS,
            "{flavour:?}: permits leaked"
        );
        assert!(sem.try_acquire_many(PERMITS as u32).is_ok(), "{flavour:?}");
    });
}

#[test]
fn mutex_counter_ends_exact() {
    on_every_flavour(|flavour| async move {
        let per_task = scaled(100_000) / TASKS;
        let counter = Arc::new(Mutex::new(0usize));
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                let counter = counter.clone();
                weft::spawn(async move {
                    for i in 0..per_task {
                        let mut guard = counter.lock().await;
                        // A non-atomic read-modify-write split by a yield: only mutual
                        // exclusion keeps it exact.
                        let seen = *guard;
                        if i % 4 == 0 {
                            yield_now().await;
                        }
                        *guard = seen + 1;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.expect("the task did not panic");
        }
        assert_eq!(*counter.lock().await, per_task * TASKS, "{flavour:?}");
        assert!(counter.try_lock().is_ok(), "{flavour:?}: lock left held");
    });
}

#[test]
fn rwlock_readers_never_see_a_half_write() {
    on_every_flavour(|flavour| async move {
        let per_task = scaled(20_000) / TASKS;
        let lock = Arc::new(RwLock::new((0usize, 0usize)));
        let writing = Arc::new(AtomicUsize::new(0));
        let reads = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..TASKS)
            .map(|t| {
                let (lock, writing, reads) = (lock.clone(), writing.clone(), reads.clone());
                weft::spawn(async move {
                    let writer = t % 4 == 0;
                    for _ in 0..per_task {
                        if writer {
                            let mut guard = lock.write().await;
                            assert_eq!(writing.fetch_add(1, Ordering::SeqCst), 0, "two writers");
                            guard.0 += 1;
                            yield_now().await;
                            guard.1 += 1;
                            writing.fetch_sub(1, Ordering::SeqCst);
                        } else {
                            let guard = lock.read().await;
                            assert_eq!(writing.load(Ordering::SeqCst), 0, "read during a write");
                            assert_eq!(guard.0, guard.1, "half a write seen");
                            reads.fetch_add(1, Ordering::Relaxed);
                            yield_now().await;
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.expect("the task did not panic");
        }
        let writers = TASKS.div_ceil(4);
        assert_eq!(
            *lock.read().await,
            (writers * per_task, writers * per_task),
            "{flavour:?}"
        );
        assert_eq!(
            reads.load(Ordering::Relaxed),
            (TASKS - writers) * per_task,
            "{flavour:?}"
        );
        assert!(lock.try_write().is_ok(), "{flavour:?}: lock left held");
    });
}

#[test]
fn notify_ping_pong_between_two_tasks() {
    on_every_flavour(|flavour| async move {
        let rounds = scaled(10_000);
        let ping = Arc::new(Notify::new());
        let pong = Arc::new(Notify::new());
        let (ping2, pong2) = (ping.clone(), pong.clone());
        let ponger = weft::spawn(async move {
            let mut answered = 0;
            for _ in 0..rounds {
                ping2.notified().await;
                pong2.notify_one();
                answered += 1;
            }
            answered
        });
        let pinger = weft::spawn(async move {
            let mut answers = 0;
            for _ in 0..rounds {
                ping.notify_one();
                pong.notified().await;
                answers += 1;
            }
            answers
        });
        assert_eq!(pinger.await.unwrap(), rounds, "{flavour:?}");
        assert_eq!(ponger.await.unwrap(), rounds, "{flavour:?}");
    });
}

#[test]
fn mpsc_bounded_keeps_each_producers_order_and_loses_nothing() {
    const PRODUCERS: usize = 8;
    on_every_flavour(|flavour| async move {
        let per_producer = scaled(10_000);
        let (tx, mut rx) = mpsc::channel::<(usize, usize)>(16);
        for p in 0..PRODUCERS {
            let tx = tx.clone();
            weft::spawn(async move {
                for seq in 0..per_producer {
                    tx.send((p, seq)).await.expect("the receiver is alive");
                }
            });
        }
        drop(tx);
        let mut next = [0usize; PRODUCERS];
        let mut total = 0;
        // `None` comes only once every producer finished and dropped its sender.
        while let Some((p, seq)) = rx.recv().await {
            assert_eq!(seq, next[p], "{flavour:?}: producer {p} out of order");
            next[p] += 1;
            total += 1;
        }
        assert_eq!(total, PRODUCERS * per_producer, "{flavour:?}");
        assert!(
            next.iter().all(|&n| n == per_producer),
            "{flavour:?}: {next:?}"
        );
    });
}

#[test]
fn oneshot_pairs_across_tasks() {
    on_every_flavour(|flavour| async move {
        let pairs = scaled(10_000);
        let mut receivers = Vec::with_capacity(pairs);
        let mut senders = Vec::with_capacity(pairs);
        for i in 0..pairs {
            let (tx, rx) = oneshot::channel::<usize>();
            // The receiving task starts first, so most receives really wait.
            receivers.push(weft::spawn(
                async move { rx.await.expect("the sender sends") },
            ));
            senders.push(weft::spawn(async move {
                tx.send(i).expect("the receiver is alive");
            }));
        }
        for s in senders {
            s.await.unwrap();
        }
        let mut sum = 0;
        for (i, r) in receivers.into_iter().enumerate() {
            let got = r.await.unwrap();
            assert_eq!(got, i, "{flavour:?}");
            sum += got;
        }
        assert_eq!(sum, pairs * (pairs - 1) / 2, "{flavour:?}");
    });
}

#[test]
fn broadcast_reaches_four_receivers_in_order() {
    const RECEIVERS: usize = 4;
    // Receivers hand back one credit per value; the sender spends one per receiver
    // before each send, so no receiver ever falls more than `CREDIT` values behind
    // and lag cannot hide a lost value.
    const CREDIT: usize = 8;
    on_every_flavour(|flavour| async move {
        let values = scaled(10_000);
        let (tx, rx) = broadcast::channel::<usize>(4 * CREDIT);
        let credit = Arc::new(Semaphore::new(RECEIVERS * CREDIT));
        let mut rxs = vec![rx];
        rxs.extend((1..RECEIVERS).map(|_| tx.subscribe()));
        let handles: Vec<_> = rxs
            .into_iter()
            .map(|mut rx| {
                let credit = credit.clone();
                weft::spawn(async move {
                    let mut expected = 0;
                    loop {
                        match rx.recv().await {
                            Ok(v) => {
                                assert_eq!(v, expected, "out of order or lost");
                                expected += 1;
                                credit.add_permits(1);
                            }
                            Err(broadcast::RecvError::Closed) => return expected,
                            Err(e) => panic!("unexpected {e:?}"),
                        }
                    }
                })
            })
            .collect();
        for v in 0..values {
            credit
                .acquire_many(RECEIVERS as u32)
                .await
                .expect("never closed")
                .forget();
            assert_eq!(tx.send(v).expect("receivers alive"), RECEIVERS);
        }
        drop(tx);
        for h in handles {
            assert_eq!(h.await.unwrap(), values, "{flavour:?}");
        }
    });
}

#[test]
fn watch_receiver_observes_every_change_in_lockstep_and_the_last_one_free_running() {
    on_every_flavour(|flavour| async move {
        let changes = scaled(10_000);
        // Lockstep: the sender waits for each change to be observed.
        let (tx, mut rx) = watch::channel(0usize);
        let seen_one = Arc::new(Notify::new());
        let seen = seen_one.clone();
        let observer = weft::spawn(async move {
            let mut observed = Vec::new();
            while rx.changed().await.is_ok() {
                observed.push(*rx.borrow_and_update());
                seen.notify_one();
            }
            observed
        });
        for v in 1..=changes {
            tx.send(v).expect("the receiver is alive");
            seen_one.notified().await;
        }
        drop(tx);
        let observed = observer.await.unwrap();
        assert_eq!(observed, (1..=changes).collect::<Vec<_>>(), "{flavour:?}");

        // Free running: values may be skipped, but what is seen only grows and the
        // last value is always seen.
        let (tx, mut rx) = watch::channel(0usize);
        let observer = weft::spawn(async move {
            let (mut last, mut count) = (0, 0);
            while rx.changed().await.is_ok() {
                let v = *rx.borrow_and_update();
                assert!(v > last, "watch went back from {last} to {v}");
                (last, count) = (v, count + 1);
            }
            (last, count)
        });
        for v in 1..=changes {
            tx.send(v).expect("the receiver is alive");
            if v % 64 == 0 {
                yield_now().await;
            }
        }
        drop(tx);
        let (last, count) = observer.await.unwrap();
        assert_eq!(last, changes, "{flavour:?}: the last change was lost");
        assert!((1..=changes).contains(&count), "{flavour:?}");
        if flavour == Flavour::CurrentThread {
            // Nothing ran between our sends except at the yields.
            assert!(count <= changes / 64 + 1, "{count}");
        }
    });
}

#[test]
fn mpsc_blocking_ends_on_plain_threads_meet_tasks() {
    on_every_flavour(|flavour| async move {
        let messages = scaled(10_000);
        // Threads send into a task; tasks send into a thread.
        let (to_task, mut task_rx) = mpsc::channel::<usize>(16);
        let (to_thread, mut thread_rx) = mpsc::channel::<usize>(16);
        let sender = std::thread::spawn(move || {
            for i in 0..messages {
                to_task.blocking_send(i).expect("the task receives");
            }
        });
        let receiver = std::thread::spawn(move || {
            let mut expected = 0;
            while let Some(i) = thread_rx.blocking_recv() {
                assert_eq!(i, expected);
                expected += 1;
            }
            expected
        });
        let forwarder = weft::spawn(async move {
            let mut expected = 0;
            while let Some(i) = task_rx.recv().await {
                assert_eq!(i, expected);
                expected += 1;
                to_thread.send(i).await.expect("the thread receives");
            }
            expected
        });
        assert_eq!(forwarder.await.unwrap(), messages, "{flavour:?}");
        let received = weft::spawn_blocking(move || {
            sender.join().unwrap();
            receiver.join().unwrap()
        })
        .await
        .unwrap();
        assert_eq!(received, messages, "{flavour:?}");
    });
}
