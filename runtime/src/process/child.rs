//! `Child`: a spawned process, its pipes, and how its exit status is collected.
//!
//! Waiting never blocks a thread: `wait` listens for `SIGCHLD` (through
//! `weft::signal`) and calls `waitpid(pid, WNOHANG)` (std's `try_wait`) after each
//! delivery. A pidfd would avoid waking every waiter on every child's exit, but it
//! needs Linux 5.3+ and more `unsafe`; `SIGCHLD` works on every Unix, and a wake-up
//! costs one `waitpid` per waiting child.
//!
//! # Invariants
//!
//! 1. The `SIGCHLD` listener is registered before the first `try_wait`, so an exit
//!    after a `try_wait` that saw none is always followed by a wake-up.
//! 2. A `Child` dropped before it was reaped goes to the orphan reaper
//!    (`reaper.rs`), after being killed if `kill_on_drop` is set: no zombie is left.

use super::pipes::{ChildStderr, ChildStdin, ChildStdout};
use super::reaper;
use crate::signal::unix::{Signal, SignalKind, signal};
use std::fmt;
use std::io;
use std::process::ExitStatus;

/// A running (or finished) child process, from [`super::Command::spawn`].
///
/// ```
/// # weft::run(async {
/// let mut child = weft::process::Command::new("true").spawn()?;
/// assert!(child.id().is_some());
/// let status = child.wait().await?;
/// assert!(status.success());
/// assert!(child.id().is_none()); // reaped
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct Child {
    /// The child's standard input, if it was `Stdio::piped()` and not taken yet.
    pub stdin: Option<ChildStdin>,
    /// The child's standard output, if it was `Stdio::piped()` and not taken yet.
    pub stdout: Option<ChildStdout>,
    /// The child's standard error, if it was `Stdio::piped()` and not taken yet.
    pub stderr: Option<ChildStderr>,
    /// `Some` until dropped (then handed to the reaper if not reaped).
    inner: Option<std::process::Child>,
    /// The exit status, once reaped.
    status: Option<ExitStatus>,
    kill_on_drop: bool,
    /// Invariant 1: registered before the first `try_wait` of `wait`.
    sigchld: Option<Signal>,
}

impl Child {
    pub(crate) fn new(mut std: std::process::Child, kill_on_drop: bool) -> io::Result<Child> {
        let pipes = (|| {
            Ok::<_, io::Error>((
                std.stdin.take().map(ChildStdin::new).transpose()?,
                std.stdout.take().map(ChildStdout::new).transpose()?,
                std.stderr.take().map(ChildStderr::new).transpose()?,
            ))
        })();
        let mut child = Child {
            stdin: None,
            stdout: None,
            stderr: None,
            inner: Some(std),
            status: None,
            // A child we cannot talk to is of no use: killed and reaped on error.
            kill_on_drop: true,
            sigchld: None,
        };
        let (stdin, stdout, stderr) = pipes?;
        child.stdin = stdin;
        child.stdout = stdout;
        child.stderr = stderr;
        child.kill_on_drop = kill_on_drop;
        Ok(child)
    }

    fn std(&mut self) -> &mut std::process::Child {
        self.inner
            .as_mut()
            .expect("a Child holds its process until dropped")
    }

    /// The OS process id, or `None` once the child has been reaped (the id may then
    /// belong to another process).
    ///
    /// ```
    /// # weft::run(async {
    /// let child = weft::process::Command::new("true").spawn()?;
    /// assert!(child.id().unwrap() > 0);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn id(&self) -> Option<u32> {
        match (&self.inner, self.status) {
            (Some(child), None) => Some(child.id()),
            _ => None,
        }
    }

    /// The exit status if the child has exited (reaping it), `None` if it is still
    /// running. Never blocks.
    ///
    /// # Errors
    ///
    /// As `std::process::Child::try_wait`.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut child = weft::process::Command::new("sleep").arg("10").kill_on_drop(true).spawn()?;
    /// assert!(child.try_wait()?.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let status = self.std().try_wait()?;
        self.status = status;
        Ok(status)
    }

    /// Waits for the child to exit and reaps it, without blocking a thread. Closes
    /// the child's stdin first (if still held), so a child reading its input to the
    /// end cannot deadlock the wait.
    ///
    /// # Errors
    ///
    /// If `SIGCHLD` cannot be listened for, `waitpid` fails, or the runtime shuts
    /// down while waiting.
    ///
    /// ```
    /// # weft::run(async {
    /// let status = weft::process::Command::new("sh").args(["-c", "exit 3"]).spawn()?.wait().await?;
    /// assert_eq!(status.code(), Some(3));
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        loop {
            if self.sigchld.is_none() {
                // Invariant 1: listening before looking.
                self.sigchld = Some(signal(SignalKind::child())?);
            }
            if let Some(status) = self.try_wait()? {
                return Ok(status);
            }
            let sigchld = self.sigchld.as_mut().expect("registered above");
            if sigchld.recv().await.is_none() {
                return Err(io::Error::other(
                    "the runtime shut down while waiting for a child process: keep it \
                     running until `wait` returns",
                ));
            }
        }
    }

    /// Sends `SIGKILL` to the child without waiting for it to exit. Does nothing if
    /// it was already reaped.
    ///
    /// # Errors
    ///
    /// As `std::process::Child::kill`.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut child = weft::process::Command::new("sleep").arg("10").spawn()?;
    /// child.start_kill()?;
    /// assert!(!child.wait().await?.success());
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn start_kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        self.std().kill()
    }

    /// Kills the child and waits until it is reaped.
    ///
    /// # Errors
    ///
    /// As [`Child::start_kill`] and [`Child::wait`].
    ///
    /// ```
    /// # weft::run(async {
    /// let mut child = weft::process::Command::new("sleep").arg("10").spawn()?;
    /// child.kill().await?;
    /// assert!(child.id().is_none());
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await.map(drop)
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let Some(mut child) = self.inner.take() else {
            return;
        };
        if self.status.is_some() {
            return;
        }
        if self.kill_on_drop {
            let _ = child.kill();
        }
        // Invariant 2: whoever exits later is reaped by the orphan reaper.
        reaper::adopt(child);
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("id", &self.id())
            .field("status", &self.status)
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .finish_non_exhaustive()
    }
}
