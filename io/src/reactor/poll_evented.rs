//! [`PollEvented`]: any mio source, registered with the current driver, with
//! futures and poll functions for its readiness. Sockets are built on it; so can
//! signals and child processes be.
//!
//! # Invariant
//!
//! `io` is `Some` from construction until drop or [`PollEvented::into_inner`]; both
//! deregister it from the OS poller before the registration's slot is released.

use std::fmt;
use std::io;
use std::task::{Context, Poll, ready};

use mio::Interest;

use super::registration::Registration;
use super::{Direction, Handle};
use crate::coop;

/// A mio source driven by the weft reactor.
///
/// ```
/// use std::io::{Read, Write};
/// use weft_io::reactor::{Direction, Driver, PollEvented};
///
/// let mut driver = Driver::new()?;
/// let _enter = driver.handle().enter();
/// let (mut sender, receiver) = mio::unix::pipe::new()?;
/// let receiver = PollEvented::new(receiver)?;
///
/// sender.write_all(b"ping")?;
/// driver.park(None)?; // delivers the pipe's readiness
/// let mut buf = [0; 4];
/// let n = receiver.try_io(Direction::Read, || (&*receiver.get_ref()).read(&mut buf))?;
/// assert_eq!(&buf[..n], b"ping");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct PollEvented<E: mio::event::Source> {
    io: Option<E>,
    registration: Registration,
}

