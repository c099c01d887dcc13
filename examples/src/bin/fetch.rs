//! `fetch`: fetch many URLs concurrently (the aiohttp example in weft) — a Semaphore
//! bounds how many are in flight, each has a timeout, and `gather` keeps their order.
//!
//! ```text
//! cargo run --release -p weft-examples --bin fetch -- http://127.0.0.1:8080/ http://127.0.0.1:8080/sleep?ms=200
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use lexopt::prelude::*;
use weft::sync::Semaphore;
use weft_examples::cli;
use weft_examples::http::client::get;

const USAGE: &str = "\
fetch: GET many URLs concurrently and print each one's status, size and time.

usage: fetch [--limit N] [--timeout-ms MS] URL...

  --limit N         requests in flight at once (default 10)
  --timeout-ms MS   give up on one URL after MS milliseconds (default 5000)
  -h, --help        print this help

URLs are plain http://HOST[:PORT]/PATH. Exits 1 if any fetch failed.";

#[weft::main]
async fn main() {
    let (urls, limit, timeout) = cli::parse_args(USAGE, |p| {
        let (mut urls, mut limit, mut timeout_ms) = (Vec::new(), 10usize, 5000u64);
        while let Some(arg) = p.next()? {
            match arg {
                Long("limit") => limit = p.value()?.parse()?,
                Long("timeout-ms") => timeout_ms = p.value()?.parse()?,
                Value(url) => urls.push(url.string()?),
                other => return Err(other.unexpected()),
            }
        }
        if urls.is_empty() {
            return Err("no URL given: fetch http://HOST[:PORT]/PATH ...".into());
        }
        Ok((urls, limit.max(1), Duration::from_millis(timeout_ms)))
    });
    let limit = Arc::new(Semaphore::new(limit));
    let started = Instant::now();
    // Each fetch waits for a permit, so at most `limit` are in flight; gather runs
    // them all concurrently in this task and returns the results in URL order.
    let results = weft::future::gather(urls.iter().map(|url| {
        let limit = limit.clone();
        async move {
            let _permit = limit.acquire().await.expect("never closed");
            let t = Instant::now();
            (get(url, timeout).await, t.elapsed())
        }
    }))
    .await;
    let mut failed = 0;
    for (url, (result, took)) in urls.iter().zip(results) {
        match result {
            Ok(page) => println!(
                "{} {:>8} bytes {:>8.1?}  {url}",
                page.status,
                page.body.len(),
                took
            ),
            Err(e) => {
                failed += 1;
                println!("ERR {e}  {url}");
            }
        }
    }
    println!(
        "fetched {} URLs in {:.2?}, {failed} failed",
        urls.len(),
        started.elapsed()
    );
    if failed > 0 {
        std::process::exit(1);
    }
}
