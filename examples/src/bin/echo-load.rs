//! `echo-load`: a load generator for `echo` that verifies every byte and reports round
//! trips per second and latency percentiles.
//!
//! ```text
//! cargo run --release -p weft-examples --bin echo-load -- --addr 127.0.0.1:7000
//! ```

use lexopt::prelude::*;
use weft_examples::cli;
use weft_examples::load::{LoadConfig, run};

const USAGE: &str = "\
echo-load: open N connections to an echo server, send M messages of S bytes on each,
verify every byte that comes back, and print round trips/s and latency p50/p99.

usage: echo-load [--addr ADDR] [-c N] [-m M] [-s S]

  --addr ADDR           the echo server (default 127.0.0.1:7000)
  -c, --connections N   connections at once (default 50)
  -m, --messages M      messages per connection (default 1000)
  -s, --size S          bytes per message (default 64)
  -h, --help            print this help

Exits 1 if a connection fails or a byte comes back wrong.";

#[weft::main]
async fn main() {
    let config = cli::parse_args(USAGE, |p| {
        let mut c = LoadConfig {
            addr: "127.0.0.1:7000".parse().unwrap(),
            connections: 50,
            messages: 1000,
            size: 64,
        };
        while let Some(arg) = p.next()? {
            match arg {
                Long("addr") => c.addr = p.value()?.parse()?,
                Short('c') | Long("connections") => c.connections = p.value()?.parse()?,
                Short('m') | Long("messages") => c.messages = p.value()?.parse()?,
                Short('s') | Long("size") => c.size = p.value()?.parse()?,
                other => return Err(other.unexpected()),
            }
        }
        Ok(c)
    });
    match run(&config).await {
        Ok(report) => println!("{report}"),
        Err(e) => cli::fail(e),
    }
}
