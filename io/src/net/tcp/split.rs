//! Borrowed halves of a [`TcpStream`]: [`ReadHalf`] and [`WriteHalf`].
//!
//! Each half only waits on its own direction's waker slot, so the halves can be
//! polled by two tasks at once without stealing each other's wake-ups.

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::io::{AsyncRead, AsyncWrite, ReadBuf};
use crate::net::TcpStream;

/// The reading half of a borrowed [`TcpStream`], from [`TcpStream::split`].
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
/// let mut client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (read, _write): (weft_io::net::tcp::ReadHalf<'_>, _) = client.split();
/// assert_eq!(read.local_addr()?.ip(), read.peer_addr()?.ip());
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a TcpStream);

/// The writing half of a borrowed [`TcpStream`], from [`TcpStream::split`].
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
/// let mut client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (_read, write): (_, weft_io::net::tcp::WriteHalf<'_>) = client.split();
/// assert_eq!(write.peer_addr()?, listener.local_addr()?);
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a TcpStream);

pub(crate) fn split(stream: &mut TcpStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    let stream = &*stream;
    (ReadHalf(stream), WriteHalf(stream))
}

impl ReadHalf<'_> {
    /// The peer's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let mut client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(client.split().0.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }

    /// This end's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let mut client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(client.split().0.local_addr()?.ip().is_loopback());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

impl WriteHalf<'_> {
    /// The peer's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let mut client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(client.split().1.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }

    /// This end's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let mut client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// assert!(client.split().1.local_addr()?.ip().is_loopback());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

impl AsyncRead for ReadHalf<'_> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.0.poll_read_priv(cx, buf)
    }
}

impl AsyncWrite for WriteHalf<'_> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_write_priv(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_write_vectored_priv(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.0.shutdown_write())
    }
}
