//! Cancel safety with the runtime: tasks waiting on `acquire`, `lock`, `recv`, `get`,
//! `put`, `notified` and `get_or_init` are aborted with `JoinHandle::abort` at
//! (seeded) random points, and afterwards every permit and every item is accounted
//! for by counting: none lost, none duplicated.
//!
//! The hand-on cases are also pinned down one by one: a waiter that was granted
//! permits, handed an item or a notification, or reserved a slot, and is aborted
//! before it runs, passes what it got on. (On the current-thread runtime it certainly
//! cannot run first; elsewhere the test accepts either outcome and counts.) Closing a
//! semaphore likewise gives back what its failed waiters had been assigned.
//!
//! Counting is exact because a task can only be cancelled at an `.await`: whatever a
//! task does between an operation completing and its next `.await` (recording the
//! item, bumping a counter) happens either entirely or not at all.
//!
//! Each body runs as a spawned task (`in_task`) because the aborting driver yields in
//! a loop, and a yielding `block_on` future starves the current-thread runtime's
//! other tasks (the bug shown in `sync_coop.rs`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use weft::queue::Queue;
use weft::sync::{Event, Mutex, Notify, OnceCell, Semaphore, mpsc, oneshot};
use weft::task::{JoinHandle, yield_now};
use weft_tests::sync_support::{Flavour, Rng, in_task, on_every_flavour, signal_when_pending};

const TASKS: usize = if cfg!(miri) { 4 } else { 32 };
const ABORTS: usize = if cfg!(miri) { 4 } else { 64 };

fn seed(flavour: Flavour) -> u64 {
    Flavour::ALL.iter().position(|f| *f == flavour).unwrap() as u64 + 17
}

/// Lets the other tasks run for a random little while.
async fn wander(rng: &mut Rng) {
    for _ in 0..rng.below(8) {
        yield_now().await;
    }
}

/// Awaits every handle; returns how many were cancelled. Panics are re-raised.
async fn join_all<T>(handles: Vec<JoinHandle<T>>) -> usize {
    let mut cancelled = 0;
    for h in handles {
        match h.await {
            Ok(_) => {}
            Err(e) if e.is_cancelled() => cancelled += 1,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    cancelled
}

/// Decrements `held` by `n` when dropped, so an aborted holder still counts down.
struct Held(Arc<AtomicUsize>, usize);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.fetch_sub(self.1, Ordering::SeqCst);
    }
}

const WAITING: u8 = 1;
const HOLDING: u8 = 2;

#[test]
fn aborted_semaphore_waiters_and_holders_lose_no_permit() {
    const PERMITS: usize = 4;
    on_every_flavour(|flavour| {
        in_task(async move {
            let mut rng = Rng::new(seed(flavour));
            let sem = Arc::new(Semaphore::new(PERMITS));
            let held = Arc::new(AtomicUsize::new(0));
            let states: Arc<Vec<AtomicU8>> =
                Arc::new((0..TASKS).map(|_| AtomicU8::new(0)).collect());
            let handles: Vec<_> = (0..TASKS)
                .map(|t| {
                    let (sem, held, states) = (sem.clone(), held.clone(), states.clone());
                    weft::spawn(async move {
                        let n = t % 3 + 1;
                        for _ in 0..200 {
                            states[t].store(WAITING, Ordering::SeqCst);
                            let permit = sem.acquire_many(n as u32).await.unwrap();
                            states[t].store(HOLDING, Ordering::SeqCst);
                            let now = held.fetch_add(n, Ordering::SeqCst) + n;
                            assert!(now <= PERMITS, "{now} permits held at once");
                            // Dropped (even by an abort) before the permit: `held` never
                            // undercounts what the semaphore has given out.
                            let _held = Held(held.clone(), n);
                            yield_now().await;
                            drop(_held);
                            drop(permit);
                        }
                    })
                })
                .collect();
            let mut aborted_while_waiting = 0;
            for _ in 0..ABORTS {
                wander(&mut rng).await;
                let t = rng.below(TASKS as u64) as usize;
                if states[t].load(Ordering::SeqCst) == WAITING {
                    aborted_while_waiting += 1;
                }
                handles[t].abort();
            }
            let cancelled = join_all(handles).await;
            assert!(cancelled > 0, "{flavour:?}: no abort landed");
            if flavour == Flavour::CurrentThread {
                // Deterministic here: the seed makes aborts hit queued waiters.
                assert!(aborted_while_waiting > 0, "no abort hit a waiting task");
            }
            assert_eq!(held.load(Ordering::SeqCst), 0, "{flavour:?}");
            assert_eq!(
                sem.available_permits(),
                PERMITS,
                "{flavour:?}: permits lost"
            );
            let all = sem.acquire_many(PERMITS as u32).await.unwrap();
            assert_eq!(all.num_permits(), PERMITS);
        })
    });
}

