//! [`TcpStream`]: a connected TCP socket driven by the reactor.
//!
//! Reads and writes are the shared stream I/O of `net/stream.rs`, so each completed
//! operation spends one unit of the task's cooperative budget and readiness is
//! cleared only when the kernel says `WouldBlock`.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use crate::net::ToSocketAddrs;
use crate::net::addr::each_addr;
use crate::net::stream::{ByteStream, impl_async_read, impl_async_write, stream_methods};
use crate::reactor::{Direction, PollEvented};

/// A TCP connection.
///
/// ```
/// use weft_io::net::{TcpListener, TcpStream};
///
/// weft_io::doc_support::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let client = TcpStream::connect(listener.local_addr()?).await?;
///     let (server, peer) = listener.accept().await?;
///     assert_eq!(peer, client.local_addr()?);
///     assert_eq!(server.peer_addr()?, client.local_addr()?);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpStream {
    io: PollEvented<mio::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`, trying each address it resolves to in turn; returns the
    /// first connection made, or the last error.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// use weft_io::net::{TcpListener, TcpStream};
    ///
    /// weft_io::doc_support::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let port = listener.local_addr()?.port();
    ///     let stream = TcpStream::connect(("localhost", port)).await?;
    ///     assert_eq!(stream.peer_addr()?.port(), port);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        each_addr(&addr, |addr| async move {
            TcpStream::connecting(mio::net::TcpStream::connect(addr)?).await
        })
        .await
    }

    /// Registers a socket whose non-blocking connect is under way and waits for it
    /// to finish.
    pub(crate) async fn connecting(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        let io = PollEvented::new(stream)?;
        // Writable means the connect finished; `take_error` says how. A connect that
        // is not finished yet (peer address unknown) counts as still blocking.
        io.async_io(Direction::Write, || {
            if let Some(e) = io.get_ref().take_error()? {
                return Err(e);
            }
            match io.get_ref().peer_addr() {
                Ok(_) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                    Err(io::ErrorKind::WouldBlock.into())
                }
                Err(e) => Err(e),
            }
        })
        .await?;
        Ok(TcpStream::from_registered(io))
    }

    pub(crate) fn from_mio(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream::from_registered(PollEvented::new(stream)?))
    }

    /// The one constructor: every connected stream asks the kernel to report the
    /// bytes each read leaves behind (`tcp/inq.rs`).
    fn from_registered(io: PollEvented<mio::net::TcpStream>) -> TcpStream {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        crate::net::tcp::inq::enable(io.get_ref().as_fd());
        TcpStream { io }
    }

    /// Wraps a connected std stream, switching it to non-blocking mode.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// weft_io::doc_support::block_on(async {
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    ///     let stream = weft_io::net::TcpStream::from_std(std_stream)?;
    ///     assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::from_mio(mio::net::TcpStream::from_std(stream))
    }

    /// The local address of this end.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(stream.local_addr()?.ip().is_loopback());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The address of the peer.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Turns Nagle's algorithm off (`true`) or on: small writes go out at once.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// stream.set_nodelay(true)?;
    /// assert!(stream.nodelay()?);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether Nagle's algorithm is off.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(!stream.nodelay()?);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }
}

stream_methods!(
    TcpStream,
    tcp,
    "# let listener = weft_io::net::TcpListener::bind(\"127.0.0.1:0\").await?;\n\
     # let a = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;\n\
     # let (b, _) = listener.accept().await?;\n"
);

impl ByteStream for TcpStream {
    type Source = mio::net::TcpStream;
    type Addr = SocketAddr;
    const KIND: &'static str = "TCP";

    fn poll_evented(&self) -> &PollEvented<mio::net::TcpStream> {
        &self.io
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        TcpStream::local_addr(self)
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        TcpStream::peer_addr(self)
    }
}

impl_async_read!(impl[] for TcpStream, |stream| stream.io);
impl_async_write!(impl[] for TcpStream, |stream| stream.io);

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}
