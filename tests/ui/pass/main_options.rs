//! Every option on `main`, and a public `main` with doc comments and attributes.

/// Documentation stays on the function.
#[weft::main(
    flavor = "multi_thread",
    worker_threads = 2,
    max_blocking_threads = 8,
    thread_name = "app-worker",
    thread_stack_size = 0x20_0000,
    global_queue_interval = 31u32,
    event_interval = 61,
    unhandled_panic = "shutdown_runtime",
    start_paused = false,
    crate = "weft",
)]
#[allow(clippy::needless_return)]
pub async fn main() {
    let answer = async { 6 * 7 }.await;
    assert_eq!(answer, 42);
    return;
}
