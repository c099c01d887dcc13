//! `udp-echo`: a UDP echo server.
//!
//! ```text
//! cargo run --release -p weft-examples --bin udp-echo -- --addr 127.0.0.1:7003
//! ```

use std::net::SocketAddr;
use std::sync::Arc;

use lexopt::prelude::*;
use weft_examples::cli;

const USAGE: &str = "\
udp-echo: a UDP echo server on weft. Every datagram goes back to its sender.

usage: udp-echo [--addr ADDR]

  --addr ADDR   where to listen (default 127.0.0.1:7003; port 0 picks a free one)
  -h, --help    print this help

Prints `listening on ADDR` once it is ready. Try `nc -u ADDR PORT`.";

#[weft::main]
async fn main() {
    let addr = cli::parse_args(USAGE, |p| {
        let mut addr: SocketAddr = "127.0.0.1:7003".parse().unwrap();
        while let Some(arg) = p.next()? {
            match arg {
                Long("addr") => addr = p.value()?.parse()?,
                other => return Err(other.unexpected()),
            }
        }
        Ok(addr)
    });
    let socket = weft::net::UdpSocket::bind(addr)
        .await
        .unwrap_or_else(|e| cli::fail(format_args!("cannot bind {addr}: {e}")));
    let addr = socket.local_addr().unwrap_or(addr);
    println!("{}", cli::listening_line(addr));
    let stop = Arc::new(weft::sync::Event::new());
    if let Err(e) = weft_examples::udp_echo::serve(socket, stop).await {
        cli::fail(format_args!("receiving on {addr} failed: {e}"));
    }
}
