//! `ctrl_c` receives a SIGINT sent to this process. Alone in its binary: once weft
//! handles SIGINT, it does so for the rest of the process's life.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn sigint_self() {
    // SAFETY: `kill` and `getpid` have no memory-safety preconditions.
    let rc = unsafe { libc::kill(libc::getpid(), libc::SIGINT) };
    assert_eq!(rc, 0);
}

#[test]
fn ctrl_c_receives_sigint() {
    for rt in [
        weft::runtime::Builder::new_current_thread()
            .build()
            .unwrap(),
        weft::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap(),
    ] {
        rt.block_on(async {
            let mut ctrl_c = pin!(weft::signal::ctrl_c());
            // The first poll registers the listener; only then is the signal sent.
            let first = ctrl_c
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()));
            assert!(matches!(first, Poll::Pending));
            sigint_self();
            ctrl_c.await.unwrap();
        });
    }
}

#[test]
fn a_waiting_task_is_woken_by_sigint() {
    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let (registered_tx, registered_rx) = weft::sync::oneshot::channel();
        let waiter = weft::spawn(async move {
            let mut ctrl_c = pin!(weft::signal::ctrl_c());
            let first = std::future::poll_fn(|cx| Poll::Ready(ctrl_c.as_mut().poll(cx))).await;
            assert!(first.is_pending());
            registered_tx.send(()).unwrap();
            ctrl_c.await
        });
        registered_rx.await.unwrap();
        sigint_self();
        waiter.await.unwrap().unwrap();
    });
}
