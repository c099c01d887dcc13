//! UDP and Unix-domain round trips over the reactor.

mod support;

use std::path::PathBuf;

use support::{block_on, join2, read_exact, read_to_end, shutdown, write_all};
use weft_io::net::{UdpSocket, UnixDatagram, UnixListener, UnixStream};

/// A fresh directory for socket files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("weft-io-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn udp_round_trip_with_and_without_connect() {
    block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind(("127.0.0.1", 0)).await.unwrap();
        let mut buf = [0; 32];

        a.send_to(b"to b", b.local_addr().unwrap()).await.unwrap();
        let (n, from) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"to b"[..], a.local_addr().unwrap()));

        b.connect(a.local_addr().unwrap()).await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        assert_eq!(b.peer_addr().unwrap(), a.local_addr().unwrap());
        let (sent, received) = join2(b.send(b"back to a"), a.recv(&mut buf)).await;
        assert_eq!(sent.unwrap(), 9);
        assert_eq!(&buf[..received.unwrap()], b"back to a");
    });
}

#[test]
fn unix_stream_round_trip_through_a_listener() {
    let dir = TempDir::new("stream");
    let path = dir.0.join("echo.sock");
    block_on(async {
        let listener = UnixListener::bind(&path).unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_pathname(),
            Some(path.as_path())
        );
        let server = async {
            let (mut stream, _) = listener.accept().await.unwrap();
            let request = read_to_end(&mut stream).await.unwrap();
            write_all(&mut stream, &request).await.unwrap();
        };
        let client = async {
            let mut stream = UnixStream::connect(&path).await.unwrap();
            write_all(&mut stream, b"over a unix socket").await.unwrap();
            shutdown(&mut stream).await.unwrap();
            read_to_end(&mut stream).await.unwrap()
        };
        let ((), echoed) = join2(server, client).await;
        assert_eq!(echoed, b"over a unix socket");
    });
}

#[test]
fn unix_stream_pair_round_trip() {
    block_on(async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        write_all(&mut a, b"ping").await.unwrap();
        let mut buf = [0; 4];
        read_exact(&mut b, &mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
    });
}

#[test]
fn unix_datagram_round_trips() {
    let dir = TempDir::new("dgram");
    let path = dir.0.join("server.sock");
    block_on(async {
        let server = UnixDatagram::bind(&path).unwrap();
        let client = UnixDatagram::unbound().unwrap();
        client.send_to(b"hello", &path).await.unwrap();
        let mut buf = [0; 16];
        let (n, _from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"hello");

        let (a, b) = UnixDatagram::pair().unwrap();
        a.send(b"paired").await.unwrap();
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"paired");
    });
}