impl<E: mio::event::Source> PollEvented<E> {
    /// Registers `io` with the current reactor for reads and writes.
    ///
    /// # Panics
    ///
    /// Outside a runtime (see [`Handle::current`]).
    ///
    /// ```
    /// let driver = weft_io::reactor::Driver::new()?;
    /// let _enter = driver.handle().enter();
    /// let (sender, _receiver) = mio::unix::pipe::new()?;
    /// let sender = weft_io::reactor::PollEvented::new(sender)?;
    /// # drop(sender);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn new(io: E) -> io::Result<PollEvented<E>> {
        PollEvented::with_interest(
            io,
            Interest::READABLE | Interest::WRITABLE,
            Handle::current(),
        )
    }

    /// Registers `io` for `interest` with the driver behind `handle`.
    ///
    /// ```
    /// use weft_io::reactor::{Driver, PollEvented};
    ///
    /// let driver = Driver::new()?;
    /// let (_sender, receiver) = mio::unix::pipe::new()?;
    /// let receiver = PollEvented::with_interest(receiver, mio::Interest::READABLE, driver.handle())?;
    /// # drop(receiver);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn with_interest(
        mut io: E,
        interest: Interest,
        handle: Handle,
    ) -> io::Result<PollEvented<E>> {
        let registration = Registration::new(&mut io, interest, handle)?;
        Ok(PollEvented {
            io: Some(io),
            registration,
        })
    }

    /// The wrapped source.
    ///
    /// ```
    /// # let driver = weft_io::reactor::Driver::new()?;
    /// # let _enter = driver.handle().enter();
    /// let (sender, _receiver) = mio::unix::pipe::new()?;
    /// let sender = weft_io::reactor::PollEvented::new(sender)?;
    /// let _inner: &mio::unix::pipe::Sender = sender.get_ref();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn get_ref(&self) -> &E {
        self.io
            .as_ref()
            .expect("PollEvented holds its source until dropped")
    }

    /// Deregisters the source and gives it back.
    ///
    /// ```
    /// # let driver = weft_io::reactor::Driver::new()?;
    /// # let _enter = driver.handle().enter();
    /// let (sender, _receiver) = mio::unix::pipe::new()?;
    /// let sender = weft_io::reactor::PollEvented::new(sender)?.into_inner()?;
    /// # drop(sender);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_inner(mut self) -> io::Result<E> {
        let mut io = self
            .io
            .take()
            .expect("PollEvented holds its source until dropped");
        self.registration.deregister(&mut io)?;
        Ok(io)
    }

    /// Polls until reading may make progress (or the source hung up or failed).
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// # let driver = weft_io::reactor::Driver::new()?;
    /// # let _enter = driver.handle().enter();
    /// let (_sender, receiver) = mio::unix::pipe::new()?;
    /// let receiver = weft_io::reactor::PollEvented::new(receiver)?;
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(receiver.poll_read_ready(&mut cx).is_pending());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration
            .poll_ready(cx, Direction::Read)
            .map_ok(drop)
    }

    /// Polls until writing may make progress (or the source hung up or failed).
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// # let mut driver = weft_io::reactor::Driver::new()?;
    /// # let _enter = driver.handle().enter();
    /// let (sender, _receiver) = mio::unix::pipe::new()?;
    /// let sender = weft_io::reactor::PollEvented::new(sender)?;
    /// driver.park(None)?; // an empty pipe is writable
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(sender.poll_write_ready(&mut cx).is_ready());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration
            .poll_ready(cx, Direction::Write)
            .map_ok(drop)
    }

    /// Waits until reading may make progress. Readiness stays set until an
    /// operation through [`PollEvented::try_io`] or [`PollEvented::poll_io`] blocks.
    ///
    /// ```
    /// use std::future::Future;
    /// use std::io::Write;
    /// use std::task::{Context, Waker};
    /// # let mut driver = weft_io::reactor::Driver::new()?;
    /// # let _enter = driver.handle().enter();
    /// let (mut sender, receiver) = mio::unix::pipe::new()?;
    /// let receiver = weft_io::reactor::PollEvented::new(receiver)?;
    /// let mut readable = std::pin::pin!(receiver.readable());
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(readable.as_mut().poll(&mut cx).is_pending());
    /// sender.write_all(b"!")?;
    /// driver.park(None)?;
    /// assert!(readable.as_mut().poll(&mut cx).is_ready());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        self.registration.readiness(Direction::Read).await.map(drop)
    }

    /// Waits until writing may make progress.
    ///
    /// ```
    /// use std::future::Future;
    /// use std::task::{Context, Waker};
    /// # let mut driver = weft_io::reactor::Driver::new()?;
    /// # let _enter = driver.handle().enter();
    /// let (sender, _receiver) = mio::unix::pipe::new()?;
    /// let sender = weft_io::reactor::PollEvented::new(sender)?;
    /// driver.park(None)?;
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(std::pin::pin!(sender.writable()).poll(&mut cx).is_ready());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.registration
            .readiness(Direction::Write)
            .await
            .map(drop)
    }

    /// Runs `op` if `dir` looks ready, else returns `WouldBlock` at once. When `op`
    /// itself returns `WouldBlock`, the readiness is cleared so the next wait waits.
    /// Does not touch the cooperative budget.
    ///
    /// ```
    /// use std::io::Read;
    /// use weft_io::reactor::Direction;
    /// # let driver = weft_io::reactor::Driver::new()?;
    /// # let _enter = driver.handle().enter();
    /// let (_sender, receiver) = mio::unix::pipe::new()?;
    /// let receiver = weft_io::reactor::PollEvented::new(receiver)?;
    /// let mut buf = [0; 8];
    /// let err = receiver
    ///     .try_io(Direction::Read, || (&*receiver.get_ref()).read(&mut buf))
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_io<R>(&self, dir: Direction, op: impl FnOnce() -> io::Result<R>) -> io::Result<R> {
        self.registration.try_io(dir, op)
    }

    /// Polls `op` each time `dir` is ready until it does not block, spending one
    /// unit of the task's cooperative budget when it completes.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use std::task::{Context, Poll, Waker};
    /// use weft_io::reactor::Direction;
    /// # let mut driver = weft_io::reactor::Driver::new()?;
    /// # let _enter = driver.handle().enter();
    /// let (mut sender, receiver) = mio::unix::pipe::new()?;
    /// let receiver = weft_io::reactor::PollEvented::new(receiver)?;
    /// sender.write_all(b"hi")?;
    /// driver.park(None)?;
    /// let mut buf = [0; 2];
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let read = receiver.poll_io(&mut cx, Direction::Read, || (&*receiver.get_ref()).read(&mut buf));
    /// assert!(matches!(read, Poll::Ready(Ok(2))));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let budget = ready!(coop::poll_proceed(cx));
        let result = ready!(self.registration.poll_io(cx, dir, op));
        budget.made_progress();
        Poll::Ready(result)
    }

    /// [`PollEvented::poll_io`] for a byte transfer of up to `len` bytes whose `op`
    /// also says, when it knows, how many bytes are left to read: one that comes up
    /// short or leaves nothing clears readiness at once (see
    /// `Registration::poll_transfer`).
    pub(crate) fn poll_transfer(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        len: usize,
        op: impl FnMut() -> io::Result<(usize, Option<usize>)>,
    ) -> Poll<io::Result<usize>> {
        let budget = ready!(coop::poll_proceed(cx));
        let result = ready!(self.registration.poll_transfer(cx, dir, len, op));
        budget.made_progress();
        Poll::Ready(result)
    }

    /// [`PollEvented::try_io`] for a byte transfer of up to `len` bytes.
    pub(crate) fn try_transfer(
        &self,
        dir: Direction,
        len: usize,
        op: impl FnOnce() -> io::Result<(usize, Option<usize>)>,
    ) -> io::Result<usize> {
        self.registration.try_transfer(dir, len, op)
    }

    /// Awaits `dir`'s readiness and runs `op` until it does not block. Any number of
    /// tasks may wait on one source at once this way (unlike the `poll_*` methods,
    /// which keep one waker per direction). Spends one unit of the cooperative budget.
    ///
    /// ```
    /// use std::future::Future;
    /// use std::io::Write;
    /// use std::task::{Context, Poll, Waker};
    /// use weft_io::reactor::Direction;
    /// # let mut driver = weft_io::reactor::Driver::new()?;
    /// # let _enter = driver.handle().enter();
    /// let (sender, _receiver) = mio::unix::pipe::new()?;
    /// let sender = weft_io::reactor::PollEvented::new(sender)?;
    /// driver.park(None)?;
    /// let write = sender.async_io(Direction::Write, || (&*sender.get_ref()).write(b"x"));
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(matches!(std::pin::pin!(write).poll(&mut cx), Poll::Ready(Ok(1))));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn async_io<R>(
        &self,
        dir: Direction,
        op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        // Charged up front, so that a task out of budget yields before it takes
        // anything from the source (a result is never held across a yield).
        coop::consume_budget().await;
        self.registration.async_io(dir, op).await
    }
}

impl<E: mio::event::Source> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(mut io) = self.io.take() {
            // Deregistering can only fail if the source is already gone from the
            // poller; either way no event for it can follow, and closing `io` next
            // would remove it anyway.
            let _ = self.registration.deregister(&mut io);
        }
    }
}

impl<E: mio::event::Source + fmt::Debug> fmt::Debug for PollEvented<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollEvented").field("io", &self.io).finish()
    }
}
