//! [`UnixListener`]: a listening Unix-domain stream socket.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll, ready};

use crate::net::UnixStream;
use crate::reactor::{Direction, PollEvented};

/// A Unix-domain socket listening for connections.
///
/// ```
/// use weft_io::net::{UnixListener, UnixStream};
///
/// let dir = std::env::temp_dir().join(format!("weft-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("listener.sock");
/// # let _ = std::fs::remove_file(&path);
/// weft_io::doc_support::block_on(async {
///     let listener = UnixListener::bind(&path)?;
///     let _client = UnixStream::connect(&path).await?;
///     let (_server, _addr) = listener.accept().await?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixListener {
    io: PollEvented<mio::net::UnixListener>,
}

impl UnixListener {
    /// Creates a socket file at `path` and listens on it.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("weft-doc-bind-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// weft_io::doc_support::block_on(async {
    ///     let listener = weft_io::net::UnixListener::bind(&path)?;
    ///     assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: PollEvented::new(mio::net::UnixListener::bind(path)?)?,
        })
    }

    /// Wraps a std listener, switching it to non-blocking mode.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("weft-doc-std-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// weft_io::doc_support::block_on(async {
    ///     let std_listener = std::os::unix::net::UnixListener::bind(&path)?;
    ///     let _listener = weft_io::net::UnixListener::from_std(std_listener)?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        Ok(UnixListener {
            io: PollEvented::new(mio::net::UnixListener::from_std(listener))?,
        })
    }

    /// The address this listener is bound to.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("weft-doc-addr-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// weft_io::doc_support::block_on(async {
    ///     let listener = weft_io::net::UnixListener::bind(&path)?;
    ///     assert!(listener.local_addr()?.as_pathname().is_some());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Waits for a connection. Several tasks may await `accept` on one listener.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("weft-doc-accept-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// weft_io::doc_support::block_on(async {
    ///     let listener = weft_io::net::UnixListener::bind(&path)?;
    ///     let _client = weft_io::net::UnixStream::connect(&path).await?;
    ///     let (_stream, _addr) = listener.accept().await?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self
            .io
            .async_io(Direction::Read, || self.io.get_ref().accept())
            .await?;
        Ok((UnixStream::from_mio(stream)?, addr))
    }

    /// Polls for a connection; see [`UnixListener::accept`].
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// let path = std::env::temp_dir().join(format!("weft-doc-poll-{}.sock", std::process::id()));
    /// # let _ = std::fs::remove_file(&path);
    /// weft_io::doc_support::block_on(async {
    ///     let listener = weft_io::net::UnixListener::bind(&path)?;
    ///     let mut cx = Context::from_waker(Waker::noop());
    ///     assert!(listener.poll_accept(&mut cx).is_pending());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        // `poll_io` spends the cooperative budget.
        let (stream, addr) = ready!(
            self.io
                .poll_io(cx, Direction::Read, || { self.io.get_ref().accept() })
        )?;
        Poll::Ready(UnixStream::from_mio(stream).map(|s| (s, addr)))
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}
