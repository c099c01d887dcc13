//! The synchronisation workloads of issue 5: a contended semaphore, a contended
//! mutex, and a bounded channel (or queue) with 4 producers and one consumer.
//!
//! Invariant: as in every workload, one runtime per fixture, only the work is
//! timed, and each sample checks that all the work was done.

use std::sync::Arc;
use std::time::Instant;

use crate::peer::{ChannelKind, Fixture, MutexKind, Peer, SemaphoreKind, Spawn, WORKERS};

/// Tasks in the semaphore and mutex workloads.
const TASKS: usize = 1_000;
/// Acquisitions per task in the semaphore and mutex workloads.
const ROUNDS: usize = 100;

/// 1 000 tasks × 100 acquisitions of a `Semaphore(8)`, yielding while holding the
/// permit so that waiters queue up.
pub(crate) fn semaphore_contention<P: Peer, S: SemaphoreKind>() -> Fixture {
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let semaphore = Arc::new(S::with_permits(8));
        let start = Instant::now();
        let joins: Vec<_> = (0..TASKS)
            .map(|_| {
                let semaphore = Arc::clone(&semaphore);
                h.spawn(async move {
                    for _ in 0..ROUNDS {
                        let permit = semaphore.take().await;
                        <P::Handle as Spawn>::yield_now().await;
                        drop(permit);
                    }
                    ROUNDS
                })
            })
            .collect();
        let rounds = rt.block_on(async move {
            let mut rounds = 0;
            for join in joins {
                rounds += join.await;
            }
            rounds
        });
        let took = start.elapsed();
        assert_eq!(rounds, TASKS * ROUNDS);
        took
    })
}

/// 1 000 tasks × 100 lock-increment-unlock rounds on one `Mutex<u64>`; the two
/// workers run tasks in parallel, so the lock is contended across threads.
pub(crate) fn mutex_contention<P: Peer, M: MutexKind>() -> Fixture {
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let mutex = Arc::new(M::holding(0));
        let start = Instant::now();
        let joins: Vec<_> = (0..TASKS)
            .map(|_| {
                let mutex = Arc::clone(&mutex);
                h.spawn(async move {
                    for _ in 0..ROUNDS {
                        *mutex.guard().await += 1;
                    }
                })
            })
            .collect();
        let total = rt.block_on(async move {
            for join in joins {
                join.await;
            }
            *mutex.guard().await
        });
        let took = start.elapsed();
        assert_eq!(total, (TASKS * ROUNDS) as u64);
        took
    })
}

/// 4 producer tasks × 250 000 messages through a channel bounded at 1 024, one
/// consumer task summing them.
pub(crate) fn channel_throughput<P: Peer, C: ChannelKind>() -> Fixture {
    const PRODUCERS: u64 = 4;
    const MESSAGES: u64 = 250_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let (tx, mut rx) = C::bounded(1024);
        let start = Instant::now();
        let consumer = h.spawn(async move {
            let mut sum = 0;
            for _ in 0..PRODUCERS * MESSAGES {
                sum += C::recv(&mut rx).await;
            }
            sum
        });
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|_| {
                let tx = tx.clone();
                h.spawn(async move {
                    for i in 0..MESSAGES {
                        C::send(&tx, i).await;
                    }
                })
            })
            .collect();
        drop(tx);
        let sum = rt.block_on(async move {
            for producer in producers {
                producer.await;
            }
            consumer.await
        });
        let took = start.elapsed();
        assert_eq!(sum, PRODUCERS * MESSAGES * (MESSAGES - 1) / 2);
        took
    })
}
