//! `weft::queue::Queue` shared by runtime tasks (`put`/`get`) and plain threads
//! (`put_blocking`/`get_blocking`) at once, on every flavour: every item is delivered
//! exactly once, each producer's order is kept, a bounded queue never holds more than
//! its capacity, and `join` returns only after the last `task_done`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use weft::queue::Queue;
use weft::sync::oneshot;
use weft_tests::sync_support::{on_every_flavour, scaled, signal_when_pending};

const CAPACITY: usize = 8;

/// Joins plain threads from inside a runtime without blocking a worker.
async fn join_threads(threads: Vec<thread::JoinHandle<()>>) {
    weft::spawn_blocking(move || {
        for t in threads {
            t.join().expect("the thread did not panic");
        }
    })
    .await
    .unwrap();
}

#[test]
fn tasks_and_threads_produce_and_consume_together_and_join_waits_for_the_last_task_done() {
    // Two producers and two consumers of each kind.
    const KIND: usize = 2;
    on_every_flavour(|flavour| async move {
        let per_producer = scaled(5_000);
        let items = 2 * KIND * per_producer;
        let q = Queue::bounded(CAPACITY);
        let got: Arc<Vec<AtomicUsize>> =
            Arc::new((0..items).map(|_| AtomicUsize::new(0)).collect());
        let processed = Arc::new(AtomicUsize::new(0));
        let mut threads = Vec::new();
        let mut producers_done = Vec::new();
        let mut tasks = Vec::new();
        for p in 0..2 * KIND {
            let q = q.clone();
            let ids = p * per_producer..(p + 1) * per_producer;
            if p < KIND {
                let (done_tx, done_rx) = oneshot::channel();
                producers_done.push(done_rx);
                threads.push(thread::spawn(move || {
                    for id in ids {
                        q.put_blocking(id).expect("open while producing");
                    }
                    done_tx.send(()).unwrap();
                }));
            } else {
                tasks.push(weft::spawn(async move {
                    for id in ids {
                        q.put(id).await.expect("open while producing");
                    }
                }));
            }
        }
        let consume = {
            let (q, got, processed) = (q.clone(), got.clone(), processed.clone());
            move |id: usize| {
                assert!(q.len() <= CAPACITY, "a bounded queue over capacity");
                got[id].fetch_add(1, Ordering::SeqCst);
                // Counted before `task_done`, so `join` must see it.
                processed.fetch_add(1, Ordering::SeqCst);
                q.task_done().expect("one task_done per item");
            }
        };
        for c in 0..2 * KIND {
            let (q, consume) = (q.clone(), consume.clone());
            if c < KIND {
                threads.push(thread::spawn(move || {
                    // Ends when the queue is closed and drained.
                    while let Ok(id) = q.get_blocking() {
                        consume(id);
                    }
                }));
            } else {
                tasks.push(weft::spawn(async move {
                    while let Ok(id) = q.get().await {
                        consume(id);
                    }
                }));
            }
        }
        for done in producers_done {
            done.await.unwrap();
        }
        // Every item is put once the producer tasks are done too; they are the first
        // `KIND` task handles.
        let consumer_tasks = tasks.split_off(KIND);
        for t in tasks {
            t.await.unwrap();
        }
        q.join().await;
        assert_eq!(
            processed.load(Ordering::SeqCst),
            items,
            "{flavour:?}: join returned early"
        );
        q.close();
        for t in consumer_tasks {
            t.await.unwrap();
        }
        join_threads(threads).await;
        for (id, n) in got.iter().enumerate() {
            assert_eq!(n.load(Ordering::SeqCst), 1, "{flavour:?}: item {id}");
        }
        assert!(q.is_empty());
    });
}

