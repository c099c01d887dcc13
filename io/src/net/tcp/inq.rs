//! Reads that say what they left behind: with `TCP_INQ` (Linux 4.18+) each
//! `recvmsg` returns, as a control message, how many bytes are still queued after it.
//!
//! A read that fills the caller's buffer cannot tell on its own whether the queue is
//! now empty, so without this the next read pays a `recv` that fails with `EAGAIN`
//! before the task parks: one system call in three of a request/response exchange.
//! With it, a read that reports zero bytes left clears readiness the way a short
//! read does (rule 5 of `reactor/state.rs`).
//!
//! Invariant: "zero left" is computed by the kernel after the read released the
//! socket, and any byte that arrives later raises a new epoll edge, so clearing on it
//! never strands data. After a FIN the kernel reports one byte left, so end of stream
//! is always read rather than assumed. Where the option is missing (older kernels)
//! no control message comes back, and on other systems this module is not built:
//! reads then fall back to the short-read rule.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// Asks the kernel to report the bytes left after each read of `fd`. Best effort:
/// a kernel without `TCP_INQ` refuses it, and reads then just carry no count.
pub(crate) fn enable(fd: BorrowedFd<'_>) {
    let on: libc::c_int = 1;
    // SAFETY: `fd` is open for the borrow's duration; `on` is a live `c_int` and the
    // length passed is its size, so the kernel reads exactly that value.
    let _ = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_TCP,
            libc::TCP_INQ,
            (&raw const on).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
}

/// Reads into `buf`; returns the byte count and, when the kernel reported it, how
/// many bytes are still queued.
pub(crate) fn recv(
    fd: BorrowedFd<'_>,
    buf: &mut [std::mem::MaybeUninit<u8>],
) -> io::Result<(usize, Option<usize>)> {
    // Room for one control message carrying a `c_int`, aligned for `cmsghdr`.
    let mut control = [0u64; 4];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: `msghdr` is a plain C struct for which all-zero bytes are a valid
    // value (null pointers, zero lengths); the fields that matter are set below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = size_of_val(&control) as _;
    // SAFETY: `fd` is open for the borrow's duration. `msg` points at one iovec
    // covering exactly `buf` (writable, `buf.len()` bytes, which the kernel only
    // writes, so they may start uninitialised) and at `control`
    // (writable, `msg_controllen` bytes); all three outlive the call.
    let n = unsafe { libc::recvmsg(fd.as_raw_fd(), &raw mut msg, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut left = None;
    // SAFETY: `msg` was filled in by a successful `recvmsg`, so its control fields
    // describe the initialised prefix of `control`, which is still alive.
    let mut cmsg = unsafe { libc::CMSG_FIRSTHDR(&raw const msg) };
    while !cmsg.is_null() {
        // SAFETY: a non-null pointer from CMSG_FIRSTHDR/CMSG_NXTHDR points at a
        // complete header inside `control`.
        let header = unsafe { &*cmsg };
        if header.cmsg_level == libc::SOL_TCP && header.cmsg_type == libc::TCP_CM_INQ {
            // SAFETY: a TCP_CM_INQ message carries one `c_int` right after its
            // header, inside `control`; the data may be unaligned, so it is read
            // unaligned.
            let queued = unsafe { libc::CMSG_DATA(cmsg).cast::<libc::c_int>().read_unaligned() };
            left = usize::try_from(queued).ok();
        }
        // SAFETY: `cmsg` is a header of `msg`'s control buffer (see above).
        cmsg = unsafe { libc::CMSG_NXTHDR(&raw const msg, cmsg) };
    }
    // `n` is non-negative here and at most `buf.len()`.
    Ok((n as usize, left))
}
