//! `demo`: the README's first command. Starts the echo, HTTP and chat servers on free
//! loopback ports in this process, drives each as its clients would (echo-load,
//! concurrent HTTP fetches, chat clients), runs the tour, and prints a summary.
//!
//! ```text
//! cargo run --release -p weft-examples --bin demo
//! ```

use std::sync::Arc;
use std::time::Duration;

use lexopt::prelude::*;
use weft::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use weft::net::{TcpListener, TcpStream};
use weft::sync::{Event, Semaphore};
use weft::time::Instant;
use weft_examples::chat::{self, ChatConfig, ChatEvent};
use weft_examples::http::{client, server};
use weft_examples::load::{self, LoadConfig};
use weft_examples::tour::{self, Effort};
use weft_examples::{cli, echo};

const USAGE: &str = "\
demo: run weft's network examples end to end on loopback, then the tour.

Starts echo, http and chat servers on free 127.0.0.1 ports in this process, drives
them (echo-load with verified bytes, concurrent HTTP requests, three chat clients),
runs the tour of asyncio/threading/concurrent.futures patterns, and prints a summary.

usage: demo [--quick]

  --quick      lighter load and a small CPU-bound section (the default in debug builds)
  -h, --help   print this help";

async fn bind() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| cli::fail(format_args!("cannot listen on 127.0.0.1: {e}")))
}

#[weft::main]
async fn main() {
    let quick = cli::parse_args(USAGE, |p| {
        let mut quick = cfg!(debug_assertions);
        while let Some(arg) = p.next()? {
            match arg {
                Long("quick") => quick = true,
                other => return Err(other.unexpected()),
            }
        }
        Ok(quick)
    });
    let started = Instant::now();
    let stop = Arc::new(Event::new());
    let mut summary = Vec::new();

    // --- echo + echo-load -------------------------------------------------------
    let listener = bind().await;
    let echo_addr = listener.local_addr().unwrap();
    let echo_server = weft::spawn(echo::serve(
        listener,
        256,
        Duration::from_secs(2),
        stop.clone(),
    ));
    println!("== echo server on {echo_addr}; echo-load drives it");
    let config = LoadConfig {
        addr: echo_addr,
        connections: 50,
        messages: if quick { 100 } else { 2000 },
        size: 64,
    };
    let report = load::run(&config)
        .await
        .unwrap_or_else(|e| cli::fail(format_args!("echo-load: {e}")));
    println!("   {report}");
    summary.push(format!(
        "echo      {:>8.0} round trips/s over {} connections, p99 {:.1?}, every byte verified",
        report.round_trips_per_sec(),
        config.connections,
        report.p99
    ));

    // --- http ----------------------------------------------------------------------
    let listener = bind().await;
    let http_addr = listener.local_addr().unwrap();
    let http_server = weft::spawn(server::serve(
        listener,
        server::HttpConfig::default(),
        stop.clone(),
    ));
    println!("\n== http server on {http_addr}; concurrent GETs, 32 in flight");
    let n = if quick { 200 } else { 2000 };
    let limit = Arc::new(Semaphore::new(32));
    let t = Instant::now();
    let fetches = (0..n).map(|i| {
        let limit = limit.clone();
        let url = match i % 3 {
            0 => format!("http://{http_addr}/"),
            1 => format!("http://{http_addr}/sleep?ms=5"),
            _ => format!("http://{http_addr}/nowhere"),
        };
        async move {
            let _permit = limit.acquire().await.expect("never closed");
            client::get(&url, Duration::from_secs(10)).await
        }
    });
    let pages = weft::future::gather(fetches).await;
    let took = t.elapsed();
    let ok = pages
        .iter()
        .filter(|p| matches!(p, Ok(p) if p.status == 200))
        .count();
    let not_found = pages
        .iter()
        .filter(|p| matches!(p, Ok(p) if p.status == 404))
        .count();
    let failed = pages.iter().filter(|p| p.is_err()).count();
    if failed > 0 || ok + not_found != n {
        cli::fail(format_args!("{failed} of {n} HTTP requests failed"));
    }
    println!("   {n} requests in {took:.2?}: {ok} × 200, {not_found} × 404 (as asked), 0 failed");
    summary.push(format!(
        "http      {:>8.0} requests/s (new connection each, a third sleeping 5 ms), all answered",
        n as f64 / took.as_secs_f64()
    ));

    // --- chat ----------------------------------------------------------------------
    let listener = bind().await;
    let chat_addr = listener.local_addr().unwrap();
    let (events_tx, mut events) = weft::sync::mpsc::unbounded_channel();
    let chat_server = weft::spawn(chat::serve(
        listener,
        ChatConfig::default(),
        stop.clone(),
        move |e| {
            let _ = events_tx.send(e);
        },
    ));
    println!("\n== chat server on {chat_addr}; three clients");
    let mut clients = Vec::new();
    for _ in 0..3 {
        let stream = TcpStream::connect(chat_addr)
            .await
            .unwrap_or_else(|e| cli::fail(format_args!("chat connect: {e}")));
        let me = stream.local_addr().unwrap();
        // Wait until the server has subscribed this client before the next step.
        while events.recv().await != Some(ChatEvent::Joined(me)) {}
        clients.push(stream);
    }
    let t = Instant::now();
    let mut speaker = clients.remove(0);
    speaker.write_all(b"hello from the demo\n").await.unwrap();
    let mut heard = 0;
    for listener in clients {
        let mut lines = BufReader::new(listener);
        let mut line = String::new();
        while !line.ends_with(": hello from the demo\n") {
            line.clear();
            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                cli::fail("a chat client was disconnected");
            }
        }
        print!("   heard: {line}");
        heard += 1;
    }
    summary.push(format!(
        "chat      one line delivered to {heard} other clients in {:.1?}",
        t.elapsed()
    ));

    // --- stop the servers ------------------------------------------------------------
    stop.set();
    let echo_summary = echo_server.await.unwrap().unwrap();
    let http_summary = http_server.await.unwrap().unwrap();
    chat_server.await.unwrap().unwrap();
    println!(
        "\n== servers stopped: echo served {} connections ({} bytes), http {} requests",
        echo_summary.connections, echo_summary.bytes, http_summary.requests
    );

    // --- the tour ------------------------------------------------------------------
    println!("\n== the tour");
    let tour = tour::run(if quick { Effort::Quick } else { Effort::Full }).await;
    summary.push(format!(
        "tour      {} patterns checked; CPU-bound speed-up ×{:.2} on {} cores",
        tour.sections, tour.speedup, tour.workers
    ));

    println!("\n== summary ({:.1?} in all)", started.elapsed());
    for line in &summary {
        println!("   {line}");
    }
}