#[test]
fn a_granted_waiter_aborted_before_it_runs_hands_the_permit_on() {
    on_every_flavour(|flavour| {
        in_task(async move {
            let sem = Arc::new(Semaphore::new(1));
            let first = sem.acquire().await.unwrap();
            let (a_started, a_queued) = oneshot::channel();
            let s = sem.clone();
            let a = weft::spawn(async move {
                let _p = signal_when_pending(s.acquire(), a_started).await.unwrap();
            });
            a_queued.await.unwrap();
            let (b_started, b_queued) = oneshot::channel();
            let s = sem.clone();
            let b = weft::spawn(async move {
                let p = signal_when_pending(s.acquire(), b_started).await.unwrap();
                p.num_permits()
            });
            b_queued.await.unwrap();
            // The permit goes to `a` at once (it is the head); on the current-thread
            // runtime `a` cannot run before the abort, so it never sees the grant.
            drop(first);
            a.abort();
            let a_result = a.await;
            if flavour == Flavour::CurrentThread {
                assert!(a_result.unwrap_err().is_cancelled());
            }
            assert_eq!(
                b.await.unwrap(),
                1,
                "{flavour:?}: `b` got the handed-on permit"
            );
            assert_eq!(sem.available_permits(), 1, "{flavour:?}");
        })
    });
}

#[test]
fn aborted_mutex_waiters_and_holders_keep_the_count_exact() {
    on_every_flavour(|flavour| {
        in_task(async move {
            let mut rng = Rng::new(seed(flavour));
            let mutex = Arc::new(Mutex::new(0usize));
            let committed = Arc::new(AtomicUsize::new(0));
            let handles: Vec<_> = (0..TASKS)
                .map(|_| {
                    let (mutex, committed) = (mutex.clone(), committed.clone());
                    weft::spawn(async move {
                        for _ in 0..200 {
                            let mut guard = mutex.lock().await;
                            *guard += 1;
                            committed.fetch_add(1, Ordering::SeqCst);
                            // An abort here drops the guard with the task.
                            yield_now().await;
                            drop(guard);
                        }
                    })
                })
                .collect();
            for _ in 0..ABORTS {
                wander(&mut rng).await;
                handles[rng.below(TASKS as u64) as usize].abort();
            }
            let cancelled = join_all(handles).await;
            assert!(cancelled > 0, "{flavour:?}: no abort landed");
            let guard = mutex.try_lock().expect("the lock is free again");
            assert_eq!(*guard, committed.load(Ordering::SeqCst), "{flavour:?}");
            assert!(*guard >= (TASKS - cancelled) * 200, "{flavour:?}");
        })
    });
}

