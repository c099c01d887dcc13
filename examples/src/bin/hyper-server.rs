//! `hyper-server`: hyper 1.x serving HTTP/1.1 on weft through hyper's runtime traits
//! (`weft_examples::hyper_rt`), with graceful shutdown on ctrl-c.
//!
//! ```text
//! cargo run --release -p weft-examples --bin hyper-server -- --addr 127.0.0.1:8081
//! curl -i http://127.0.0.1:8081/sleep?ms=100
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use lexopt::prelude::*;
use weft_examples::cli;
use weft_examples::hyper_server::{HyperConfig, serve};

const USAGE: &str = "\
hyper-server: hyper 1.x serving HTTP/1.1 on weft, through hyper's runtime traits.

routes:
  GET /               a greeting
  POST /echo          the request body back
  GET /sleep?ms=N     answers after N milliseconds (at most 10000), slept on hyper's Timer

usage: hyper-server [--addr ADDR] [--max-conns N] [--max-body BYTES]
                    [--header-timeout-ms MS] [--grace-ms MS]

  --addr ADDR              where to listen (default 127.0.0.1:8081; port 0 picks a free one)
  --max-conns N            connections served at once (default 1024)
  --max-body BYTES         largest /echo body, else 413 (default 1048576)
  --header-timeout-ms MS   time to send a request head, else the connection closes
                           (default 10000)
  --grace-ms MS            on ctrl-c, how long open connections may take to finish
                           (default 5000)
  -h, --help               print this help

hyper answers malformed requests with 400. Prints `listening on ADDR` once ready; on
ctrl-c (SIGINT) it stops accepting, lets open connections finish, prints a summary and
exits 0.";

#[weft::main]
async fn main() {
    let (addr, config) = cli::parse_args(USAGE, |p| {
        let mut addr: SocketAddr = "127.0.0.1:8081".parse().unwrap();
        let mut c = HyperConfig::default();
        while let Some(arg) = p.next()? {
            match arg {
                Long("addr") => addr = p.value()?.parse()?,
                Long("max-conns") => c.max_conns = p.value()?.parse()?,
                Long("max-body") => c.max_body = p.value()?.parse()?,
                Long("header-timeout-ms") => {
                    c.header_timeout = Duration::from_millis(p.value()?.parse()?)
                }
                Long("grace-ms") => c.grace = Duration::from_millis(p.value()?.parse()?),
                other => return Err(other.unexpected()),
            }
        }
        Ok((addr, c))
    });
    let listener = weft::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| cli::fail(format_args!("cannot listen on {addr}: {e}")));
    let addr = listener.local_addr().unwrap_or(addr);
    let stop = Arc::new(weft::sync::Event::new());
    // Register for SIGINT before announcing readiness, so a ctrl-c right after the
    // `listening on` line is never missed.
    let mut interrupts = weft::signal::unix::signal(weft::signal::unix::SignalKind::interrupt())
        .unwrap_or_else(|e| cli::fail(format_args!("cannot listen for ctrl-c: {e}")));
    let on_ctrl_c = stop.clone();
    weft::spawn(async move {
        if interrupts.recv().await.is_some() {
            eprintln!("ctrl-c: no new connections; finishing the open ones");
            on_ctrl_c.set();
        }
    });
    println!("{}", cli::listening_line(addr));
    match serve(listener, config, stop).await {
        Ok(summary) => println!(
            "stopped: {} connections, {} requests",
            summary.connections, summary.requests
        ),
        Err(e) => cli::fail(format_args!("accepting connections on {addr} failed: {e}")),
    }
}
