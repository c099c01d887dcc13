//! `select!`, `join!` and `try_join!`: fairness, `biased;`, guards, disabled branches,
//! `else`, control flow in handlers, and dropping the losers.

use std::future::{pending, ready};
use weft_tests::combinators::{DropCount, gate};

const ROUNDS: usize = if cfg!(miri) { 200 } else { 10_000 };

/// Two branches that are always ready: each must win 40–60 % of the rounds.
#[weft::test]
async fn select_starts_at_a_random_branch() {
    let mut wins = [0usize; 2];
    for _ in 0..ROUNDS {
        let i = weft::select! {
            _ = ready(()) => 0,
            _ = ready(()) => 1,
        };
        wins[i] += 1;
    }
    let (lo, hi) = (ROUNDS * 40 / 100, ROUNDS * 60 / 100);
    assert!(
        (lo..=hi).contains(&wins[0]) && (lo..=hi).contains(&wins[1]),
        "unfair split {wins:?} over {ROUNDS} rounds"
    );
}

#[weft::test]
async fn biased_select_polls_in_order() {
    for _ in 0..ROUNDS {
        let i = weft::select! {
            biased;
            _ = ready(()) => 0,
            _ = ready(()) => 1,
        };
        assert_eq!(i, 0);
    }
}

#[weft::test]
async fn a_false_guard_disables_its_branch() {
    for _ in 0..100 {
        let out = weft::select! {
            v = ready(1), if false => v,
            v = ready(2), if 1 + 1 == 2 => v,
        };
        assert_eq!(out, 2);
    }
}

/// The first future to complete does not match its pattern: its branch is disabled
/// and the select waits for the other one.
#[weft::test]
async fn a_non_matching_output_disables_the_branch() {
    let (opener, gate) = gate();
    let opened = weft::spawn(async move { opener.open() });
    let out = weft::select! {
        biased;
        Some(v) = ready(None::<u32>) => v,
        () = gate => 7,
    };
    assert_eq!(out, 7);
    opened.await.unwrap();
}

#[weft::test]
async fn else_runs_when_every_branch_is_disabled() {
    let out = weft::select! {
        Ok(v) = ready(Err::<u8, ()>(())) => v,
        _ = pending::<()>(), if false => 1,
        else => 42,
    };
    assert_eq!(out, 42);
}

#[weft::test]
#[should_panic(expected = "all branches of `select!` are disabled")]
async fn no_else_and_every_branch_disabled_panics() {
    weft::select! {
        Some(v) = ready(None::<u8>) => v,
    };
}

/// `mut` and `ref` in patterns, or-patterns, and nested constructors.
#[weft::test]
async fn patterns_with_bindings_modes_and_alternatives() {
    let out = weft::select! {
        Some(mut v) = ready(Some(String::from("a"))) => { v.push('b'); v }
    };
    assert_eq!(out, "ab");
    let out = weft::select! {
        (Ok(n) | Err(n), [first, ..]) = ready((Err::<u8, u8>(3), [9, 8])) => n + first,
    };
    assert_eq!(out, 12);
    let out = weft::select! {
        Wrapper { inner: ref v } = ready(Wrapper { inner: 5 }) => *v,
    };
    assert_eq!(out, 5);
}

struct Wrapper {
    inner: u8,
}

/// `break`, `continue` and `?` in handlers act on the caller's code.
#[weft::test]
async fn handlers_control_the_enclosing_loop() -> Result<(), String> {
    let mut n = 0;
    loop {
        n += 1;
        weft::select! {
            biased;
            _ = ready(()), if n < 3 => continue,
            _ = ready(()) => break,
        }
    }
    assert_eq!(n, 3);
    let v: u8 = weft::select! { r = ready(Ok::<u8, String>(4)) => r? };
    assert_eq!(v, 4);
    Ok(())
}

#[weft::test]
async fn select_drops_every_future_before_the_handler_runs() {
    let drops = DropCount::new();
    let (t1, t2) = (drops.token(), drops.token());
    let out = weft::select! {
        biased;
        v = async move { let _t = t1; 1 } => { drops.get() * 10 + v }
        _ = async move { let _t = t2; pending::<()>().await } => 0,
    };
    assert_eq!(out, 21, "both futures were dropped before the handler ran");
}

/// Futures that borrow from the caller, and that are not `Send`.
#[weft::test]
async fn select_on_borrowed_futures() {
    let data = std::rc::Rc::new(vec![1, 2, 3]);
    let out = weft::select! {
        n = async { data.len() } => n,
        _ = pending::<()>() => 0,
    };
    assert_eq!(out, 3);
}

#[weft::test]
async fn join_waits_for_all_in_argument_order() {
    let (opener, gate) = gate();
    let drops = DropCount::new();
    let token = drops.token();
    let (a, b, c) = weft::join!(
        async {
            gate.await;
            "gated"
        },
        async move {
            let _t = token;
            weft::task::yield_now().await;
            opener.open();
            2
        },
        ready('c'),
    );
    assert_eq!((a, b, c), ("gated", 2, 'c'));
    assert_eq!(drops.get(), 1);
}

#[weft::test]
async fn try_join_returns_the_first_error_and_drops_the_rest() {
    let drops = DropCount::new();
    let token = drops.token();
    let out: Result<(u8, u8, u8), &str> = weft::try_join!(
        async move {
            let _t = token;
            pending::<()>().await;
            Ok(1)
        },
        async { Err("second failed") },
        ready(Ok(3)),
    );
    assert_eq!(out, Err("second failed"));
    assert_eq!(drops.get(), 1, "the pending future was dropped");
    let ok: Result<(u8, char), ()> = weft::try_join!(ready(Ok(1)), ready(Ok('x')));
    assert_eq!(ok, Ok((1, 'x')));
}

/// The futures are dropped before the handler runs, so the handler may use what
/// they borrowed mutably.
#[weft::test]
async fn handler_can_reuse_what_the_future_borrowed() {
    let mut source = vec![1, 2, 3];
    let out = weft::select! {
        v = async { source.pop() } => { source.push(10); v }
    };
    assert_eq!(out, Some(3));
    assert_eq!(source, [1, 2, 10]);
}
