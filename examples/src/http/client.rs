//! A minimal HTTP/1.1 client: one `GET` per connection, plain `http://` only.
//!
//! Invariant: a fetch takes at most its timeout, whatever the server does; the
//! connect, the request and the whole response are under one deadline.

use std::fmt;
use std::io;
use std::time::Duration;

use weft::io::AsyncWriteExt;
use weft::net::TcpStream;
use weft::time::Instant;

use super::wire::{BodyKind, Conn, MAX_HEADERS, WireError, body_kind};

/// Largest response head and body accepted.
const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 64 * 1024 * 1024;

/// A fetched response.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The status code.
    pub status: u16,
    /// The body, decoded from its framing.
    pub body: Vec<u8>,
}

/// Why a fetch failed.
#[derive(Debug)]
pub enum FetchError {
    /// The URL is not `http://HOST[:PORT][/PATH]`.
    BadUrl(String),
    /// The host could not be reached.
    Connect(io::Error),
    /// No complete answer within the timeout.
    TimedOut(Duration),
    /// The answer was not valid HTTP, or the connection broke.
    Response(WireError),
}

impl fmt::Display for FetchError {
    /// ```
    /// use weft_examples::http::client::FetchError;
    /// let e = FetchError::BadUrl("ftp://x".into());
    /// assert_eq!(e.to_string(), "'ftp://x' is not a URL this client fetches: use http://HOST[:PORT]/PATH");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::BadUrl(url) => write!(
                f,
                "'{url}' is not a URL this client fetches: use http://HOST[:PORT]/PATH"
            ),
            FetchError::Connect(e) => write!(f, "cannot connect: {e}"),
            FetchError::TimedOut(t) => write!(f, "no complete response within {t:?}"),
            FetchError::Response(e) => write!(f, "bad response: {e}"),
        }
    }
}

impl std::error::Error for FetchError {}

/// Splits `http://host[:port][/path]` into host, port and path.
fn split_url(url: &str) -> Option<(&str, u16, &str)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    // A bracketed IPv6 literal has colons of its own; its port follows the `]`.
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !authority.ends_with(']') => (h, p.parse().ok()?),
        _ => (authority, 80),
    };
    if host.is_empty() {
        return None;
    }
    Some((host, port, path))
}

/// Fetches `url` with `GET`, giving up after `timeout`.
///
/// ```
/// use std::time::Duration;
/// use weft_examples::http::client::{FetchError, get};
///
/// weft::run(async {
///     let err = get("https://example.com/", Duration::from_secs(1)).await.unwrap_err();
///     assert!(matches!(err, FetchError::BadUrl(_)));
/// });
/// ```
pub async fn get(url: &str, timeout: Duration) -> Result<Fetched, FetchError> {
    let (host, port, path) = split_url(url).ok_or_else(|| FetchError::BadUrl(url.to_owned()))?;
    let deadline = Instant::now() + timeout;
    let host_for_connect = host.trim_start_matches('[').trim_end_matches(']');
    let stream = match weft::time::timeout_at(
        deadline,
        TcpStream::connect((host_for_connect, port)),
    )
    .await
    {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => return Err(FetchError::Connect(e)),
        Err(_) => return Err(FetchError::TimedOut(timeout)),
    };
    let mut incoming = Conn::new(stream, deadline);
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: weft-fetch\r\nConnection: close\r\n\r\n"
    );
    match weft::time::timeout_at(deadline, incoming.get_mut().write_all(request.as_bytes())).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(FetchError::Response(WireError::Io(e))),
        Err(_) => return Err(FetchError::TimedOut(timeout)),
    }
    let timed = |e| match e {
        WireError::TimedOut { .. } => FetchError::TimedOut(timeout),
        e => FetchError::Response(e),
    };
    let head_len = incoming
        .read_head(MAX_HEAD, |buf| {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            httparse::Response::new(&mut headers).parse(buf)
        })
        .await
        .map_err(timed)?;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Response::new(&mut headers);
    parsed
        .parse(&incoming.buffered()[..head_len])
        .map_err(|_| FetchError::Response(WireError::Malformed("unparsable head")))?;
    let status = parsed.code.unwrap_or(0);
    // 1xx, 204 and 304 answers have no body (RFC 9112 §6.3).
    let kind = if status < 200 || status == 204 || status == 304 {
        BodyKind::Length(0)
    } else {
        body_kind(parsed.headers, BodyKind::UntilClose).map_err(FetchError::Response)?
    };
    incoming.consume(head_len);
    let mut body = Vec::new();
    incoming
        .read_body(kind, MAX_BODY, &mut body)
        .await
        .map_err(timed)?;
    Ok(Fetched { status, body })
}

#[cfg(test)]
mod tests {
    use super::split_url;

    #[test]
    fn urls_split_into_host_port_path() {
        assert_eq!(split_url("http://a:81/x?y"), Some(("a", 81, "/x?y")));
        assert_eq!(split_url("http://a"), Some(("a", 80, "/")));
        assert_eq!(split_url("http://[::1]:8/"), Some(("[::1]", 8, "/")));
        assert_eq!(split_url("http://[::1]/"), Some(("[::1]", 80, "/")));
        assert_eq!(split_url("http://:80/"), None);
        assert_eq!(split_url("https://a/"), None);
    }
}
