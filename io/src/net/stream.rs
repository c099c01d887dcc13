//! What TCP and Unix-domain stream sockets have in common: the byte I/O on their
//! [`PollEvented`] (read, write, vectored write, half-close), the `AsyncRead` /
//! `AsyncWrite` impls and public methods both have (written once, by macros), and
//! the sealed [`ByteStream`] trait that the split halves (`split.rs`,
//! `split_owned.rs`) are generic over, so both socket types share one set of halves.
//!
//! Invariant: every read and write of a connected stream goes through
//! `PollEvented::poll_transfer` or `try_transfer`, so each completed operation spends
//! one unit of the cooperative budget (poll paths only), and readiness is cleared
//! only when the kernel says `WouldBlock`, a transfer comes up short, or a TCP read
//! reports nothing left (`tcp/inq.rs`): each proves the buffer drained or filled
//! (rule 5 of `reactor/state.rs`).

use std::io::{self, IoSlice, Write};
use std::mem::MaybeUninit;
use std::net::Shutdown;
use std::task::{Context, Poll, ready};

use crate::io::ReadBuf;
use crate::reactor::{Direction, PollEvented};

/// A connected mio stream socket: byte reads and writes through a shared reference,
/// and a write-side shutdown.
// `pub` in a private module: named in the bounds of public types, never nameable
// (or implementable) outside this crate.
pub trait StreamSource: mio::event::Source {
    /// `recv(2)` into `buf`, which may be uninitialised: the byte count and, if the
    /// kernel said, how many bytes are still queued after it. Only the kernel writes
    /// into `buf`, and only the first (returned) count of bytes.
    fn read_some(&self, buf: &mut [MaybeUninit<u8>]) -> io::Result<(usize, Option<usize>)>;
    /// `write(2)` from `buf`.
    fn write_some(&self, buf: &[u8]) -> io::Result<usize>;
    /// `writev(2)` from `bufs`.
    fn write_some_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize>;
    /// `shutdown(SHUT_WR)`.
    fn shutdown_write(&self) -> io::Result<()>;
}

/// Implements [`StreamSource`] for mio stream sockets, with `read_some` given as a
/// function of the socket and the buffer.
macro_rules! stream_source {
    ($($source:ty => $read:expr),*) => {$(
        impl StreamSource for $source {
            fn read_some(
                &self,
                buf: &mut [MaybeUninit<u8>],
            ) -> io::Result<(usize, Option<usize>)> {
                $read(self, buf)
            }

            fn write_some(&self, buf: &[u8]) -> io::Result<usize> {
                Write::write(&mut &*self, buf)
            }

            fn write_some_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                Write::write_vectored(&mut &*self, bufs)
            }

            fn shutdown_write(&self) -> io::Result<()> {
                self.shutdown(Shutdown::Write)
            }
        }
    )*};
}

/// A read that says nothing about what it left behind. `socket2` reads into
/// uninitialised memory, so a caller's fresh buffer is never zeroed first.
fn plain_read<S: std::os::fd::AsFd>(
    source: &S,
    buf: &mut [MaybeUninit<u8>],
) -> io::Result<(usize, Option<usize>)> {
    socket2::SockRef::from(source).recv(buf).map(|n| (n, None))
}

