//! `gather`, `try_gather` and `race`: output order, dropping, and that only woken
//! children are polled again.

use std::future::pending;
use std::sync::{Arc, Mutex};
use weft::future::{gather, race, try_gather};
use weft_tests::combinators::{DropCount, Polls, gates, until};

type BoxedTry = std::pin::Pin<Box<dyn std::future::Future<Output = Result<u32, String>>>>;

const BIG: usize = if cfg!(miri) { 200 } else { 100_000 };

/// Children finish in the order 2, 0, 1 (each seen before the next gate opens), yet
/// `gather` returns their outputs in input order.
#[weft::test]
async fn gather_keeps_input_order_not_completion_order() {
    let (openers, gates) = gates(3);
    let finished = Arc::new(Mutex::new(Vec::new()));
    let children = gates.into_iter().enumerate().map(|(i, gate)| {
        let finished = finished.clone();
        async move {
            gate.await;
            finished.lock().unwrap().push(i);
            i * 100
        }
    });
    let log = finished.clone();
    let opener = weft::spawn(async move {
        for (step, i) in [2, 0, 1].into_iter().enumerate() {
            openers[i].open();
            until(|| log.lock().unwrap().len() == step + 1).await;
        }
    });
    let outs = gather(children).await;
    opener.await.unwrap();
    assert_eq!(*finished.lock().unwrap(), [2, 0, 1]);
    assert_eq!(outs, [0, 100, 200]);
}

#[weft::test]
async fn gather_of_nothing_is_empty() {
    let outs: Vec<u8> = gather(Vec::<std::future::Ready<u8>>::new()).await;
    assert!(outs.is_empty());
}

/// Borrowed, `!Send` futures: `gather` runs them in the caller's task.
#[weft::test]
async fn gather_runs_borrowed_non_send_futures() {
    let cells: Vec<std::rc::Rc<std::cell::Cell<u32>>> = (0..4)
        .map(|i| std::rc::Rc::new(std::cell::Cell::new(i)))
        .collect();
    let outs = gather(cells.iter().map(|c| async move {
        weft::task::yield_now().await;
        c.set(c.get() + 10);
        c.get()
    }))
    .await;
    assert_eq!(outs, [10, 11, 12, 13]);
}

#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn gather_of_join_handles_reports_each_task() {
    let handles = (0..8).map(|i| {
        weft::spawn(async move {
            if i == 5 {
                panic!("task five fails");
            }
            i
        })
    });
    let outs = gather(handles).await;
    for (i, out) in outs.into_iter().enumerate() {
        match out {
            Ok(v) => assert_eq!(v, i),
            Err(e) => {
                assert_eq!(i, 5);
                assert!(e.is_panic());
            }
        }
    }
}

/// 100 000 children that each yield once: every child is polled exactly twice, so
/// the total is 2n, where re-polling every child on each wake would be ~n².
#[weft::test]
async fn gather_of_many_self_waking_futures_polls_each_twice() {
    let polls = Polls::new();
    let outs = gather((0..BIG).map(|i| {
        polls.wrap(async move {
            weft::task::yield_now().await;
            i
        })
    }))
    .await;
    assert_eq!(outs.len(), BIG);
    assert!(outs.iter().enumerate().all(|(i, &o)| i == o));
    assert_eq!(polls.get(), 2 * BIG);
}

/// The children are released one at a time by another task, which waits until each
/// has finished before releasing the next: `gather` is polled once per release, and
/// each time it polls just the one child that was woken.
#[weft::test]
async fn gather_polls_only_the_woken_child() {
    let n = if cfg!(miri) { 50 } else { 20_000 };
    let polls = Polls::new();
    let (openers, gates) = gates(n);
    let finished = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let children = gates.into_iter().map(|gate| {
        let finished = finished.clone();
        polls.wrap(async move {
            gate.await;
            finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        })
    });
    let seen = finished.clone();
    let opener = weft::spawn(async move {
        for (k, opener) in openers.iter().enumerate().rev() {
            opener.open();
            let want = n - k;
            until(|| seen.load(std::sync::atomic::Ordering::SeqCst) == want).await;
        }
    });
    gather(children).await;
    opener.await.unwrap();
    assert_eq!(polls.get(), 2 * n);
}

#[weft::test]
async fn try_gather_returns_all_values_in_input_order() {
    let (openers, gates) = gates(3);
    for i in [1, 2, 0] {
        openers[i].open();
    }
    let out = try_gather(gates.into_iter().enumerate().map(|(i, g)| async move {
        g.await;
        Ok::<_, String>(i)
    }))
    .await;
    assert_eq!(out, Ok(vec![0, 1, 2]));
}

/// The first error is returned and every unfinished child is dropped before it is.
#[weft::test]
async fn try_gather_returns_the_first_error_and_drops_the_rest() {
    let drops = DropCount::new();
    let (openers, gates) = gates(2);
    let children: Vec<BoxedTry> = vec![
        Box::pin({
            let token = drops.token();
            async move {
                let _token = token;
                pending::<()>().await;
                Ok(0)
            }
        }),
        Box::pin({
            let gate = gates[0].clone();
            async move {
                gate.await;
                Err("first".to_string())
            }
        }),
        Box::pin({
            let gate = gates[1].clone();
            async move {
                gate.await;
                Err("second".to_string())
            }
        }),
        Box::pin({
            let token = drops.token();
            async move {
                let _token = token;
                pending::<()>().await;
                Ok(3)
            }
        }),
    ];
    let opener = weft::spawn(async move {
        openers[0].open();
    });
    let err = try_gather(children).await.unwrap_err();
    assert_eq!(err, "first");
    assert_eq!(drops.get(), 2, "both pending children were dropped");
    opener.await.unwrap();
}

#[weft::test]
async fn race_returns_the_first_and_drops_the_others() {
    let drops = DropCount::new();
    let (openers, gates) = gates(3);
    let racers = gates.into_iter().enumerate().map(|(i, gate)| {
        let token = drops.token();
        async move {
            let _token = token;
            gate.await;
            i
        }
    });
    openers[1].open();
    assert_eq!(race(racers).await, 1);
    assert_eq!(drops.get(), 3, "the winner and both losers were dropped");
}

#[weft::test]
#[should_panic(expected = "race` of no futures")]
async fn race_of_nothing_panics() {
    race(Vec::<std::future::Ready<()>>::new()).await;
}

/// Gathering many finished tasks in one go: the cooperative budget cuts each poll
/// short instead of sweeping every handle, and every output still arrives in order.
#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn gather_of_many_join_handles() {
    let n = if cfg!(miri) { 100 } else { 50_000 };
    let handles: Vec<_> = (0..n).map(|i| weft::spawn(async move { i })).collect();
    let outs = gather(handles).await;
    assert!(outs.into_iter().enumerate().all(|(i, o)| o.unwrap() == i));
}
