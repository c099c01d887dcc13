//! Unix signal streams: several listeners, several runtimes, the Stream trait,
//! coalescing, refused signals, and what a listener sees after its runtime is gone.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use weft::runtime::Builder;
use weft::signal::unix::{Signal, SignalKind, signal};

fn raise(signum: libc::c_int) {
    // SAFETY: `kill` and `getpid` have no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(libc::getpid(), signum) }, 0);
}

fn poll_once(sig: &mut Signal) -> Poll<Option<()>> {
    sig.poll_recv(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn every_listener_sees_every_delivery_after_it_registered() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let mut listeners: Vec<Signal> = (0..5)
            .map(|_| signal(SignalKind::user_defined1()).unwrap())
            .collect();
        for _round in 0..if cfg!(miri) { 2 } else { 10 } {
            raise(libc::SIGUSR1);
            for l in &mut listeners {
                assert_eq!(l.recv().await, Some(()));
            }
        }
        // A listener made now does not see the deliveries before it.
        let mut late = signal(SignalKind::user_defined1()).unwrap();
        assert!(poll_once(&mut late).is_pending());
        raise(libc::SIGUSR1);
        assert_eq!(late.recv().await, Some(()));
    });
}

#[test]
fn listeners_in_tasks_and_in_two_runtimes_are_all_woken() {
    let a = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let b = Builder::new_current_thread().build().unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let mut waiters = Vec::new();
    for _ in 0..3 {
        let ready_tx = ready_tx.clone();
        waiters.push(a.spawn(async move {
            let mut sig = signal(SignalKind::user_defined2()).unwrap();
            ready_tx.send(()).unwrap();
            sig.recv().await
        }));
    }
    for _ in 0..3 {
        ready_rx.recv().unwrap();
    }
    b.block_on(async {
        let mut sig = signal(SignalKind::user_defined2()).unwrap();
        raise(libc::SIGUSR2);
        assert_eq!(sig.recv().await, Some(()));
    });
    for w in waiters {
        assert_eq!(a.block_on(w).unwrap(), Some(()));
    }
}

#[test]
fn deliveries_coalesce_and_the_stream_yields() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let mut sig = signal(SignalKind::window_change()).unwrap();
        for _ in 0..3 {
            raise(libc::SIGWINCH);
        }
        let next = poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut sig), cx)).await;
        assert_eq!(next, Some(()));
        // Three sends make one to three deliveries (the kernel merges pending
        // ones), and each `recv` reports every delivery since the last at once.
        let mut more = 0;
        while poll_once(&mut sig).is_ready() {
            more += 1;
        }
        assert!(
            more <= 2,
            "{more} extra deliveries reported for three sends"
        );
    });
}

#[test]
fn uncatchable_signals_are_refused() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        for signum in [libc::SIGKILL, libc::SIGSTOP, libc::SIGSEGV, 0, -1, 200] {
            let err = signal(SignalKind::from_raw(signum)).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{signum}");
        }
    });
}

#[test]
fn a_listener_learns_its_runtime_is_gone() {
    let rt = Builder::new_current_thread().build().unwrap();
    let mut sig = rt.block_on(async { signal(SignalKind::quit()).unwrap() });
    drop(rt);
    assert_eq!(poll_once(&mut sig), Poll::Ready(None));
}

#[test]
#[should_panic(expected = "no weft runtime is running here")]
fn outside_a_runtime_the_panic_says_what_to_do() {
    let _ = signal(SignalKind::hangup());
}