#[test]
fn aborted_receivers_lose_no_message() {
    on_every_flavour(|flavour| {
        in_task(async move {
            let mut rng = Rng::new(seed(flavour));
            let messages = if cfg!(miri) { 50 } else { 5_000 };
            let (tx, rx) = mpsc::channel::<usize>(16);
            // The receiver outlives the aborted tasks: they borrow it through a lock.
            let rx = Arc::new(Mutex::new(rx));
            let seen: Arc<Vec<AtomicUsize>> =
                Arc::new((0..messages).map(|_| AtomicUsize::new(0)).collect());
            let consumer = |rx: Arc<Mutex<mpsc::Receiver<usize>>>, seen: Arc<Vec<AtomicUsize>>| {
                weft::spawn(async move {
                    loop {
                        let mut guard = rx.lock().await;
                        match guard.recv().await {
                            Some(v) => seen[v].fetch_add(1, Ordering::SeqCst),
                            None => return,
                        };
                    }
                })
            };
            let mut handles: Vec<_> = (0..4).map(|_| consumer(rx.clone(), seen.clone())).collect();
            for v in 0..messages {
                tx.send(v).await.unwrap();
                if rng.below(64) == 0 {
                    // Abort one consumer and start a fresh one, so someone keeps receiving.
                    wander(&mut rng).await;
                    let i = rng.below(handles.len() as u64) as usize;
                    handles[i].abort();
                    handles.push(consumer(rx.clone(), seen.clone()));
                }
            }
            drop(tx);
            join_all(handles).await;
            // Whatever the consumers did not take is still in the channel.
            let mut rx = rx.try_lock().expect("no consumer holds the receiver");
            while let Ok(v) = rx.try_recv() {
                seen[v].fetch_add(1, Ordering::SeqCst);
            }
            for (v, n) in seen.iter().enumerate() {
                assert_eq!(n.load(Ordering::SeqCst), 1, "{flavour:?}: message {v}");
            }
        })
    });
}

#[test]
fn aborted_queue_getters_and_putters_lose_and_duplicate_nothing() {
    on_every_flavour(|flavour| {
        in_task(async move {
            let mut rng = Rng::new(seed(flavour));
            let per_putter = if cfg!(miri) { 20 } else { 500 };
            const PUTTERS: usize = 8;
            const GETTERS: usize = 8;
            let q = Queue::bounded(4);
            let items = PUTTERS * per_putter;
            let put: Arc<Vec<AtomicUsize>> =
                Arc::new((0..items).map(|_| AtomicUsize::new(0)).collect());
            let got: Arc<Vec<AtomicUsize>> =
                Arc::new((0..items).map(|_| AtomicUsize::new(0)).collect());
            let mut handles = Vec::new();
            for p in 0..PUTTERS {
                let (q, put) = (q.clone(), put.clone());
                handles.push(weft::spawn(async move {
                    for i in 0..per_putter {
                        let item = p * per_putter + i;
                        q.put(item).await.unwrap();
                        put[item].fetch_add(1, Ordering::SeqCst);
                    }
                }));
            }
            for _ in 0..GETTERS {
                let (q, got) = (q.clone(), got.clone());
                handles.push(weft::spawn(async move {
                    // Ends when the queue is closed and drained.
                    while let Ok(item) = q.get().await {
                        got[item].fetch_add(1, Ordering::SeqCst);
                        q.task_done().unwrap();
                    }
                }));
            }
            let mut aborts = 0;
            while aborts < ABORTS / 2 && handles.iter().any(|h| !h.is_finished()) {
                wander(&mut rng).await;
                handles[rng.below(handles.len() as u64) as usize].abort();
                aborts += 1;
            }
            // Let the survivors finish: the putters that are left complete, then the
            // getters drain until the queue is closed.
            let (putters, getters) = {
                let mut hs = handles;
                let getters = hs.split_off(PUTTERS);
                (hs, getters)
            };
            join_all(putters).await;
            q.close();
            join_all(getters).await;
            while let Ok(item) = q.try_get() {
                got[item].fetch_add(1, Ordering::SeqCst);
                q.task_done().unwrap();
            }
            for item in 0..items {
                let (p, g) = (
                    put[item].load(Ordering::SeqCst),
                    got[item].load(Ordering::SeqCst),
                );
                assert!(p <= 1, "{flavour:?}: item {item} put {p} times");
                assert_eq!(
                    g, p,
                    "{flavour:?}: item {item} put {p} times, got {g} times"
                );
            }
            // Every item accepted was marked done: `join` has nothing to wait for.
            q.join().await;
            assert!(q.is_empty());
        })
    });
}

