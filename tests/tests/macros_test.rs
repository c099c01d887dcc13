//! `#[weft::test]` in real use: every flavour and option compiles, the body runs on
//! the runtime, and the function keeps its return type and other attributes.
//!
//! Each test awaits something and checks the result, so a body that silently did not
//! run (or ran without a runtime) fails.

/// A future that is pending once before it completes, so the runtime really has to
/// poll the body again after a wake-up.
async fn yield_once(value: u32) -> u32 {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            std::task::Poll::Ready(value)
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await
}

#[weft::test]
async fn default_flavor_runs_the_body() {
    assert_eq!(yield_once(1).await + yield_once(2).await, 3);
}

#[weft::test(flavor = "current_thread")]
async fn current_thread_runs_the_body() {
    assert_eq!(yield_once(5).await, 5);
}

#[weft::test(flavor = "multi_thread")]
async fn multi_thread_runs_the_body() {
    assert_eq!(yield_once(6).await, 6);
}

#[weft::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_with_two_workers() {
    assert_eq!(yield_once(7).await, 7);
}

#[weft::test(
    flavor = "multi_thread",
    worker_threads = 1,
    max_blocking_threads = 4,
    thread_name = "weft-macros-test",
    thread_stack_size = 1_048_576,
    global_queue_interval = 31,
    event_interval = 61,
    unhandled_panic = "ignore",
    start_paused = false
)]
async fn every_option_at_once() {
    assert_eq!(yield_once(8).await, 8);
}

#[weft::test(unhandled_panic = "shutdown_runtime", start_paused = true)]
async fn current_thread_with_options() {
    assert_eq!(yield_once(9).await, 9);
}

#[weft::test]
async fn returns_a_result() -> Result<(), String> {
    let n: u32 = "42".parse().map_err(|e| format!("{e}"))?;
    assert_eq!(n, yield_once(42).await);
    Ok(())
}

#[weft::test]
async fn question_mark_converts_into_a_boxed_error() -> Result<(), Box<dyn std::error::Error>> {
    // `?` needs the body's output type, which only the declared return type gives.
    let n: u32 = "42".parse()?;
    assert_eq!(n, yield_once(42).await);
    Ok(())
}

#[weft::test]
async fn return_leaves_the_body() -> Result<(), String> {
    if yield_once(1).await == 1 {
        return Ok(());
    }
    Err("`return` did not leave the body".to_owned())
}

#[weft::test]
#[should_panic(expected = "panics propagate out of the body")]
async fn other_attributes_are_kept() {
    yield_once(0).await;
    panic!("panics propagate out of the body");
}

#[weft::test]
async fn user_locals_named_like_the_expansion_do_not_clash() {
    // The expansion's own `body` and `runtime` locals are hygienic.
    let body = yield_once(2).await;
    let runtime = yield_once(3).await;
    assert_eq!(body * runtime, 6);
}

mod renamed {
    // What a crate that re-exports weft would offer its users.
    pub(crate) use ::weft as rt;
}

#[weft::test(crate = "crate::renamed::rt")]
async fn crate_option_names_the_runtime_path() {
    assert_eq!(yield_once(11).await, 11);
}

#[weft::test(crate = "::weft", flavor = "multi_thread")]
async fn crate_option_accepts_a_global_path() {
    assert_eq!(yield_once(12).await, 12);
}

macro_rules! test_with_workers {
    ($name:ident, $workers:expr) => {
        #[weft::test(flavor = "multi_thread", worker_threads = $workers)]
        async fn $name() {
            assert_eq!(yield_once($workers).await, $workers);
        }
    };
}

// Values passed through `macro_rules!` fragments arrive wrapped in invisible groups.
test_with_workers!(options_through_macro_rules, 3);

#[weft::test(thread_name = "weft\u{2d}escaped")]
async fn body_keeps_its_inner_attributes() {
    #![allow(unused_variables)]
    let never_read = yield_once(4).await;
    assert_eq!(yield_once(1).await, 1);
}
