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

use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::{TcpListener, TcpStream};
use weft::sync::{Event, Semaphore};
use weft::time::Instant;

use super::wire::{BodyKind, Incoming, MAX_HEADERS, WireError, body_kind};
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

/// A parsed request.
#[derive(Debug)]
struct Request {
    method: String,
    target: String,
    keep_alive: bool,
    body: Vec<u8>,
}

/// A response about to be written.
#[derive(Debug)]
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Response {
    fn text(status: u16, body: impl Into<String>) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into().into_bytes(),
        }
    }
}

/// Serves one connection: requests in order until the client leaves, asks to close,
/// hits a limit, misbehaves, or the server stops.
async fn connection(stream: TcpStream, config: &HttpConfig, requests: &AtomicU64, stop: &Event) {
    let _ = stream.set_nodelay(true);
    let mut incoming = Incoming::new(stream);
    let mut served = 0;
    loop {
        let deadline = Instant::now() + config.request_timeout;
        let request = match read_request(&mut incoming, config, deadline).await {
            Ok(request) => request,
            Err(error) => {
                if let Some(status) = error_status(&error) {
                    requests.fetch_add(1, Ordering::Relaxed);
                    let answer = Response::text(status, format!("{error}\n"));
                    let _ = write_response(incoming.get_mut(), &answer, false, false).await;
                    linger(incoming.get_mut()).await;
                }
                return;
            }
        };
        served += 1;
        requests.fetch_add(1, Ordering::Relaxed);
        let keep_alive =
            request.keep_alive && served < config.max_requests_per_conn && !stop.is_set();
        let response = route(&request, config).await;
        let head_only = request.method == "HEAD";
        if write_response(incoming.get_mut(), &response, keep_alive, head_only)
            .await
            .is_err()
        {
            return;
        }
        if !keep_alive {
            let _ = incoming.get_mut().shutdown().await;
            return;
        }
    }
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

/// Reads one request: head, then body by its framing.
async fn read_request(
    incoming: &mut Incoming<TcpStream>,
    config: &HttpConfig,
    deadline: Instant,
) -> Result<Request, WireError> {
    let head_len = incoming
        .read_head(config.max_head, deadline, |buf| {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            httparse::Request::new(&mut headers).parse(buf)
        })
        .await?;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    parsed
        .parse(&incoming.buffered()[..head_len])
        .map_err(|_| WireError::Malformed("unparsable head"))?;
    let method = parsed.method.unwrap_or("GET").to_owned();
    let target = parsed.path.unwrap_or("/").to_owned();
    let version = parsed.version.unwrap_or(1);
    let connection = parsed
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("connection"))
        .map(|h| String::from_utf8_lossy(h.value).to_ascii_lowercase());
    let keep_alive = match (version, connection.as_deref()) {
        (_, Some(c)) if c.contains("close") => false,
        (0, Some(c)) => c.contains("keep-alive"),
        (0, None) => false,
        _ => true,
    };
    if version == 1
        && !parsed
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("host"))
    {
        return Err(WireError::Malformed("HTTP/1.1 request without Host"));
    }
    // Requests have no body unless they say so.
    let kind = body_kind(parsed.headers, BodyKind::Length(0))?;
    incoming.consume(head_len);
    let body = incoming.read_body(kind, config.max_body, deadline).await?;
    Ok(Request {
        method,
        target,
        keep_alive,
        body,
    })
}

/// Answers a request.
async fn route(request: &Request, config: &HttpConfig) -> Response {
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
            body: request.body.clone(),
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
async fn serve_file(relative: &str, config: &HttpConfig) -> Response {
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
            body,
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

async fn write_response(
    stream: &mut TcpStream,
    response: &Response,
    keep_alive: bool,
    head_only: bool,
) -> io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nServer: weft-examples\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len(),
        if keep_alive { "keep-alive" } else { "close" },
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(&response.body);
    }
    stream.write_all(&out).await
}
