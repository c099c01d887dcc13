//! `timeout` and `timeout_at` (asyncio's `wait_for`): a ready future's output comes
//! back, a pending one is dropped exactly once after exactly the paused duration,
//! and readiness wins over an expired deadline.

use std::future::{Future, pending, ready};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use weft::time::{self, Duration, Instant, error::Elapsed};

/// Counts how many times it is dropped.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[weft::test(start_paused = true)]
async fn timeout_around_a_ready_future_returns_its_output() {
    let start = Instant::now();
    assert_eq!(time::timeout(Duration::from_secs(1), ready(5)).await, Ok(5));
    assert_eq!(
        time::timeout(Duration::ZERO, async { "now" }).await,
        Ok("now")
    );
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[weft::test(start_paused = true)]
async fn timeout_around_a_pending_future_elapses_exactly_and_drops_it_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropCount(drops.clone());
    let start = Instant::now();
    let res = time::timeout(Duration::from_secs(3600), async move {
        let _guard = guard;
        pending::<()>().await;
    })
    .await;
    let _: Elapsed = res.unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    // Nothing drops it again later.
    time::sleep(Duration::from_secs(1)).await;
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[weft::test(start_paused = true)]
async fn timeout_at_elapses_at_its_deadline() {
    let deadline = Instant::now() + Duration::from_millis(1234);
    assert!(time::timeout_at(deadline, pending::<()>()).await.is_err());
    assert_eq!(Instant::now(), deadline);
}

#[weft::test(start_paused = true)]
async fn a_ready_future_wins_over_an_expired_deadline() {
    // Deadline already passed at the first poll.
    let past = Instant::now();
    time::advance(Duration::from_secs(1)).await;
    assert_eq!(time::timeout_at(past, ready(1)).await, Ok(1));
    // Inner future and deadline come due on the same tick: one poll sees both.
    let start = Instant::now();
    let res = time::timeout(Duration::from_secs(2), time::sleep(Duration::from_secs(2))).await;
    assert_eq!(res, Ok(()));
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[weft::test(start_paused = true)]
async fn a_future_finishing_in_time_is_not_cut_short() {
    let start = Instant::now();
    let res = time::timeout(Duration::from_secs(10), async {
        time::sleep(Duration::from_secs(3)).await;
        "done"
    })
    .await;
    assert_eq!(res, Ok("done"));
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[weft::test(start_paused = true)]
async fn a_busy_inner_future_still_times_out() {
    // The inner future spends the coop budget on ready sleeps and yields: the
    // timeout must still fire.
    let start = Instant::now();
    let res = time::timeout(Duration::from_millis(5), async {
        loop {
            time::sleep(Duration::ZERO).await;
            weft::task::yield_now().await;
            time::advance(Duration::from_millis(1)).await;
        }
    })
    .await;
    assert!(res.is_err());
    assert!(start.elapsed() >= Duration::from_millis(5));
}

#[test]
fn timeout_outside_a_runtime_is_fine_while_the_future_is_ready() {
    let mut cx = Context::from_waker(Waker::noop());
    let t = pin!(time::timeout(Duration::from_secs(1), ready(3)));
    assert_eq!(t.poll(&mut cx), Poll::Ready(Ok(3)));
}

#[test]
#[should_panic(expected = "weft timers need a running weft runtime")]
fn timeout_outside_a_runtime_panics_once_it_needs_the_clock() {
    let mut cx = Context::from_waker(Waker::noop());
    let t = pin!(time::timeout(Duration::from_secs(1), pending::<()>()));
    let _ = t.poll(&mut cx);
}

#[weft::test(start_paused = true)]
async fn elapsed_converts_to_an_io_timeout() {
    let elapsed = time::timeout(Duration::from_secs(1), pending::<()>())
        .await
        .unwrap_err();
    let err: std::io::Error = elapsed.into();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
}
