//! The two schedulers behind one handle type.

pub(crate) mod current_thread;
pub(crate) mod inject;
pub(crate) mod multi_thread;

use crate::runtime::blocking;
use crate::runtime::driver::DriverHandle;
use crate::task::{JoinHandle, Meta};
use std::future::Future;
use std::sync::Arc;

/// A counted reference to a running scheduler.
#[derive(Clone)]
pub(crate) enum Handle {
    CurrentThread(Arc<current_thread::Handle>),
    MultiThread(Arc<multi_thread::Handle>),
}

/// A scheduler's thread-local state on the thread that drives it.
pub(crate) enum Context {
    CurrentThread(current_thread::Context),
    MultiThread(multi_thread::Context),
}

impl Handle {
    #[track_caller]
    pub(crate) fn spawn<F>(&self, future: F, meta: Meta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::CurrentThread(h) => h.spawn(future, meta),
            Handle::MultiThread(h) => h.spawn(future, meta),
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &blocking::Spawner {
        match self {
            Handle::CurrentThread(h) => &h.blocking,
            Handle::MultiThread(h) => &h.blocking,
        }
    }

    /// The driver of this runtime (its reactor and timers).
    pub(crate) fn driver_handle(&self) -> &DriverHandle {
        match self {
            Handle::CurrentThread(h) => &h.driver,
            Handle::MultiThread(h) => h.driver.handle(),
        }
    }

    pub(crate) fn shutdown(&self) {
        match self {
            Handle::CurrentThread(h) => h.shutdown(),
            Handle::MultiThread(h) => h.shutdown(),
        }
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        match self {
            Handle::CurrentThread(h) => h.num_alive_tasks(),
            Handle::MultiThread(h) => h.num_alive_tasks(),
        }
    }
}
