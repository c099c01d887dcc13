//! Settings the schedulers read at run time, split from `Builder` so the hot paths
//! see only plain fields.

use crate::task::PanicReport;
use std::sync::Arc;

/// What to do when a detached task panics (nobody holds its `JoinHandle`).
///
/// ```
/// use weft::runtime::{Builder, UnhandledPanic};
///
/// let rt = Builder::new_current_thread()
///     .unhandled_panic(UnhandledPanic::Ignore)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     drop(weft::spawn(async { panic!("nobody will hear this") }));
/// });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnhandledPanic {
    /// Print the task's id, name, spawn location and panic message to stderr, and
    /// carry on. The default: a detached task's panic is never silent.
    #[default]
    Report,
    /// Carry on silently.
    Ignore,
    /// Report it, then shut the runtime down: every task is cancelled.
    ShutdownRuntime,
}

pub(crate) type Callback = Arc<dyn Fn() + Send + Sync>;

/// How runtime threads are named, sized and hooked.
#[derive(Clone)]
pub(crate) struct ThreadConfig {
    pub(crate) name: Arc<dyn Fn() -> String + Send + Sync>,
    pub(crate) stack_size: Option<usize>,
    pub(crate) on_start: Option<Callback>,
    pub(crate) on_stop: Option<Callback>,
}

impl ThreadConfig {
    pub(crate) fn builder(&self) -> std::thread::Builder {
        let mut b = std::thread::Builder::new().name((self.name)());
        if let Some(size) = self.stack_size {
            b = b.stack_size(size);
        }
        b
    }

    pub(crate) fn started(&self) {
        if let Some(f) = &self.on_start {
            f();
        }
    }

    pub(crate) fn stopped(&self) {
        if let Some(f) = &self.on_stop {
            f();
        }
    }
}

/// Scheduler knobs.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) unhandled_panic: UnhandledPanic,
}

impl Config {
    /// Applies the `UnhandledPanic` policy; `shutdown` stops the runtime.
    pub(crate) fn unhandled_panic(&self, report: &PanicReport<'_>, shutdown: impl FnOnce()) {
        match self.unhandled_panic {
            UnhandledPanic::Report => report.print(),
            UnhandledPanic::Ignore => {}
            UnhandledPanic::ShutdownRuntime => {
                report.print();
                eprintln!("weft: shutting the runtime down (UnhandledPanic::ShutdownRuntime)");
                shutdown();
            }
        }
    }
}
