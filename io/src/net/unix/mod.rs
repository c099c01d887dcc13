//! Unix-domain sockets: [`UnixListener`], [`UnixStream`] and its halves,
//! [`UnixDatagram`].

mod datagram;
mod listener;
mod stream;
#[cfg(any(target_os = "linux", target_os = "android"))]
mod ucred;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use stream::UnixStream;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub use ucred::UCred;

/// The reading half of a borrowed [`UnixStream`], from [`UnixStream::split`].
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// let (mut a, _b) = weft_io::net::UnixStream::pair()?;
/// let (read, _write): (weft_io::net::unix::ReadHalf<'_>, _) = a.split();
/// assert!(read.peer_addr()?.is_unnamed());
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub type ReadHalf<'a> = crate::net::split::ReadHalf<'a, UnixStream>;

/// The writing half of a borrowed [`UnixStream`], from [`UnixStream::split`].
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// let (mut a, _b) = weft_io::net::UnixStream::pair()?;
/// let (_read, write): (_, weft_io::net::unix::WriteHalf<'_>) = a.split();
/// assert!(write.local_addr()?.is_unnamed());
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub type WriteHalf<'a> = crate::net::split::WriteHalf<'a, UnixStream>;

/// The reading half of a [`UnixStream`], from [`UnixStream::into_split`].
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// let (a, _b) = weft_io::net::UnixStream::pair()?;
/// let (read, _write) = a.into_split();
/// let _: weft_io::net::unix::OwnedReadHalf = read;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub type OwnedReadHalf = crate::net::split_owned::OwnedReadHalf<UnixStream>;

/// The writing half of a [`UnixStream`], from [`UnixStream::into_split`]; dropping
/// it shuts the write direction down.
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// let (a, _b) = weft_io::net::UnixStream::pair()?;
/// let (_read, write) = a.into_split();
/// let _: weft_io::net::unix::OwnedWriteHalf = write;
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub type OwnedWriteHalf = crate::net::split_owned::OwnedWriteHalf<UnixStream>;

/// [`OwnedReadHalf::reunite`](crate::net::unix::OwnedReadHalf) was given halves of
/// two different Unix streams; both are handed back.
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// let (a, b) = weft_io::net::UnixStream::pair()?;
/// let (a_read, _) = a.into_split();
/// let (_, b_write) = b.into_split();
/// let err: weft_io::net::unix::ReuniteError = a_read.reunite(b_write).unwrap_err();
/// assert!(err.to_string().contains("different Unix streams"));
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub type ReuniteError = crate::net::split_owned::ReuniteError<UnixStream>;