/// TCP reads report the bytes left where the kernel can (`tcp/inq.rs`).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn tcp_read(
    source: &mio::net::TcpStream,
    buf: &mut [MaybeUninit<u8>],
) -> io::Result<(usize, Option<usize>)> {
    crate::net::tcp::inq::recv(std::os::fd::AsFd::as_fd(source), buf)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
use plain_read as tcp_read;

stream_source!(
    mio::net::TcpStream => tcp_read,
    mio::net::UnixStream => plain_read
);

/// A connected stream socket that can be split into halves (`TcpStream`,
/// `UnixStream`). Sealed: the halves are generic over it, but it cannot be named or
/// implemented outside this crate.
pub trait ByteStream: Sized {
    /// The mio socket inside.
    type Source: StreamSource;
    /// The socket's address type.
    type Addr;
    /// "TCP" or "Unix", for error messages.
    const KIND: &'static str;

    /// The registered socket.
    fn poll_evented(&self) -> &PollEvented<Self::Source>;
    /// This end's address.
    fn local_addr(&self) -> io::Result<Self::Addr>;
    /// The peer's address.
    fn peer_addr(&self) -> io::Result<Self::Addr>;
}

impl<E: StreamSource> PollEvented<E> {
    /// Reads into `buf`'s unfilled part once the socket is readable.
    pub(crate) fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // Not zeroed first: for an 8 KiB buffer that a protocol hands in fresh on
        // every read, zeroing costs more than the read itself.
        // SAFETY: only the kernel writes into this space (`read_some`'s contract),
        // and it writes bytes, so nothing initialised is ever de-initialised.
        let unfilled = unsafe { buf.unfilled_mut() };
        let len = unfilled.len();
        let n = ready!(self.poll_transfer(cx, Direction::Read, len, || {
            self.get_ref().read_some(unfilled)
        }))?;
        // SAFETY: the read wrote its first `n` bytes, and `n <= len`, the space left.
        unsafe { buf.assume_init(n) };
        buf.advance(n);
        Poll::Ready(Ok(()))
    }

    /// Writes from `buf` once the socket is writable.
    pub(crate) fn poll_write_stream(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_transfer(cx, Direction::Write, buf.len(), || {
            self.get_ref().write_some(buf).map(|n| (n, None))
        })
    }

    /// Writes from `bufs` once the socket is writable.
    pub(crate) fn poll_write_stream_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let len = bufs.iter().map(|buf| buf.len()).sum();
        self.poll_transfer(cx, Direction::Write, len, || {
            self.get_ref().write_some_vectored(bufs).map(|n| (n, None))
        })
    }

    /// Reads what is there now, or `WouldBlock`.
    pub(crate) fn try_read_stream(&self, buf: &mut [u8]) -> io::Result<usize> {
        let len = buf.len();
        // SAFETY: `u8` and `MaybeUninit<u8>` have the same layout, and `read_some` only
        // lets the kernel write bytes into the slice, so it stays initialised.
        let buf = unsafe { &mut *(std::ptr::from_mut(buf) as *mut [MaybeUninit<u8>]) };
        self.try_transfer(Direction::Read, len, || self.get_ref().read_some(buf))
    }

    /// Writes what fits now, or `WouldBlock`.
    pub(crate) fn try_write_stream(&self, buf: &[u8]) -> io::Result<usize> {
        self.try_transfer(Direction::Write, buf.len(), || {
            self.get_ref().write_some(buf).map(|n| (n, None))
        })
    }

    /// Shuts the write direction down: the peer reads end of stream.
    pub(crate) fn shutdown_stream(&self) -> io::Result<()> {
        match self.get_ref().shutdown_write() {
            // Already shut down or reset by the peer: nothing left to close.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            other => other,
        }
    }
}

/// Implements `AsyncRead` for a type by reading through the `PollEvented` that
/// `|this| expr` reaches from `&Self`.
macro_rules! impl_async_read {
    (impl[$($generics:tt)*] for $ty:ty, |$this:ident| $io:expr) => {
        impl<$($generics)*> $crate::io::AsyncRead for $ty {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut $crate::io::ReadBuf<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                let $this = &*self;
                $io.poll_read_stream(cx, buf)
            }
        }
    };
}

