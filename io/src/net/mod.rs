//! Networking over the weft reactor: TCP, UDP and Unix-domain sockets, and
//! non-blocking host-name resolution.
//!
//! Every socket is a [`PollEvented`](crate::reactor::PollEvented) around a mio
//! socket, registered with the current thread's reactor when it is created (so
//! creating one outside a runtime panics). Reads and writes spend the cooperative
//! budget ([`crate::coop`]). TCP and Unix streams share their byte I/O and their
//! split halves (`stream.rs`, `split.rs`, `split_owned.rs`); `tcp` and `unix` name
//! the halves for their stream type.

mod addr;
mod fd_exhaustion;
mod split;
mod split_owned;
mod stream;
pub mod tcp;
mod udp;
pub mod unix;

pub use addr::{ToSocketAddrs, lookup_host};
pub use fd_exhaustion::DescriptorsExhausted;
pub use tcp::{TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};

// Sockets move between worker threads and are shared by reference across tasks.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TcpListener>();
    assert_send_sync::<TcpStream>();
    assert_send_sync::<TcpSocket>();
    assert_send_sync::<tcp::OwnedReadHalf>();
    assert_send_sync::<tcp::OwnedWriteHalf>();
    assert_send_sync::<UdpSocket>();
    assert_send_sync::<UnixListener>();
    assert_send_sync::<UnixStream>();
    assert_send_sync::<UnixDatagram>();
    assert_send_sync::<unix::OwnedReadHalf>();
    assert_send_sync::<unix::OwnedWriteHalf>();
};
