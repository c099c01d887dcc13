//! `proxy`, `udp-echo` and `portscan` as real processes, driven as a client would.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, UdpSocket};

use weft_tests::process_support::{Server, run};

const ECHO: &str = env!("CARGO_BIN_EXE_echo");
const PROXY: &str = env!("CARGO_BIN_EXE_proxy");
const UDP_ECHO: &str = env!("CARGO_BIN_EXE_udp-echo");
const PORTSCAN: &str = env!("CARGO_BIN_EXE_portscan");

/// A loopback port nothing listens on (bound, then released).
fn dead_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn proxy_relays_both_ways_to_its_upstream() {
    let echo = Server::start(ECHO, &["--addr", "127.0.0.1:0"]);
    let upstream = echo.addr.to_string();
    let mut proxy = Server::start(PROXY, &["--listen", "127.0.0.1:0", "--to", &upstream]);

    let mut client = TcpStream::connect(proxy.addr).unwrap();
    let sent: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let writer = {
        let mut client = client.try_clone().unwrap();
        let sent = sent.clone();
        std::thread::spawn(move || {
            client.write_all(&sent).unwrap();
            client.shutdown(Shutdown::Write).unwrap();
        })
    };
    let mut back = Vec::new();
    client.read_to_end(&mut back).unwrap();
    writer.join().unwrap();
    assert!(
        back == sent,
        "relayed bytes differ ({} of {} came back)",
        back.len(),
        sent.len()
    );
    let line = proxy.wait_for_line("relayed");
    assert!(
        line.ends_with(": 200000 bytes up, 200000 bytes down"),
        "{line}"
    );
}

#[test]
fn proxy_closes_the_client_when_the_upstream_is_down() {
    let to = format!("127.0.0.1:{}", dead_port());
    let mut proxy = Server::start(PROXY, &["--listen", "127.0.0.1:0", "--to", &to]);
    let mut client = TcpStream::connect(proxy.addr).unwrap();
    let mut buf = Vec::new();
    // The proxy closes the client (EOF, or a reset if it had unread bytes).
    let _ = client.read_to_end(&mut buf);
    assert!(buf.is_empty());
    proxy.wait_for_line("upstream unreachable");
}

#[test]
fn proxy_requires_an_upstream() {
    let (status, _, err) = run(PROXY, &["--listen", "127.0.0.1:0"]);
    assert_eq!(status.code(), Some(2));
    assert!(err.contains("missing --to"), "{err}");
}

#[test]
fn udp_echo_returns_each_datagram_to_its_sender() {
    let server = Server::start(UDP_ECHO, &["--addr", "127.0.0.1:0"]);
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.connect(server.addr).unwrap();
    for size in [1usize, 512, 8000, 60_000] {
        let sent: Vec<u8> = (0..size).map(|i| (i * 7 % 256) as u8).collect();
        client.send(&sent).unwrap();
        let mut buf = vec![0; 65_536];
        let n = client.recv(&mut buf).unwrap();
        assert!(
            buf[..n] == sent[..],
            "datagram of {size} bytes came back different"
        );
    }
}

#[test]
fn portscan_finds_the_open_port_and_the_closed_one() {
    let echo = Server::start(ECHO, &["--addr", "127.0.0.1:0"]);
    let open = echo.addr.port();
    let closed = dead_port();
    for (port, expected) in [(open, "open"), (closed, "closed")] {
        let (status, out, err) = run(
            PORTSCAN,
            &[
                "--ports",
                &port.to_string(),
                "--all",
                "--timeout-ms",
                "5000",
            ],
        );
        assert!(status.success(), "{err}");
        assert!(
            out.contains(&format!("127.0.0.1:{port} {expected}\n")),
            "{out}"
        );
        assert!(out.contains("scanned 1 ports"), "{out}");
    }
    let (status, _, err) = run(PORTSCAN, &["--ports", "9-3"]);
    assert_eq!(status.code(), Some(2));
    assert!(err.contains("invalid port range"), "{err}");
}
