//! The list of workloads, in report order, with each runtime's implementation.
//!
//! Invariant: a weft implementation is listed only when the cargo feature of its
//! area is on (`weft-core`, `weft-time`, `weft-sync`, `weft-net`, `weft-future`,
//! `weft-blocking`, `weft-http`); otherwise the row says which feature is off, and
//! the peers are still measured. A workload with no smol side (the HTTP servers,
//! compared with hyper on tokio) says so in its smol cell.

use crate::blocking_workloads as blocking;
use crate::core_workloads as core;
use crate::future_workloads as future;
use crate::http_workloads as http;
use crate::net_workloads as net;
use crate::peer::Fixture;
use crate::rate::Rate;
use crate::smol_side::{
    AsyncChannel, AsyncChannelOneshot, AsyncIoTime, AsyncNetTcp, SmolPeer, SmolTasks,
};
use crate::sync_workloads as sync;
use crate::time_workloads as time;
use crate::tokio_side::{JoinAll, TokioMpsc, TokioOneshot, TokioPeer, TokioTcp, TokioTime};
use weft_benches::Row;

/// How a workload is measured.
pub(crate) enum Kind {
    /// Timed in this process through a fixture per runtime.
    Timed {
        weft: Result<fn() -> Fixture, &'static str>,
        tokio: fn() -> Fixture,
        smol: Result<fn() -> Fixture, &'static str>,
    },
    /// RSS per parked task, in child processes.
    IdleMemory,
}

/// One named workload.
pub(crate) struct Workload {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    /// The work one run does, when a rate is the workload's natural figure.
    pub(crate) rate: Option<Rate>,
    /// A note of the workload's own, built from its row once it is measured.
    pub(crate) note: Option<fn(&Row) -> String>,
}

impl Workload {
    /// Quotes this workload's throughput too: `per_run` units of work per run.
    fn with_rate(self, per_run: f64, unit: &'static str) -> Workload {
        Workload {
            rate: Some(Rate { per_run, unit }),
            ..self
        }
    }

    /// Adds `note(row)` under the table once the row is measured.
    fn with_note(self, note: fn(&Row) -> String) -> Workload {
        Workload {
            note: Some(note),
            ..self
        }
    }
}

/// `Ok(fixture)` when the weft feature `$feature` is on, else an `Err` naming it.
macro_rules! weft {
    ($feature:literal, $fixture:expr) => {{
        #[cfg(feature = $feature)]
        let side: Result<fn() -> Fixture, &'static str> = Ok($fixture);
        #[cfg(not(feature = $feature))]
        let side: Result<fn() -> Fixture, &'static str> =
            Err(concat!("feature ", $feature, " off"));
        side
    }};
}

fn timed(
    name: &'static str,
    weft: Result<fn() -> Fixture, &'static str>,
    tokio: fn() -> Fixture,
    smol: fn() -> Fixture,
) -> Workload {
    Workload {
        name,
        kind: Kind::Timed {
            weft,
            tokio,
            smol: Ok(smol),
        },
        rate: None,
        note: None,
    }
}

/// A workload measured against tokio only; `no_smol` says why smol has no side.
fn timed_vs_tokio(
    name: &'static str,
    weft: Result<fn() -> Fixture, &'static str>,
    tokio: fn() -> Fixture,
    no_smol: &'static str,
) -> Workload {
    Workload {
        name,
        kind: Kind::Timed {
            weft,
            tokio,
            smol: Err(no_smol),
        },
        rate: None,
        note: None,
    }
}

