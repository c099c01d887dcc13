//! `ChildStdin`, `ChildStdout`, `ChildStderr`: a child's standard streams as
//! non-blocking pipes driven by the reactor.

use crate::io::{AsyncRead, AsyncWrite, ReadBuf};
use mio::unix::pipe::{Receiver, Sender};
use std::fmt;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use weft_io::reactor::{Direction, PollEvented};

/// Registers a pipe end with the current reactor, non-blocking.
fn evented<E: mio::event::Source>(
    io: E,
    set_nonblocking: impl FnOnce(&E) -> io::Result<()>,
) -> io::Result<PollEvented<E>> {
    set_nonblocking(&io)?;
    PollEvented::new(io)
}

fn poll_read_pipe(
    io: &PollEvented<Receiver>,
    cx: &mut Context<'_>,
    buf: &mut ReadBuf<'_>,
) -> Poll<io::Result<()>> {
    if buf.remaining() == 0 {
        return Poll::Ready(Ok(()));
    }
    let n = ready!(io.poll_io(cx, Direction::Read, || {
        io.get_ref().read(buf.initialize_unfilled())
    }))?;
    buf.advance(n);
    Poll::Ready(Ok(()))
}

/// The write end of a child's standard input; see [`super::Child::stdin`].
///
/// `shutdown` closes the pipe, so the child reads end of file.
///
/// ```
/// use std::future::poll_fn;
/// use std::pin::Pin;
/// use std::process::Stdio;
/// use weft::io::AsyncWrite;
/// # weft::run(async {
/// let mut child = weft::process::Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::null()).spawn()?;
/// let mut stdin = child.stdin.take().unwrap();
/// poll_fn(|cx| Pin::new(&mut stdin).poll_write(cx, b"hi\n")).await?;
/// poll_fn(|cx| Pin::new(&mut stdin).poll_shutdown(cx)).await?;
/// assert!(child.wait().await?.success());
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct ChildStdin {
    /// `None` once shut down: the pipe is closed.
    io: Option<PollEvented<Sender>>,
}

/// The read end of a child's standard output; see [`super::Child::stdout`].
///
/// ```
/// use std::future::poll_fn;
/// use std::pin::Pin;
/// use std::process::Stdio;
/// use weft::io::{AsyncRead, ReadBuf};
/// # weft::run(async {
/// let mut child = weft::process::Command::new("echo").arg("out").stdout(Stdio::piped()).spawn()?;
/// let mut stdout = child.stdout.take().unwrap();
/// let mut storage = [0u8; 16];
/// let mut buf = ReadBuf::new(&mut storage);
/// poll_fn(|cx| Pin::new(&mut stdout).poll_read(cx, &mut buf)).await?;
/// assert_eq!(buf.filled(), b"out\n");
/// child.wait().await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct ChildStdout {
    io: PollEvented<Receiver>,
}

/// The read end of a child's standard error; see [`super::Child::stderr`].
///
/// ```
/// use std::future::poll_fn;
/// use std::pin::Pin;
/// use std::process::Stdio;
/// use weft::io::{AsyncRead, ReadBuf};
/// # weft::run(async {
/// let mut child = weft::process::Command::new("sh")
///     .args(["-c", "echo err >&2"])
///     .stderr(Stdio::piped())
///     .spawn()?;
/// let mut stderr = child.stderr.take().unwrap();
/// let mut storage = [0u8; 16];
/// let mut buf = ReadBuf::new(&mut storage);
/// poll_fn(|cx| Pin::new(&mut stderr).poll_read(cx, &mut buf)).await?;
/// assert_eq!(buf.filled(), b"err\n");
/// child.wait().await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct ChildStderr {
    io: PollEvented<Receiver>,
}

impl ChildStdin {
    pub(crate) fn new(std: std::process::ChildStdin) -> io::Result<ChildStdin> {
        let io = evented(Sender::from(std), |s| s.set_nonblocking(true))?;
        Ok(ChildStdin { io: Some(io) })
    }
}

impl ChildStdout {
    pub(crate) fn new(std: std::process::ChildStdout) -> io::Result<ChildStdout> {
        let io = evented(Receiver::from(std), |r| r.set_nonblocking(true))?;
        Ok(ChildStdout { io })
    }
}

impl ChildStderr {
    pub(crate) fn new(std: std::process::ChildStderr) -> io::Result<ChildStderr> {
        let io = evented(Receiver::from(std), |r| r.set_nonblocking(true))?;
        Ok(ChildStderr { io })
    }
}

impl AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let Some(io) = &self.io else {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the child's stdin was shut down: no more writes",
            )));
        };
        io.poll_io(cx, Direction::Write, || io.get_ref().write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A pipe has no user-space buffer: written bytes are with the OS.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Closing the write end is how a child learns its input is over.
        self.get_mut().io = None;
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for ChildStdout {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        poll_read_pipe(&self.io, cx, buf)
    }
}

impl AsyncRead for ChildStderr {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        poll_read_pipe(&self.io, cx, buf)
    }
}

impl fmt::Debug for ChildStdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStdin")
            .field("open", &self.io.is_some())
            .finish()
    }
}

impl fmt::Debug for ChildStdout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStdout").finish_non_exhaustive()
    }
}

impl fmt::Debug for ChildStderr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStderr").finish_non_exhaustive()
    }
}
