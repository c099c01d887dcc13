//! [`Handle`]: a cheap, thread-safe reference to a driver, and the thread-local
//! "current reactor" that I/O resources register with.
//!
//! The runtime enters a handle on each of its threads ([`Handle::enter`]); sockets
//! created there find it with [`Handle::current`]. Entering nests: a guard puts back
//! whatever was current before it, so guards must be dropped in reverse order.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};

use super::registrations::Registrations;

/// Runs a boxed job somewhere it may block; see [`Handle::set_blocking_spawner`].
pub type BlockingSpawner = Arc<dyn Fn(Box<dyn FnOnce() + Send>) + Send + Sync>;

/// What a driver shares with its handles.
pub(crate) struct Shared {
    /// A clone of the driver's `mio::Registry`, for registering from any thread.
    pub(crate) registry: mio::Registry,
    /// Interrupts the driver's `poll`.
    pub(crate) waker: mio::Waker,
    pub(crate) registrations: Registrations,
    blocking: RwLock<Option<BlockingSpawner>>,
}

impl Shared {
    pub(crate) fn new(registry: mio::Registry, waker: mio::Waker) -> Shared {
        Shared {
            registry,
            waker,
            registrations: Registrations::default(),
            blocking: RwLock::new(None),
        }
    }
}

/// A handle to a [`Driver`](super::Driver): registers I/O resources with it and
/// wakes it from any thread. Cloning is a reference-count increment.
///
/// ```
/// let driver = weft_io::reactor::Driver::new()?;
/// let handle = driver.handle();
/// std::thread::spawn(move || handle.unpark()).join().unwrap();
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

// The scheduler hands handles to every worker and wakes the driver from any thread.
const _: fn() = || {
    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
    assert_send_sync_clone::<Handle>();
};

thread_local! {
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

const NO_RUNTIME: &str = "no weft runtime is running here: call this from inside \
    `#[weft::main]`, `Runtime::block_on` or a spawned task";

impl Handle {
    /// Wakes the driver if it is parked, or makes its next park return at once.
    /// Errors from the wake-up descriptor cannot be acted on here and are ignored:
    /// the driver then returns at its next timeout instead.
    ///
    /// ```
    /// let mut driver = weft_io::reactor::Driver::new()?;
    /// driver.handle().unpark();
    /// driver.park(None)?; // returns at once: the unpark is remembered
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn unpark(&self) {
        let _ = self.shared.waker.wake();
    }

    /// Makes this handle the current reactor of this thread until the guard drops.
    ///
    /// ```
    /// use weft_io::reactor::{Driver, Handle};
    ///
    /// let driver = Driver::new()?;
    /// assert!(Handle::try_current().is_none());
    /// {
    ///     let _guard = driver.handle().enter();
    ///     assert!(Handle::try_current().is_some());
    /// }
    /// assert!(Handle::try_current().is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn enter(&self) -> EnterGuard {
        let prev = CURRENT.with(|current| current.replace(Some(self.clone())));
        EnterGuard {
            prev,
            _not_send: PhantomData,
        }
    }

    /// The current reactor of this thread.
    ///
    /// # Panics
    ///
    /// Outside a runtime (no handle entered on this thread), with a message saying
    /// where to call it from.
    ///
    /// ```should_panic
    /// // No runtime here.
    /// let _ = weft_io::reactor::Handle::current();
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Some(handle) => handle,
            None => panic!("{NO_RUNTIME}"),
        }
    }

    /// The current reactor of this thread, if one was entered.
    ///
    /// ```
    /// assert!(weft_io::reactor::Handle::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Handle> {
        CURRENT
            .try_with(|current| current.borrow().clone())
            .ok()
            .flatten()
    }

    /// Installs where blocking work of this reactor (host-name lookups) runs. The
    /// runtime points it at its blocking pool; without one, each job gets a fresh
    /// thread. Either way, a job never runs on the thread that asked for it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_io::reactor::Driver;
    ///
    /// let driver = Driver::new()?;
    /// driver.handle().set_blocking_spawner(Arc::new(|job: Box<dyn FnOnce() + Send>| {
    ///     std::thread::spawn(job);
    /// }));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_blocking_spawner(&self, spawner: BlockingSpawner) {
        let mut slot = self
            .shared
            .blocking
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Some(spawner);
    }

    /// Runs `job` off this thread: on the installed spawner, or a fresh thread.
    pub(crate) fn spawn_blocking(&self, job: Box<dyn FnOnce() + Send>) -> io::Result<()> {
        let spawner = self
            .shared
            .blocking
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        match spawner {
            Some(spawner) => {
                spawner(job);
                Ok(())
            }
            None => spawn_thread(job),
        }
    }
}

/// Runs `job` on a new thread (the fallback when no spawner is installed).
pub(crate) fn spawn_thread(job: Box<dyn FnOnce() + Send>) -> io::Result<()> {
    std::thread::Builder::new()
        .name("weft-io-blocking".into())
        .spawn(job)
        .map(drop)
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle").finish_non_exhaustive()
    }
}

/// Keeps a [`Handle`] current on this thread; puts the previous one back on drop.
///
/// ```
/// let driver = weft_io::reactor::Driver::new()?;
/// let guard: weft_io::reactor::EnterGuard = driver.handle().enter();
/// drop(guard);
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "the handle is current only while the guard lives"]
pub struct EnterGuard {
    prev: Option<Handle>,
    /// The guard restores a thread-local, so it must stay on its thread.
    _not_send: PhantomData<*const ()>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CURRENT.try_with(|current| current.replace(prev));
    }
}

impl fmt::Debug for EnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}
