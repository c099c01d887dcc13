//! Dropping sockets releases every descriptor they opened. Its own test binary, so
//! no other test opens descriptors while this one counts them.

mod support;

use support::{block_on, join_all, open_fds, read_exact, write_all};
use weft_io::net::{TcpListener, TcpStream, UdpSocket, UnixStream};

#[test]
fn dropping_sockets_releases_every_descriptor() {
    let conns = if cfg!(miri) { 2 } else { 50 };
    block_on(async {
        let before = open_fds();
        {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let listener = &listener;
            let pairs = join_all((0..conns).map(|_| async move {
                let mut client = TcpStream::connect(addr).await.unwrap();
                let (mut server, _) = listener.accept().await.unwrap();
                write_all(&mut client, b"x").await.unwrap();
                let mut buf = [0; 1];
                read_exact(&mut server, &mut buf).await.unwrap();
                (client, server)
            }))
            .await;
            // Owned halves share one descriptor; it must close when both go.
            let (halves_read, halves_write) = TcpStream::connect(addr).await.unwrap().into_split();
            let _udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let _unix = UnixStream::pair().unwrap();
            assert!(open_fds() >= before + 2 * conns);
            drop((pairs, halves_read, halves_write));
        }
        assert_eq!(open_fds(), before, "descriptors leaked");
    });
}
