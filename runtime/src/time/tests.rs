//! Unit tests of the timer machinery that need crate internals (the wheel's live
//! count); the behaviour tests live in `tests/tests/time_*.rs`.

use super::{Duration, Handle, Instant, sleep, timeout};
use crate::runtime::Builder;
use std::future::{Future, pending, poll_fn};
use std::pin::pin;
use std::task::Poll;

fn paused_runtime() -> crate::runtime::Runtime {
    Builder::new_current_thread()
        .start_paused(true)
        .build()
        .unwrap()
}

/// Polls `fut` once, whatever the result.
async fn poll_once<F: Future>(fut: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    let mut fut = Some(fut);
    poll_fn(move |cx| Poll::Ready(fut.take().unwrap().poll(cx))).await
}

#[test]
fn timeout_create_poll_drop_cycles_leave_no_entries() {
    // A full million even in debug builds (about a second); Miri runs a few hundred.
    let cycles = if cfg!(miri) { 300 } else { 1_000_000 };
    paused_runtime().block_on(async move {
        let handle = Handle::current();
        for i in 0..cycles {
            {
                let t = pin!(timeout(Duration::from_secs(1), pending::<()>()));
                assert!(poll_once(t).await.is_pending());
                if i == 0 {
                    assert_eq!(handle.live_entries(), 1, "a pending timeout is registered");
                }
            }
            // Every third cycle also a timeout around a ready future, which must
            // never register at all.
            if i % 3 == 0 {
                let t = pin!(timeout(Duration::from_secs(1), async { i }));
                assert_eq!(poll_once(t).await, Poll::Ready(Ok(i)));
                assert_eq!(handle.live_entries(), 0);
            }
        }
        assert_eq!(handle.live_entries(), 0);
    });
}

#[test]
fn fired_and_reset_sleeps_leave_no_entries() {
    paused_runtime().block_on(async {
        let handle = Handle::current();
        let mut naps: Vec<_> = (1..=100u64)
            .map(|i| Box::pin(sleep(Duration::from_millis(i * 7))))
            .collect();
        for nap in &mut naps {
            assert!(poll_once(nap.as_mut()).await.is_pending());
        }
        assert_eq!(handle.live_entries(), 100);
        // Move half of them far out; then let the other half fire.
        let far = Instant::now() + Duration::from_secs(3600);
        for nap in naps.iter_mut().step_by(2) {
            nap.as_mut().reset(far);
        }
        assert_eq!(handle.live_entries(), 100);
        for nap in naps.iter_mut().skip(1).step_by(2) {
            nap.as_mut().await;
        }
        assert_eq!(handle.live_entries(), 50);
        drop(naps);
        assert_eq!(handle.live_entries(), 0);
    });
}

#[test]
fn shutdown_unlinks_every_entry_and_polling_afterwards_panics() {
    let rt = paused_runtime();
    let (handle, mut nap) = rt.block_on(async {
        let mut nap = Box::pin(sleep(Duration::from_secs(5)));
        assert!(poll_once(nap.as_mut()).await.is_pending());
        (Handle::current(), nap)
    });
    assert_eq!(handle.live_entries(), 1);
    drop(rt);
    assert_eq!(handle.live_entries(), 0);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = nap.as_mut().poll(&mut cx);
    }))
    .unwrap_err();
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("runtime has shut down"), "{msg}");
}
