//! Storage disciplines on the real runtime: `PriorityQueue` hands out the smallest
//! item first and `LifoQueue` the newest, whichever tasks put them; a bounded
//! `PriorityQueue` still applies backpressure.

use weft::queue::{LifoQueue, PriorityQueue};
use weft::sync::oneshot;
use weft_tests::sync_support::{Rng, on_every_flavour, signal_when_pending};

const PUTTERS: usize = 4;

#[test]
fn priority_queue_hands_out_the_smallest_first_whoever_put_them() {
    let items = if cfg!(miri) { 40 } else { 2_000 };
    on_every_flavour(|flavour| async move {
        let q = PriorityQueue::new();
        // Every putter puts a shuffled quarter of 0..items, with ties on the priority
        // broken by the second field.
        let mut rng = Rng::new(3);
        let mut putters = Vec::new();
        for p in 0..PUTTERS {
            let mut mine: Vec<_> = (0..items).filter(|i| i % PUTTERS == p).collect();
            for i in (1..mine.len()).rev() {
                mine.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let q = q.clone();
            putters.push(weft::spawn(async move {
                for i in mine {
                    q.put((i / 2, i)).await.unwrap();
                }
            }));
        }
        for p in putters {
            p.await.unwrap();
        }
        let mut out = Vec::with_capacity(items);
        while let Ok(item) = q.try_get() {
            out.push(item);
        }
        let expected: Vec<_> = (0..items).map(|i| (i / 2, i)).collect();
        assert_eq!(out, expected, "{flavour:?}");
    });
}

#[test]
fn lifo_queue_hands_out_the_newest_first() {
    on_every_flavour(|flavour| async move {
        let q = LifoQueue::new();
        let q2 = q.clone();
        weft::spawn(async move {
            for i in 0..100 {
                q2.put(i).await.unwrap();
            }
        })
        .await
        .unwrap();
        let mut out = Vec::new();
        for _ in 0..50 {
            out.push(q.get().await.unwrap());
        }
        // Newer items put in between come out before the older ones left.
        q.put(1_000).await.unwrap();
        q.put(1_001).await.unwrap();
        while let Ok(i) = q.try_get() {
            out.push(i);
        }
        let mut expected: Vec<_> = (50..100).rev().collect();
        expected.extend([1_001, 1_000]);
        expected.extend((0..50).rev());
        assert_eq!(out, expected, "{flavour:?}");
    });
}

#[test]
fn bounded_priority_queue_waits_for_room_then_orders() {
    on_every_flavour(|flavour| async move {
        let q = PriorityQueue::bounded(3);
        for i in [5, 1, 3] {
            q.put(i).await.unwrap();
        }
        assert!(q.is_full());
        let (started, queued) = oneshot::channel();
        let q2 = q.clone();
        let putter = weft::spawn(async move { signal_when_pending(q2.put(0), started).await });
        queued.await.expect("the queue is full");
        assert_eq!(q.len(), 3, "{flavour:?}");
        // Taking the smallest frees a slot for the waiting putter's 0.
        assert_eq!(q.get().await, Ok(1), "{flavour:?}");
        putter.await.unwrap().unwrap();
        let mut rest = Vec::new();
        while let Ok(i) = q.try_get() {
            rest.push(i);
        }
        assert_eq!(rest, [0, 3, 5], "{flavour:?}");
    });
}
