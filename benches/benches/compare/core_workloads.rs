//! The executor workloads of issue 2: spawning from inside and outside, yielding,
//! spawn chains, and oneshot ping-pong.
//!
//! Invariant: each fixture starts its runtime once; each sample times only the
//! workload (not runtime start-up or shutdown) and checks its result, so a runtime
//! that skipped work would fail rather than look fast.

use std::sync::Arc;
use std::time::Instant;

use weft_benches::Counter;

use crate::peer::{Fixture, Oneshot, Peer, Spawn, WORKERS};

/// 10 000 tasks spawned from inside a task, all awaited by it.
pub(crate) fn spawn_many_local<P: Peer>() -> Fixture {
    const TASKS: u64 = 10_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let start = Instant::now();
        let driver = rt.handle().spawn(async move {
            let joins: Vec<_> = (0..TASKS).map(|i| h.spawn(async move { i })).collect();
            let mut sum = 0;
            for join in joins {
                sum += join.await;
            }
            sum
        });
        let sum = rt.block_on(driver);
        let took = start.elapsed();
        assert_eq!(sum, TASKS * (TASKS - 1) / 2);
        took
    })
}

/// 10 000 tasks spawned from the bench thread through the handle, all awaited.
pub(crate) fn spawn_many_remote<P: Peer>() -> Fixture {
    const TASKS: u64 = 10_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let start = Instant::now();
        let joins: Vec<_> = (0..TASKS).map(|i| h.spawn(async move { i })).collect();
        let sum = rt.block_on(async move {
            let mut sum = 0;
            for join in joins {
                sum += join.await;
            }
            sum
        });
        let took = start.elapsed();
        assert_eq!(sum, TASKS * (TASKS - 1) / 2);
        took
    })
}

/// 200 tasks, each calling `yield_now` 1 000 times.
pub(crate) fn yield_many<P: Peer>() -> Fixture {
    const TASKS: usize = 200;
    const YIELDS: usize = 1_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let start = Instant::now();
        let joins: Vec<_> = (0..TASKS)
            .map(|_| {
                h.spawn(async {
                    for _ in 0..YIELDS {
                        <P::Handle as Spawn>::yield_now().await;
                    }
                    YIELDS
                })
            })
            .collect();
        let yields = rt.block_on(async move {
            let mut yields = 0;
            for join in joins {
                yields += join.await;
            }
            yields
        });
        let took = start.elapsed();
        assert_eq!(yields, TASKS * YIELDS);
        took
    })
}

/// A chain of 1 000 tasks, each spawning the next; the last one bumps a counter
/// that the bench thread waits on.
pub(crate) fn chained_spawn<P: Peer>() -> Fixture {
    const LENGTH: usize = 1_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let done = Arc::new(Counter::new());
        let start = Instant::now();
        link(rt.handle(), LENGTH, Arc::clone(&done));
        done.wait_for(1);
        start.elapsed()
    })
}

/// Spawns the task that continues the chain with `left` more links.
fn link<S: Spawn>(h: S, left: usize, done: Arc<Counter>) {
    let next = h.clone();
    h.spawn_detached(async move {
        if left <= 1 {
            done.bump();
        } else {
            link(next, left - 1, done);
        }
    });
}

/// 1 000 pairs spawned from inside a task: each ping spawns its pong, sends it
/// `()` through one oneshot and waits for the answer on another.
pub(crate) fn ping_pong<P: Peer, O: Oneshot>() -> Fixture {
    const PAIRS: usize = 1_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let start = Instant::now();
        let driver = rt.handle().spawn(async move {
            let pings: Vec<_> = (0..PAIRS)
                .map(|_| {
                    let pong_spawner = h.clone();
                    h.spawn(async move {
                        let (ping_tx, ping_rx) = O::channel();
                        let (pong_tx, pong_rx) = O::channel();
                        pong_spawner.spawn_detached(async move {
                            O::recv(ping_rx).await;
                            O::send(pong_tx);
                        });
                        O::send(ping_tx);
                        O::recv(pong_rx).await;
                        1
                    })
                })
                .collect();
            let mut done = 0;
            for ping in pings {
                done += ping.await;
            }
            done
        });
        let done = rt.block_on(driver);
        let took = start.elapsed();
        assert_eq!(done, PAIRS);
        took
    })
}
