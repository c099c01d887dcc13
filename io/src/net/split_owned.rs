//! Owned halves of a stream socket: [`OwnedReadHalf`] and [`OwnedWriteHalf`], from
//! `TcpStream::into_split` and `UnixStream::into_split` (named `tcp::OwnedReadHalf`,
//! `unix::OwnedReadHalf`, ... there). They share the stream through an `Arc` and can
//! move to different tasks.
//!
//! # Invariant
//!
//! The write half shuts the write direction down when dropped unless it was handed
//! back through [`OwnedReadHalf::reunite`]; the stream itself closes when the last
//! half is dropped.

use std::error::Error;
use std::fmt;
use std::io;
use std::sync::Arc;

use crate::net::stream::{ByteStream, impl_async_read, impl_async_write};

/// The reading half of a stream, from `TcpStream::into_split` or
/// `UnixStream::into_split`.
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
pub struct OwnedReadHalf<S> {
    inner: Arc<S>,
}

/// The writing half of a stream, from `TcpStream::into_split` or
/// `UnixStream::into_split`. Dropping it shuts the write direction down, so the
/// peer reads end of stream.
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
pub struct OwnedWriteHalf<S: ByteStream> {
    inner: Arc<S>,
    shutdown_on_drop: bool,
}

pub(crate) fn split_owned<S: ByteStream>(stream: S) -> (OwnedReadHalf<S>, OwnedWriteHalf<S>) {
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
pub struct ReuniteError<S: ByteStream>(pub OwnedReadHalf<S>, pub OwnedWriteHalf<S>);

impl<S: ByteStream> fmt::Display for ReuniteError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tried to reunite halves of different {} streams; \
             pass the two halves that one `into_split` returned",
            S::KIND
        )
    }
}

impl<S: ByteStream + fmt::Debug> Error for ReuniteError<S> {}

impl<S: ByteStream> OwnedReadHalf<S> {
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
    pub fn reunite(self, mut other: OwnedWriteHalf<S>) -> Result<S, ReuniteError<S>> {
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
    pub fn peer_addr(&self) -> io::Result<S::Addr> {
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
    pub fn local_addr(&self) -> io::Result<S::Addr> {
        self.inner.local_addr()
    }
}

impl<S: ByteStream> OwnedWriteHalf<S> {
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
    pub fn peer_addr(&self) -> io::Result<S::Addr> {
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
    pub fn local_addr(&self) -> io::Result<S::Addr> {
        self.inner.local_addr()
    }
}

impl<S: ByteStream> Drop for OwnedWriteHalf<S> {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            let _ = self.inner.poll_evented().shutdown_stream();
        }
    }
}

impl_async_read!(impl[S: ByteStream] for OwnedReadHalf<S>, |half| half.inner.poll_evented());
impl_async_write!(impl[S: ByteStream] for OwnedWriteHalf<S>, |half| half.inner.poll_evented());
