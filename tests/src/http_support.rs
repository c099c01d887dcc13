//! A raw-socket HTTP/1 client for the example servers' process tests: it reads
//! answers exactly as the bytes come (status, `Connection`, a `Content-Length` body),
//! so a test can check framing, keep-alive and closing rather than trust a library.
//!
//! Invariant: every read blocks on the socket until the bytes it needs arrive (or
//! the server closes); nothing here waits on time.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

use crate::process_support::Server;

/// One parsed answer.
#[derive(Debug)]
pub struct Answer {
    /// The status code from the status line.
    pub status: u16,
    /// The `Connection` header's value, or empty if there was none.
    pub connection: String,
    /// The body, `Content-Length` bytes of it.
    pub body: Vec<u8>,
}

/// Reads one answer framed by `Content-Length` (no length: an empty body).
///
/// # Panics
///
/// If the status line or a header is malformed, or the server closes mid-answer.
///
/// ```
/// use std::io::BufReader;
/// let wire: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi";
/// let answer = weft_tests::http_support::read_answer(&mut BufReader::new(wire));
/// assert_eq!((answer.status, answer.connection.as_str(), &answer.body[..]), (200, "close", &b"hi"[..]));
/// ```
pub fn read_answer(reader: &mut impl BufRead) -> Answer {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let (mut length, mut connection) = (0, String::new());
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(": ").unwrap();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse().unwrap(),
            "connection" => connection = value.to_owned(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    Answer {
        status,
        connection,
        body,
    }
}

/// Opens a connection to `server`: the stream to write on and a buffered reader.
pub fn connect(server: &Server) -> (TcpStream, BufReader<TcpStream>) {
    let stream = TcpStream::connect(server.addr).unwrap();
    let reader = BufReader::new(stream.try_clone().unwrap());
    (stream, reader)
}

/// Sends `request` on a fresh connection and reads one answer.
pub fn exchange(server: &Server, request: &[u8]) -> Answer {
    let (mut stream, mut reader) = connect(server);
    stream.write_all(request).unwrap();
    read_answer(&mut reader)
}
