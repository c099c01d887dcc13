//! `task::Builder`: spawn a task with a name (shown in panic reports and errors).

use super::JoinHandle;
use crate::runtime::{Handle, context};
use std::future::Future;
use std::io;

/// Configures a task before spawning it.
///
/// ```
/// # weft::run(async {
/// let handle = weft::task::Builder::new().name("fetcher").spawn(async { 1 }).unwrap();
/// assert_eq!(handle.await.unwrap(), 1);
/// # });
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder<'a> {
    name: Option<&'a str>,
}

impl<'a> Builder<'a> {
    /// A builder with no name set.
    ///
    /// ```
    /// let b = weft::task::Builder::new();
    /// # drop(b);
    /// ```
    pub fn new() -> Self {
        Builder { name: None }
    }

    /// Names the task.
    ///
    /// ```
    /// # weft::run(async {
    /// let err = weft::task::Builder::new()
    ///     .name("worker-7")
    ///     .spawn(async { panic!("boom") })
    ///     .unwrap()
    ///     .await
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("worker-7"));
    /// # });
    /// ```
    pub fn name(mut self, name: &'a str) -> Self {
        self.name = Some(name);
        self
    }

    fn boxed_name(&self) -> Option<Box<str>> {
        self.name.map(Into::into)
    }

    /// Spawns the task on the current runtime.
    ///
    /// # Errors
    ///
    /// Outside a runtime, an error of kind `Other` saying how to get one.
    ///
    /// ```
    /// # weft::run(async {
    /// let h = weft::task::Builder::new().name("t").spawn(async { 2 })?;
    /// assert_eq!(h.await.unwrap(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = Handle::try_current().map_err(io::Error::other)?;
        Ok(handle.spawn_named(future, self.boxed_name()))
    }

    /// Spawns the task on the given runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let h = weft::task::Builder::new().name("t").spawn_on(async { 3 }, rt.handle()).unwrap();
    /// assert_eq!(rt.block_on(h).unwrap(), 3);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &Handle) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Ok(handle.spawn_named(future, self.boxed_name()))
    }

    /// Spawns a `!Send` task on the current [`LocalSet`](super::LocalSet).
    ///
    /// # Errors
    ///
    /// Outside a `LocalSet`.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let local = weft::task::LocalSet::new();
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// local.block_on(&rt, async {
    ///     let rc = Rc::new(5);
    ///     let h = weft::task::Builder::new().name("l").spawn_local(async move { *rc }).unwrap();
    ///     assert_eq!(h.await.unwrap(), 5);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(self, future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        super::local::try_spawn_local(future, self.boxed_name())
            .ok_or_else(|| io::Error::other(super::local::NO_LOCAL_SET))
    }

    /// Runs a blocking closure on the current runtime's blocking pool.
    ///
    /// # Errors
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// # weft::run(async {
    /// let h = weft::task::Builder::new().name("io").spawn_blocking(|| 4).unwrap();
    /// assert_eq!(h.await.unwrap(), 4);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(self, f: F) -> io::Result<JoinHandle<R>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let meta = super::Meta::new(self.boxed_name());
        context::with_current(|h| h.blocking_spawner().spawn_blocking(f, meta))
            .ok_or_else(|| io::Error::other(context::NO_RUNTIME))
    }
}
