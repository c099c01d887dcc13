//! `echo`: a TCP echo server with a connection limit.
//!
//! ```text
//! cargo run --release -p weft-examples --bin echo -- --addr 127.0.0.1:7000
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use lexopt::prelude::*;
use weft_examples::cli;

const USAGE: &str = "\
echo: a TCP echo server on weft. Every byte a client sends comes back.

usage: echo [--addr ADDR] [--max-conns N]

  --addr ADDR      where to listen (default 127.0.0.1:7000; port 0 picks a free one)
  --max-conns N    at most N connections at once; more wait to be accepted (default 1024)
  -h, --help       print this help

Prints `listening on ADDR` once it is ready.";

struct Args {
    addr: SocketAddr,
    max_conns: usize,
}

#[weft::main]
async fn main() {
    let args = cli::parse_args(USAGE, |p| {
        let mut args = Args {
            addr: "127.0.0.1:7000".parse().unwrap(),
            max_conns: 1024,
        };
        while let Some(arg) = p.next()? {
            match arg {
                Long("addr") => args.addr = p.value()?.parse()?,
                Long("max-conns") => args.max_conns = p.value()?.parse()?,
                other => return Err(other.unexpected()),
            }
        }
        Ok(args)
    });
    let listener = weft::net::TcpListener::bind(args.addr)
        .await
        .unwrap_or_else(|e| cli::fail(format_args!("cannot listen on {}: {e}", args.addr)));
    let addr = listener.local_addr().unwrap_or(args.addr);
    println!("{}", cli::listening_line(addr));
    let stop = Arc::new(weft::sync::Event::new());
    match weft_examples::echo::serve(listener, args.max_conns, Duration::from_secs(5), stop).await {
        Ok(summary) => println!(
            "stopped: {} connections, {} bytes echoed",
            summary.connections, summary.bytes
        ),
        Err(e) => cli::fail(format_args!("accepting connections on {addr} failed: {e}")),
    }
}
