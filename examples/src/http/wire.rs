//! Incoming bytes of one HTTP connection: a buffer in front of the socket, message
//! heads parsed by `httparse`, and bodies decoded by length, chunks or end of stream.
//!
//! Invariant: `buf` holds exactly the bytes read from the socket and not yet consumed,
//! so a pipelined request that arrived with the previous one is parsed from `buf`
//! before the socket is read again. Every read is bounded by the caller's deadline and
//! every buffer by the caller's limits, so a client can neither stall a connection
//! forever nor make it grow without bound.

use std::fmt;
use std::io;

use weft::io::{AsyncRead, AsyncReadExt};
use weft::time::{Instant, timeout_at};

/// Headers parsed per message at most.
pub(crate) const MAX_HEADERS: usize = 64;

/// Why reading a message failed.
#[derive(Debug)]
pub enum WireError {
    /// The peer closed the connection before sending anything (a clean end).
    Closed,
    /// The peer closed the connection in the middle of a message.
    Truncated,
    /// The message is not valid HTTP/1.1 (what was wrong).
    Malformed(&'static str),
    /// The head is larger than the limit, or has too many headers.
    HeadTooLarge,
    /// The body is larger than the limit.
    BodyTooLarge,
    /// The deadline passed; `partial` says whether part of a message had arrived.
    TimedOut {
        /// Part of a message had arrived (a stall, not an idle connection).
        partial: bool,
    },
    /// The socket failed.
    Io(io::Error),
}

impl fmt::Display for WireError {
    /// ```
    /// use weft_examples::http::WireError;
    /// assert_eq!(WireError::HeadTooLarge.to_string(), "the message head is over the size limit");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Closed => f.write_str("the connection was closed"),
            WireError::Truncated => f.write_str("the connection was closed mid-message"),
            WireError::Malformed(what) => write!(f, "malformed HTTP message: {what}"),
            WireError::HeadTooLarge => f.write_str("the message head is over the size limit"),
            WireError::BodyTooLarge => f.write_str("the message body is over the size limit"),
            WireError::TimedOut { partial: true } => f.write_str("the peer stalled mid-message"),
            WireError::TimedOut { partial: false } => f.write_str("no message before the deadline"),
            WireError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for WireError {}

/// How a message's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// Exactly this many bytes.
    Length(usize),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Until the peer closes (responses only).
    UntilClose,
}

/// Works out the body framing from a message's headers (RFC 9112 §6.3).
pub(crate) fn body_kind(
    headers: &[httparse::Header<'_>],
    default: BodyKind,
) -> Result<BodyKind, WireError> {
    let mut length = None;
    let mut chunked = false;
    for h in headers {
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or(WireError::Malformed("invalid Content-Length"))?;
            if length.is_some_and(|l| l != n) {
                return Err(WireError::Malformed("conflicting Content-Length headers"));
            }
            length = Some(n);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            let v = std::str::from_utf8(h.value).unwrap_or("");
            if !v.trim().eq_ignore_ascii_case("chunked") {
                return Err(WireError::Malformed("unsupported Transfer-Encoding"));
            }
            chunked = true;
        }
    }
    match (length, chunked) {
        // Both at once is how request smuggling starts: refuse it.
        (Some(_), true) => Err(WireError::Malformed("both Content-Length and chunked")),
        (Some(n), false) => Ok(BodyKind::Length(n)),
        (None, true) => Ok(BodyKind::Chunked),
        (None, false) => Ok(default),
    }
}

/// A connection's read side with its unconsumed bytes.
#[derive(Debug)]
pub(crate) struct Incoming<S> {
    stream: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + Unpin> Incoming<S> {
    pub(crate) fn new(stream: S) -> Self {
        Incoming {
            stream,
            buf: Vec::with_capacity(8192),
        }
    }

    pub(crate) fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// The bytes read and not yet consumed.
    pub(crate) fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Drops the first `n` buffered bytes (a parsed head or a body).
    pub(crate) fn consume(&mut self, n: usize) {
        self.buf.drain(..n);
    }

    /// Reads more bytes into the buffer before `deadline`; `Ok(0)` is end of stream.
    pub(crate) async fn fill(&mut self, deadline: Instant) -> Result<usize, WireError> {
        let mut chunk = [0u8; 16 * 1024];
        match timeout_at(deadline, self.stream.read(&mut chunk)).await {
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(n)
            }
            Ok(Err(e)) => Err(WireError::Io(e)),
            Err(_elapsed) => Err(WireError::TimedOut {
                partial: !self.buf.is_empty(),
            }),
        }
    }

