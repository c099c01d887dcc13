//! Driving example programs as real processes: start one, learn the address it bound
//! from its first stdout line (`listening on ADDR`), read its later stdout lines as
//! events, and make sure it is killed when the test ends, pass or fail.
//!
//! Invariant: no helper here sleeps to let a process settle. Every wait is for a line
//! of output or an exit; the time limits are only there to fail a hung test with a
//! message instead of hanging the suite.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// How long any single wait may take before the test fails as hung.
pub const HANG_LIMIT: Duration = Duration::from_secs(30);

/// A child process whose stdout is read line by line; killed on drop.
#[derive(Debug)]
pub struct Server {
    child: Child,
    lines: Receiver<String>,
    /// The address from the `listening on ADDR` line.
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `exe` with `args` and waits for its `listening on ADDR` line.
    ///
    /// # Panics
    ///
    /// If the program cannot start, exits, or prints something else first.
    ///
    /// ```
    /// let server = weft_tests::process_support::Server::start(
    ///     "sh",
    ///     &["-c", "echo listening on 127.0.0.1:9; echo ready; cat"],
    /// );
    /// assert_eq!(server.addr.port(), 9);
    /// ```
    pub fn start(exe: &str, args: &[&str]) -> Server {
        let mut child = Command::new(exe)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {exe}: {e}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            lines,
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        };
        let first = server.next_line().unwrap_or_else(|| {
            let status = server.child.wait();
            panic!("{exe} exited ({status:?}) before printing `listening on ADDR`")
        });
        server.addr = first
            .strip_prefix("listening on ")
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or_else(|| panic!("{exe} printed {first:?}, not `listening on ADDR`"));
        server
    }

    /// The process id, e.g. to send it a signal.
    ///
    /// ```
    /// let server = weft_tests::process_support::Server::start("sh", &["-c", "echo listening on 127.0.0.1:9; cat"]);
    /// assert!(server.id() > 0);
    /// ```
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The next stdout line, or `None` once stdout is closed.
    ///
    /// # Panics
    ///
    /// If no line comes within [`HANG_LIMIT`].
    ///
    /// ```
    /// let mut server = weft_tests::process_support::Server::start(
    ///     "sh",
    ///     &["-c", "echo listening on 127.0.0.1:9; echo one"],
    /// );
    /// assert_eq!(server.next_line().as_deref(), Some("one"));
    /// assert_eq!(server.next_line(), None);
    /// ```
    pub fn next_line(&mut self) -> Option<String> {
        match self.lines.recv_timeout(HANG_LIMIT) {
            Ok(line) => Some(line),
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => panic!("no output for {HANG_LIMIT:?}: hung?"),
        }
    }

    /// Reads stdout lines until one contains `needle`, and returns it.
    ///
    /// # Panics
    ///
    /// If stdout closes first, or no line comes within [`HANG_LIMIT`].
    ///
    /// ```
    /// let mut server = weft_tests::process_support::Server::start(
    ///     "sh",
    ///     &["-c", "echo listening on 127.0.0.1:9; echo a; echo dropped x; cat"],
    /// );
    /// assert_eq!(server.wait_for_line("dropped"), "dropped x");
    /// ```
    pub fn wait_for_line(&mut self, needle: &str) -> String {
        loop {
            match self.next_line() {
                Some(line) if line.contains(needle) => return line,
                Some(_) => {}
                None => panic!("stdout closed before a line containing {needle:?}"),
            }
        }
    }

    /// Whether a line containing `needle` has already been printed, without
    /// waiting: consumes the lines printed so far, up to the first match.
    ///
    /// ```
    /// let mut server = weft_tests::process_support::Server::start(
    ///     "sh",
    ///     &["-c", "echo listening on 127.0.0.1:9; echo done; cat"],
    /// );
    /// server.wait_for_line("done");
    /// // Already consumed by the wait above.
    /// assert!(!server.try_line_containing("done"));
    /// ```
    pub fn try_line_containing(&mut self, needle: &str) -> bool {
        while let Ok(line) = self.lines.try_recv() {
            if line.contains(needle) {
                return true;
            }
        }
        false
    }

    /// Waits for the process to exit and returns its status.
    ///
    /// # Panics
    ///
    /// If it prints nothing and does not exit within [`HANG_LIMIT`].
    ///
    /// ```
    /// let mut server = weft_tests::process_support::Server::start("sh", &["-c", "echo listening on 127.0.0.1:9"]);
    /// assert!(server.wait_exit().success());
    /// ```
    pub fn wait_exit(&mut self) -> ExitStatus {
        // The process's stdout closes when it exits: that is the event to wait for.
        while self.next_line().is_some() {}
        self.child.wait().expect("wait for the child")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `exe` with `args` to completion and returns (status, stdout, stderr).
///
/// ```
/// let (status, out, _) = weft_tests::process_support::run("sh", &["-c", "echo hi"]);
/// assert!(status.success());
/// assert_eq!(out, "hi\n");
/// ```
pub fn run(exe: &str, args: &[&str]) -> (ExitStatus, String, String) {
    let out = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {exe}: {e}"));
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
