//! The HTTP/1.1 server behind the `http` example.
//!
//! Routes: `GET /` (a greeting), `GET|POST /echo` (the request body back),
//! `GET /sleep?ms=N` (answers after N ms, at most 10 s), `GET /static/PATH` (a file
//! under the configured root, read on the blocking pool).
//!
//! Invariant: every request is answered in order on its connection (pipelined
//! requests queue in the connection's buffer), and every way a client can misbehave
//! ends in a bounded answer: a malformed request gets 400, a head over 8 KiB 431, a
//! body over the limit 413, a stall mid-request 408 — each followed by closing the
//! connection — and at most `max_conns` connections are served at once (the accept
//! loop holds a semaphore permit per connection, as in `echo`).

use std::borrow::Cow;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::{TcpListener, TcpStream};
use weft::sync::{Event, Semaphore};
use weft::time::Instant;

use super::wire::{BodyKind, Conn, MAX_HEADERS, WireError, body_kind};
use crate::stop::unless_stopped;

/// Limits and options of a server.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Connections served at once; more wait to be accepted.
    pub max_conns: usize,
    /// Requests served on one connection before it is closed.
    pub max_requests_per_conn: usize,
    /// Time a client has to send a whole request (and an idle keep-alive connection
    /// stays open).
    pub request_timeout: Duration,
    /// Largest request head (request line and headers).
    pub max_head: usize,
    /// Largest request body.
    pub max_body: usize,
    /// The directory `/static/` serves, if any.
    pub root: Option<PathBuf>,
}

impl Default for HttpConfig {
    /// 1024 connections, 1000 requests each, 10 s per request, 8 KiB heads, 1 MiB
    /// bodies, no static root.
    ///
    /// ```
    /// let c = weft_examples::http::server::HttpConfig::default();
    /// assert_eq!(c.max_head, 8 * 1024);
    /// ```
    fn default() -> Self {
        HttpConfig {
            max_conns: 1024,
            max_requests_per_conn: 1000,
            request_timeout: Duration::from_secs(10),
            max_head: 8 * 1024,
            max_body: 1024 * 1024,
            root: None,
        }
    }
}

/// What a server did, returned when it stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSummary {
    /// Connections accepted.
    pub connections: u64,
    /// Requests answered (error answers included).
    pub requests: u64,
}

/// Serves HTTP on `listener` until `stop` is set, then stops accepting and waits up
/// to one request timeout for open connections to finish.
///
/// ```
/// use std::sync::Arc;
/// use weft_examples::http::{client, server};
///
/// weft::run(async {
///     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let stop = Arc::new(weft::sync::Event::new());
///     let config = server::HttpConfig::default();
///     let running = weft::spawn(server::serve(listener, config, stop.clone()));
///
///     let url = format!("http://{addr}/");
///     let page = client::get(&url, std::time::Duration::from_secs(5)).await.unwrap();
///     assert_eq!(page.status, 200);
///     stop.set();
///     assert_eq!(running.await.unwrap().unwrap().requests, 1);
/// });
/// ```
pub async fn serve(
    listener: TcpListener,
    config: HttpConfig,
    stop: Arc<Event>,
) -> io::Result<HttpSummary> {
    let config = Arc::new(config);
    let max_conns = config.max_conns.clamp(1, u32::MAX as usize);
    let limit = Arc::new(Semaphore::new(max_conns));
    let requests = Arc::new(AtomicU64::new(0));
    let mut connections = 0;
    loop {
        let Some(permit) = unless_stopped(limit.clone().acquire_owned(), &stop).await else {
            break;
        };
        let permit = permit.expect("the connection semaphore is never closed");
        let Some(accepted) = unless_stopped(listener.accept(), &stop).await else {
            break;
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
            Err(e)
                if e.get_ref()
                    .is_some_and(|i| i.is::<weft::net::DescriptorsExhausted>()) =>
            {
                continue;
            }
            Err(e) => return Err(e),
        };
        connections += 1;
        let (config, requests, stop) = (config.clone(), requests.clone(), stop.clone());
        weft::spawn(async move {
            let _permit = permit;
            connection(stream, &config, &requests, &stop).await;
        });
    }
    drop(listener);
    let drained = limit.acquire_many(max_conns as u32);
    let _ = weft::time::timeout(config.request_timeout, drained).await;
    Ok(HttpSummary {
        connections,
        requests: requests.load(Ordering::Relaxed),
    })
}

/// A parsed request. One per connection, reused for each of its requests, so that a
/// request costs no allocation once the strings and the body have grown to fit.
#[derive(Debug, Default)]
struct Request {
    method: String,
    target: String,
    keep_alive: bool,
    body: Vec<u8>,
}

/// A response about to be written; `'a` lets it borrow a static text or the request.
#[derive(Debug)]
struct Response<'a> {
    status: u16,
    content_type: &'static str,
    body: Cow<'a, [u8]>,
}