/// Implements `AsyncWrite` for a type by writing through the `PollEvented` that
/// `|this| expr` reaches from `&Self`; `poll_shutdown` shuts the write direction
/// down (`shutdown(SHUT_WR)`), and reading still works.
macro_rules! impl_async_write {
    (impl[$($generics:tt)*] for $ty:ty, |$this:ident| $io:expr) => {
        impl<$($generics)*> $crate::io::AsyncWrite for $ty {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                let $this = &*self;
                $io.poll_write_stream(cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                let $this = &*self;
                $io.poll_write_stream_vectored(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                _cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                // Writes go straight to the kernel; there is nothing to flush.
                ::std::task::Poll::Ready(Ok(()))
            }

            fn poll_shutdown(
                self: ::std::pin::Pin<&mut Self>,
                _cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                let $this = &*self;
                ::std::task::Poll::Ready($io.shutdown_stream())
            }
        }
    };
}

/// The readiness, `try_*` and split methods that every stream socket has, written
/// once so `TcpStream` and `UnixStream` keep the same shape. `$setup` is the hidden
/// doctest prelude that binds two connected streams `a` and `b`; `$module` names
/// the module whose aliases name the halves.
macro_rules! stream_methods {
    ($stream:ident, $module:ident, $setup:literal) => {
        impl $stream {
            #[doc = concat!(
                "Waits until a read may make progress; pair it with [`",
                stringify!($stream), "::try_read`].\n\n```\n",
                "# weft_io::doc_support::block_on(async {\n", $setup,
                "b.writable().await?;\n",
                "b.try_write(b\"hello\")?;\n",
                "a.readable().await?;\n",
                "let mut buf = [0; 5];\n",
                "assert_eq!(a.try_read(&mut buf)?, 5);\n",
                "# Ok::<(), std::io::Error>(()) })?;\n# Ok::<(), std::io::Error>(())\n```"
            )]
            pub async fn readable(&self) -> ::std::io::Result<()> {
                self.io.readable().await
            }

            #[doc = concat!(
                "Waits until a write may make progress; pair it with [`",
                stringify!($stream), "::try_write`].\n\n```\n",
                "# weft_io::doc_support::block_on(async {\n", $setup,
                "a.writable().await?;\n",
                "# drop(b);\n",
                "# Ok::<(), std::io::Error>(()) })?;\n# Ok::<(), std::io::Error>(())\n```"
            )]
            pub async fn writable(&self) -> ::std::io::Result<()> {
                self.io.writable().await
            }

            #[doc = concat!(
                "Polls for read readiness (one waiting task at a time).\n\n```\n",
                "use std::task::{Context, Waker};\n",
                "# weft_io::doc_support::block_on(async {\n", $setup,
                "let mut cx = Context::from_waker(Waker::noop());\n",
                "assert!(a.poll_read_ready(&mut cx).is_pending()); // nothing sent yet\n",
                "# drop(b);\n",
                "# Ok::<(), std::io::Error>(()) })?;\n# Ok::<(), std::io::Error>(())\n```"
            )]
            pub fn poll_read_ready(
                &self,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                self.io.poll_read_ready(cx)
            }

            #[doc = concat!(
                "Polls for write readiness (one waiting task at a time).\n\n```\n",
                "# weft_io::doc_support::block_on(async {\n", $setup,
                "std::future::poll_fn(|cx| a.poll_write_ready(cx)).await?;\n",
                "# drop(b);\n",
                "# Ok::<(), std::io::Error>(()) })?;\n# Ok::<(), std::io::Error>(())\n```"
            )]
            pub fn poll_write_ready(
                &self,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                self.io.poll_write_ready(cx)
            }

            #[doc = concat!(
                "Reads what is available now, or fails with `WouldBlock`. `Ok(0)` is end ",
                "of stream.\n\n```\n",
                "# weft_io::doc_support::block_on(async {\n", $setup,
                "let mut buf = [0; 8];\n",
                "let err = a.try_read(&mut buf).unwrap_err();\n",
                "assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);\n",
                "# drop(b);\n",
                "# Ok::<(), std::io::Error>(()) })?;\n# Ok::<(), std::io::Error>(())\n```"
            )]
            pub fn try_read(&self, buf: &mut [u8]) -> ::std::io::Result<usize> {
                self.io.try_read_stream(buf)
            }

            #[doc = concat!(
                "Writes what fits now, or fails with `WouldBlock`.\n\n```\n",
                "# weft_io::doc_support::block_on(async {\n", $setup,
                "a.writable().await?;\n",
                "assert_eq!(a.try_write(b\"hi\")?, 2);\n",
                "# drop(b);\n",
                "# Ok::<(), std::io::Error>(()) })?;\n# Ok::<(), std::io::Error>(())\n```"
            )]
            pub fn try_write(&self, buf: &[u8]) -> ::std::io::Result<usize> {
                self.io.try_write_stream(buf)
            }

            #[doc = concat!(
                "Borrows the stream as a read half and a write half that two tasks (or ",
                "two branches of one task) can use at once.\n\n```\n",
                "# weft_io::doc_support::block_on(async {\n", $setup,
                "# let mut a = a;\n",
                "let (read, write) = a.split();\n",
                "assert_eq!(format!(\"{:?}\", read.peer_addr()?), format!(\"{:?}\", write.peer_addr()?));\n",
                "# drop(b);\n",
                "# Ok::<(), std::io::Error>(()) })?;\n# Ok::<(), std::io::Error>(())\n```"
            )]
            pub fn split(&mut self) -> (
                crate::net::$module::ReadHalf<'_>,
                crate::net::$module::WriteHalf<'_>,
            ) {
                crate::net::split::split(self)
            }

            #[doc = concat!(
                "Splits the stream into owned halves that can move to different tasks. ",
                "The write half shuts the write direction down when dropped; `reunite` ",
                "puts the halves back together.\n\n```\n",
                "# weft_io::doc_support::block_on(async {\n", $setup,
                "let (read, write) = a.into_split();\n",
                "let a = read.reunite(write).expect(\"halves of one stream\");\n",
                "# drop((a, b));\n",
                "# Ok::<(), std::io::Error>(()) })?;\n# Ok::<(), std::io::Error>(())\n```"
            )]
            pub fn into_split(self) -> (
                crate::net::$module::OwnedReadHalf,
                crate::net::$module::OwnedWriteHalf,
            ) {
                crate::net::split_owned::split_owned(self)
            }
        }
    };
}
pub(crate) use {impl_async_read, impl_async_write, stream_methods};
