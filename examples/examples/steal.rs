//! Spawns CPU-bound work from a single task, lets idle workers steal it, joins it,
//! and prints which worker ran how much.
//!
//! ```text
//! cargo run --release -p weft-examples --example steal -- [TASKS] [WORKERS]
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

/// A little CPU work: the sum of the Collatz path lengths of `n..n + 200`.
fn work(n: u64) -> u64 {
    (n..n + 200)
        .map(|mut x| {
            let mut steps = 0;
            while x > 1 {
                x = if x % 2 == 0 { x / 2 } else { 3 * x + 1 };
                steps += 1;
            }
            steps
        })
        .sum()
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut args = argv.iter();
    if argv.iter().any(|a| a == "--help" || a == "-h") {
        println!("usage: steal [TASKS (default 20000)] [WORKERS (default: one per core)]");
        return;
    }
    let tasks: u64 = args
        .next()
        .map_or(20_000, |a| a.parse().expect("TASKS must be a number"));
    let mut builder = weft::runtime::Builder::new_multi_thread();
    if let Some(w) = args.next() {
        builder.worker_threads(w.parse().expect("WORKERS must be a number"));
    }
    let rt = builder.thread_name("weft-worker").build().expect("runtime");

    let start = Instant::now();
    let (total, per_thread) = rt.block_on(async move {
        // Spawn everything from one task: it all lands on that task's worker, and the
        // other workers only get a share by stealing it.
        weft::spawn(async move {
            let handles: Vec<_> = (0..tasks)
                .map(|i| {
                    weft::spawn(async move {
                        let id = std::thread::current().id();
                        (work(i * 7), format!("{id:?}"))
                    })
                })
                .collect();
            let mut total = 0;
            let mut per_thread = BTreeMap::new();
            for h in handles {
                let (v, thread) = h.await.expect("task failed");
                total += v;
                *per_thread.entry(thread).or_insert(0u64) += 1;
            }
            (total, per_thread)
        })
        .await
        .expect("spawner task failed")
    });
    let elapsed = start.elapsed();

    println!("ran {tasks} tasks in {elapsed:.2?}, checksum {total}");
    for (thread, n) in &per_thread {
        println!(
            "  {thread}: {n} tasks ({:.1} %)",
            100.0 * *n as f64 / tasks as f64
        );
    }
    let expected: u64 = (0..tasks).map(|i| work(i * 7)).sum();
    assert_eq!(total, expected, "checksum mismatch");
    println!(
        "work was spread over {} worker thread(s); checksum verified",
        per_thread.len()
    );
}
