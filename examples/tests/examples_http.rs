//! `http` and `fetch` as real processes, driven over raw sockets as a client would:
//! keep-alive, pipelining, chunked bodies, the error answers, static files.

use std::io::{Read, Write};

use weft_tests::http_support::{connect, exchange, read_answer};
use weft_tests::process_support::{Server, run};

const HTTP: &str = env!("CARGO_BIN_EXE_http");
const FETCH: &str = env!("CARGO_BIN_EXE_fetch");

fn start() -> Server {
    Server::start(HTTP, &["--addr", "127.0.0.1:0"])
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let server = start();
    let (mut stream, mut reader) = connect(&server);
    for _ in 0..3 {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        let answer = read_answer(&mut reader);
        assert_eq!(
            (answer.status, answer.connection.as_str()),
            (200, "keep-alive")
        );
        assert_eq!(answer.body, b"hello from weft\n");
    }
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    assert_eq!(read_answer(&mut reader).connection, "close");
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(
        rest.is_empty(),
        "the server closed after `Connection: close`"
    );
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = start();
    let (mut stream, mut reader) = connect(&server);
    // The slow one first: answers must still come back in request order.
    stream
        .write_all(
            b"GET /sleep?ms=50 HTTP/1.1\r\nHost: t\r\n\r\n\
              POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfirst\
              GET / HTTP/1.1\r\nHost: t\r\n\r\n\
              POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nsecond",
        )
        .unwrap();
    let bodies: Vec<Vec<u8>> = (0..4).map(|_| read_answer(&mut reader).body).collect();
    assert_eq!(
        bodies,
        [
            &b"slept 50 ms\n"[..],
            b"first",
            b"hello from weft\n",
            b"second"
        ]
    );
}

#[test]
fn chunked_request_bodies_are_decoded() {
    let server = start();
    let answer = exchange(
        &server,
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
          4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n",
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, b"Wikipedia in\r\n\r\nchunks.");
}

#[test]
fn malformed_requests_get_400() {
    let server = start();
    for bad in [
        &b"GET / HTTP/9.9\r\nHost: t\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: t\r\nNo colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: nope\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ] {
        let answer = exchange(&server, bad);
        assert_eq!(answer.status, 400, "{}", String::from_utf8_lossy(bad));
        assert_eq!(answer.connection, "close");
    }
}

#[test]
fn oversized_headers_get_431_and_bodies_413() {
    let server = Server::start(HTTP, &["--addr", "127.0.0.1:0", "--max-body", "10"]);
    let big = format!(
        "GET / HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n",
        "a".repeat(10 * 1024)
    );
    assert_eq!(exchange(&server, big.as_bytes()).status, 431);
    let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
    let many = format!("GET / HTTP/1.1\r\nHost: t\r\n{many}\r\n");
    assert_eq!(exchange(&server, many.as_bytes()).status, 431);
    let body = b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n01234567890";
    assert_eq!(exchange(&server, body).status, 413);
}

#[test]
fn a_client_stalling_mid_request_gets_408() {
    let server = Server::start(
        HTTP,
        &["--addr", "127.0.0.1:0", "--request-timeout-ms", "300"],
    );
    // Half a head, then nothing: the server answers 408 when the timeout passes.
    let answer = exchange(&server, b"GET / HTTP/1.1\r\nHost: t\r\n");
    assert_eq!(answer.status, 408);
    // Same for a body that stops short.
    let answer = exchange(
        &server,
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\nabc",
    );
    assert_eq!(answer.status, 408);
}

#[test]
fn static_files_come_back_byte_for_byte() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("http-static");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    let bytes: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(root.join("sub/data.bin"), &bytes).unwrap();
    let server = Server::start(
        HTTP,
        &["--addr", "127.0.0.1:0", "--root", root.to_str().unwrap()],
    );

    let answer = exchange(
        &server,
        b"GET /static/sub/data.bin HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert_eq!(answer.status, 200);
    assert!(answer.body == bytes, "the file came back different");
    for missing in [
        "/static/nope",
        "/static/../Cargo.toml",
        "/static//etc/passwd",
    ] {
        let request = format!("GET {missing} HTTP/1.1\r\nHost: t\r\n\r\n");
        assert_eq!(
            exchange(&server, request.as_bytes()).status,
            404,
            "{missing}"
        );
    }
}

#[test]
fn fetch_gets_urls_concurrently_and_reports_failures() {
    let server = start();
    let base = format!("http://{}", server.addr);
    let urls = [
        format!("{base}/"),
        format!("{base}/sleep?ms=20"),
        format!("{base}/nowhere"),
    ];
    let args: Vec<&str> = ["--limit", "2"]
        .into_iter()
        .chain(urls.iter().map(String::as_str))
        .collect();
    let (status, out, err) = run(FETCH, &args);
    assert!(status.success(), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("200 ") && lines[0].contains("16 bytes"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("200 ") && lines[1].ends_with("/sleep?ms=20"),
        "{out}"
    );
    assert!(lines[2].starts_with("404 "), "{out}");
    assert!(out.contains("fetched 3 URLs"), "{out}");

    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (status, out, _) = run(FETCH, &[&format!("http://{dead}/")]);
    assert_eq!(status.code(), Some(1));
    assert!(out.contains("ERR cannot connect"), "{out}");
    let (status, out, _) = run(
        FETCH,
        &["--timeout-ms", "100", &format!("{base}/sleep?ms=5000")],
    );
    assert_eq!(status.code(), Some(1));
    assert!(
        out.contains("ERR no complete response within 100ms"),
        "{out}"
    );
}