#[test]
fn an_aborted_notified_that_was_handed_notify_one_passes_it_on() {
    on_every_flavour(|flavour| {
        in_task(async move {
            let notify = Arc::new(Notify::new());
            let mut waiters = Vec::new();
            for _ in 0..2 {
                let (started, queued) = oneshot::channel();
                let n = notify.clone();
                waiters.push(weft::spawn(async move {
                    signal_when_pending(n.notified(), started).await;
                }));
                queued.await.unwrap();
            }
            let (a, b) = (waiters.remove(0), waiters.remove(0));
            notify.notify_one();
            a.abort();
            match a.await {
                // `a` ran and consumed the notification before the abort: `b` needs its own.
                Ok(()) => notify.notify_one(),
                Err(e) => assert!(e.is_cancelled()),
            }
            b.await
                .expect("`b` was woken by the handed-on notification");
            let _ = flavour;
        })
    });
}

#[test]
fn aborted_once_cell_initializers_let_the_next_one_try_and_one_value_wins() {
    const CANCELLED_INITS: usize = 3;
    on_every_flavour(|flavour| {
        in_task(async move {
            let cell = Arc::new(OnceCell::new());
            // Initializers announce themselves, then wait for `go`.
            let (init_tx, mut init_rx) = mpsc::unbounded_channel();
            let go = Arc::new(Event::new());
            let inits_finished = Arc::new(AtomicUsize::new(0));
            let handles: Vec<_> = (0..TASKS)
                .map(|t| {
                    let (cell, init_tx, go, finished) = (
                        cell.clone(),
                        init_tx.clone(),
                        go.clone(),
                        inits_finished.clone(),
                    );
                    weft::spawn(async move {
                        *cell
                            .get_or_init(|| async move {
                                init_tx.send(t).unwrap();
                                go.wait().await;
                                // The value is stored in this same poll: no await follows.
                                finished.fetch_add(1, Ordering::SeqCst);
                                t
                            })
                            .await
                    })
                })
                .collect();
            // Cancel a few initializers midway; each time the next waiter must start its own.
            let mut cancelled = Vec::new();
            for _ in 0..CANCELLED_INITS {
                let t = init_rx.recv().await.unwrap();
                handles[t].abort();
                cancelled.push(t);
            }
            // Also abort a few tasks that are merely queued behind the initializer.
            let winner = init_rx.recv().await.unwrap();
            let bystanders: Vec<_> = (0..TASKS)
                .filter(|t| t % 7 == 3 && *t != winner && !cancelled.contains(t))
                .collect();
            for &t in &bystanders {
                handles[t].abort();
            }
            go.set();
            for (t, h) in handles.into_iter().enumerate() {
                match h.await {
                    Ok(v) => assert_eq!(v, winner, "{flavour:?}: task {t} saw another value"),
                    Err(e) => {
                        assert!(e.is_cancelled());
                        assert!(cancelled.contains(&t) || bystanders.contains(&t));
                    }
                }
            }
            assert!(!cancelled.contains(&winner));
            assert_eq!(cell.get(), Some(&winner), "{flavour:?}");
            assert_eq!(inits_finished.load(Ordering::SeqCst), 1, "{flavour:?}");
            // Nobody else started an initializer after the winner.
            assert!(
                init_rx.try_recv().is_err(),
                "{flavour:?}: an initializer ran after the winner"
            );
        })
    });
}

/// Spawns `future` and waits until its first poll returned `Pending`.
async fn spawn_waiting<F>(future: F) -> JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (started, queued) = oneshot::channel();
    let handle = weft::spawn(signal_when_pending(future, started));
    queued.await.expect("the future had to wait");
    handle
}

