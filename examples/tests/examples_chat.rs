//! `chat` as a real process: a line reaches every other client, and a client that
//! stops reading is dropped while the others keep receiving.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use weft_tests::process_support::Server;

const CHAT: &str = env!("CARGO_BIN_EXE_chat");

/// Connects a client and waits until the server reports it joined, so it receives
/// everything said from then on.
fn join(server: &mut Server) -> TcpStream {
    let stream = TcpStream::connect(server.addr).unwrap();
    let me = stream.local_addr().unwrap();
    server.wait_for_line(&format!("joined {me}"));
    stream
}

/// Reads lines until one ends with `suffix`; returns it.
fn read_until_suffix(reader: &mut impl BufRead, suffix: &str) -> String {
    let mut line = String::new();
    loop {
        line.clear();
        assert_ne!(
            reader.read_line(&mut line).unwrap(),
            0,
            "closed before {suffix:?}"
        );
        if line.ends_with(suffix) {
            return line;
        }
    }
}

#[test]
fn a_line_reaches_every_other_client() {
    let mut server = Server::start(CHAT, &["--addr", "127.0.0.1:0"]);
    let mut alice = join(&mut server);
    let bob = join(&mut server);
    let carol = join(&mut server);
    let alice_addr = alice.local_addr().unwrap();

    alice.write_all(b"hello, everyone\r\n").unwrap();
    for client in [bob, carol] {
        let line = read_until_suffix(&mut BufReader::new(client), ": hello, everyone\n");
        assert_eq!(line, format!("{alice_addr}: hello, everyone\n"));
    }

    drop(alice);
    server.wait_for_line(&format!("left {alice_addr}"));
}

#[test]
fn a_stalled_client_is_dropped_and_the_others_carry_on() {
    let mut server = Server::start(
        CHAT,
        &[
            "--addr",
            "127.0.0.1:0",
            "--queue",
            "8",
            "--max-line",
            "70000",
        ],
    );
    let mut stalled = join(&mut server);
    let mut talker = join(&mut server);
    let listener = join(&mut server);
    let stalled_addr = stalled.local_addr().unwrap();

    // The listener reports each line it receives; the talker sends its next big line
    // only once the listener has the previous one, so the listener is never behind
    // and only the stalled client falls back: its socket buffers fill (a few MB on
    // loopback), then its 8-message queue, and the server drops it.
    let (got_tx, got) = std::sync::mpsc::channel::<String>();
    let listener_thread = std::thread::spawn(move || {
        let mut reader = BufReader::new(listener);
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            if got_tx.send(std::mem::take(&mut line)).is_err() {
                return;
            }
        }
    });
    let talker_addr = talker.local_addr().unwrap();
    let big = format!("{}\n", "x".repeat(64 * 1024));
    let dropped_line = format!("dropped slow client {stalled_addr}");
    let mut sent = 0;
    loop {
        talker.write_all(big.as_bytes()).unwrap();
        sent += 1;
        let from_talker = format!("{talker_addr}: ");
        while !got
            .recv()
            .expect("the listener was disconnected")
            .starts_with(&from_talker)
        {}
        if server.try_line_containing(&dropped_line) {
            break;
        }
        assert!(
            sent < 2000,
            "sent {sent} lines and the stalled client is still there"
        );
    }

    // The others carry on.
    talker.write_all(b"after the drop\n").unwrap();
    while !got.recv().unwrap().ends_with(": after the drop\n") {}
    drop(got);
    drop(listener_thread);

    // The stalled client finds its connection closed once it reads what was buffered.
    let mut sink = Vec::new();
    match stalled.read_to_end(&mut sink) {
        Ok(_) => {}
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
}

#[test]
fn an_overlong_line_disconnects_its_sender() {
    let mut server = Server::start(CHAT, &["--addr", "127.0.0.1:0", "--max-line", "16"]);
    let mut client = join(&mut server);
    let me = client.local_addr().unwrap();
    client
        .write_all(b"this line is longer than sixteen bytes\n")
        .unwrap();
    server.wait_for_line(&format!("dropped {me}: line too long"));
}