#[test]
fn one_consumer_sees_each_producers_items_in_order() {
    const PRODUCERS: usize = 4;
    on_every_flavour(|flavour| async move {
        let per_producer = scaled(2_000);
        let q = Queue::bounded(CAPACITY);
        let mut threads = Vec::new();
        for p in 0..PRODUCERS {
            let q = q.clone();
            if p % 2 == 0 {
                threads.push(thread::spawn(move || {
                    for seq in 0..per_producer {
                        q.put_blocking((p, seq)).unwrap();
                    }
                }));
            } else {
                weft::spawn(async move {
                    for seq in 0..per_producer {
                        q.put((p, seq)).await.unwrap();
                    }
                });
            }
        }
        let mut next = [0; PRODUCERS];
        for _ in 0..PRODUCERS * per_producer {
            let (p, seq) = q.get().await.unwrap();
            assert_eq!(seq, next[p], "{flavour:?}: producer {p} out of order");
            next[p] += 1;
        }
        assert_eq!(q.try_get().ok(), None);
        join_threads(threads).await;
    });
}

#[test]
fn join_returns_only_after_the_last_task_done_from_another_thread() {
    on_every_flavour(|flavour| async move {
        let q = Queue::new();
        // Nothing unfinished: completes at once.
        q.join().await;
        for i in 0..3 {
            q.put(i).await.unwrap();
        }
        for _ in 0..3 {
            q.get().await.unwrap();
        }
        q.task_done().unwrap();
        q.task_done().unwrap();
        // Several joiners, each confirmed waiting.
        let mut joiners = Vec::new();
        for _ in 0..3 {
            let (started, queued) = oneshot::channel();
            let q2 = q.clone();
            joiners.push(weft::spawn(async move {
                signal_when_pending(q2.join(), started).await
            }));
            queued.await.expect("one item is still unfinished");
        }
        assert!(
            joiners.iter().all(|j| !j.is_finished()),
            "{flavour:?}: released early"
        );
        let q2 = q.clone();
        let finisher = thread::spawn(move || q2.task_done().unwrap());
        for j in joiners {
            j.await.unwrap();
        }
        join_threads(vec![finisher]).await;
        // A joiner that comes after new items waits for those, not the old ones.
        q.put(9).await.unwrap();
        let (started, queued) = oneshot::channel();
        let q2 = q.clone();
        let joiner = weft::spawn(async move { signal_when_pending(q2.join(), started).await });
        queued.await.expect("the new item is unfinished");
        assert_eq!(q.get().await, Ok(9));
        q.task_done().unwrap();
        joiner.await.unwrap();
    });
}

#[test]
fn a_full_queue_holds_back_putters_from_tasks_and_threads() {
    on_every_flavour(|flavour| async move {
        let q = Queue::bounded(2);
        q.try_put(0).unwrap();
        q.try_put(1).unwrap();
        assert!(q.is_full());
        assert!(q.try_put(99).is_err());
        // A task putter, confirmed waiting.
        let (started, queued) = oneshot::channel();
        let q2 = q.clone();
        let task_putter = weft::spawn(async move { signal_when_pending(q2.put(2), started).await });
        queued.await.expect("the queue is full");
        assert_eq!(q.len(), 2, "{flavour:?}");
        // A thread putter; it may or may not be blocked yet when we start taking.
        let q2 = q.clone();
        let thread_putter = thread::spawn(move || q2.put_blocking(3).unwrap());
        let mut taken = Vec::new();
        while taken.len() < 4 {
            assert!(q.len() <= 2, "{flavour:?}: over capacity");
            taken.push(q.get().await.unwrap());
        }
        task_putter.await.unwrap().unwrap();
        join_threads(vec![thread_putter]).await;
        // The queued items come first. The freed slots go to the putters in line, but
        // each putter moves its item in when it next runs, so the two waiting items
        // may land in either order.
        assert_eq!(taken[..2], [0, 1], "{flavour:?}");
        taken[2..].sort_unstable();
        assert_eq!(taken[2..], [2, 3], "{flavour:?}");
        assert!(q.is_empty());
    });
}
