//! The scanner behind `portscan`: try to connect to each port of a range, a bounded
//! number at a time, each attempt bounded by a timeout.
//!
//! Invariant: at most `concurrency` connection attempts are in flight at once (each
//! holds a semaphore permit for its whole attempt), so a scan of 65 535 ports never
//! opens 65 535 sockets.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use weft::net::TcpStream;
use weft::sync::Semaphore;

/// What a port answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortState {
    /// The connection was accepted.
    Open,
    /// The connection was refused.
    Closed,
    /// No answer within the timeout (a firewall dropping packets, usually).
    Filtered,
}

impl fmt::Display for PortState {
    /// ```
    /// assert_eq!(weft_examples::portscan::PortState::Open.to_string(), "open");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PortState::Open => "open",
            PortState::Closed => "closed",
            PortState::Filtered => "filtered",
        })
    }
}

/// Scans `ports` on `host` with at most `concurrency` attempts at once, each given up
/// after `timeout`; returns every port's state in port order.
///
/// ```
/// use std::time::Duration;
/// use weft_examples::portscan::{PortState, scan};
///
/// weft::run(async {
///     let open = weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let port = open.local_addr().unwrap().port();
///     let host = "127.0.0.1".parse().unwrap();
///     let states = scan(host, port..=port, 10, Duration::from_secs(1)).await;
///     assert_eq!(states, vec![(port, PortState::Open)]);
/// });
/// ```
pub async fn scan(
    host: IpAddr,
    ports: RangeInclusive<u16>,
    concurrency: usize,
    timeout: Duration,
) -> Vec<(u16, PortState)> {
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let probes: Vec<_> = ports
        .map(|port| {
            let limit = limit.clone();
            weft::spawn(async move {
                let _permit = limit
                    .acquire_owned()
                    .await
                    .expect("the scan semaphore is never closed");
                let addr = SocketAddr::new(host, port);
                let state = match weft::time::timeout(timeout, TcpStream::connect(addr)).await {
                    Ok(Ok(_stream)) => PortState::Open,
                    Ok(Err(_refused)) => PortState::Closed,
                    Err(_elapsed) => PortState::Filtered,
                };
                (port, state)
            })
        })
        .collect();
    let mut states = Vec::with_capacity(probes.len());
    for probe in probes {
        states.push(probe.await.expect("a probe task panicked"));
    }
    states
}
