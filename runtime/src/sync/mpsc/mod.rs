//! Multi-producer, single-consumer channels: [`channel`] (bounded, with backpressure)
//! and [`unbounded_channel`].
//!
//! Both share one core (`chan`): the message store, and the receiver's waker, which
//! senders touch only while the receiver is parked. The bounded channel adds a fair
//! [`Semaphore`](crate::sync::Semaphore) of free slots, so senders waiting for room
//! are served in order, and keeps its values in a lock-free ring (`ring`) whose free
//! slots are exactly those permits; the unbounded channel keeps a locked queue.

mod bounded;
mod chan;
pub mod error;
mod ring;
mod unbounded;

pub use bounded::{Permit, Receiver, Sender, channel};
pub use unbounded::{UnboundedReceiver, UnboundedSender, unbounded_channel};

#[cfg(all(test, not(loom)))]
mod tests {
    use super::error::{TryRecvError, TrySendError};
    use super::*;
    use crate::sync::test_util::{CountWaker, Rng, block_on, iters, poll_once, poll_with};
    use std::pin::pin;
    use std::task::{Poll, Waker};

    #[test]
    fn bounded_backpressure_and_order() {
        let (tx, mut rx) = channel(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        assert_eq!(tx.try_send(3), Err(TrySendError::Full(3)));
        let count = CountWaker::new();
        let waker = Waker::from(count.clone());
        let mut send = pin!(tx.send(3));
        assert!(poll_with(send.as_mut(), &waker).is_pending());
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(count.count(), 1, "a freed slot wakes the waiting sender");
        assert!(poll_once(send.as_mut()).is_ready());
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(rx.try_recv(), Ok(3));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    }

    #[test]
    fn dropping_every_sender_ends_the_stream() {
        let (tx, mut rx) = channel::<u8>(1);
        let tx2 = tx.clone();
        let count = CountWaker::new();
        let mut recv = pin!(rx.recv());
        assert!(poll_with(recv.as_mut(), &Waker::from(count.clone())).is_pending());
        drop(tx);
        assert_eq!(count.count(), 0);
        drop(tx2);
        assert_eq!(count.count(), 1);
        assert_eq!(poll_once(recv.as_mut()), Poll::Ready(None));
    }

    #[test]
    fn closing_the_receiver_fails_waiting_senders() {
        let (tx, mut rx) = channel(1);
        tx.try_send(1).unwrap();
        let mut send = pin!(tx.send(2));
        assert!(poll_once(send.as_mut()).is_pending());
        let mut closed = pin!(tx.closed());
        assert!(poll_once(closed.as_mut()).is_pending());
        rx.close();
        assert!(matches!(
            poll_once(send.as_mut()),
            Poll::Ready(Err(error::SendError(2)))
        ));
        assert!(poll_once(closed.as_mut()).is_ready());
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    }

    #[test]
    fn only_a_parked_receiver_is_woken() {
        let (tx, mut rx) = channel(4);
        let count = CountWaker::new();
        let waker = Waker::from(count.clone());
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(rx.poll_recv(&mut cx).is_pending());
        for i in 0..3 {
            tx.try_send(i).unwrap();
        }
        assert_eq!(
            count.count(),
            1,
            "one wake-up for the parked receiver, not one per value"
        );
        for i in 0..3 {
            assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(i)));
        }
        assert!(rx.poll_recv(&mut cx).is_pending());
        tx.try_send(3).unwrap();
        assert_eq!(count.count(), 2);
    }

    #[test]
    fn the_end_after_close_waits_for_reserved_slots() {
        let (tx, mut rx) = channel::<u8>(2);
        let permit = tx.try_reserve().unwrap();
        let late = tx.try_reserve().unwrap();
        rx.close();
        let count = CountWaker::new();
        let waker = Waker::from(count.clone());
        let mut cx = std::task::Context::from_waker(&waker);
        // A reserved slot may still be used: the receiver cannot report the end yet.
        assert!(rx.poll_recv(&mut cx).is_pending());
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        drop(permit);
        assert_eq!(
            count.count(),
            1,
            "a slot coming home after the close wakes the receiver"
        );
        assert!(rx.poll_recv(&mut cx).is_pending());
        // Sending into a slot reserved before the close drops the value.
        late.send(9);
        assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(None));
        assert_eq!(tx.capacity(), 2);
    }

    #[test]
    fn large_capacities_keep_order_and_close() {
        // Above the ring's size limit the channel keeps a growable, locked queue.
        let cap = super::ring::MAX_RING * 2;
        let (tx, mut rx) = channel(cap);
        for i in 0..iters(cap, 100) {
            tx.try_send(i).unwrap();
        }
        rx.close();
        assert!(tx.try_send(0).is_err());
        for i in 0..iters(cap, 100) {
            assert_eq!(rx.try_recv(), Ok(i));
        }
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        assert_eq!(tx.capacity(), cap);
    }

    #[test]
    fn unused_permit_gives_its_slot_back() {
        let (tx, mut rx) = channel::<u8>(1);
        let permit = block_on(tx.reserve()).unwrap();
        assert!(tx.try_send(1).is_err());
        drop(permit);
        tx.try_send(1).unwrap();
        assert_eq!(rx.try_recv(), Ok(1));
    }

    #[test]
    fn receiver_drop_frees_queued_values() {
        let marker = std::sync::Arc::new(());
        let (tx, rx) = unbounded_channel();
        tx.send(marker.clone()).unwrap();
        drop(rx);
        assert_eq!(std::sync::Arc::strong_count(&marker), 1);
        assert!(tx.send(marker.clone()).is_err());
        let (tx, rx) = channel(4);
        tx.try_send(marker.clone()).unwrap();
        drop(rx);
        assert_eq!(std::sync::Arc::strong_count(&marker), 1);
        assert!(tx.try_send(marker.clone()).is_err());
    }

    #[test]
    fn many_producers_one_consumer() {
        let per = iters(20_000, 30);
        let (tx, mut rx) = channel(8);
        let handles: Vec<_> = (0..4)
            .map(|p| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    for i in 0..per {
                        tx.blocking_send((p, i)).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let mut next = [0; 4];
        while let Some((p, i)) = rx.blocking_recv() {
            assert_eq!(next[p], i, "values of one producer arrive in order");
            next[p] += 1;
        }
        assert_eq!(next, [per; 4]);
        for h in handles {
            h.join().unwrap();
        }
    }

    #[test]
    fn cancelled_sends_and_recvs_never_lose_slots() {
        let rounds = iters(4_000, 30);
        let (tx, mut rx) = channel::<u64>(2);
        let handles: Vec<_> = (0..2u64)
            .map(|t| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let mut rng = Rng::new(t + 3);
                    let mut sent = Vec::new();
                    for i in 0..rounds as u64 {
                        let id = t * 1_000_000 + i;
                        let mut f = Box::pin(tx.send(id));
                        if let Poll::Ready(r) = poll_once(f.as_mut()) {
                            r.unwrap();
                            sent.push(id);
                        } else if rng.below(2) == 0
                            && let Poll::Ready(r) = poll_once(f.as_mut())
                        {
                            r.unwrap();
                            sent.push(id);
                        }
                    }
                    sent
                })
            })
            .collect();
        drop(tx);
        let mut got = Vec::new();
        let mut rng = Rng::new(99);
        loop {
            let mut f = Box::pin(rx.recv());
            match poll_once(f.as_mut()) {
                Poll::Ready(Some(v)) => got.push(v),
                Poll::Ready(None) => break,
                Poll::Pending => {
                    if rng.below(2) == 0 {
                        drop(f);
                        continue;
                    }
                    match block_on(f) {
                        Some(v) => got.push(v),
                        None => break,
                    }
                }
            }
        }
        let mut sent: Vec<_> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        sent.sort_unstable();
        got.sort_unstable();
        assert_eq!(sent, got);
    }

    #[test]
    fn blocking_recv_refuses_runtime_threads() {
        let (_tx, mut rx) = unbounded_channel::<u8>();
        let rt = crate::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let res = rt.block_on(async {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rx.blocking_recv()))
        });
        assert!(res.is_err());
    }
}
