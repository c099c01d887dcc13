//! The timer workloads of issue 4: timeouts around ready futures, many concurrent
//! sleeps, and sleeps created, reset and dropped.
//!
//! Invariant: as in every workload, one runtime per fixture and only the work is
//! timed; `sleep_many` reports its wall time minus the 50 ms its longest sleep
//! must take anyway, so the figure is the runtime's overhead.

use std::time::{Duration, Instant};

use crate::peer::{Fixture, Peer, Spawn, Timers, WORKERS};

/// 1 000 000 `timeout(1 s, ready(i))` awaited in turn by one task.
pub(crate) fn timeout_ready<P: Peer, T: Timers>() -> Fixture {
    const CALLS: u64 = 1_000_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let start = Instant::now();
        let driver = rt.handle().spawn(async {
            let mut sum = 0;
            for i in 0..CALLS {
                sum += T::timeout_ready(i).await;
            }
            sum
        });
        let sum = rt.block_on(driver);
        let took = start.elapsed();
        assert_eq!(sum, CALLS * (CALLS - 1) / 2);
        took
    })
}

/// The longest sleep of `sleep_many`.
const SLEEP_FLOOR: Duration = Duration::from_millis(50);

/// 100 000 tasks sleeping 1–50 ms (task `i` sleeps `1 + i % 50` ms), spawned from
/// the bench thread and all awaited; reports the time beyond the 50 ms floor.
pub(crate) fn sleep_many<P: Peer, T: Timers>() -> Fixture {
    const TASKS: u64 = 100_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let start = Instant::now();
        let joins: Vec<_> = (0..TASKS)
            .map(|i| {
                h.spawn(async move {
                    T::sleep(Duration::from_millis(1 + i % 50)).await;
                    1
                })
            })
            .collect();
        let woke = rt.block_on(async move {
            let mut woke = 0;
            for join in joins {
                woke += join.await;
            }
            woke
        });
        let took = start.elapsed();
        assert_eq!(woke, TASKS);
        took.saturating_sub(SLEEP_FLOOR)
    })
}

/// 100 000 sleeps, each created, registered by one poll, reset and dropped, by one
/// task.
pub(crate) fn timer_churn<P: Peer, T: Timers>() -> Fixture {
    const TIMERS: usize = 100_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let start = Instant::now();
        let driver = rt.handle().spawn(async {
            for _ in 0..TIMERS {
                T::churn_one().await;
            }
        });
        rt.block_on(driver);
        start.elapsed()
    })
}
