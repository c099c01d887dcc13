//! The HTTP server workloads of issue 8: one load generator drives an HTTP/1.1
//! server over 50 keep-alive loopback connections, and the report quotes
//! requests/s and p99 latency per server. Servers: hyper on weft (through
//! `weft_examples::hyper_rt`), the same hyper routes on tokio (through
//! [`crate::hyper_tokio`]), and weft's own `http` example server on weft.
//!
//! Invariant: the load generator is the same for every server and independent of
//! the runtime under test: a fresh thread per run with its own single-threaded
//! tokio runtime (never the server's), which connects all 50 connections before the
//! clock starts, then sends [`ROUNDS`] requests per connection, each only after the
//! previous answer arrived, checks every status and body, and times each request
//! from its write to the last byte of its answer. Servers run on 2 workers, as every
//! runtime in this bench; only the request phase is timed.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use weft_benches::Row;

use crate::hyper_tokio::{TokioIo, TokioTimer};
use crate::peer::{Fixture, WORKERS};

/// Keep-alive connections of the load generator.
pub(crate) const CONNECTIONS: usize = 50;
/// Requests per connection per run.
pub(crate) const ROUNDS: usize = 400;
/// The request every connection sends.
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
/// What `weft_examples::hyper_server::Routes` answers to [`REQUEST`].
const HYPER_BODY: &[u8] = b"hello from hyper on weft\n";
/// hyper's header-read timeout in every hyper server here (armed per request, so
/// timer cost is part of what is measured, on both runtimes alike).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// `/echo`'s body limit (unused by the load, required by the routes).
const MAX_BODY: usize = 1 << 20;

/// Which server a fixture runs and which column of the report it fills.
#[derive(Clone, Copy)]
struct Side {
    /// "weft" or "tokio".
    column: &'static str,
    /// The server, as the note names it.
    label: &'static str,
}

/// Each run's p99 latency, by side, until the row's note collects them.
static P99S: Mutex<Vec<(Side, Duration)>> = Mutex::new(Vec::new());

/// hyper's HTTP/1.1 routes served on a weft runtime.
#[cfg(feature = "weft-http")]
pub(crate) fn hyper_on_weft() -> Fixture {
    use std::sync::Arc;
    use weft_examples::hyper_rt::{WeftIo, WeftTimer};
    use weft_examples::hyper_server::{Routes, http1_builder};

    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .build()
        .expect("weft runtime builds");
    let listener = rt
        .block_on(weft::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    drop(rt.spawn(async move {
        let builder = Arc::new(http1_builder(WeftTimer, HEADER_TIMEOUT));
        let routes = Routes::new(WeftTimer, MAX_BODY);
        loop {
            let (stream, _) = listener.accept().await.expect("accept");
            stream.set_nodelay(true).expect("TCP_NODELAY");
            let (builder, routes) = (builder.clone(), routes.clone());
            drop(weft::spawn(async move {
                let _ = builder.serve_connection(WeftIo::new(stream), routes).await;
            }));
        }
    }));
    sampler(
        Side {
            column: "weft",
            label: "hyper on weft",
        },
        addr,
        HYPER_BODY,
        rt,
    )
}

/// The same hyper routes served on a tokio runtime.
pub(crate) fn hyper_on_tokio() -> Fixture {
    use std::sync::Arc;
    use weft_examples::hyper_server::{Routes, http1_builder};

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .expect("tokio runtime builds");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    drop(rt.spawn(async move {
        let builder = Arc::new(http1_builder(TokioTimer, HEADER_TIMEOUT));
        let routes = Routes::new(TokioTimer, MAX_BODY);
        loop {
            let (stream, _) = listener.accept().await.expect("accept");
            stream.set_nodelay(true).expect("TCP_NODELAY");
            let (builder, routes) = (builder.clone(), routes.clone());
            drop(tokio::spawn(async move {
                let _ = builder.serve_connection(TokioIo::new(stream), routes).await;
            }));
        }
    }));
    sampler(
        Side {
            column: "tokio",
            label: "hyper on tokio",
        },
        addr,
        HYPER_BODY,
        rt,
    )
}

/// weft's own `http` example server (`weft_examples::http::server`) on weft.
#[cfg(feature = "weft-http")]
pub(crate) fn example_on_weft() -> Fixture {
    use std::sync::Arc;
    use weft_examples::http::server::{HttpConfig, serve};

    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .build()
        .expect("weft runtime builds");
    let listener = rt
        .block_on(weft::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    let config = HttpConfig {
        // Every run's requests on one connection, with room to spare.
        max_requests_per_conn: usize::MAX,
        ..HttpConfig::default()
    };
    // Never set: the server runs until the runtime is dropped with the fixture.
    let stop = Arc::new(weft::sync::Event::new());
    drop(rt.spawn(serve(listener, config, stop)));
    sampler(
        Side {
            column: "weft",
            label: "weft http example",
        },
        addr,
        b"hello from weft\n",
        rt,
    )
}

/// A fixture that loads the server at `addr` once per call; `server` (its runtime)
/// lives, and keeps serving, as long as the fixture.
fn sampler<S: 'static>(side: Side, addr: SocketAddr, body: &'static [u8], server: S) -> Fixture {
    Box::new(move || {
        let _serving = &server;
        let (took, p99) = std::thread::spawn(move || load(addr, body))
            .join()
            .expect("the load generator panicked");
        P99S.lock().expect("p99 log").push((side, p99));
        took
    })
}

/// One run of the load generator: connects [`CONNECTIONS`] keep-alive connections,
/// then times [`ROUNDS`] requests on each; returns the time of the request phase
/// and the p99 request latency.
fn load(addr: SocketAddr, body: &'static [u8]) -> (Duration, Duration) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("load generator runtime builds");
    rt.block_on(async move {
        let mut streams = Vec::with_capacity(CONNECTIONS);
        for _ in 0..CONNECTIONS {
            let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
            stream.set_nodelay(true).expect("TCP_NODELAY");
            streams.push(stream);
        }
        let start = Instant::now();
        let clients: Vec<_> = streams
            .into_iter()
            .map(|stream| tokio::spawn(client(stream, body)))
            .collect();
        let mut latencies = Vec::with_capacity(CONNECTIONS * ROUNDS);
        for client in clients {
            latencies.extend(client.await.expect("a client failed"));
        }
        let took = start.elapsed();
        assert_eq!(latencies.len(), CONNECTIONS * ROUNDS);
        (took, percentile(&mut latencies, 0.99))
    })
}

/// [`ROUNDS`] requests, one at a time, on one connection; each answer must be a
/// 200 with `body`. Returns each request's latency.
async fn client(mut stream: tokio::net::TcpStream, body: &'static [u8]) -> Vec<Duration> {
    let mut latencies = Vec::with_capacity(ROUNDS);
    let mut buf = Vec::with_capacity(4096);
    for _ in 0..ROUNDS {
        let sent = Instant::now();
        stream.write_all(REQUEST).await.expect("write a request");
        let answer_len = loop {
            if let Some(len) = complete_answer(&buf, body) {
                break len;
            }
            let n = stream.read_buf(&mut buf).await.expect("read an answer");
            assert!(n > 0, "the server closed a keep-alive connection");
        };
        latencies.push(sent.elapsed());
        buf.drain(..answer_len);
    }
    latencies
}

/// The length of the answer at the start of `buf` once all of it has arrived,
/// after checking that it is a 200 carrying `body`.
fn complete_answer(buf: &[u8], body: &[u8]) -> Option<usize> {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut answer = httparse::Response::new(&mut headers);
    let head_len = match answer.parse(buf).expect("a well-formed answer") {
        httparse::Status::Complete(len) => len,
        httparse::Status::Partial => return None,
    };
    assert_eq!(answer.code, Some(200), "the server did not answer 200");
    let length: usize = answer
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| std::str::from_utf8(h.value).ok()?.parse().ok())
        .expect("a Content-Length");
    let end = head_len + length;
    if buf.len() < end {
        return None;
    }
    assert_eq!(&buf[head_len..end], body, "wrong body");
    Some(end)
}

