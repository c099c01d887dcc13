#[weft::main(worker_threads = 2, flavor = "current_thread")]
async fn main() {}

// Tests default to the current-thread flavour.
#[weft::test(worker_threads = 2)]
async fn needs_multi_thread() {}