impl<'a> Response<'a> {
    fn text(status: u16, body: impl Into<Cow<'a, str>>) -> Response<'a> {
        let body = match body.into() {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        };
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body,
        }
    }
}

/// Serves one connection: requests in order until the client leaves, asks to close,
/// hits a limit, misbehaves, or the server stops. Answers to pipelined requests
/// collect in the connection's output buffer and leave together, before it next
/// waits for input.
async fn connection(stream: TcpStream, config: &HttpConfig, requests: &AtomicU64, stop: &Event) {
    let _ = stream.set_nodelay(true);
    let mut conn = Conn::new(stream, Instant::now() + config.request_timeout);
    let mut request = Request::default();
    let mut served = 0;
    loop {
        conn.set_deadline(Instant::now() + config.request_timeout);
        if let Err(error) = read_request(&mut conn, config, &mut request).await {
            if let Some(status) = error_status(&error) {
                requests.fetch_add(1, Ordering::Relaxed);
                let answer = Response::text(status, format!("{error}\n"));
                if queue_response(&mut conn, &answer, false, false)
                    .await
                    .is_ok()
                    && conn.flush().await.is_ok()
                {
                    linger(conn.get_mut()).await;
                }
            } else {
                // The client left or idled out: still hand over what it was sent.
                let _ = conn.flush().await;
            }
            return;
        }
        served += 1;
        requests.fetch_add(1, Ordering::Relaxed);
        let keep_alive =
            request.keep_alive && served < config.max_requests_per_conn && !stop.is_set();
        if !conn.output().is_empty() && waits(&request.target) && conn.flush().await.is_err() {
            return;
        }
        let response = route(&request, config).await;
        let head_only = request.method == "HEAD";
        if queue_response(&mut conn, &response, keep_alive, head_only)
            .await
            .is_err()
        {
            return;
        }
        if !keep_alive {
            if conn.flush().await.is_ok() {
                let _ = conn.get_mut().shutdown().await;
            }
            return;
        }
    }
}

/// Whether answering `target` waits for something (a timer, a file), so that the
/// answers queued before it should go out first rather than wait with it.
fn waits(target: &str) -> bool {
    target.starts_with("/sleep") || target.starts_with("/static/")
}

/// The status a read error is answered with; `None` closes without an answer (the
/// client left, or an idle keep-alive connection timed out).
fn error_status(error: &WireError) -> Option<u16> {
    match error {
        WireError::Malformed(_) => Some(400),
        WireError::HeadTooLarge => Some(431),
        WireError::BodyTooLarge => Some(413),
        WireError::TimedOut { partial: true } => Some(408),
        WireError::TimedOut { partial: false }
        | WireError::Closed
        | WireError::Truncated
        | WireError::Io(_) => None,
    }
}

/// After an error answer: stop sending, then read and discard what the client is
/// still sending for a moment, so closing with unread bytes does not make the kernel
/// reset the connection and destroy the answer before the client reads it.
async fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 8192];
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut discarded = 0;
    while discarded < 1024 * 1024 {
        match weft::time::timeout_at(deadline, stream.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => discarded += n,
            _ => return,
        }
    }
}

/// What the request head says beyond method and target.
#[derive(Debug, Clone, Copy)]
struct HeadFacts {
    keep_alive: bool,
    has_host: bool,
    version: u8,
    body: Result<BodyKind, &'static str>,
}

/// Reads one request into `request`: head, then body by its framing. The head is
/// parsed once, in place in the connection's buffer.
async fn read_request(
    conn: &mut Conn<TcpStream>,
    config: &HttpConfig,
    request: &mut Request,
) -> Result<(), WireError> {
    let mut facts = None;
    let head_len = conn
        .read_head(config.max_head, |buf| {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Request::new(&mut headers);
            let status = parsed.parse(buf)?;
            if status.is_complete() {
                request.method.clear();
                request.method.push_str(parsed.method.unwrap_or("GET"));
                request.target.clear();
                request.target.push_str(parsed.path.unwrap_or("/"));
                facts = Some(head_facts(&parsed));
            }
            Ok(status)
        })
        .await?;
    let facts = facts.ok_or(WireError::Malformed("unparsable head"))?;
    if facts.version == 1 && !facts.has_host {
        return Err(WireError::Malformed("HTTP/1.1 request without Host"));
    }
    let kind = facts.body.map_err(WireError::Malformed)?;
    request.keep_alive = facts.keep_alive;
    conn.consume(head_len);
    request.body.clear();
    conn.read_body(kind, config.max_body, &mut request.body)
        .await
}