/// The `q` quantile of `values` (nearest rank).
fn percentile(values: &mut [Duration], q: f64) -> Duration {
    let rank = ((values.len() as f64 * q).ceil() as usize).clamp(1, values.len());
    *values.select_nth_unstable(rank - 1).1
}

/// The median of `values` (the upper one of an even count).
fn median(mut values: Vec<Duration>) -> Option<Duration> {
    if values.is_empty() {
        return None;
    }
    let mid = values.len() / 2;
    Some(*values.select_nth_unstable(mid).1)
}

/// The note under the table for an `http_*` row: requests/s (from each side's
/// median time) and p99 latency (the median over that side's runs, warm-up runs
/// included) per server, and weft's request rate over tokio's.
pub(crate) fn note(row: &Row) -> String {
    let p99s = std::mem::take(&mut *P99S.lock().expect("p99 log"));
    let per_run = (CONNECTIONS * ROUNDS) as f64;
    let rate = |cell: &Result<weft_benches::Summary, String>| {
        cell.as_ref()
            .ok()
            .filter(|s| s.median > 0.0)
            .map(|s| per_run / s.median)
    };
    let sides: Vec<String> = [("weft", &row.weft), ("tokio", &row.tokio)]
        .into_iter()
        .map(|(column, cell)| {
            let runs: Vec<&(Side, Duration)> = p99s
                .iter()
                .filter(|(side, _)| side.column == column)
                .collect();
            let label = runs.first().map_or(column, |(side, _)| side.label);
            let p99 = median(runs.iter().map(|(_, d)| *d).collect());
            match (rate(cell), p99) {
                (Some(rate), Some(p99)) => format!(
                    "{label} {:.1} k req/s (p99 {})",
                    rate / 1e3,
                    weft_benches::Unit::Time.format(p99.as_secs_f64())
                ),
                _ => format!("{label} n/a"),
            }
        })
        .collect();
    let ratio = match (rate(&row.weft), rate(&row.tokio)) {
        (Some(weft), Some(tokio)) => format!("{:.2}x tokio's req/s", weft / tokio),
        _ => "no ratio".into(),
    };
    format!(
        "{} ({CONNECTIONS} keep-alive connections × {ROUNDS} requests): {}; weft side at {ratio}",
        row.name,
        sides.join(", "),
    )
}