    /// Waits until a complete head is buffered and returns its length; at most
    /// `max_head` bytes. `parse` is `httparse`'s request or response parser.
    pub(crate) async fn read_head(
        &mut self,
        max_head: usize,
        deadline: Instant,
        parse: impl Fn(&[u8]) -> httparse::Result<usize>,
    ) -> Result<usize, WireError> {
        loop {
            match parse(&self.buf) {
                Ok(httparse::Status::Complete(n)) if n <= max_head => return Ok(n),
                Ok(httparse::Status::Complete(_)) => return Err(WireError::HeadTooLarge),
                Ok(httparse::Status::Partial) if self.buf.len() >= max_head => {
                    return Err(WireError::HeadTooLarge);
                }
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => return Err(WireError::HeadTooLarge),
                Err(e) => return Err(WireError::Malformed(malformed_reason(e))),
            }
            if self.fill(deadline).await? == 0 {
                return Err(if self.buf.is_empty() {
                    WireError::Closed
                } else {
                    WireError::Truncated
                });
            }
        }
    }

    /// Reads a body framed as `kind`, at most `max_body` bytes, consuming it.
    pub(crate) async fn read_body(
        &mut self,
        kind: BodyKind,
        max_body: usize,
        deadline: Instant,
    ) -> Result<Vec<u8>, WireError> {
        match kind {
            BodyKind::Length(n) => {
                if n > max_body {
                    return Err(WireError::BodyTooLarge);
                }
                self.need(n, deadline).await?;
                let body = self.buf[..n].to_vec();
                self.consume(n);
                Ok(body)
            }
            BodyKind::Chunked => self.read_chunked(max_body, deadline).await,
            BodyKind::UntilClose => {
                while self.fill(deadline).await? > 0 {
                    if self.buf.len() > max_body {
                        return Err(WireError::BodyTooLarge);
                    }
                }
                Ok(std::mem::take(&mut self.buf))
            }
        }
    }

    /// Reads until at least `n` bytes are buffered.
    async fn need(&mut self, n: usize, deadline: Instant) -> Result<(), WireError> {
        while self.buf.len() < n {
            if self.fill(deadline).await? == 0 {
                return Err(WireError::Truncated);
            }
        }
        Ok(())
    }

    /// Reads one CRLF-terminated line (without the CRLF) of at most `max` bytes.
    async fn line(&mut self, max: usize, deadline: Instant) -> Result<Vec<u8>, WireError> {
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[..end].to_vec();
                self.consume(end + 2);
                return Ok(line);
            }
            if self.buf.len() > max {
                return Err(WireError::Malformed("chunk line too long"));
            }
            if self.fill(deadline).await? == 0 {
                return Err(WireError::Truncated);
            }
        }
    }

    /// Decodes a chunked body (RFC 9112 §7.1), ignoring extensions and trailers.
    async fn read_chunked(
        &mut self,
        max_body: usize,
        deadline: Instant,
    ) -> Result<Vec<u8>, WireError> {
        let mut body = Vec::new();
        loop {
            let line = self.line(1024, deadline).await?;
            let size_hex = line.split(|&b| b == b';').next().unwrap_or(&[]);
            let size = std::str::from_utf8(size_hex)
                .ok()
                .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
                .ok_or(WireError::Malformed("invalid chunk size"))?;
            if size == 0 {
                // Trailer fields, if any, end with an empty line.
                while !self.line(8192, deadline).await?.is_empty() {}
                return Ok(body);
            }
            if body.len() + size > max_body {
                return Err(WireError::BodyTooLarge);
            }
            self.need(size + 2, deadline).await?;
            if &self.buf[size..size + 2] != b"\r\n" {
                return Err(WireError::Malformed("chunk not followed by CRLF"));
            }
            body.extend_from_slice(&self.buf[..size]);
            self.consume(size + 2);
        }
    }
}

fn malformed_reason(e: httparse::Error) -> &'static str {
    match e {
        httparse::Error::HeaderName => "invalid header name",
        httparse::Error::HeaderValue => "invalid header value",
        httparse::Error::NewLine => "invalid line ending",
        httparse::Error::Status => "invalid status",
        httparse::Error::Token => "invalid method or token",
        httparse::Error::Version => "invalid HTTP version",
        httparse::Error::TooManyHeaders => "too many headers",
    }
}
