//! [`TcpListener`]: a listening TCP socket that accepts connections without blocking,
//! and survives running out of file descriptors (see `fd_exhaustion.rs`).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll, ready};

use socket2::{Domain, Protocol, Socket, Type};

use crate::coop;
use crate::net::addr::each_addr;
use crate::net::fd_exhaustion::{self, SpareGuard};
use crate::net::{TcpStream, ToSocketAddrs};
use crate::reactor::{Direction, PollEvented};

/// Connections that may wait in the kernel's backlog before `accept`.
pub(crate) const BACKLOG: i32 = 1024;

/// A TCP socket listening for connections.
///
/// When the process runs out of descriptors, [`TcpListener::accept`] closes the
/// connections it cannot serve, returns one error whose payload is
/// [`DescriptorsExhausted`](crate::net::DescriptorsExhausted), and keeps accepting
/// once descriptors are free again. It never spins on a backlog it cannot drain.
///
/// ```
/// use weft_io::net::{TcpListener, TcpStream};
///
/// weft_io::doc_support::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let _client = TcpStream::connect(listener.local_addr()?).await?;
///     let (_server, peer) = listener.accept().await?;
///     assert!(peer.ip().is_loopback());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpListener {
    io: PollEvented<mio::net::TcpListener>,
    _spare: SpareGuard,
}

impl TcpListener {
    /// Binds to `addr` (trying each resolved address in turn) with `SO_REUSEADDR`
    /// and a backlog of 1024. Port 0 picks a free port.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let listener = weft_io::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    /// assert_ne!(listener.local_addr()?.port(), 0);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        each_addr(&addr, |addr| async move { TcpListener::bind_addr(addr) }).await
    }

    fn bind_addr(addr: SocketAddr) -> io::Result<TcpListener> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        socket.bind(&addr.into())?;
        socket.listen(BACKLOG)?;
        TcpListener::from_std(socket.into())
    }

    /// Wraps a bound and listening std listener, switching it to non-blocking mode.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let addr = std_listener.local_addr()?;
    /// let listener = weft_io::net::TcpListener::from_std(std_listener)?;
    /// assert_eq!(listener.local_addr()?, addr);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        let io = PollEvented::new(mio::net::TcpListener::from_std(listener))?;
        Ok(TcpListener {
            io,
            _spare: SpareGuard::new(),
        })
    }

    /// The address this listener is bound to.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// assert!(listener.local_addr()?.ip().is_loopback());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (_stream, peer) = listener.accept().await?;
    /// assert_eq!(peer, client.local_addr()?);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        coop::consume_budget().await;
        loop {
            self.io.readable().await?;
            if let Some(accepted) = self.try_accept() {
                return accepted;
            }
        }
    }

    /// Polls for a connection; see [`TcpListener::accept`]. Keeps one waker: only
    /// the last task to poll is woken, so share a listener through `accept` instead.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// # weft_io::doc_support::block_on(async {
    /// let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(listener.poll_accept(&mut cx).is_pending()); // nobody connected
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let budget = ready!(coop::poll_proceed(cx));
        loop {
            ready!(self.io.poll_read_ready(cx))?;
            if let Some(accepted) = self.try_accept() {
                budget.made_progress();
                return Poll::Ready(accepted);
            }
        }
    }

    /// One accept attempt while the listener looks readable; `None` when the
    /// readiness was stale (it is cleared, so the caller waits for the next edge).
    fn try_accept(&self) -> Option<io::Result<(TcpStream, SocketAddr)>> {
        let listener = self.io.get_ref();
        match self.io.try_io(Direction::Read, || listener.accept()) {
            Ok((stream, addr)) => Some(TcpStream::from_mio(stream).map(|s| (s, addr))),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => None,
            Err(e) if fd_exhaustion::is_exhaustion(&e) => {
                let err = fd_exhaustion::shed(e, || listener.accept());
                // Whether or not the backlog drained, stop trying until a new
                // connection arrives: retrying now could only fail again. A
                // connection that arrived meanwhile carries a newer tick and keeps
                // the listener readable.
                let _ = self.io.try_io(Direction::Read, || {
                    Err::<(), _>(io::Error::from(io::ErrorKind::WouldBlock))
                });
                Some(Err(err))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}
