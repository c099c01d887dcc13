//! [`Registration`]: one source's membership in a driver — its slot, token and shared
//! readiness — and the loop that retries an operation until it stops blocking.
//!
//! # Invariant
//!
//! The slot is released exactly once, on drop, after the owner has deregistered the
//! source from mio (see `PollEvented`'s drop), so the slot cannot be reused while the
//! kernel still reports events under its old token — and if a late event does arrive,
//! its generation no longer matches.

use std::io;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use mio::{Interest, Token};

use super::scheduled_io::{Readiness, ScheduledIo};
use super::state::ReadyEvent;
use super::{Direction, Handle};

/// A source registered with a driver.
#[derive(Debug)]
pub(crate) struct Registration {
    handle: Handle,
    io: Arc<ScheduledIo>,
    token: Token,
}

impl Registration {
    /// Registers `source` for `interest` with `handle`'s driver.
    pub(crate) fn new(
        source: &mut impl mio::event::Source,
        interest: Interest,
        handle: Handle,
    ) -> io::Result<Registration> {
        let (io, token) = handle.shared.registrations.allocate()?;
        if let Err(e) = handle.shared.registry.register(source, token, interest) {
            handle.shared.registrations.release(token);
            return Err(e);
        }
        Ok(Registration { handle, io, token })
    }

    /// Removes `source` from the OS poller; events stop arriving for it.
    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.handle.shared.registry.deregister(source)
    }

    /// Polls for `dir`'s readiness, storing the task's waker if it is not ready.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        self.io.poll_ready(cx, dir)
    }

    /// `dir`'s readiness right now, without registering interest.
    pub(crate) fn ready_now(&self, dir: Direction) -> Option<io::Result<ReadyEvent>> {
        self.io.ready_now(dir)
    }

    /// Forgets readiness proven stale by a `WouldBlock`.
    pub(crate) fn clear(&self, event: ReadyEvent, dir: Direction) {
        self.io.clear(event, dir);
    }

    /// A future that completes once `dir` is ready; many tasks may await at once.
    pub(crate) fn readiness(&self, dir: Direction) -> Readiness<'_> {
        self.io.readiness(dir)
    }

    /// Runs `op` each time `dir` is ready until it does not block.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let event = ready!(self.poll_ready(cx, dir))?;
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear(event, dir),
                result => return Poll::Ready(result),
            }
        }
    }

    /// [`Registration::poll_io`] for an `op` that moves up to `len` bytes and returns
    /// how many it moved and, if the kernel said, how many are left to read. A
    /// transfer that moves some bytes and leaves none (or, when nothing is known,
    /// moves fewer than `len`) proves the kernel buffer drained (read) or filled up
    /// (write), so readiness is cleared right away, as a `WouldBlock` would have
    /// done: the next call parks instead of paying a system call that is sure to
    /// fail (see `State::clear_after_short`).
    pub(crate) fn poll_transfer(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        len: usize,
        mut op: impl FnMut() -> io::Result<(usize, Option<usize>)>,
    ) -> Poll<io::Result<usize>> {
        loop {
            let event = ready!(self.poll_ready(cx, dir))?;
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear(event, dir),
                Err(e) => return Poll::Ready(Err(e)),
                Ok((moved, left)) => {
                    self.clear_if_exhausted(event, dir, moved, len, left);
                    return Poll::Ready(Ok(moved));
                }
            }
        }
    }

    /// [`Registration::try_io`] for a transfer of up to `len` bytes, clearing
    /// readiness after a short one as [`Registration::poll_transfer`] does.
    pub(crate) fn try_transfer(
        &self,
        dir: Direction,
        len: usize,
        op: impl FnOnce() -> io::Result<(usize, Option<usize>)>,
    ) -> io::Result<usize> {
        let event = match self.ready_now(dir) {
            Some(ready) => ready?,
            None => return Err(io::ErrorKind::WouldBlock.into()),
        };
        match op() {
            Err(e) => {
                if e.kind() == io::ErrorKind::WouldBlock {
                    self.clear(event, dir);
                }
                Err(e)
            }
            Ok((moved, left)) => {
                self.clear_if_exhausted(event, dir, moved, len, left);
                Ok(moved)
            }
        }
    }

    fn clear_if_exhausted(
        &self,
        event: ReadyEvent,
        dir: Direction,
        moved: usize,
        len: usize,
        left: Option<usize>,
    ) {
        let exhausted = match left {
            Some(left) => left == 0,
            None => moved < len,
        };
        // `moved == 0` is end of stream (or an empty buffer), not a drained socket.
        if moved > 0 && exhausted {
            self.io.clear_after_short(event, dir);
        }
    }

    /// Runs `op` once if `dir` looks ready; `WouldBlock` otherwise (clearing stale
    /// readiness, so that the next wait really waits).
    pub(crate) fn try_io<R>(
        &self,
        dir: Direction,
        op: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let event = match self.ready_now(dir) {
            Some(ready) => ready?,
            None => return Err(io::ErrorKind::WouldBlock.into()),
        };
        let result = op();
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.clear(event, dir);
        }
        result
    }

    /// Awaits `dir`'s readiness and runs `op` until it does not block.
    pub(crate) async fn async_io<R>(
        &self,
        dir: Direction,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let event = self.readiness(dir).await?;
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear(event, dir),
                result => return result,
            }
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.handle.shared.registrations.release(self.token);
    }
}
