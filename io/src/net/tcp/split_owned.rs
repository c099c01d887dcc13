//! Owned halves of a [`TcpStream`]: [`OwnedReadHalf`] and [`OwnedWriteHalf`], which
//! share the stream through an `Arc` and can move to different tasks.
//!
//! # Invariant
//!
//! The write half shuts the write direction down when dropped unless it was handed
//! back through [`OwnedReadHalf::reunite`]; the stream itself closes when the last
//! half is dropped.

use std::error::Error;
use std::fmt;
use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::io::{AsyncRead, AsyncWrite, ReadBuf};
use crate::net::TcpStream;

/// The reading half of a [`TcpStream`], from [`TcpStream::into_split`].
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
/// let client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (read, _write) = client.into_split();
/// let _: weft_io::net::tcp::OwnedReadHalf = read;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct OwnedReadHalf {
    inner: Arc<TcpStream>,
}

/// The writing half of a [`TcpStream`], from [`TcpStream::into_split`]. Dropping it
/// shuts the write direction down, so the peer reads end of stream.
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
/// let client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (_read, write) = client.into_split();
/// let _: weft_io::net::tcp::OwnedWriteHalf = write;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct OwnedWriteHalf {
    inner: Arc<TcpStream>,
    shutdown_on_drop: bool,
}

pub(crate) fn split_owned(stream: TcpStream) -> (OwnedReadHalf, OwnedWriteHalf) {
    let inner = Arc::new(stream);
    (
        OwnedReadHalf {
            inner: inner.clone(),
        },
        OwnedWriteHalf {
            inner,
            shutdown_on_drop: true,
        },
    )
}

/// [`OwnedReadHalf::reunite`] was given halves of two different streams; both are
/// handed back.
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
/// let a = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
/// let b = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (a_read, _a_write) = a.into_split();
/// let (_b_read, b_write) = b.into_split();
/// let err = a_read.reunite(b_write).unwrap_err();
/// assert!(err.to_string().contains("different"));
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "tried to reunite halves of different TCP streams; \
             pass the two halves that one `into_split` returned",
        )
    }
}

impl Error for ReuniteError {}

impl OwnedReadHalf {
    /// Puts the stream back together from its two halves.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (read, write) = client.into_split();
    /// let client = read.reunite(write).unwrap();
    /// assert_eq!(client.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn reunite(self, mut other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        if !Arc::ptr_eq(&self.inner, &other.inner) {
            return Err(ReuniteError(self, other));
        }
        other.shutdown_on_drop = false;
        let inner = other.inner.clone();
        drop(other);
        drop(self);
        Ok(Arc::into_inner(inner).expect("both halves were just dropped"))
    }

    /// The peer's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (read, _write) = client.into_split();
    /// assert_eq!(read.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// This end's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (read, _write) = client.into_split();
    /// assert!(read.local_addr()?.ip().is_loopback());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl OwnedWriteHalf {
    /// The peer's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (_read, write) = client.into_split();
    /// assert_eq!(write.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    /// This end's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
    /// # let client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let (_read, write) = client.into_split();
    /// assert!(write.local_addr()?.ip().is_loopback());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            let _ = self.inner.shutdown_write();
        }
    }
}

impl AsyncRead for OwnedReadHalf {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.inner.poll_read_priv(cx, buf)
    }
}

impl AsyncWrite for OwnedWriteHalf {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_write_priv(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.inner.poll_write_vectored_priv(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.inner.shutdown_write())
    }
}
