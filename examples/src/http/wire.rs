//! The bytes of one HTTP connection: a reused input buffer in front of the socket,
//! message heads parsed by `httparse`, bodies decoded by length, chunks or end of
//! stream, and a reused output buffer that collects answers so that they leave in as
//! few writes as possible.
//!
//! Invariant: the input buffer holds exactly the bytes read from the socket and not
//! yet consumed, so a pipelined request that arrived with the previous one is parsed
//! from it before the socket is read again; queued answers are written out before
//! the connection waits for input. Every read is bounded by the connection's
//! deadline and every buffer by the caller's limits, so a client can neither stall a
//! connection forever nor make it grow without bound.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::Poll;

use weft::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use weft::time::Instant;

use super::deadline::Deadline;

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

/// Largest input buffer kept between requests; a connection whose buffer grew past
/// it for a large body gives the memory back once the body is consumed.
const KEEP_INPUT: usize = 64 * 1024;
/// Input buffer of a new connection (a whole request head fits: heads are bounded
/// at 8 KiB by default).
const INITIAL_INPUT: usize = 8 * 1024;
/// Answers larger than this are written straight from their body, not copied into
/// the output buffer first.
const COPY_BODY_MAX: usize = 16 * 1024;

/// One connection's buffered bytes both ways: what was read and not yet consumed,
/// and answers queued and not yet written.
///
/// # Invariant
/// `start <= end <= input.len()`, and `input[start..end]` holds exactly the bytes read
/// from the socket and not yet consumed, in order; `input` is initialised once and
/// reused, so a read costs no zeroing and no copy. `output` is written out before the
/// connection waits for more input, so a peer never waits for an answer that sits in
/// our buffer.
#[derive(Debug)]
pub(crate) struct Conn<S> {
    stream: S,
    input: Vec<u8>,
    start: usize,
    end: usize,
    output: Vec<u8>,
    deadline: Deadline,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    /// Wraps `stream`; reads give up at `deadline` (see [`Conn::set_deadline`]).
    pub(crate) fn new(stream: S, deadline: Instant) -> Self {
        Conn {
            stream,
            input: vec![0; INITIAL_INPUT],
            start: 0,
            end: 0,
            output: Vec::new(),
            deadline: Deadline::new(deadline),
        }
    }

    pub(crate) fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Moves the deadline of every later read (cheap: no timer work when it moves
    /// later, see `deadline.rs`).
    pub(crate) fn set_deadline(&mut self, at: Instant) {
        self.deadline.set(at);
    }

    /// The bytes read and not yet consumed.
    pub(crate) fn buffered(&self) -> &[u8] {
        &self.input[self.start..self.end]
    }

    /// Drops the first `n` buffered bytes (a parsed head or a body).
    pub(crate) fn consume(&mut self, n: usize) {
        assert!(
            n <= self.end - self.start,
            "consumed more than was buffered"
        );
        self.start += n;
        if self.start == self.end {
            // Nothing left: the next read starts at the front again.
            self.start = 0;
            self.end = 0;
            if self.input.len() > KEEP_INPUT {
                self.input.truncate(INITIAL_INPUT);
                self.input.shrink_to_fit();
            }
        }
    }

    /// The answers queued and not yet written; append to it to queue more.
    pub(crate) fn output(&mut self) -> &mut Vec<u8> {
        &mut self.output
    }

    /// Queues an answer body after its head: small bodies are copied so that the
    /// answer leaves in one write; large ones are written from where they are.
    pub(crate) async fn send_body(&mut self, body: &[u8]) -> io::Result<()> {
        if body.len() <= COPY_BODY_MAX {
            self.output.extend_from_slice(body);
            return Ok(());
        }
        self.flush().await?;
        self.stream.write_all(body).await
    }

    /// Writes the queued answers out.
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        if self.output.is_empty() {
            return Ok(());
        }
        let result = self.stream.write_all(&self.output).await;
        self.output.clear();
        if self.output.capacity() > KEEP_INPUT {
            self.output.shrink_to(COPY_BODY_MAX);
        }
        result
    }

