//! `http`: a small HTTP/1.1 server (keep-alive, pipelining, chunked bodies, static
//! files, limits and timeouts).
//!
//! ```text
//! cargo run --release -p weft-examples --bin http -- --addr 127.0.0.1:8080 --root .
//! curl -i http://127.0.0.1:8080/sleep?ms=100
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use lexopt::prelude::*;
use weft_examples::cli;
use weft_examples::http::server::{HttpConfig, serve};

const USAGE: &str = "\
http: a small HTTP/1.1 server on weft.

routes:
  GET /                 a greeting
  GET|POST /echo        the request body back (Content-Length or chunked)
  GET /sleep?ms=N       answers after N milliseconds (at most 10000)
  GET /static/PATH      the file PATH under --root

usage: http [--addr ADDR] [--root DIR] [--max-conns N] [--max-requests N]
            [--request-timeout-ms MS] [--max-body BYTES]

  --addr ADDR               where to listen (default 127.0.0.1:8080; port 0 picks a free one)
  --root DIR                serve files under DIR at /static/ (default: none)
  --max-conns N             connections served at once (default 1024)
  --max-requests N          requests per connection before it is closed (default 1000)
  --request-timeout-ms MS   time to send a whole request, else 408 (default 10000)
  --max-body BYTES          largest request body, else 413 (default 1048576)
  -h, --help                print this help

Request heads over 8 KiB get 431, malformed requests 400. Prints `listening on ADDR`.";

#[weft::main]
async fn main() {
    let (addr, config) = cli::parse_args(USAGE, |p| {
        let mut addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let mut c = HttpConfig::default();
        while let Some(arg) = p.next()? {
            match arg {
                Long("addr") => addr = p.value()?.parse()?,
                Long("root") => c.root = Some(p.value()?.into()),
                Long("max-conns") => c.max_conns = p.value()?.parse()?,
                Long("max-requests") => c.max_requests_per_conn = p.value()?.parse()?,
                Long("request-timeout-ms") => {
                    c.request_timeout = Duration::from_millis(p.value()?.parse()?)
                }
                Long("max-body") => c.max_body = p.value()?.parse()?,
                other => return Err(other.unexpected()),
            }
        }
        Ok((addr, c))
    });
    if let Some(root) = &config.root
        && !root.is_dir()
    {
        cli::fail(format_args!("--root {}: not a directory", root.display()));
    }
    let listener = weft::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| cli::fail(format_args!("cannot listen on {addr}: {e}")));
    let addr = listener.local_addr().unwrap_or(addr);
    println!("{}", cli::listening_line(addr));
    let stop = Arc::new(weft::sync::Event::new());
    if let Err(e) = serve(listener, config, stop).await {
        cli::fail(format_args!("accepting connections on {addr} failed: {e}"));
    }
}
