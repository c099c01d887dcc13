//! The combinator workloads of issue 6: many futures run inside one task by
//! `gather` (or `join_all`), and many tasks joined through a `JoinSet` (or its
//! stand-in).
//!
//! Invariant: as in every workload, one runtime per fixture, only the work is
//! timed, and each sample checks the sum of every output.

use std::time::Instant;

use crate::peer::{Fixture, GatherKind, Peer, Spawn, TaskSet, WORKERS};

/// 10 000 futures, each ready after one `yield_now` of its runtime, awaited
/// together inside one task.
pub(crate) fn gather_10k<P: Peer, G: GatherKind>() -> Fixture {
    const FUTURES: u64 = 10_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let start = Instant::now();
        let driver = rt.handle().spawn(async {
            let futures: Vec<_> = (0..FUTURES)
                .map(|i| async move {
                    <P::Handle as Spawn>::yield_now().await;
                    i
                })
                .collect();
            G::gather(futures).await.into_iter().sum::<u64>()
        });
        let sum = rt.block_on(driver);
        let took = start.elapsed();
        assert_eq!(sum, FUTURES * (FUTURES - 1) / 2);
        took
    })
}

/// A task spawns 10 000 trivial tasks into a task set and joins them all.
pub(crate) fn joinset_10k<P: Peer, S: TaskSet<P::Handle>>() -> Fixture {
    const TASKS: u64 = 10_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let start = Instant::now();
        let driver = rt.handle().spawn(async move {
            let mut set = S::empty();
            for i in 0..TASKS {
                set.spawn_in(&h, async move { i });
            }
            set.join_sum().await
        });
        let sum = rt.block_on(driver);
        let took = start.elapsed();
        assert_eq!(sum, TASKS * (TASKS - 1) / 2);
        took
    })
}
