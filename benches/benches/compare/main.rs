//! `cargo bench -p weft-benches [-- [--quick] [FILTER...]]`: weft against tokio and
//! smol in one run, each with 2 worker threads, reported as time (or memory) ratios
//! against the better peer. Prints the table and writes it as Markdown to
//! `target/bench-report.md`.
//!
//! Invariant: runtimes are measured one at a time (each built once per workload,
//! reused across its samples, and shut down before the next starts), so no two
//! runtimes compete for the machine's cores during a measurement.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, unreachable_pub, missing_docs)]

mod blocking_workloads;
mod core_workloads;
mod future_workloads;
mod http_workloads;
mod hyper_tokio;
mod idle_memory;
mod net_workloads;
mod peer;
mod rate;
mod registry;
mod smol_side;
mod sync_workloads;
mod time_workloads;
mod tokio_side;
mod watchdog;
#[cfg(feature = "weft-core")]
mod weft_side;

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;

use weft_benches::{Options, Plan, Report, Row, Summary, Unit, measure};

use crate::peer::Fixture;
use crate::registry::{Kind, Workload};

fn main() -> ExitCode {
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(opts) => opts,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
    if let Some(child) = &opts.child {
        return idle_memory::child_main(child);
    }
    // Without `--bench` we run under `cargo test`: one unwarmed run of everything.
    let (plan, memory_tasks, memory_runs) = match (opts.bench, opts.quick) {
        (false, _) => (Plan::once(), 20_000, 1),
        (true, true) => (Plan::quick(), 200_000, 1),
        (true, false) => (Plan::full(), 1_000_000, 3),
    };
    let workloads: Vec<Workload> = registry::all()
        .into_iter()
        .filter(|w| opts.selects(w.name))
        .collect();
    if workloads.is_empty() {
        let names: Vec<&str> = registry::all().iter().map(|w| w.name).collect();
        eprintln!(
            "no workload matches {:?}; the workloads are: {}",
            opts.filters,
            names.join(", ")
        );
        return ExitCode::from(2);
    }

    let mut report = Report::new(notes(&opts, &plan));
    let mut tally = Tally::default();
    let mut rates = Vec::new();
    for workload in workloads {
        eprintln!("{}", workload.name);
        let row = match workload.kind {
            Kind::Timed { weft, tokio, smol } => Row {
                name: workload.name.into(),
                unit: Unit::Time,
                weft: weft
                    .map_err(String::from)
                    .and_then(|make| run_side(workload.name, "weft", &plan, make, &mut tally)),
                tokio: run_side(workload.name, "tokio", &plan, tokio, &mut tally),
                smol: smol
                    .map_err(String::from)
                    .and_then(|make| run_side(workload.name, "smol", &plan, make, &mut tally)),
            },
            Kind::IdleMemory => idle_memory::measure_all(memory_tasks, memory_runs, &mut tally),
        };
        if let Some(rate) = workload.rate {
            rates.push(rate.note(&row));
        }
        if let Some(note) = workload.note {
            rates.push(note(&row));
        }
        report.rows.push(row);
    }

    println!("\n{}", report.to_text());
    for note in &rates {
        println!("{note}");
    }
    report.notes.extend(rates);
    if opts.bench {
        let path = report_path();
        match std::fs::write(&path, report.to_markdown()) {
            Ok(()) => println!("Markdown report written to {}", path.display()),
            Err(err) => eprintln!("could not write {}: {err}", path.display()),
        }
    } else {
        println!("(check run under `cargo test`: figures are unoptimised, no report written)");
    }
    println!(
        "workloads: {} passed, {} failed",
        tally.passed, tally.failed
    );
    if tally.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// How many runtime sides of the selected workloads ran and checked out, and how
/// many failed (panicked, or a memory child failed).
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) passed: usize,
    pub(crate) failed: usize,
}

impl Tally {
    /// Counts `result` and passes it on.
    pub(crate) fn count<T>(&mut self, result: Result<T, String>) -> Result<T, String> {
        match &result {
            Ok(_) => self.passed += 1,
            Err(_) => self.failed += 1,
        }
        result
    }
}

/// Measures one runtime's side of a workload; a panic (e.g. a failed result
/// check) is reported in the row rather than ending the run, and a hang ends the
/// run after [`watchdog::LIMIT`] with a message naming the side.
fn run_side(
    workload: &str,
    runtime: &str,
    plan: &Plan,
    make: fn() -> Fixture,
    tally: &mut Tally,
) -> Result<Summary, String> {
    eprint!("  {runtime:<5} ... ");
    let _watchdog = watchdog::arm(format!("the {runtime} side of {workload}"), watchdog::LIMIT);
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut fixture = make();
        measure(plan, &mut *fixture)
    }));
    tally.count(match result {
        Ok(summary) => {
            eprintln!(
                "median {} (min {}, {} samples)",
                Unit::Time.format(summary.median),
                Unit::Time.format(summary.min),
                summary.samples
            );
            Ok(summary)
        }
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic".into());
            Err(format!("panicked: {why}"))
        }
    })
}

/// The configuration lines printed at the top of the Markdown report.
fn notes(opts: &Options, plan: &Plan) -> Vec<String> {
    let on = |f: bool| if f { "on" } else { "off" };
    vec![
        format!(
            "Mode: {} (warm-up {}, then {}–{} samples within ~{:.1} s per runtime and workload)",
            match (opts.bench, opts.quick) {
                (false, _) => "check under cargo test",
                (true, true) => "--quick",
                (true, false) => "full",
            },
            plan.warmup,
            plan.min_samples,
            plan.max_samples,
            plan.budget.as_secs_f64()
        ),
        format!(
            "weft features: weft-core {}, weft-time {}, weft-sync {}, weft-net {}, \
             weft-future {}, weft-blocking {}, weft-http {}",
            on(cfg!(feature = "weft-core")),
            on(cfg!(feature = "weft-time")),
            on(cfg!(feature = "weft-sync")),
            on(cfg!(feature = "weft-net")),
            on(cfg!(feature = "weft-future")),
            on(cfg!(feature = "weft-blocking")),
            on(cfg!(feature = "weft-http"))
        ),
        "Every runtime has 2 worker threads, is built once per workload and reused across \
         its samples. weft: `Builder::new_multi_thread().worker_threads(2)`. tokio: \
         `Builder::new_multi_thread().worker_threads(2).enable_time().enable_io()`. smol: one \
         `async_executor::Executor` run by 2 plain threads in \
         `async_io::block_on(ex.run(stop))` (= `smol::block_on`); the bench thread waits \
         with `async_io::block_on`."
            .into(),
        "Primitives: each runtime's own. smol side: oneshot = async-channel `bounded(1)`, \
         semaphore/mutex = async-lock, channel and queue = async-channel, timers = \
         async-io `Timer`, timeout = `fut.or(async { Timer::after(d).await; .. })`, \
         TCP = async-net, JoinSet = a `Vec` of `Task`s awaited in order, \
         spawn_blocking = `blocking::unblock`, fs = async-fs. gather: weft `gather`, \
         tokio and smol `futures_util::future::join_all`."
            .into(),
    ]
}

/// `<target dir>/bench-report.md`: the bench binary lives in
/// `<target dir>/<profile>/deps/`.
fn report_path() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(|dir| dir.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("bench-report.md")
}