/// Every workload, in the order the report lists them.
pub(crate) fn all() -> Vec<Workload> {
    vec![
        timed(
            "spawn_many_local",
            weft!(
                "weft-core",
                core::spawn_many_local::<crate::weft_side::WeftPeer>
            ),
            core::spawn_many_local::<TokioPeer>,
            core::spawn_many_local::<SmolPeer>,
        ),
        timed(
            "spawn_many_remote",
            weft!(
                "weft-core",
                core::spawn_many_remote::<crate::weft_side::WeftPeer>
            ),
            core::spawn_many_remote::<TokioPeer>,
            core::spawn_many_remote::<SmolPeer>,
        ),
        timed(
            "yield_many",
            weft!("weft-core", core::yield_many::<crate::weft_side::WeftPeer>),
            core::yield_many::<TokioPeer>,
            core::yield_many::<SmolPeer>,
        ),
        timed(
            "ping_pong",
            weft!(
                "weft-sync",
                core::ping_pong::<crate::weft_side::WeftPeer, crate::weft_side::WeftOneshot>
            ),
            core::ping_pong::<TokioPeer, TokioOneshot>,
            core::ping_pong::<SmolPeer, AsyncChannelOneshot>,
        ),
        timed(
            "chained_spawn",
            weft!(
                "weft-core",
                core::chained_spawn::<crate::weft_side::WeftPeer>
            ),
            core::chained_spawn::<TokioPeer>,
            core::chained_spawn::<SmolPeer>,
        ),
        Workload {
            name: crate::idle_memory::NAME,
            kind: Kind::IdleMemory,
            rate: None,
            note: None,
        },
        timed(
            "timeout_ready",
            weft!(
                "weft-time",
                time::timeout_ready::<crate::weft_side::WeftPeer, crate::weft_side::WeftTime>
            ),
            time::timeout_ready::<TokioPeer, TokioTime>,
            time::timeout_ready::<SmolPeer, AsyncIoTime>,
        ),
        timed(
            "sleep_many",
            weft!(
                "weft-time",
                time::sleep_many::<crate::weft_side::WeftPeer, crate::weft_side::WeftTime>
            ),
            time::sleep_many::<TokioPeer, TokioTime>,
            time::sleep_many::<SmolPeer, AsyncIoTime>,
        ),
        timed(
            "timer_churn",
            weft!(
                "weft-time",
                time::timer_churn::<crate::weft_side::WeftPeer, crate::weft_side::WeftTime>
            ),
            time::timer_churn::<TokioPeer, TokioTime>,
            time::timer_churn::<SmolPeer, AsyncIoTime>,
        ),
        timed(
            "semaphore_contention",
            weft!(
                "weft-sync",
                sync::semaphore_contention::<crate::weft_side::WeftPeer, weft::sync::Semaphore>
            ),
            sync::semaphore_contention::<TokioPeer, tokio::sync::Semaphore>,
            sync::semaphore_contention::<SmolPeer, async_lock::Semaphore>,
        ),
        timed(
            "mutex_contention",
            weft!(
                "weft-sync",
                sync::mutex_contention::<crate::weft_side::WeftPeer, weft::sync::Mutex<u64>>
            ),
            sync::mutex_contention::<TokioPeer, tokio::sync::Mutex<u64>>,
            sync::mutex_contention::<SmolPeer, async_lock::Mutex<u64>>,
        ),
        timed(
            "mpsc_throughput",
            weft!(
                "weft-sync",
                sync::channel_throughput::<crate::weft_side::WeftPeer, crate::weft_side::WeftMpsc>
            ),
            sync::channel_throughput::<TokioPeer, TokioMpsc>,
            sync::channel_throughput::<SmolPeer, AsyncChannel>,
        ),
        timed(
            "queue_throughput",
            weft!(
                "weft-sync",
                sync::channel_throughput::<crate::weft_side::WeftPeer, crate::weft_side::WeftQueue>
            ),
            sync::channel_throughput::<TokioPeer, TokioMpsc>,
            sync::channel_throughput::<SmolPeer, AsyncChannel>,
        ),
        timed(
            "tcp_echo",
            weft!(
                "weft-net",
                net::tcp_echo::<crate::weft_side::WeftPeer, crate::weft_side::WeftTcp>
            ),
            net::tcp_echo::<TokioPeer, TokioTcp>,
            net::tcp_echo::<SmolPeer, AsyncNetTcp>,
        )
        .with_rate(
            (net::ECHO_CONNECTIONS * net::ECHO_ROUNDS) as f64,
            "round trips/s",
        ),
        timed(
            "tcp_bulk",
            weft!(
                "weft-net",
                net::tcp_bulk::<crate::weft_side::WeftPeer, crate::weft_side::WeftTcp>
            ),
            net::tcp_bulk::<TokioPeer, TokioTcp>,
            net::tcp_bulk::<SmolPeer, AsyncNetTcp>,
        )
        .with_rate(net::BULK_BYTES as f64, "B/s"),
        timed(
            "gather_10k",
            weft!(
                "weft-future",
                future::gather_10k::<crate::weft_side::WeftPeer, crate::weft_side::WeftGather>
            ),
            future::gather_10k::<TokioPeer, JoinAll>,
            future::gather_10k::<SmolPeer, JoinAll>,
        ),
        timed(
            "joinset_10k",
            weft!(
                "weft-future",
                future::joinset_10k::<crate::weft_side::WeftPeer, weft::task::JoinSet<u64>>
            ),
            future::joinset_10k::<TokioPeer, tokio::task::JoinSet<u64>>,
            future::joinset_10k::<SmolPeer, SmolTasks>,
        ),
        timed(
            "spawn_blocking_many",
            weft!(
                "weft-blocking",
                blocking::spawn_blocking_many::<crate::weft_side::WeftPeer>
            ),
            blocking::spawn_blocking_many::<TokioPeer>,
            blocking::spawn_blocking_many::<SmolPeer>,
        ),
        timed(
            "fs_read_small",
            weft!(
                "weft-blocking",
                blocking::fs_read_small::<crate::weft_side::WeftPeer>
            ),
            blocking::fs_read_small::<TokioPeer>,
            blocking::fs_read_small::<SmolPeer>,
        ),
        timed_vs_tokio(
            "http_hyper",
            weft!("weft-http", http::hyper_on_weft),
            http::hyper_on_tokio,
            "no side: hyper vs hyper on tokio",
        )
        .with_note(http::note),
        timed_vs_tokio(
            "http_example",
            weft!("weft-http", http::example_on_weft),
            http::hyper_on_tokio,
            "no side: weft's http example vs hyper on tokio",
        )
        .with_note(http::note),
    ]
}
