//! `interval` and `interval_at`: the tick schedule, and what each
//! `MissedTickBehavior` does after the task was busy past several ticks.

use weft::time::{self, Duration, Instant, MissedTickBehavior};

const P: Duration = Duration::from_millis(10);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// An interval of period `P` that has ticked once at `start`, then the task was
/// busy until `start + 35ms` (ticks due at 10, 20 and 30 ms were missed).
async fn late_interval(behavior: MissedTickBehavior) -> (time::Interval, Instant) {
    let start = Instant::now();
    let mut every = time::interval(P);
    every.set_missed_tick_behavior(behavior);
    assert_eq!(every.tick().await, start);
    time::advance(ms(35)).await;
    (every, start)
}

#[weft::test(start_paused = true)]
async fn ticks_follow_the_period_exactly() {
    let start = Instant::now();
    let mut every = time::interval(P);
    assert_eq!(every.period(), P);
    for i in 0..50u32 {
        let at = every.tick().await;
        assert_eq!(at, start + P * i);
        assert_eq!(Instant::now(), at);
    }
}

#[weft::test(start_paused = true)]
async fn interval_at_starts_at_the_given_instant() {
    let start = Instant::now() + ms(500);
    let mut every = time::interval_at(start, P);
    assert_eq!(every.tick().await, start);
    assert_eq!(Instant::now(), start);
    assert_eq!(every.tick().await, start + P);
}

#[weft::test(start_paused = true)]
async fn burst_fires_every_missed_tick_at_once_then_keeps_the_schedule() {
    let (mut every, start) = late_interval(MissedTickBehavior::Burst).await;
    let late = Instant::now();
    for n in [10, 20, 30] {
        assert_eq!(every.tick().await, start + ms(n));
        assert_eq!(Instant::now(), late, "a missed tick was waited for");
    }
    assert_eq!(every.tick().await, start + ms(40));
    assert_eq!(Instant::now(), start + ms(40));
}

#[weft::test(start_paused = true)]
async fn delay_fires_once_then_counts_the_period_from_now() {
    let (mut every, start) = late_interval(MissedTickBehavior::Delay).await;
    assert_eq!(every.tick().await, start + ms(10));
    assert_eq!(every.tick().await, start + ms(45));
    assert_eq!(Instant::now(), start + ms(45));
    assert_eq!(every.tick().await, start + ms(55));
}

#[weft::test(start_paused = true)]
async fn skip_fires_once_then_rejoins_the_original_schedule() {
    let (mut every, start) = late_interval(MissedTickBehavior::Skip).await;
    assert_eq!(every.tick().await, start + ms(10));
    assert_eq!(every.tick().await, start + ms(40));
    assert_eq!(Instant::now(), start + ms(40));
    assert_eq!(every.tick().await, start + ms(50));
}

#[weft::test(start_paused = true)]
async fn reset_restarts_the_schedule_from_now() {
    let start = Instant::now();
    let mut every = time::interval(P);
    every.tick().await;
    time::advance(ms(4)).await;
    every.reset();
    assert_eq!(every.tick().await, start + ms(14));
    assert_eq!(every.tick().await, start + ms(24));
}

#[test]
#[should_panic(expected = "needs a period above zero")]
fn a_zero_period_panics_with_advice() {
    let rt = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let _ = time::interval(Duration::ZERO);
    });
}
