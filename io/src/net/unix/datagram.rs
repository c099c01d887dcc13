//! [`UnixDatagram`]: a Unix-domain datagram socket driven by the reactor.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

use crate::reactor::{Direction, PollEvented};

/// A Unix-domain datagram socket.
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// let (a, b) = weft_io::net::UnixDatagram::pair()?;
/// a.send(b"ping").await?;
/// let mut buf = [0; 8];
/// let n = b.recv(&mut buf).await?;
/// assert_eq!(&buf[..n], b"ping");
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixDatagram {
    io: PollEvented<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    fn from_mio(socket: mio::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: PollEvented::new(socket)?,
        })
    }

    /// Creates a socket bound to `path`.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("weft-doc-dgram-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// weft_io::doc_support::block_on(async {
    ///     let socket = weft_io::net::UnixDatagram::bind(&path)?;
    ///     assert_eq!(socket.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::bind(path)?)
    }

    /// Creates a socket bound to no address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let socket = weft_io::net::UnixDatagram::unbound()?;
    /// assert!(socket.local_addr()?.is_unnamed());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::unbound()?)
    }

    /// A connected pair of sockets.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, b) = weft_io::net::UnixDatagram::pair()?;
    /// # drop((a, b));
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::from_mio(a)?, UnixDatagram::from_mio(b)?))
    }

    /// Sets the default destination of [`UnixDatagram::send`].
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("weft-doc-dconn-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// weft_io::doc_support::block_on(async {
    ///     let server = weft_io::net::UnixDatagram::bind(&path)?;
    ///     let client = weft_io::net::UnixDatagram::unbound()?;
    ///     client.connect(&path)?;
    ///     client.send(b"hi").await?;
    ///     let mut buf = [0; 2];
    ///     assert_eq!(server.recv(&mut buf).await?, 2);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.io.get_ref().connect(path)
    }

    /// Sends a datagram to the connected peer.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, _b) = weft_io::net::UnixDatagram::pair()?;
    /// assert_eq!(a.send(b"x").await?, 1);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Write, || self.io.get_ref().send(buf))
            .await
    }

    /// Receives a datagram.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, b) = weft_io::net::UnixDatagram::pair()?;
    /// b.send(b"yo").await?;
    /// let mut buf = [0; 4];
    /// assert_eq!(a.recv(&mut buf).await?, 2);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Direction::Read, || self.io.get_ref().recv(buf))
            .await
    }

    /// Sends a datagram to the socket at `path`.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("weft-doc-sendto-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// weft_io::doc_support::block_on(async {
    ///     let server = weft_io::net::UnixDatagram::bind(&path)?;
    ///     let client = weft_io::net::UnixDatagram::unbound()?;
    ///     assert_eq!(client.send_to(b"hey", &path).await?, 3);
    ///     # drop(server);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        self.io
            .async_io(Direction::Write, || self.io.get_ref().send_to(buf, path))
            .await
    }

    /// Receives a datagram and the address it came from.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, b) = weft_io::net::UnixDatagram::pair()?;
    /// b.send(b"who").await?;
    /// let mut buf = [0; 4];
    /// let (n, from) = a.recv_from(&mut buf).await?;
    /// assert_eq!(n, 3);
    /// assert!(from.is_unnamed());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Direction::Read, || self.io.get_ref().recv_from(buf))
            .await
    }

    /// This socket's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let socket = weft_io::net::UnixDatagram::unbound()?;
    /// assert!(socket.local_addr()?.as_pathname().is_none());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, _b) = weft_io::net::UnixDatagram::pair()?;
    /// assert!(a.peer_addr()?.is_unnamed());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}
