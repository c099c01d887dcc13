//! The paused test clock: `start_paused`, `pause`/`resume`/`advance`, the jump to the
//! next timer when the runtime is idle, and the errors for misuse.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use weft::runtime::Builder;
use weft::time::{self, Duration, Instant};

#[weft::test(start_paused = true)]
async fn an_hour_of_sleeping_tasks_takes_no_real_time_and_is_exact() {
    let real = std::time::Instant::now();
    let start = Instant::now();
    let a = weft::spawn(async move {
        time::sleep(Duration::from_secs(3600)).await;
        start.elapsed()
    });
    let b = weft::spawn(async move {
        time::sleep(Duration::from_secs(1800)).await;
        start.elapsed()
    });
    assert_eq!(b.await.unwrap(), Duration::from_secs(1800));
    assert_eq!(a.await.unwrap(), Duration::from_secs(3600));
    // Only a sanity bound: an hour of virtual time is not an hour of real time.
    assert!(real.elapsed() < Duration::from_secs(1800));
}

#[weft::test(start_paused = true)]
async fn advance_fires_what_came_due_and_nothing_more() {
    // In a spawned task: `yield_now` (and so `advance`) lets the other tasks of the
    // queue run first, which the `block_on` future itself does not wait for.
    weft::spawn(async {
        let fired = Arc::new(AtomicUsize::new(0));
        for secs in [1, 2, 3, 10] {
            let fired = fired.clone();
            weft::spawn(async move {
                time::sleep(Duration::from_secs(secs)).await;
                fired.fetch_add(1, Ordering::SeqCst);
            });
        }
        // Let the tasks register their sleeps.
        weft::task::yield_now().await;
        time::advance(Duration::from_millis(2500)).await;
        assert_eq!(fired.load(Ordering::SeqCst), 2);
        time::advance(Duration::from_millis(500)).await;
        assert_eq!(fired.load(Ordering::SeqCst), 3);
    })
    .await
    .unwrap();
}

#[test]
fn pause_and_resume_on_a_running_clock() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        time::pause();
        let frozen = Instant::now();
        assert_eq!(Instant::now(), frozen);
        time::advance(Duration::from_secs(7)).await;
        assert_eq!(frozen.elapsed(), Duration::from_secs(7));
        time::resume();
        // Running again: time never goes back.
        assert!(frozen.elapsed() >= Duration::from_secs(7));
    });
}

#[test]
fn start_paused_on_a_multi_thread_runtime_is_refused() {
    let err = Builder::new_multi_thread()
        .start_paused(true)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("current-thread"), "{err}");
}

#[test]
#[should_panic(expected = "needs a current-thread runtime")]
fn pause_on_a_multi_thread_runtime_panics_with_advice() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async { time::pause() });
}

#[test]
#[should_panic(expected = "needs a paused clock")]
fn advance_without_pause_panics_with_advice() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(time::advance(Duration::from_secs(1)));
}

#[test]
#[should_panic(expected = "already paused")]
fn pausing_twice_panics_with_advice() {
    let rt = Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async { time::pause() });
}

#[test]
#[should_panic(expected = "weft timers need a running weft runtime")]
fn pause_outside_a_runtime_panics_with_advice() {
    time::pause();
}
