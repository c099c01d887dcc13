//! [`UnixStream`]: a connected Unix-domain stream socket driven by the reactor.
//!
//! Reads and writes are the shared stream I/O of `net/stream.rs` (as for
//! `TcpStream`), so each completed operation spends one unit of the task's
//! cooperative budget and readiness is cleared only when the kernel says
//! `WouldBlock`.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

use crate::net::stream::{ByteStream, impl_async_read, impl_async_write, stream_methods};
use crate::reactor::PollEvented;

/// A connected Unix-domain stream socket.
///
/// ```
/// use std::future::poll_fn;
/// use std::pin::Pin;
/// use weft_io::io::{AsyncRead, AsyncWrite, ReadBuf};
/// use weft_io::net::UnixStream;
///
/// weft_io::doc_support::block_on(async {
///     let (mut a, mut b) = UnixStream::pair()?;
///     poll_fn(|cx| Pin::new(&mut a).poll_write(cx, b"hello")).await?;
///     let mut storage = [0; 5];
///     let mut buf = ReadBuf::new(&mut storage);
///     poll_fn(|cx| Pin::new(&mut b).poll_read(cx, &mut buf)).await?;
///     assert_eq!(buf.filled(), b"hello");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixStream {
    io: PollEvented<mio::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("weft-doc-connect-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// weft_io::doc_support::block_on(async {
    ///     let _listener = weft_io::net::UnixListener::bind(&path)?;
    ///     let stream = weft_io::net::UnixStream::connect(&path).await?;
    ///     assert_eq!(stream.peer_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let stream = UnixStream::from_mio(mio::net::UnixStream::connect(path)?)?;
        // Writable means the connect finished; `take_error` says how.
        stream.io.writable().await?;
        match stream.io.get_ref().take_error()? {
            Some(e) => Err(e),
            None => Ok(stream),
        }
    }

    /// A connected pair of sockets.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, b) = weft_io::net::UnixStream::pair()?;
    /// assert!(a.peer_addr()?.is_unnamed() && b.local_addr()?.is_unnamed());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::from_mio(a)?, UnixStream::from_mio(b)?))
    }

    pub(crate) fn from_mio(stream: mio::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: PollEvented::new(stream)?,
        })
    }

    /// Wraps a connected std stream, switching it to non-blocking mode.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    /// let a = weft_io::net::UnixStream::from_std(a)?;
    /// # drop(a);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::from_mio(mio::net::UnixStream::from_std(stream))
    }

    /// This end's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, _b) = weft_io::net::UnixStream::pair()?;
    /// assert!(a.local_addr()?.is_unnamed());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, _b) = weft_io::net::UnixStream::pair()?;
    /// assert!(a.peer_addr()?.is_unnamed());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The credentials (user, group, process) of the peer, as the kernel recorded
    /// them when the connection was made.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, _b) = weft_io::net::UnixStream::pair()?;
    /// assert_eq!(a.peer_cred()?.pid(), Some(std::process::id() as i32));
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub fn peer_cred(&self) -> io::Result<crate::net::unix::UCred> {
        crate::net::unix::ucred::peer_cred(self.as_fd())
    }
}

stream_methods!(
    UnixStream,
    unix,
    "# let (a, b) = weft_io::net::UnixStream::pair()?;\n"
);

impl ByteStream for UnixStream {
    type Source = mio::net::UnixStream;
    type Addr = SocketAddr;
    const KIND: &'static str = "Unix";

    fn poll_evented(&self) -> &PollEvented<mio::net::UnixStream> {
        &self.io
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        UnixStream::local_addr(self)
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        UnixStream::peer_addr(self)
    }
}

impl_async_read!(impl[] for UnixStream, |stream| stream.io);
impl_async_write!(impl[] for UnixStream, |stream| stream.io);

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}
