//! `tour`: Python's asyncio / threading / concurrent.futures patterns in weft, run one
//! after the other with timings.
//!
//! ```text
//! cargo run --release -p weft-examples --bin tour
//! ```

use lexopt::prelude::*;
use weft_examples::cli;
use weft_examples::tour::{Effort, run};

const USAGE: &str = "\
tour: walks the patterns of Python's concurrency tutorials in weft — tasks and gather,
wait, as_completed, wait_for, shield, Semaphore, Queue, threads and tasks together,
Mutex/Event/Barrier, to_thread, CPU-bound work across cores, an HTTP fetch — and prints
what happened with timings.

usage: tour [--quick]

  --quick      a small CPU-bound section (for debug builds and tests)
  -h, --help   print this help";

#[weft::main]
async fn main() {
    let effort = cli::parse_args(USAGE, |p| {
        let mut effort = Effort::Full;
        while let Some(arg) = p.next()? {
            match arg {
                Long("quick") => effort = Effort::Quick,
                other => return Err(other.unexpected()),
            }
        }
        Ok(effort)
    });
    let summary = run(effort).await;
    println!(
        "\ntour done: {} sections checked; CPU-bound speed-up ×{:.2} on {} cores",
        summary.sections, summary.speedup, summary.workers
    );
}
