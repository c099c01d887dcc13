//! `sleep`, `sleep_until` and `Sleep`: deadline order and exactness on the paused
//! clock, `reset` both ways, the coop budget, use outside a runtime, and a sleep on a
//! multi-thread runtime whose workers are all parked (real clock).

use std::future::Future;
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context, Poll, Waker};
use weft::time::{self, Duration, Instant};

/// A tiny LCG so the tests need no `rand`.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[weft::test(start_paused = true)]
async fn ten_thousand_sleeps_fire_in_deadline_order_exactly() {
    let count = if cfg!(miri) { 50 } else { 10_000 };
    let start = Instant::now();
    let fired = Arc::new(Mutex::new(Vec::with_capacity(count)));
    let mut rng = Lcg(0x5eed);
    let handles: Vec<_> = (0..count)
        .map(|_| {
            // Up to ~28 hours, so every level of the wheel below the top is used.
            let ms = 1 + rng.below(100_000_000);
            let fired = fired.clone();
            weft::spawn(async move {
                time::sleep(Duration::from_millis(ms)).await;
                fired.lock().unwrap().push((ms, start.elapsed()));
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    let fired = fired.lock().unwrap();
    assert_eq!(fired.len(), count);
    for &(ms, at) in fired.iter() {
        assert_eq!(
            at,
            Duration::from_millis(ms),
            "a sleep fired off its deadline"
        );
    }
    assert!(
        fired.windows(2).all(|w| w[0].0 <= w[1].0),
        "sleeps fired out of deadline order"
    );
}

#[weft::test(start_paused = true)]
async fn reset_moves_a_pending_sleep_earlier() {
    let start = Instant::now();
    let mut nap = Box::pin(time::sleep(Duration::from_secs(10)));
    // Register it first, so the reset moves a live wheel entry.
    assert!(poll_once(nap.as_mut()).is_pending());
    nap.as_mut().reset(start + Duration::from_secs(2));
    assert_eq!(nap.deadline(), start + Duration::from_secs(2));
    nap.as_mut().await;
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[weft::test(start_paused = true)]
async fn reset_moves_a_pending_sleep_later() {
    let start = Instant::now();
    let mut nap = Box::pin(time::sleep(Duration::from_secs(1)));
    assert!(poll_once(nap.as_mut()).is_pending());
    nap.as_mut().reset(start + Duration::from_secs(5));
    // Past the old deadline it is still pending.
    time::advance(Duration::from_secs(3)).await;
    assert!(!nap.is_elapsed());
    assert!(poll_once(nap.as_mut()).is_pending());
    nap.as_mut().await;
    assert_eq!(start.elapsed(), Duration::from_secs(5));
}

#[weft::test(start_paused = true)]
async fn reset_after_firing_waits_again() {
    let start = Instant::now();
    let mut nap = Box::pin(time::sleep(Duration::from_millis(10)));
    nap.as_mut().await;
    assert!(nap.is_elapsed());
    nap.as_mut().reset(start + Duration::from_millis(30));
    assert!(!nap.is_elapsed());
    nap.as_mut().await;
    assert_eq!(start.elapsed(), Duration::from_millis(30));
}

#[weft::test(start_paused = true)]
async fn past_and_zero_deadlines_complete_at_once() {
    let start = Instant::now();
    time::sleep(Duration::ZERO).await;
    time::advance(Duration::from_secs(1)).await;
    time::sleep_until(start).await;
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

#[weft::test(start_paused = true)]
async fn ready_sleeps_spend_the_coop_budget() {
    // In a spawned task, so that a yield lets the other queued task run.
    let seen_at = weft::spawn(async {
        let other_ran = Arc::new(Mutex::new(false));
        let flag = other_ran.clone();
        weft::spawn(async move { *flag.lock().unwrap() = true });
        let past = Instant::now();
        for i in 0..1000 {
            // Always ready: only the budget can make this loop yield.
            time::sleep_until(past).await;
            if *other_ran.lock().unwrap() {
                return Some(i);
            }
        }
        None
    })
    .await
    .unwrap();
    let seen_at = seen_at.expect("the sleeping task never let the other task run");
    assert!(seen_at >= 100, "yielded after only {seen_at} ready sleeps");
}

fn poll_once<F: Future + ?Sized>(fut: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    fut.poll(&mut cx)
}

#[test]
#[should_panic(expected = "weft timers need a running weft runtime")]
fn sleep_outside_a_runtime_panics_with_advice() {
    drop(time::sleep(Duration::from_secs(1)));
}

#[test]
fn sleep_from_a_runtime_that_is_gone_panics_with_advice() {
    let rt = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // Made inside the runtime (entered, not driven), kept past its end.
    let mut nap = {
        let _enter = rt.enter();
        Box::pin(time::sleep(Duration::from_secs(1)))
    };
    drop(rt);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = poll_once(nap.as_mut());
    }))
    .expect_err("polling a timer of a dropped runtime must panic");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.contains("runtime has shut down"),
        "unexpected message: {msg}"
    );
}

#[test]
fn sleep_fires_on_a_multi_thread_runtime_with_every_worker_parked() {
    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    // From a task on a worker: the other worker (or this one, once idle) sleeps in
    // the driver and must wake for the timer.
    let (tx, rx) = mpsc::channel();
    rt.spawn(async move {
        time::sleep(Duration::from_millis(20)).await;
        tx.send(()).unwrap();
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("a sleep on a parked runtime never fired");
    // From outside the workers, while they are idle: the registration itself must
    // wake the worker parked in the driver.
    let start = std::time::Instant::now();
    rt.block_on(async { time::sleep(Duration::from_millis(20)).await });
    assert!(start.elapsed() >= Duration::from_millis(20));
    // Many at once, all parked on the same driver.
    let (tx, rx) = mpsc::channel();
    for i in 0..100u64 {
        let tx = tx.clone();
        rt.spawn(async move {
            time::sleep(Duration::from_millis(1 + i % 50)).await;
            tx.send(i).unwrap();
        });
    }
    let mut got: Vec<u64> = (0..100)
        .map(|_| {
            rx.recv_timeout(Duration::from_secs(60))
                .expect("a sleep never fired")
        })
        .collect();
    got.sort_unstable();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
}
