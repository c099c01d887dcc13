//! `hyper-server` as a real process, driven over raw sockets as a client would:
//! hyper's HTTP/1.1 on weft answers, keeps connections alive, echoes bodies byte for
//! byte, sleeps on weft's timer, answers garbage with 400 and keeps serving, and
//! shuts down cleanly on ctrl-c.

use std::io::{Read, Write};

use weft_tests::http_support::{connect, exchange, read_answer};
use weft_tests::process_support::{Server, run};

const HYPER: &str = env!("CARGO_BIN_EXE_hyper-server");

/// Reads until the server closes the connection; what came before that.
fn rest(reader: &mut impl Read) -> Vec<u8> {
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    rest
}

fn start() -> Server {
    Server::start(HYPER, &["--addr", "127.0.0.1:0"])
}

#[test]
fn get_returns_the_greeting() {
    let server = start();
    let answer = exchange(&server, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, b"hello from hyper on weft\n");
    assert_eq!(
        exchange(&server, b"GET /nope HTTP/1.1\r\nHost: t\r\n\r\n").status,
        404
    );
    assert_eq!(
        exchange(&server, b"DELETE / HTTP/1.1\r\nHost: t\r\n\r\n").status,
        405
    );
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let server = start();
    let (mut stream, mut reader) = connect(&server);
    for _ in 0..5 {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        let answer = read_answer(&mut reader);
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, b"hello from hyper on weft\n");
    }
    // Pipelined, the slow one first: answers still come back in request order.
    stream
        .write_all(
            b"GET /sleep?ms=30 HTTP/1.1\r\nHost: t\r\n\r\n\
              POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc\
              GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let bodies: Vec<Vec<u8>> = (0..3).map(|_| read_answer(&mut reader).body).collect();
    assert_eq!(
        bodies,
        [&b"slept 30 ms\n"[..], b"abc", b"hello from hyper on weft\n"]
    );
    assert!(
        rest(&mut reader).is_empty(),
        "the server closes after `Connection: close`"
    );
}

#[test]
fn post_echo_returns_the_exact_bytes() {
    let server = start();
    // Every byte value, zeros included, in a body larger than one read buffer.
    let body: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let (mut stream, mut reader) = connect(&server);
    let head = format!(
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // Written from another thread: the server may answer while we still send.
    let writer = {
        let (mut stream, body) = (stream.try_clone().unwrap(), body.clone());
        std::thread::spawn(move || stream.write_all(&body).unwrap())
    };
    let answer = read_answer(&mut reader);
    writer.join().unwrap();
    assert_eq!(answer.status, 200);
    assert!(answer.body == body, "the echo came back different");

    // A chunked body, on the same connection.
    stream
        .write_all(
            b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
              4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n",
        )
        .unwrap();
    assert_eq!(read_answer(&mut reader).body, b"Wikipedia");
}

#[test]
fn an_oversized_body_gets_413() {
    let server = Server::start(HYPER, &["--addr", "127.0.0.1:0", "--max-body", "10"]);
    let answer = exchange(
        &server,
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n01234567890",
    );
    assert_eq!(answer.status, 413);
}

#[test]
fn sleep_answers_through_the_timer() {
    let server = start();
    let answer = exchange(&server, b"GET /sleep?ms=20 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(
        (answer.status, &answer.body[..]),
        (200, &b"slept 20 ms\n"[..])
    );
    let answer = exchange(&server, b"GET /sleep HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(answer.status, 400);
}

#[test]
fn malformed_requests_get_400_and_the_server_keeps_serving() {
    let server = start();
    for bad in [
        &b"GET / HTTP/1.1\r\nHost: t\r\nNo colon here\r\n\r\n"[..],
        b"NOT HTTP AT ALL\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: nope\r\n\r\n",
    ] {
        let (mut stream, mut reader) = connect(&server);
        stream.write_all(bad).unwrap();
        let answer = read_answer(&mut reader);
        assert_eq!(answer.status, 400, "{}", String::from_utf8_lossy(bad));
        assert!(
            rest(&mut reader).is_empty(),
            "hyper closes after a 400: {}",
            String::from_utf8_lossy(bad)
        );
        // Other connections are still served.
        let answer = exchange(&server, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        assert_eq!(answer.status, 200);
    }
}

#[test]
fn ctrl_c_closes_idle_connections_and_exits_cleanly() {
    let mut server = start();
    let (mut stream, mut reader) = connect(&server);
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        .unwrap();
    assert_eq!(read_answer(&mut reader).status, 200);

    // SAFETY: `kill` has no memory-safety preconditions; the pid is our child's.
    let rc = unsafe { libc::kill(server.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0, "kill failed");

    // The idle keep-alive connection is closed by the graceful shutdown...
    assert!(rest(&mut reader).is_empty());
    // ...and the server reports and exits 0.
    let stopped = server.wait_for_line("stopped:");
    assert_eq!(stopped, "stopped: 1 connections, 1 requests");
    assert!(server.wait_exit().success());
}

#[test]
fn help_and_bad_flags() {
    let (status, out, _) = run(HYPER, &["--help"]);
    assert!(status.success());
    assert!(out.contains("usage: hyper-server"), "{out}");
    let (status, _, err) = run(HYPER, &["--bogus"]);
    assert_eq!(status.code(), Some(2));
    assert!(err.contains("--bogus"), "{err}");
}
