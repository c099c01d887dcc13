//! `portscan`: scan a range of TCP ports with bounded concurrency and a timeout.
//!
//! ```text
//! cargo run --release -p weft-examples --bin portscan -- --ports 1-1024
//! ```

use std::net::IpAddr;
use std::time::{Duration, Instant};

use lexopt::prelude::*;
use weft_examples::cli;
use weft_examples::portscan::{PortState, scan};

const USAGE: &str = "\
portscan: try to connect to each TCP port of a range on one host, a bounded number at
a time, and print the open ones. Scan only hosts you are allowed to.

usage: portscan [--host IP] [--ports FIRST-LAST] [--concurrency N] [--timeout-ms MS] [--all]

  --host IP          the host to scan (default 127.0.0.1)
  --ports A-B        the port range, inclusive (default 1-1024); a single port works too
  --concurrency N    connection attempts in flight at once (default 256)
  --timeout-ms MS    give up on one port after MS milliseconds (default 1000)
  --all              print closed and filtered ports too
  -h, --help         print this help";

struct Args {
    host: IpAddr,
    first: u16,
    last: u16,
    concurrency: usize,
    timeout: Duration,
    all: bool,
}

fn parse_range(text: &str) -> Result<(u16, u16), String> {
    let bad = || format!("invalid port range '{text}': write FIRST-LAST, e.g. 1-1024");
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let (a, b): (u16, u16) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if a == 0 || a > b {
        return Err(bad());
    }
    Ok((a, b))
}

#[weft::main]
async fn main() {
    let args = cli::parse_args(USAGE, |p| {
        let mut args = Args {
            host: IpAddr::from([127, 0, 0, 1]),
            first: 1,
            last: 1024,
            concurrency: 256,
            timeout: Duration::from_millis(1000),
            all: false,
        };
        while let Some(arg) = p.next()? {
            match arg {
                Long("host") => args.host = p.value()?.parse()?,
                Long("ports") => {
                    (args.first, args.last) = parse_range(&p.value()?.string()?)?;
                }
                Long("concurrency") => args.concurrency = p.value()?.parse()?,
                Long("timeout-ms") => args.timeout = Duration::from_millis(p.value()?.parse()?),
                Long("all") => args.all = true,
                other => return Err(other.unexpected()),
            }
        }
        Ok(args)
    });
    let started = Instant::now();
    let states = scan(
        args.host,
        args.first..=args.last,
        args.concurrency,
        args.timeout,
    )
    .await;
    let mut open = 0;
    for (port, state) in &states {
        if *state == PortState::Open {
            open += 1;
        }
        if args.all || *state == PortState::Open {
            println!("{}:{port} {state}", args.host);
        }
    }
    println!(
        "scanned {} ports on {} in {:.2?}: {open} open",
        states.len(),
        args.host,
        started.elapsed()
    );
}
