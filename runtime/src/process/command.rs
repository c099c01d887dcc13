//! `Command`: std's process builder with an async `spawn`/`output`/`status`, and
//! `kill_on_drop`.

use super::child::Child;
use super::pipes::{ChildStderr, ChildStdout};
use crate::io::{AsyncRead, ReadBuf};
use std::ffi::OsStr;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::process::{ExitStatus, Output, Stdio};
use std::task::{Context, Poll, ready};

/// A process to start — asyncio's `create_subprocess_exec`. The builder methods
/// mirror `std::process::Command`.
///
/// ```
/// use weft::process::Command;
/// # weft::run(async {
/// let out = Command::new("sh").args(["-c", "echo $GREETING"]).env("GREETING", "hi").output().await?;
/// assert!(out.status.success());
/// assert_eq!(out.stdout, b"hi\n");
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct Command {
    std: std::process::Command,
    kill_on_drop: bool,
    /// Which standard streams the caller chose (`output` pipes the others).
    stdin_set: bool,
    stdout_set: bool,
    stderr_set: bool,
}

impl Command {
    /// A command running `program` (looked up in `PATH` if it has no `/`).
    ///
    /// ```
    /// let cmd = weft::process::Command::new("ls");
    /// # drop(cmd);
    /// ```
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            std: std::process::Command::new(program),
            kill_on_drop: false,
            stdin_set: false,
            stdout_set: false,
            stderr_set: false,
        }
    }

    /// Adds one argument.
    ///
    /// ```
    /// let mut cmd = weft::process::Command::new("ls");
    /// cmd.arg("-l");
    /// ```
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds several arguments.
    ///
    /// ```
    /// let mut cmd = weft::process::Command::new("ls");
    /// cmd.args(["-l", "-a"]);
    /// ```
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets one environment variable for the child.
    ///
    /// ```
    /// let mut cmd = weft::process::Command::new("env");
    /// cmd.env("KEY", "value");
    /// ```
    pub fn env(&mut self, key: impl AsRef<OsStr>, val: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, val);
        self
    }

    /// Sets several environment variables for the child.
    ///
    /// ```
    /// let mut cmd = weft::process::Command::new("env");
    /// cmd.envs([("A", "1"), ("B", "2")]);
    /// ```
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes one variable from the child's environment.
    ///
    /// ```
    /// let mut cmd = weft::process::Command::new("env");
    /// cmd.env_remove("HOME");
    /// ```
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (plus what `env` adds).
    ///
    /// ```
    /// let mut cmd = weft::process::Command::new("env");
    /// cmd.env_clear();
    /// ```
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// The child's working directory.
    ///
    /// ```
    /// let mut cmd = weft::process::Command::new("ls");
    /// cmd.current_dir("/");
    /// ```
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// The child's standard input: `Stdio::piped()` gives [`Child::stdin`].
    /// Default: inherited (null for [`Command::output`]).
    ///
    /// ```
    /// let mut cmd = weft::process::Command::new("cat");
    /// cmd.stdin(std::process::Stdio::piped());
    /// ```
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self.stdin_set = true;
        self
    }

    /// The child's standard output: `Stdio::piped()` gives [`Child::stdout`].
    /// Default: inherited (piped for [`Command::output`]).
    ///
    /// ```
    /// let mut cmd = weft::process::Command::new("ls");
    /// cmd.stdout(std::process::Stdio::piped());
    /// ```
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self.stdout_set = true;
        self
    }

    /// The child's standard error: `Stdio::piped()` gives [`Child::stderr`].
    /// Default: inherited (piped for [`Command::output`]).
    ///
    /// ```
    /// let mut cmd = weft::process::Command::new("ls");
    /// cmd.stderr(std::process::Stdio::null());
    /// ```
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self.stderr_set = true;
        self
    }

    /// Whether dropping the [`Child`] before it was reaped kills it (`SIGKILL`).
    /// Either way a dropped child is reaped when it exits, never left a zombie.
    /// Default: `false`, as in std (the child goes on running).
    ///
    /// ```
    /// # weft::run(async {
    /// let child = weft::process::Command::new("sleep").arg("100").kill_on_drop(true).spawn()?;
    /// drop(child); // killed, then reaped in the background
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn kill_on_drop(&mut self, kill: bool) -> &mut Command {
        self.kill_on_drop = kill;
        self
    }

    /// Starts the child. Its piped streams are registered with the current runtime's
    /// reactor.
    ///
    /// # Errors
    ///
    /// As `std::process::Command::spawn` (`NotFound` for a missing program), or if
    /// the pipes cannot be registered.
    ///
    /// # Panics
    ///
    /// With piped streams, outside a runtime.
    ///
    /// ```
    /// # weft::run(async {
    /// let err = weft::process::Command::new("/no/such/program").spawn().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// # });
    /// ```
    #[track_caller]
    pub fn spawn(&mut self) -> io::Result<Child> {
        let child = self.std.spawn()?;
        Child::new(child, self.kill_on_drop)
    }

    /// Runs the child to completion, collecting its stdout and stderr (piped unless
    /// set otherwise; stdin is null unless set).
    ///
    /// # Errors
    ///
    /// As [`Command::spawn`], reading the pipes, and [`Child::wait`].
    ///
    /// ```
    /// # weft::run(async {
    /// let out = weft::process::Command::new("sh").args(["-c", "echo a; echo b >&2; exit 1"]).output().await?;
    /// assert_eq!(out.status.code(), Some(1));
    /// assert_eq!(out.stdout, b"a\n");
    /// assert_eq!(out.stderr, b"b\n");
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn output(&mut self) -> io::Result<Output> {
        if !self.stdin_set {
            self.std.stdin(Stdio::null());
        }
        if !self.stdout_set {
            self.std.stdout(Stdio::piped());
        }
        if !self.stderr_set {
            self.std.stderr(Stdio::piped());
        }
        let spawned = self.spawn();
        // Leave the builder as the caller configured it.
        if !self.stdin_set {
            self.std.stdin(Stdio::inherit());
        }
        if !self.stdout_set {
            self.std.stdout(Stdio::inherit());
        }
        if !self.stderr_set {
            self.std.stderr(Stdio::inherit());
        }
        let mut child = spawned?;
        let (stdout, stderr) = read_both(child.stdout.take(), child.stderr.take()).await?;
        let status = child.wait().await?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }

    /// Runs the child to completion and returns its exit status (streams inherited
    /// unless set).
    ///
    /// # Errors
    ///
    /// As [`Command::spawn`] and [`Child::wait`].
    ///
    /// ```
    /// # weft::run(async {
    /// assert!(weft::process::Command::new("true").status().await?.success());
    /// assert!(!weft::process::Command::new("false").status().await?.success());
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait().await
    }
}

