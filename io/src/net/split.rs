//! Borrowed halves of a stream socket: [`ReadHalf`] and [`WriteHalf`], from
//! `TcpStream::split` and `UnixStream::split` (named `tcp::ReadHalf`,
//! `unix::ReadHalf`, ... there).
//!
//! Each half only waits on its own direction's waker slot, so the halves can be
//! polled by two tasks at once without stealing each other's wake-ups.

use std::io;

use crate::net::stream::{ByteStream, impl_async_read, impl_async_write};

/// The reading half of a borrowed stream, from `TcpStream::split` or
/// `UnixStream::split`.
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
pub struct ReadHalf<'a, S>(&'a S);

/// The writing half of a borrowed stream, from `TcpStream::split` or
/// `UnixStream::split`.
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
pub struct WriteHalf<'a, S>(&'a S);

pub(crate) fn split<S>(stream: &mut S) -> (ReadHalf<'_, S>, WriteHalf<'_, S>) {
    let stream = &*stream;
    (ReadHalf(stream), WriteHalf(stream))
}

impl<S: ByteStream> ReadHalf<'_, S> {
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
    pub fn peer_addr(&self) -> io::Result<S::Addr> {
        self.0.peer_addr()
    }

    /// This end's address.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (mut a, _b) = weft_io::net::UnixStream::pair()?;
    /// assert!(a.split().0.local_addr()?.is_unnamed());
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<S::Addr> {
        self.0.local_addr()
    }
}

impl<S: ByteStream> WriteHalf<'_, S> {
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
    pub fn peer_addr(&self) -> io::Result<S::Addr> {
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
    pub fn local_addr(&self) -> io::Result<S::Addr> {
        self.0.local_addr()
    }
}

impl_async_read!(impl['a, S: ByteStream] for ReadHalf<'a, S>, |half| half.0.poll_evented());
impl_async_write!(impl['a, S: ByteStream] for WriteHalf<'a, S>, |half| half.0.poll_evented());
