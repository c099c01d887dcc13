//! `Queue::close` and `Queue::close_now` on the real runtime, on every flavour.
//!
//! `close`: puts fail at once (waiting ones too, with their item handed back), gets
//! drain what is queued and then fail, waiting getters fail, and `join` still waits
//! for the items taken. `close_now`: the same, and the queued items are dropped and
//! counted as done, so `join` is released once the items already taken are done.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use weft::queue::{GetError, PutError, Queue, TryGetError, TryPutError};
use weft::sync::oneshot;
use weft::task::JoinHandle;
use weft_tests::sync_support::{on_every_flavour, signal_when_pending};

/// Spawns `n` getters on `q`, each confirmed waiting before the next.
async fn waiting_getters<T: Send + 'static>(
    q: &Queue<T>,
    n: usize,
) -> Vec<JoinHandle<Result<T, GetError>>> {
    let mut handles = Vec::new();
    for _ in 0..n {
        let (started, queued) = oneshot::channel();
        let q = q.clone();
        handles.push(weft::spawn(async move {
            signal_when_pending(q.get(), started).await
        }));
        queued
            .await
            .expect("the queue is empty, so the getter waits");
    }
    handles
}

/// Spawns a putter of `item` on the full queue `q`, confirmed waiting.
async fn waiting_putter<T: Send + 'static>(
    q: &Queue<T>,
    item: T,
) -> JoinHandle<Result<(), PutError<T>>> {
    let (started, queued) = oneshot::channel();
    let q = q.clone();
    let handle = weft::spawn(async move { signal_when_pending(q.put(item), started).await });
    queued
        .await
        .expect("the queue is full, so the putter waits");
    handle
}

/// Spawns a joiner of `q`, confirmed waiting.
async fn waiting_joiner<T: Send + 'static>(q: &Queue<T>) -> JoinHandle<()> {
    let (started, queued) = oneshot::channel();
    let q = q.clone();
    let handle = weft::spawn(async move { signal_when_pending(q.join(), started).await });
    queued
        .await
        .expect("items are unfinished, so the joiner waits");
    handle
}

#[test]
fn close_fails_puts_at_once_and_lets_gets_drain_then_fail() {
    on_every_flavour(|flavour| async move {
        let q = Queue::bounded(2);
        q.put(1).await.unwrap();
        q.put(2).await.unwrap();
        let putter = waiting_putter(&q, 3).await;
        let joiner = waiting_joiner(&q).await;
        q.close();
        assert!(q.is_closed());
        // The waiting putter fails and gets its item back.
        assert_eq!(
            putter.await.unwrap().map_err(PutError::into_inner),
            Err(3),
            "{flavour:?}"
        );
        // New puts fail at once, async, non-blocking and from threads alike.
        assert_eq!(q.try_put(4), Err(TryPutError::Closed(4)));
        assert_eq!(q.put(5).await.map_err(PutError::into_inner), Err(5));
        let q2 = q.clone();
        let from_thread = thread::spawn(move || q2.put_blocking(6).map_err(PutError::into_inner));
        // Gets drain what is left, in order, then fail.
        assert_eq!(q.get().await, Ok(1), "{flavour:?}");
        assert_eq!(q.try_get(), Ok(2), "{flavour:?}");
        assert!(
            q.get().await.is_err(),
            "{flavour:?}: a drained closed queue"
        );
        assert_eq!(q.try_get(), Err(TryGetError::Closed));
        let q2 = q.clone();
        let get_from_thread = thread::spawn(move || q2.get_blocking().is_err());
        let (put_res, get_failed) = weft::spawn_blocking(move || {
            (from_thread.join().unwrap(), get_from_thread.join().unwrap())
        })
        .await
        .unwrap();
        assert_eq!(put_res, Err(6));
        assert!(get_failed);
        // `close` does not finish the items taken: `join` waits for their task_done.
        assert!(!joiner.is_finished());
        q.task_done().unwrap();
        q.task_done().unwrap();
        joiner.await.unwrap();
        assert!(q.task_done().is_err());
    });
}

#[test]
fn close_fails_every_waiting_getter() {
    on_every_flavour(|flavour| async move {
        let q = Queue::<usize>::new();
        let getters = waiting_getters(&q, 8).await;
        q.close();
        for g in getters {
            assert!(g.await.unwrap().is_err(), "{flavour:?}");
        }
    });
}

/// An item that counts its drops.
#[derive(Debug)]
struct Counted(usize, Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn close_now_drops_the_queued_items_and_releases_join_after_the_taken_ones() {
    on_every_flavour(|flavour| async move {
        let drops = Arc::new(AtomicUsize::new(0));
        let q = Queue::bounded(5);
        for i in 0..5 {
            q.put(Counted(i, drops.clone())).await.unwrap();
        }
        let taken = [q.get().await.unwrap(), q.get().await.unwrap()];
        assert_eq!([taken[0].0, taken[1].0], [0, 1]);
        q.put(Counted(5, drops.clone())).await.unwrap();
        q.put(Counted(6, drops.clone())).await.unwrap();
        let putter = waiting_putter(&q, Counted(7, drops.clone())).await;
        let joiner = waiting_joiner(&q).await;
        q.close_now();
        // Items 2..=6 were dropped by the queue, before `close_now` returned.
        assert_eq!(drops.load(Ordering::SeqCst), 5, "{flavour:?}");
        assert!(q.is_empty() && q.is_closed());
        assert!(q.get().await.is_err(), "{flavour:?}");
        // The waiting putter's item comes back to it, not dropped by the queue.
        let returned = putter.await.unwrap().unwrap_err().into_inner();
        assert_eq!(returned.0, 7);
        drop(returned);
        assert_eq!(drops.load(Ordering::SeqCst), 6);
        // The two taken items are still unfinished: `join` waits for them only.
        assert!(
            !joiner.is_finished(),
            "{flavour:?}: released before the taken items were done"
        );
        drop(taken);
        q.task_done().unwrap();
        q.task_done().unwrap();
        joiner.await.unwrap();
        assert!(
            q.task_done().is_err(),
            "{flavour:?}: dropped items count as done"
        );
        assert_eq!(drops.load(Ordering::SeqCst), 8);
    });
}

#[test]
fn close_now_fails_waiting_getters_and_releases_an_idle_join() {
    on_every_flavour(|flavour| async move {
        let q = Queue::<usize>::new();
        let getters = waiting_getters(&q, 4).await;
        q.close_now();
        for g in getters {
            assert!(g.await.unwrap().is_err(), "{flavour:?}");
        }
        q.join().await;
    });
}
