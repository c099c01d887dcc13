//! The UDP echo server behind `udp-echo`: each datagram is sent back to its sender.
//!
//! Invariant: datagrams are echoed whole, never truncated below the 64 KiB UDP limit,
//! because the receive buffer holds the largest datagram UDP can carry.

use std::io;
use std::sync::Arc;

use weft::net::UdpSocket;
use weft::sync::Event;

use crate::stop::unless_stopped;

/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65_536;

/// Echoes datagrams on `socket` until `stop` is set; returns how many it echoed.
///
/// ```
/// use std::sync::Arc;
///
/// weft::run(async {
///     let socket = weft::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
///     let addr = socket.local_addr().unwrap();
///     let stop = Arc::new(weft::sync::Event::new());
///     let server = weft::spawn(weft_examples::udp_echo::serve(socket, stop.clone()));
///
///     let client = weft::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
///     client.send_to(b"marco", addr).await.unwrap();
///     let mut buf = [0; 16];
///     let (n, from) = client.recv_from(&mut buf).await.unwrap();
///     assert_eq!((&buf[..n], from), (&b"marco"[..], addr));
///     stop.set();
///     assert_eq!(server.await.unwrap().unwrap(), 1);
/// });
/// ```
pub async fn serve(socket: UdpSocket, stop: Arc<Event>) -> io::Result<u64> {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut echoed = 0;
    while let Some(received) = unless_stopped(socket.recv_from(&mut buf), &stop).await {
        let (n, from) = match received {
            Ok(received) => received,
            // An ICMP "port unreachable" from an earlier reply surfaces here on Linux;
            // it concerns that one peer only.
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
            Err(e) => return Err(e),
        };
        // A reply that cannot be sent (the peer vanished) is dropped, as UDP would.
        if socket.send_to(&buf[..n], from).await.is_ok() {
            echoed += 1;
        }
    }
    Ok(echoed)
}