/// Reads two pipes to their ends at the same time, so a child that fills one while
/// the other is being read cannot deadlock.
async fn read_both(
    mut out: Option<ChildStdout>,
    mut err: Option<ChildStderr>,
) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let (mut out_buf, mut err_buf) = (Vec::new(), Vec::new());
    poll_fn(|cx| {
        let out_done = poll_drain(&mut out, &mut out_buf, cx)?.is_ready();
        let err_done = poll_drain(&mut err, &mut err_buf, cx)?.is_ready();
        if out_done && err_done {
            Poll::Ready(Ok::<(), io::Error>(()))
        } else {
            Poll::Pending
        }
    })
    .await?;
    Ok((out_buf, err_buf))
}

/// Appends what `pipe` has to `into` until its end (then drops it).
fn poll_drain<R: AsyncRead + Unpin>(
    pipe: &mut Option<R>,
    into: &mut Vec<u8>,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    let mut chunk = [0u8; 4096];
    while let Some(r) = pipe {
        let mut buf = ReadBuf::new(&mut chunk);
        ready!(Pin::new(r).poll_read(cx, &mut buf))?;
        if buf.filled().is_empty() {
            *pipe = None;
        } else {
            into.extend_from_slice(buf.filled());
        }
    }
    Poll::Ready(Ok(()))
}

impl From<std::process::Command> for Command {
    fn from(std: std::process::Command) -> Command {
        Command {
            std,
            kill_on_drop: false,
            stdin_set: false,
            stdout_set: false,
            stderr_set: false,
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Command")
            .field("std", &self.std)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish_non_exhaustive()
    }
}
