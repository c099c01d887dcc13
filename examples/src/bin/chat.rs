//! `chat`: a line-based TCP chat server; a client that does not keep up is dropped.
//!
//! ```text
//! cargo run --release -p weft-examples --bin chat -- --addr 127.0.0.1:7001
//! # then, in other terminals: nc 127.0.0.1 7001
//! ```

use std::net::SocketAddr;
use std::sync::Arc;

use lexopt::prelude::*;
use weft_examples::chat::{ChatConfig, serve};
use weft_examples::cli;

const USAGE: &str = "\
chat: a line-based chat server on weft. Every line a client sends goes to all the
others; a client that stops reading is dropped instead of slowing everyone down.

usage: chat [--addr ADDR] [--queue N] [--max-line BYTES]

  --addr ADDR         where to listen (default 127.0.0.1:7001; port 0 picks a free one)
  --queue N           messages queued per client before it counts as too slow (default 64)
  --max-line BYTES    longest line accepted (default 8192)
  -h, --help          print this help

Prints `listening on ADDR`, then one line per client that joins, leaves or is dropped.
Try it with `nc ADDR PORT` in a few terminals.";

#[weft::main]
async fn main() {
    let (addr, config) = cli::parse_args(USAGE, |p| {
        let mut addr: SocketAddr = "127.0.0.1:7001".parse().unwrap();
        let mut config = ChatConfig::default();
        while let Some(arg) = p.next()? {
            match arg {
                Long("addr") => addr = p.value()?.parse()?,
                Long("queue") => config.queue = p.value()?.parse()?,
                Long("max-line") => config.max_line = p.value()?.parse()?,
                other => return Err(other.unexpected()),
            }
        }
        Ok((addr, config))
    });
    let listener = weft::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| cli::fail(format_args!("cannot listen on {addr}: {e}")));
    let addr = listener.local_addr().unwrap_or(addr);
    println!("{}", cli::listening_line(addr));
    let stop = Arc::new(weft::sync::Event::new());
    if let Err(e) = serve(listener, config, stop, |event| println!("{event}")).await {
        cli::fail(format_args!("accepting connections on {addr} failed: {e}"));
    }
}