#[test]
fn a_getter_aborted_after_an_item_was_handed_to_it_puts_the_item_back() {
    on_every_flavour(|flavour| async move {
        let q = Queue::new();
        let q2 = q.clone();
        let getter = spawn_waiting(async move { q2.get().await }).await;
        // Handed straight to the waiting getter's node; on the current-thread runtime
        // the getter cannot run before the abort.
        q.put(7).await.unwrap();
        getter.abort();
        match getter.await {
            Ok(got) => assert_eq!(got, Ok(7)),
            Err(e) => {
                assert!(e.is_cancelled());
                assert_eq!(q.try_get(), Ok(7), "{flavour:?}: the item was lost");
            }
        }
        assert!(q.try_get().is_err(), "{flavour:?}: the item was duplicated");
        q.task_done().unwrap();
        q.join().await;
    });
}

#[test]
fn a_putter_aborted_after_a_slot_was_reserved_for_it_passes_the_slot_on() {
    on_every_flavour(|flavour| async move {
        let q = Queue::bounded(1);
        q.put(0).await.unwrap();
        let q2 = q.clone();
        let a = spawn_waiting(async move { q2.put(1).await }).await;
        let q2 = q.clone();
        let b = spawn_waiting(async move { q2.put(2).await }).await;
        // Frees the slot and reserves it for `a`.
        assert_eq!(q.get().await, Ok(0));
        a.abort();
        let a_put = match a.await {
            Ok(res) => res.is_ok(),
            Err(e) => {
                assert!(e.is_cancelled());
                false
            }
        };
        if a_put {
            // `a` ran first and put its item: take it so that `b` gets room.
            assert_eq!(q.get().await, Ok(1), "{flavour:?}");
        }
        b.await.unwrap().expect("`b` got the slot");
        assert_eq!(q.get().await, Ok(2), "{flavour:?}");
        assert!(
            q.is_empty() && !q.is_full(),
            "{flavour:?}: a reserved slot leaked"
        );
        q.try_put(3).expect("the one slot is free again");
    });
}

#[test]
fn an_mpsc_sender_aborted_after_room_was_granted_to_it_passes_the_room_on() {
    on_every_flavour(|flavour| async move {
        let (tx, mut rx) = mpsc::channel(1);
        tx.send(0).await.unwrap();
        let tx_a = tx.clone();
        let a = spawn_waiting(async move { tx_a.send(1).await.is_ok() }).await;
        let tx_b = tx.clone();
        let b = spawn_waiting(async move { tx_b.send(2).await.is_ok() }).await;
        assert_eq!(rx.recv().await, Some(0));
        a.abort();
        let a_sent = a.await.unwrap_or(false);
        let mut got = Vec::new();
        if a_sent {
            got.push(rx.recv().await.unwrap());
        }
        assert!(b.await.unwrap(), "{flavour:?}: `b` got the room");
        got.push(rx.recv().await.unwrap());
        assert_eq!(got.last(), Some(&2), "{flavour:?}");
        assert_eq!(tx.capacity(), tx.max_capacity(), "{flavour:?}: room leaked");
        drop(tx);
        assert_eq!(rx.recv().await, None);
    });
}

#[test]
fn closing_a_semaphore_fails_its_waiters_and_gives_back_what_they_held() {
    on_every_flavour(|flavour| async move {
        let sem = Arc::new(Semaphore::new(2));
        let s = sem.clone();
        // Takes the two free permits into its node and waits for three more.
        let big = spawn_waiting(async move { s.acquire_many(5).await.is_err() }).await;
        let s = sem.clone();
        let small = spawn_waiting(async move { s.acquire().await.is_err() }).await;
        assert_eq!(sem.available_permits(), 0);
        sem.close();
        assert!(big.await.unwrap(), "{flavour:?}: the big waiter failed");
        assert!(small.await.unwrap(), "{flavour:?}: the small waiter failed");
        assert_eq!(
            sem.available_permits(),
            2,
            "{flavour:?}: partial permits lost"
        );
        assert_eq!(
            sem.try_acquire().err(),
            Some(weft::sync::TryAcquireError::Closed)
        );
        assert!(sem.acquire().await.is_err());
    });
}
