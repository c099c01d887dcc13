//! [`UdpSocket`]: a UDP socket driven by the reactor. Each completed send or receive
//! spends one unit of the cooperative budget.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use crate::net::ToSocketAddrs;
use crate::net::addr::{each_addr, resolve};
use crate::reactor::{Direction, PollEvented};

/// A UDP socket.
///
/// ```
/// use weft_io::net::UdpSocket;
///
/// weft_io::doc_support::block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await?;
///     let b = UdpSocket::bind("127.0.0.1:0").await?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UdpSocket {
    io: PollEvented<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr`, trying each resolved address in turn.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let socket = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert_ne!(socket.local_addr()?.port(), 0);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        each_addr(&addr, |addr| async move {
            Ok(UdpSocket {
                io: PollEvented::new(mio::net::UdpSocket::bind(addr)?)?,
            })
        })
        .await
    }

    /// Wraps a bound std socket, switching it to non-blocking mode.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let socket = weft_io::net::UdpSocket::from_std(std_socket)?;
    /// # drop(socket);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        Ok(UdpSocket {
            io: PollEvented::new(mio::net::UdpSocket::from_std(socket))?,
        })
    }

    /// Sets the default destination of [`UdpSocket::send`] and accepts datagrams
    /// only from it; tries each resolved address in turn.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let a = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(b.local_addr()?).await?;
    /// assert_eq!(a.peer_addr()?, b.local_addr()?);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        each_addr(&addr, |addr| async move { self.io.get_ref().connect(addr) }).await
    }

    /// Sends a datagram to the connected peer; returns the bytes sent.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let a = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(b.local_addr()?).await?;
    /// b.connect(a.local_addr()?).await?;
    /// assert_eq!(a.send(b"hi").await?, 2);
    /// let mut buf = [0; 2];
    /// assert_eq!(b.recv(&mut buf).await?, 2);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Write, || self.io.get_ref().send(buf))
            .await
    }

    /// Receives a datagram from the connected peer; returns its length (truncated
    /// to `buf`).
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let a = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// b.connect(a.local_addr()?).await?;
    /// a.send_to(b"yo", b.local_addr()?).await?;
    /// let mut buf = [0; 8];
    /// let n = b.recv(&mut buf).await?;
    /// assert_eq!(&buf[..n], b"yo");
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Read, || self.io.get_ref().recv(buf))
            .await
    }

    /// Sends a datagram to the first address `target` resolves to.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let a = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let port = a.local_addr()?.port();
    /// assert_eq!(a.send_to(b"self", ("127.0.0.1", port)).await?, 4);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let addr = resolve(&target).await?.into_iter().next().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the target address resolved to nothing; check the host name and port",
            )
        })?;
        self.io
            .async_io(Direction::Write, || self.io.get_ref().send_to(buf, addr))
            .await
    }

    /// Receives a datagram and the address it came from.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let a = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// a.send_to(b"echo", a.local_addr()?).await?;
    /// let mut buf = [0; 8];
    /// let (n, from) = a.recv_from(&mut buf).await?;
    /// assert_eq!((n, from), (4, a.local_addr()?));
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Direction::Read, || self.io.get_ref().recv_from(buf))
            .await
    }

    /// The address this socket is bound to.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let a = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert!(a.local_addr()?.ip().is_loopback());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address; `NotConnected` before [`UdpSocket::connect`].
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let a = weft_io::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// assert_eq!(a.peer_addr().unwrap_err().kind(), std::io::ErrorKind::NotConnected);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}