/// Keep-alive, Host and body framing of a parsed head, read without copying.
fn head_facts(parsed: &httparse::Request<'_, '_>) -> HeadFacts {
    let version = parsed.version.unwrap_or(1);
    let mut close = false;
    let mut keep_alive_token = false;
    let mut has_host = false;
    for h in parsed.headers.iter() {
        if h.name.eq_ignore_ascii_case("connection") {
            close |= has_token(h.value, b"close");
            keep_alive_token |= has_token(h.value, b"keep-alive");
        } else if h.name.eq_ignore_ascii_case("host") {
            has_host = true;
        }
    }
    let keep_alive = !close && (version != 0 || keep_alive_token);
    // Requests have no body unless they say so.
    let body = body_kind(parsed.headers, BodyKind::Length(0)).map_err(|e| match e {
        WireError::Malformed(what) => what,
        _ => "invalid body framing",
    });
    HeadFacts {
        keep_alive,
        has_host,
        version,
        body,
    }
}

/// Whether the comma-separated header `value` lists `token` (ASCII case ignored).
fn has_token(value: &[u8], token: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token))
}

/// Answers a request.
async fn route<'a>(request: &'a Request, config: &HttpConfig) -> Response<'a> {
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let method = request.method.as_str();
    let get = matches!(method, "GET" | "HEAD");
    match path {
        "/" if get => Response::text(200, "hello from weft\n"),
        "/echo" if get || method == "POST" => Response {
            status: 200,
            content_type: "application/octet-stream",
            body: Cow::Borrowed(&request.body),
        },
        "/sleep" if get => {
            let ms = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("ms="))
                .and_then(|v| v.parse::<u64>().ok());
            match ms {
                Some(ms) => {
                    let ms = ms.min(10_000);
                    weft::time::sleep(Duration::from_millis(ms)).await;
                    Response::text(200, format!("slept {ms} ms\n"))
                }
                None => Response::text(400, "use /sleep?ms=N\n"),
            }
        }
        _ if path.starts_with("/static/") && get => {
            serve_file(&path["/static/".len()..], config).await
        }
        "/" | "/echo" | "/sleep" => Response::text(405, format!("{method} is not allowed here\n")),
        _ => Response::text(404, format!("nothing at {path}\n")),
    }
}

/// Reads a file under the static root with `weft::fs` (on the blocking pool: file
/// reads would block a worker thread).
async fn serve_file(relative: &str, config: &HttpConfig) -> Response<'static> {
    let Some(root) = &config.root else {
        return Response::text(404, "no static root configured (start with --root DIR)\n");
    };
    let rel = Path::new(relative);
    // Only plain names: no `..`, no absolute paths, nothing that leaves the root.
    if relative.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Response::text(404, format!("nothing at /static/{relative}\n"));
    }
    let path = root.join(rel);
    let content_type = content_type(&path);
    match weft::fs::read(path).await {
        Ok(body) => Response {
            status: 200,
            content_type,
            body: Cow::Owned(body),
        },
        Err(_) => Response::text(404, format!("nothing at /static/{relative}\n")),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        _ => "Internal Server Error",
    }
}

/// Queues `response` on `conn`: its head is written into the connection's output
/// buffer by hand (no formatting machinery, no allocation), its body copied after it
/// or written straight out if large.
async fn queue_response(
    conn: &mut Conn<TcpStream>,
    response: &Response<'_>,
    keep_alive: bool,
    head_only: bool,
) -> io::Result<()> {
    let out = conn.output();
    out.extend_from_slice(b"HTTP/1.1 ");
    put_decimal(out, u64::from(response.status));
    out.push(b' ');
    out.extend_from_slice(reason(response.status).as_bytes());
    out.extend_from_slice(b"\r\nServer: weft-examples\r\nContent-Type: ");
    out.extend_from_slice(response.content_type.as_bytes());
    out.extend_from_slice(b"\r\nContent-Length: ");
    put_decimal(out, response.body.len() as u64);
    out.extend_from_slice(if keep_alive {
        b"\r\nConnection: keep-alive\r\n\r\n".as_slice()
    } else {
        b"\r\nConnection: close\r\n\r\n".as_slice()
    });
    if head_only {
        return Ok(());
    }
    conn.send_body(&response.body).await
}

/// Appends `n` in decimal.
fn put_decimal(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::{has_token, put_decimal};

    #[test]
    fn decimals_are_written_in_full() {
        for n in [0, 7, 10, 200, 1234567, u64::MAX] {
            let mut out = b"x".to_vec();
            put_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}").into_bytes());
        }
    }

    #[test]
    fn connection_tokens_are_matched_whole_and_caseless() {
        assert!(has_token(b"close", b"close"));
        assert!(has_token(b"Keep-Alive, Upgrade", b"keep-alive"));
        assert!(has_token(b"upgrade ,  CLOSE", b"close"));
        assert!(!has_token(b"closed", b"close"));
        assert!(!has_token(b"", b"close"));
    }
}
