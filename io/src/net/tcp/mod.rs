//! TCP: [`TcpListener`], [`TcpStream`] and its halves, [`TcpSocket`].

#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) mod inq;
mod listener;
mod socket;
mod stream;

pub use listener::TcpListener;
pub use socket::TcpSocket;
pub use stream::TcpStream;

/// The reading half of a borrowed [`TcpStream`], from [`TcpStream::split`].
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
/// let mut client = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (read, _write): (weft_io::net::tcp::ReadHalf<'_>, _) = client.split();
/// assert_eq!(read.peer_addr()?, listener.local_addr()?);
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub type ReadHalf<'a> = crate::net::split::ReadHalf<'a, TcpStream>;

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
pub type WriteHalf<'a> = crate::net::split::WriteHalf<'a, TcpStream>;

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
pub type OwnedReadHalf = crate::net::split_owned::OwnedReadHalf<TcpStream>;

/// The writing half of a [`TcpStream`], from [`TcpStream::into_split`]; dropping it
/// shuts the write direction down.
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
pub type OwnedWriteHalf = crate::net::split_owned::OwnedWriteHalf<TcpStream>;

/// [`OwnedReadHalf::reunite`](crate::net::tcp::OwnedReadHalf) was given halves of
/// two different TCP streams; both are handed back.
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// # let listener = weft_io::net::TcpListener::bind("127.0.0.1:0").await?;
/// let a = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
/// let b = weft_io::net::TcpStream::connect(listener.local_addr()?).await?;
/// let (a_read, _) = a.into_split();
/// let (_, b_write) = b.into_split();
/// let err: weft_io::net::tcp::ReuniteError = a_read.reunite(b_write).unwrap_err();
/// assert!(err.to_string().contains("different TCP streams"));
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub type ReuniteError = crate::net::split_owned::ReuniteError<TcpStream>;
