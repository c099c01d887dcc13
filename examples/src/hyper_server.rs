//! The server behind the `hyper-server` example: hyper 1.x's HTTP/1.1 connection
//! state machine, driven by weft through the adapters of [`crate::hyper_rt`].
//!
//! Routes ([`Routes`]): `GET /` (a greeting), `POST /echo` (the request body back,
//! up to a limit), `GET /sleep?ms=N` (answers after N ms, at most 10 s, slept on
//! hyper's `Timer`, i.e. on weft's timer wheel).
//!
//! Invariant: hyper owns the protocol (parsing, keep-alive, pipelining, framing,
//! the 400 for a malformed request); this file owns only the routes, the accept
//! loop with its connection limit, and graceful shutdown: once `stop` is set no
//! connection is accepted, every open one finishes the request it is serving and
//! closes, and [`serve`] returns when they have all closed or the grace period is
//! over.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::rt::{Executor, Timer};
use hyper::server::conn::http1;
use hyper::{Method, Request, Response, StatusCode};
use weft::net::{TcpListener, TcpStream};
use weft::sync::{Event, Semaphore};

use crate::hyper_rt::{WeftExecutor, WeftIo, WeftTimer};
use crate::stop::unless_stopped;

/// The longest `/sleep` the server grants.
const MAX_SLEEP_MS: u64 = 10_000;

/// Limits and options of a server.
#[derive(Debug, Clone)]
pub struct HyperConfig {
    /// Connections served at once; more wait to be accepted.
    pub max_conns: usize,
    /// Largest `/echo` body, else 413.
    pub max_body: usize,
    /// Time a client has to send a request head (hyper's header-read timeout).
    pub header_timeout: Duration,
    /// After `stop`, how long open connections may take to finish.
    pub grace: Duration,
}

impl Default for HyperConfig {
    /// 1024 connections, 1 MiB bodies, 10 s per request head, 5 s of grace.
    ///
    /// ```
    /// let c = weft_examples::hyper_server::HyperConfig::default();
    /// assert_eq!(c.max_body, 1024 * 1024);
    /// ```
    fn default() -> Self {
        HyperConfig {
            max_conns: 1024,
            max_body: 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            grace: Duration::from_secs(5),
        }
    }
}

/// What a server did, returned when it stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HyperSummary {
    /// Connections accepted.
    pub connections: u64,
    /// Requests the routes answered (hyper's own 400s are not counted: they never
    /// reach a route).
    pub requests: u64,
}

/// hyper's HTTP/1.1 connection builder as this server configures it, on `timer`:
/// keep-alive on, and a client gets `header_timeout` to send each request head.
///
/// ```
/// use weft_examples::{hyper_rt::WeftTimer, hyper_server};
///
/// let builder = hyper_server::http1_builder(WeftTimer, std::time::Duration::from_secs(10));
/// let _ = builder; // serve connections with `builder.serve_connection(io, routes)`
/// ```
pub fn http1_builder<T>(timer: T, header_timeout: Duration) -> http1::Builder
where
    T: Timer + Send + Sync + 'static,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(timer)
        .header_read_timeout(header_timeout)
        .keep_alive(true);
    builder
}

/// The routes, as a hyper `Service`; clones share one request counter. Sleeps go
/// through the hyper `Timer` it is given, so the same routes run on any runtime
/// hyper has adapters for.
///
/// ```
/// use weft_examples::{hyper_rt::{WeftIo, WeftTimer}, hyper_server::{Routes, http1_builder}};
/// use weft::io::{AsyncReadExt, AsyncWriteExt};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let (server, mut client) = weft::io::duplex(4096);
///     let routes = Routes::new(WeftTimer, 1024);
///     let builder = http1_builder(WeftTimer, std::time::Duration::from_secs(10));
///     let served = weft::spawn(builder.serve_connection(WeftIo::new(server), routes.clone()));
///     client.write_all(b"GET /sleep?ms=250 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
///     let mut answer = String::new();
///     client.read_to_string(&mut answer).await.unwrap();
///     assert!(answer.ends_with("slept 250 ms\n"), "{answer}");
///     served.await.unwrap().unwrap();
///     assert_eq!(routes.requests(), 1);
/// });
/// ```
#[derive(Debug, Clone)]
pub struct Routes<T> {
    timer: T,
    max_body: usize,
    requests: Arc<AtomicU64>,
}

