//! The `idle_task_memory` workload: resident memory per parked task, measured in a
//! fresh child process per runtime so that no earlier workload's heap is counted.
//!
//! Invariant: the baseline is read after the runtime has started and run a few
//! tasks, and the second reading is taken once every task has parked (counted by
//! the [`Gate`] on first poll, waited for on that count, never on time); the gate's
//! own waker slots are allocated and touched before the baseline, so the growth
//! between the two readings is the runtime's (task cells, queues, wakers).
//! Tasks are spawned from outside in batches of 10 000, each batch parked before the
//! next, so a runtime's injector never holds a million tasks at once.

use std::process::{Command, ExitCode};

use weft_benches::{ChildRequest, Counter, Gate, Row, Summary, Unit, resident_bytes};

use crate::peer::{Peer, Spawn, WORKERS};
use crate::smol_side::SmolPeer;
use crate::tokio_side::TokioPeer;
use crate::{Tally, watchdog};

/// The workload's name, also the probe name of the hidden child subcommand.
pub(crate) const NAME: &str = "idle_task_memory";

/// Tasks spawned per batch.
const BATCH: usize = 10_000;

/// Runs the probe `runs` times for every runtime, each in a child process parking
/// `tasks` tasks, and makes the row.
pub(crate) fn measure_all(tasks: usize, runs: usize, tally: &mut Tally) -> Row {
    let mut side = |runtime: &str| -> Result<Summary, String> {
        eprint!("  {runtime:<5} ... ");
        let _watchdog = watchdog::arm(format!("the {runtime} side of {NAME}"), watchdog::LIMIT);
        let figures = (0..runs)
            .map(|_| run_child(runtime, tasks))
            .collect::<Result<Vec<f64>, String>>();
        let summary = figures.and_then(|v| Summary::from_values(v).ok_or("no figure".into()));
        match &summary {
            Ok(s) => eprintln!("{}", Unit::BytesPerTask.format(s.median)),
            Err(why) => eprintln!("not measured: {why}"),
        }
        tally.count(summary)
    };
    let weft = if cfg!(feature = "weft-core") {
        side("weft")
    } else {
        Err("feature weft-core off".into())
    };
    Row {
        name: NAME.into(),
        unit: Unit::BytesPerTask,
        weft,
        tokio: side(TokioPeer::NAME),
        smol: side(SmolPeer::NAME),
    }
}

/// Re-executes this bench binary as `__child idle_task_memory RUNTIME TASKS` and
/// reads the bytes per task it prints.
fn run_child(runtime: &str, tasks: usize) -> Result<f64, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find own binary: {e}"))?;
    let output = Command::new(exe)
        .args(["__child", NAME, runtime, &tasks.to_string()])
        .output()
        .map_err(|e| format!("cannot start child: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or("");
        return Err(format!("child failed ({}): {last}", output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or("");
    line.trim()
        .parse()
        .map_err(|_| format!("child printed `{line}`, not a number"))
}

/// Entry point of the child process: runs one probe and prints bytes per task.
pub(crate) fn child_main(request: &ChildRequest) -> ExitCode {
    if request.probe != NAME {
        eprintln!("unknown probe `{}`: only `{NAME}` exists", request.probe);
        return ExitCode::from(2);
    }
    let tasks = request.tasks.max(1);
    let per_task = match request.runtime.as_str() {
        TokioPeer::NAME => probe::<TokioPeer>(tasks),
        SmolPeer::NAME => probe::<SmolPeer>(tasks),
        #[cfg(feature = "weft-core")]
        crate::weft_side::WeftPeer::NAME => probe::<crate::weft_side::WeftPeer>(tasks),
        other => {
            eprintln!(
                "runtime `{other}` is not built into this bench (weft needs feature weft-core)"
            );
            return ExitCode::from(2);
        }
    };
    println!("{per_task:.1}");
    ExitCode::SUCCESS
}

/// Parks `tasks` tasks on a gate and returns the RSS growth per task.
fn probe<P: Peer>(tasks: usize) -> f64 {
    // Leaked: they must outlive every task, and this process ends right after.
    let gate: &'static Gate = Box::leak(Box::new(Gate::new(tasks)));
    let done: &'static Counter = Box::leak(Box::new(Counter::new()));
    let warmed: &'static Counter = Box::leak(Box::new(Counter::new()));

    let rt = P::start(WORKERS);
    let h = rt.handle();
    // Let the workers start and grow their lazily built state before the baseline.
    const WARM: usize = 1_000;
    for _ in 0..WARM {
        h.spawn_detached(async move { warmed.bump() });
    }
    warmed.wait_for(WARM);

    let before = resident_bytes().expect("RSS is readable from /proc/self/statm");
    let mut spawned = 0;
    while spawned < tasks {
        let end = (spawned + BATCH).min(tasks);
        for i in spawned..end {
            h.spawn_detached(async move {
                gate.wait(i).await;
                done.bump();
            });
        }
        gate.parked().wait_for(end);
        spawned = end;
    }
    let after = resident_bytes().expect("RSS is readable from /proc/self/statm");

    gate.release();
    done.wait_for(tasks);
    drop(h);
    drop(rt);
    after.saturating_sub(before) as f64 / tasks as f64
}
