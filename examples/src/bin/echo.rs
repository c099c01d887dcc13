//! `echo`: a TCP echo server with a connection limit and graceful shutdown on
//! ctrl-c (stop accepting, let live connections finish up to a deadline, exit 0).
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

usage: echo [--addr ADDR] [--max-conns N] [--grace-ms MS]

  --addr ADDR      where to listen (default 127.0.0.1:7000; port 0 picks a free one)
  --max-conns N    at most N connections at once; more wait to be accepted (default 1024)
  --grace-ms MS    on ctrl-c, how long open connections may take to finish (default 5000)
  -h, --help       print this help

Prints `listening on ADDR` once it is ready. On ctrl-c (SIGINT) it stops accepting,
waits for open connections up to the grace period, prints a summary and exits 0.";

struct Args {
    addr: SocketAddr,
    max_conns: usize,
    grace: Duration,
}

#[weft::main]
async fn main() {
    let args = cli::parse_args(USAGE, |p| {
        let mut args = Args {
            addr: "127.0.0.1:7000".parse().unwrap(),
            max_conns: 1024,
            grace: Duration::from_secs(5),
        };
        while let Some(arg) = p.next()? {
            match arg {
                Long("addr") => args.addr = p.value()?.parse()?,
                Long("max-conns") => args.max_conns = p.value()?.parse()?,
                Long("grace-ms") => args.grace = Duration::from_millis(p.value()?.parse()?),
                other => return Err(other.unexpected()),
            }
        }
        Ok(args)
    });
    let listener = weft::net::TcpListener::bind(args.addr)
        .await
        .unwrap_or_else(|e| cli::fail(format_args!("cannot listen on {}: {e}", args.addr)));
    let addr = listener.local_addr().unwrap_or(args.addr);
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
    match weft_examples::echo::serve(listener, args.max_conns, args.grace, stop).await {
        Ok(summary) => println!(
            "stopped: {} connections, {} bytes echoed",
            summary.connections, summary.bytes
        ),
        Err(e) => cli::fail(format_args!("accepting connections on {addr} failed: {e}")),
    }
}
