//! `proxy`: a TCP proxy that relays every client to one upstream address.
//!
//! ```text
//! cargo run --release -p weft-examples --bin proxy -- --listen 127.0.0.1:7002 --to 127.0.0.1:7000
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use lexopt::prelude::*;
use weft_examples::cli;

const USAGE: &str = "\
proxy: a TCP proxy on weft. Each client is connected to the upstream address and the
bytes are relayed both ways until either side closes.

usage: proxy --to ADDR [--listen ADDR] [--connect-timeout-ms MS]

  --to ADDR                 the upstream to relay to (required)
  --listen ADDR             where to listen (default 127.0.0.1:7002; port 0 picks a free one)
  --connect-timeout-ms MS   give up on the upstream after MS milliseconds (default 3000)
  -h, --help                print this help

Prints `listening on ADDR`, then one line per finished connection.";

#[weft::main]
async fn main() {
    let (listen, upstream, connect_timeout) = cli::parse_args(USAGE, |p| {
        let mut listen: SocketAddr = "127.0.0.1:7002".parse().unwrap();
        let mut upstream: Option<SocketAddr> = None;
        let mut timeout_ms: u64 = 3000;
        while let Some(arg) = p.next()? {
            match arg {
                Long("listen") => listen = p.value()?.parse()?,
                Long("to") => upstream = Some(p.value()?.parse()?),
                Long("connect-timeout-ms") => timeout_ms = p.value()?.parse()?,
                other => return Err(other.unexpected()),
            }
        }
        let upstream = upstream.ok_or("missing --to ADDR: where should clients be relayed?")?;
        Ok((listen, upstream, Duration::from_millis(timeout_ms)))
    });
    let listener = weft::net::TcpListener::bind(listen)
        .await
        .unwrap_or_else(|e| cli::fail(format_args!("cannot listen on {listen}: {e}")));
    let addr = listener.local_addr().unwrap_or(listen);
    println!("{}", cli::listening_line(addr));
    let stop = Arc::new(weft::sync::Event::new());
    let served = weft_examples::proxy::serve(listener, upstream, connect_timeout, stop, |event| {
        println!("{event}")
    });
    if let Err(e) = served.await {
        cli::fail(format_args!("accepting connections on {addr} failed: {e}"));
    }
}
