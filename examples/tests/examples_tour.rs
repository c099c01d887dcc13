//! `tour` and `demo` as real processes: each runs to completion on its own, checks
//! its own results, and prints its summary.

use weft_tests::process_support::run;

const TOUR: &str = env!("CARGO_BIN_EXE_tour");
const DEMO: &str = env!("CARGO_BIN_EXE_demo");

#[test]
fn the_tour_walks_every_pattern() {
    let (status, out, err) = run(TOUR, &["--quick"]);
    assert!(status.success(), "tour failed: {err}\n{out}");
    for heading in [
        "tasks and gather",
        "FIRST_COMPLETED",
        "as_completed",
        "wait_for / timeout",
        "shield",
        "Semaphore-limited workers",
        "task_done and join",
        "threads and tasks sharing a Queue",
        "Mutex, Event, Barrier",
        "to_thread",
        "CPU-bound work across cores",
        "a local HTTP fetch",
    ] {
        assert!(out.contains(heading), "no section {heading:?} in:\n{out}");
    }
    assert!(out.contains("tour done: 12 sections checked"), "{out}");
}

#[test]
fn the_demo_drives_every_server_and_summarises() {
    let (status, out, err) = run(DEMO, &["--quick"]);
    assert!(status.success(), "demo failed: {err}\n{out}");
    assert!(out.contains("every byte verified"), "{out}");
    assert!(out.contains("all answered"), "{out}");
    assert!(out.contains("delivered to 2 other clients"), "{out}");
    assert!(out.contains("12 patterns checked"), "{out}");
}