    /// Writes the queued answers out, then reads more bytes into the buffer before
    /// the deadline; `Ok(0)` is end of stream.
    pub(crate) async fn fill(&mut self) -> Result<usize, WireError> {
        self.flush().await.map_err(WireError::Io)?;
        if self.end == self.input.len() {
            if self.start > 0 {
                // Move the unconsumed tail to the front to make room.
                self.input.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else {
                // Full of one unfinished message: callers bound its size, so the
                // buffer grows at most to their limits.
                let len = self.input.len();
                self.input.resize(len * 2, 0);
            }
        }
        let Conn {
            stream,
            input,
            end,
            deadline,
            ..
        } = self;
        let read = poll_fn(|cx| {
            let mut buf = ReadBuf::new(&mut input[*end..]);
            match Pin::new(&mut *stream).poll_read(cx, &mut buf) {
                Poll::Ready(result) => Poll::Ready(result.map(|()| Some(buf.filled().len()))),
                Poll::Pending => deadline.poll_elapsed(cx).map(|()| Ok(None)),
            }
        })
        .await;
        match read {
            Ok(Some(n)) => {
                self.end += n;
                Ok(n)
            }
            Ok(None) => Err(WireError::TimedOut {
                partial: self.end > self.start,
            }),
            Err(e) => Err(WireError::Io(e)),
        }
    }

    /// Waits until a complete head is buffered and returns its length; at most
    /// `max_head` bytes. `parse` is `httparse`'s request or response parser (it may
    /// keep what it parsed from a complete head).
    pub(crate) async fn read_head(
        &mut self,
        max_head: usize,
        mut parse: impl FnMut(&[u8]) -> httparse::Result<usize>,
    ) -> Result<usize, WireError> {
        loop {
            match parse(self.buffered()) {
                Ok(httparse::Status::Complete(n)) if n <= max_head => return Ok(n),
                Ok(httparse::Status::Complete(_)) => return Err(WireError::HeadTooLarge),
                Ok(httparse::Status::Partial) if self.buffered().len() >= max_head => {
                    return Err(WireError::HeadTooLarge);
                }
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => return Err(WireError::HeadTooLarge),
                Err(e) => return Err(WireError::Malformed(malformed_reason(e))),
            }
            if self.fill().await? == 0 {
                return Err(if self.buffered().is_empty() {
                    WireError::Closed
                } else {
                    WireError::Truncated
                });
            }
        }
    }

    /// Reads a body framed as `kind`, at most `max_body` bytes, consuming it and
    /// appending it to `body`.
    pub(crate) async fn read_body(
        &mut self,
        kind: BodyKind,
        max_body: usize,
        body: &mut Vec<u8>,
    ) -> Result<(), WireError> {
        match kind {
            BodyKind::Length(0) => Ok(()),
            BodyKind::Length(n) => {
                if n > max_body {
                    return Err(WireError::BodyTooLarge);
                }
                self.need(n).await?;
                body.extend_from_slice(&self.buffered()[..n]);
                self.consume(n);
                Ok(())
            }
            BodyKind::Chunked => self.read_chunked(max_body, body).await,
            BodyKind::UntilClose => {
                while self.fill().await? > 0 {
                    if self.buffered().len() > max_body {
                        return Err(WireError::BodyTooLarge);
                    }
                }
                body.extend_from_slice(self.buffered());
                let n = self.buffered().len();
                self.consume(n);
                Ok(())
            }
        }
    }

    /// Reads until at least `n` bytes are buffered.
    async fn need(&mut self, n: usize) -> Result<(), WireError> {
        while self.buffered().len() < n {
            if self.fill().await? == 0 {
                return Err(WireError::Truncated);
            }
        }
        Ok(())
    }

    /// Reads one CRLF-terminated line of at most `max` bytes; returns its length
    /// without the CRLF (the line is at the start of [`Conn::buffered`]).
    async fn line(&mut self, max: usize) -> Result<usize, WireError> {
        loop {
            if let Some(end) = self.buffered().windows(2).position(|w| w == b"\r\n") {
                return Ok(end);
            }
            if self.buffered().len() > max {
                return Err(WireError::Malformed("chunk line too long"));
            }
            if self.fill().await? == 0 {
                return Err(WireError::Truncated);
            }
        }
    }

    /// Decodes a chunked body (RFC 9112 §7.1) into `body`, ignoring extensions and
    /// trailers.
    async fn read_chunked(&mut self, max_body: usize, body: &mut Vec<u8>) -> Result<(), WireError> {
        let mut read = 0;
        loop {
            let line = self.line(1024).await?;
            let size_hex = self.buffered()[..line]
                .split(|&b| b == b';')
                .next()
                .unwrap_or(&[]);
            let size = std::str::from_utf8(size_hex)
                .ok()
                .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
                .ok_or(WireError::Malformed("invalid chunk size"))?;
            self.consume(line + 2);
            if size == 0 {
                // Trailer fields, if any, end with an empty line.
                loop {
                    let trailer = self.line(8192).await?;
                    self.consume(trailer + 2);
                    if trailer == 0 {
                        return Ok(());
                    }
                }
            }
            if read + size > max_body {
                return Err(WireError::BodyTooLarge);
            }
            self.need(size + 2).await?;
            if &self.buffered()[size..size + 2] != b"\r\n" {
                return Err(WireError::Malformed("chunk not followed by CRLF"));
            }
            body.extend_from_slice(&self.buffered()[..size]);
            read += size;
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
