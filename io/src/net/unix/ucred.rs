//! [`UCred`]: the credentials of the process at the other end of a Unix stream,
//! read from the kernel with `SO_PEERCRED`.
//!
//! Invariant: the values are what the kernel recorded when the connection was made
//! (or the pair created); they do not follow the peer if it changes identity later.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// The user, group and process of a Unix stream's peer, from
/// [`UnixStream::peer_cred`](crate::net::UnixStream::peer_cred).
///
/// ```
/// # weft_io::doc_support::block_on(async {
/// let (a, _b) = weft_io::net::UnixStream::pair()?;
/// let cred: weft_io::net::unix::UCred = a.peer_cred()?;
/// assert_eq!(cred.pid(), Some(std::process::id() as i32));
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UCred {
    uid: u32,
    gid: u32,
    pid: Option<i32>,
}

impl UCred {
    /// The peer's effective user id.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, _b) = weft_io::net::UnixStream::pair()?;
    /// // SAFETY: `geteuid` has no preconditions.
    /// assert_eq!(a.peer_cred()?.uid(), unsafe { libc::geteuid() });
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// The peer's effective group id.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, _b) = weft_io::net::UnixStream::pair()?;
    /// // SAFETY: `getegid` has no preconditions.
    /// assert_eq!(a.peer_cred()?.gid(), unsafe { libc::getegid() });
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn gid(&self) -> u32 {
        self.gid
    }

    /// The peer's process id, when the kernel knows it.
    ///
    /// ```
    /// # weft_io::doc_support::block_on(async {
    /// let (a, _b) = weft_io::net::UnixStream::pair()?;
    /// assert_eq!(a.peer_cred()?.pid(), Some(std::process::id() as i32));
    /// # Ok::<(), std::io::Error>(()) })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn pid(&self) -> Option<i32> {
        self.pid
    }
}

/// Reads `SO_PEERCRED` of the connected Unix stream socket `fd`.
pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> io::Result<UCred> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `fd` is a live descriptor for the borrow's duration; `cred` and `len`
    // are valid for writes, and `len` holds the size of `cred`, so the kernel writes
    // at most that many bytes into it.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&raw mut cred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(UCred {
        uid: cred.uid,
        gid: cred.gid,
        // The kernel reports 0 when no process is known (e.g. a peer in another
        // pid namespace that the kernel cannot map).
        pid: (cred.pid != 0).then_some(cred.pid),
    })
}