impl<T> Routes<T> {
    /// Routes that sleep on `timer` and echo bodies of at most `max_body` bytes.
    ///
    /// ```
    /// let routes = weft_examples::hyper_server::Routes::new(weft_examples::hyper_rt::WeftTimer, 16);
    /// assert_eq!(routes.requests(), 0);
    /// ```
    pub fn new(timer: T, max_body: usize) -> Routes<T> {
        Routes {
            timer,
            max_body,
            requests: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Requests answered so far, by this value and every clone of it.
    ///
    /// ```
    /// let routes = weft_examples::hyper_server::Routes::new(weft_examples::hyper_rt::WeftTimer, 16);
    /// assert_eq!(routes.clone().requests(), routes.requests());
    /// ```
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

/// The response body every route answers with.
type Body = Full<Bytes>;
/// The future a route answers through.
type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl<T: Timer> hyper::service::Service<Request<Incoming>> for Routes<T> {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, request: Request<Incoming>) -> Answer {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let method = request.method();
        let get = method == Method::GET || method == Method::HEAD;
        match request.uri().path() {
            "/" if get => ready(text(StatusCode::OK, "hello from hyper on weft\n")),
            "/echo" if method == Method::POST => {
                let body = Limited::new(request.into_body(), self.max_body);
                Box::pin(async move { Ok(echo(body.collect().await)) })
            }
            "/sleep" if get => {
                let ms = request.uri().query().and_then(|q| {
                    q.split('&')
                        .find_map(|kv| kv.strip_prefix("ms="))
                        .and_then(|v| v.parse::<u64>().ok())
                });
                let Some(ms) = ms else {
                    return ready(text(StatusCode::BAD_REQUEST, "use /sleep?ms=N\n"));
                };
                let ms = ms.min(MAX_SLEEP_MS);
                let nap = self.timer.sleep(Duration::from_millis(ms));
                Box::pin(async move {
                    nap.await;
                    Ok(text(StatusCode::OK, format!("slept {ms} ms\n")))
                })
            }
            path @ ("/" | "/echo" | "/sleep") => ready(text(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} is not allowed at {path}\n"),
            )),
            path => ready(text(StatusCode::NOT_FOUND, format!("nothing at {path}\n"))),
        }
    }
}

fn ready(response: Response<Body>) -> Answer {
    Box::pin(std::future::ready(Ok(response)))
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body.into())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The `/echo` answer to a collected (or failed) request body.
fn echo(
    collected: Result<http_body_util::Collected<Bytes>, Box<dyn std::error::Error + Send + Sync>>,
) -> Response<Body> {
    match collected {
        Ok(body) => {
            let mut response = Response::new(Full::new(body.to_bytes()));
            response.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/octet-stream"),
            );
            response
        }
        Err(e) if e.is::<LengthLimitError>() => text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the body is over the limit\n",
        ),
        Err(e) => text(
            StatusCode::BAD_REQUEST,
            format!("reading the body failed: {e}\n"),
        ),
    }
}

/// Serves HTTP with hyper on `listener` until `stop` is set, then stops accepting,
/// lets open connections finish their current request (up to `config.grace`) and
/// returns what it did.
///
/// # Errors
///
/// If accepting fails for a reason other than a connection aborted before it was
/// accepted or the process running out of file descriptors (those are skipped).
///
/// ```
/// use std::sync::Arc;
/// use weft_examples::{http::client, hyper_server};
///
/// weft::run(async {
///     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let stop = Arc::new(weft::sync::Event::new());
///     let config = hyper_server::HyperConfig::default();
///     let running = weft::spawn(hyper_server::serve(listener, config, stop.clone()));
///
///     let page = client::get(&format!("http://{addr}/"), std::time::Duration::from_secs(5)).await.unwrap();
///     assert_eq!((page.status, &page.body[..]), (200, &b"hello from hyper on weft\n"[..]));
///     stop.set();
///     let summary = running.await.unwrap().unwrap();
///     assert_eq!((summary.connections, summary.requests), (1, 1));
/// });
/// ```
pub async fn serve(
    listener: TcpListener,
    config: HyperConfig,
    stop: Arc<Event>,
) -> io::Result<HyperSummary> {
    let builder = Arc::new(http1_builder(WeftTimer, config.header_timeout));
    let routes = Routes::new(WeftTimer, config.max_body);
    let max_conns = config.max_conns.clamp(1, u32::MAX as usize);
    let limit = Arc::new(Semaphore::new(max_conns));
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
        let (builder, routes, stop) = (builder.clone(), routes.clone(), stop.clone());
        WeftExecutor.execute(async move {
            let _permit = permit;
            connection(stream, &builder, routes, &stop).await;
        });
    }
    drop(listener);
    let drained = limit.acquire_many(max_conns as u32);
    let _ = weft::time::timeout(config.grace, drained).await;
    Ok(HyperSummary {
        connections,
        requests: routes.requests(),
    })
}

/// Serves one connection until the client leaves or breaks the protocol (hyper
/// has then answered 400 where it could), or `stop` is set (then hyper finishes
/// the request in flight and closes).
async fn connection(
    stream: TcpStream,
    builder: &http1::Builder,
    routes: Routes<WeftTimer>,
    stop: &Event,
) {
    let _ = stream.set_nodelay(true);
    let mut conn = pin!(builder.serve_connection(WeftIo::new(stream), routes));
    if unless_stopped(conn.as_mut(), stop).await.is_none() {
        conn.as_mut().graceful_shutdown();
        // The error, if any, is the client's (it left or sent garbage): nothing to do.
        let _ = conn.await;
    }
}
