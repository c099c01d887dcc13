//! Surviving `EMFILE`/`ENFILE` in `accept`: a reserved spare descriptor, and the
//! [`DescriptorsExhausted`] error reported once per episode.
//!
//! When the process is out of descriptors, a pending connection cannot be accepted,
//! so the listener stays readable; retrying would spin, and giving up would strand
//! the connection in the backlog. Instead the listener closes the spare (freeing one
//! descriptor), accepts and immediately closes the pending connections — the peers
//! see them closed rather than hanging — reopens the spare, and reports one error.
//!
//! # Invariant
//!
//! The spare is open while at least one `TcpListener` is alive (unless it could not
//! be reopened after an episode), and closed when the last one is dropped, so an
//! application with no listener holds no extra descriptor.

use std::error::Error;
use std::fmt;
use std::fs::File;
use std::io;
use std::sync::{Mutex, PoisonError};

struct Spare {
    listeners: usize,
    file: Option<File>,
}

static SPARE: Mutex<Spare> = Mutex::new(Spare {
    listeners: 0,
    file: None,
});

fn open_spare() -> Option<File> {
    File::open("/dev/null").ok()
}

/// Keeps the spare open while a listener lives.
#[derive(Debug)]
pub(crate) struct SpareGuard {
    _priv: (),
}

impl SpareGuard {
    pub(crate) fn new() -> SpareGuard {
        let mut spare = SPARE.lock().unwrap_or_else(PoisonError::into_inner);
        spare.listeners += 1;
        if spare.file.is_none() {
            spare.file = open_spare();
        }
        SpareGuard { _priv: () }
    }
}

impl Drop for SpareGuard {
    fn drop(&mut self) {
        let mut spare = SPARE.lock().unwrap_or_else(PoisonError::into_inner);
        spare.listeners -= 1;
        if spare.listeners == 0 {
            spare.file = None;
        }
    }
}

/// Whether `err` means the process or system ran out of descriptors.
pub(crate) fn is_exhaustion(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
}

/// Frees the spare, runs `accept` until it would block (closing what it accepts),
/// reopens the spare, and returns the error to report.
pub(crate) fn shed<T>(cause: io::Error, mut accept: impl FnMut() -> io::Result<T>) -> io::Error {
    let mut spare = SPARE.lock().unwrap_or_else(PoisonError::into_inner);
    let mut shed = 0;
    if spare.file.take().is_some() {
        // A backlog is at most 1024 deep (see `TcpListener::bind`); stop there so a
        // flood of new connections cannot keep this loop going.
        while shed < 1024 {
            match accept() {
                Ok(conn) => {
                    drop(conn);
                    shed += 1;
                }
                Err(_) => break,
            }
        }
        spare.file = open_spare();
    }
    io::Error::other(DescriptorsExhausted {
        errno: cause.raw_os_error().unwrap_or(libc::EMFILE),
        shed,
    })
}

/// `accept` found the process (`EMFILE`) or the system (`ENFILE`) out of file
/// descriptors. The listener closed the connections it could not serve and keeps
/// working; it reports this once per episode, inside an [`io::Error`] of kind
/// [`io::ErrorKind::Other`].
///
/// ```
/// use weft_io::net::DescriptorsExhausted;
///
/// fn is_exhausted(err: &std::io::Error) -> Option<&DescriptorsExhausted> {
///     err.get_ref()?.downcast_ref::<DescriptorsExhausted>()
/// }
/// assert!(is_exhausted(&std::io::Error::other("unrelated")).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescriptorsExhausted {
    errno: i32,
    shed: usize,
}

impl DescriptorsExhausted {
    /// The OS error: `EMFILE` (this process) or `ENFILE` (the whole system).
    ///
    /// ```
    /// # use weft_io::net::DescriptorsExhausted;
    /// fn errno(e: &DescriptorsExhausted) -> i32 { e.raw_os_error() }
    /// ```
    pub fn raw_os_error(&self) -> i32 {
        self.errno
    }

    /// How many pending connections were accepted and closed unserved.
    ///
    /// ```
    /// # use weft_io::net::DescriptorsExhausted;
    /// fn dropped(e: &DescriptorsExhausted) -> usize { e.shed_connections() }
    /// ```
    pub fn shed_connections(&self) -> usize {
        self.shed
    }
}

impl fmt::Display for DescriptorsExhausted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scope = if self.errno == libc::ENFILE {
            "the system is"
        } else {
            "this process is"
        };
        write!(
            f,
            "{scope} out of file descriptors: closed {} incoming connection(s) unserved; \
             close unused sockets or files, or raise the limit (`ulimit -n`); \
             the listener keeps accepting",
            self.shed
        )
    }
}

impl Error for DescriptorsExhausted {}
