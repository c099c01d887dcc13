//! The load generator behind `echo-load`: N connections each send M messages of S
//! bytes to an echo server, wait for every byte to come back, check it, and time each
//! round trip.
//!
//! Invariant: a run succeeds only if every byte came back equal to what was sent; the
//! payload of message `m` on connection `c` differs from its neighbours', so a server
//! that mixes up connections or messages is caught, not just one that loses bytes.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::TcpStream;

/// What to send.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// The echo server.
    pub addr: SocketAddr,
    /// Connections opened at once.
    pub connections: usize,
    /// Messages sent on each connection, one round trip each.
    pub messages: usize,
    /// Bytes per message.
    pub size: usize,
}

/// What happened: totals and round-trip latency percentiles.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// Round trips completed (connections × messages on success).
    pub round_trips: u64,
    /// Bytes sent (and verified on return).
    pub bytes: u64,
    /// Wall-clock time from the first connect to the last reply.
    pub elapsed: Duration,
    /// Median round-trip latency.
    pub p50: Duration,
    /// 99th-percentile round-trip latency.
    pub p99: Duration,
}

impl LoadReport {
    /// Round trips per second over the whole run.
    ///
    /// ```
    /// use std::time::Duration;
    /// let r = weft_examples::load::LoadReport {
    ///     round_trips: 500, bytes: 0, elapsed: Duration::from_millis(250),
    ///     p50: Duration::ZERO, p99: Duration::ZERO,
    /// };
    /// assert_eq!(r.round_trips_per_sec(), 2000.0);
    /// ```
    pub fn round_trips_per_sec(&self) -> f64 {
        self.round_trips as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} round trips ({} bytes, all verified) in {:.2?}: {:.0} round trips/s, \
             latency p50 {:.1?} p99 {:.1?}",
            self.round_trips,
            self.bytes,
            self.elapsed,
            self.round_trips_per_sec(),
            self.p50,
            self.p99
        )
    }
}

/// Why a run failed.
#[derive(Debug)]
pub enum LoadError {
    /// Connecting failed: is the server running on that address?
    Connect(SocketAddr, io::Error),
    /// Reading or writing failed on connection `conn`.
    Io {
        /// Which connection.
        conn: usize,
        /// The error.
        error: io::Error,
    },
    /// The server closed connection `conn` before echoing message `message` in full.
    Closed {
        /// Which connection.
        conn: usize,
        /// Which message.
        message: usize,
    },
    /// A byte came back different from the one sent.
    Mismatch {
        /// Which connection.
        conn: usize,
        /// Which message.
        message: usize,
        /// Offset of the first differing byte in the message.
        offset: usize,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Connect(addr, e) => write!(
                f,
                "cannot connect to {addr}: {e} (start the server first, e.g. `echo --addr {addr}`)"
            ),
            LoadError::Io { conn, error } => write!(f, "connection {conn}: {error}"),
            LoadError::Closed { conn, message } => write!(
                f,
                "connection {conn}: the server closed it before echoing message {message} in full"
            ),
            LoadError::Mismatch {
                conn,
                message,
                offset,
            } => write!(
                f,
                "connection {conn}: message {message} came back different at byte {offset}: \
                 the server is not echoing faithfully"
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// Runs the load described by `config` and reports it; fails on the first error.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use weft_examples::load::{LoadConfig, run};
///
/// weft::run(async {
///     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let stop = Arc::new(weft::sync::Event::new());
///     let server = weft::spawn(weft_examples::echo::serve(listener, 8, Duration::from_secs(1), stop.clone()));
///
///     let config = LoadConfig { addr, connections: 3, messages: 10, size: 100 };
///     let report = run(&config).await.unwrap();
///     assert_eq!((report.round_trips, report.bytes), (30, 3000));
///
///     stop.set();
///     assert_eq!(server.await.unwrap().unwrap().bytes, 3000);
/// });
/// ```
pub async fn run(config: &LoadConfig) -> Result<LoadReport, LoadError> {
    let start = Instant::now();
    let handles: Vec<_> = (0..config.connections)
        .map(|conn| weft::spawn(one_connection(conn, config.clone())))
        .collect();
    let mut latencies = Vec::with_capacity(config.connections * config.messages);
    let mut first_error = None;
    for handle in handles {
        match handle.await {
            Ok(Ok(mut times)) => latencies.append(&mut times),
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let elapsed = start.elapsed();
    latencies.sort_unstable();
    Ok(LoadReport {
        round_trips: latencies.len() as u64,
        bytes: (latencies.len() * config.size) as u64,
        elapsed,
        p50: percentile(&latencies, 50),
        p99: percentile(&latencies, 99),
    })
}

/// The `pct`th percentile of sorted `samples` (zero when there are none).
fn percentile(samples: &[Duration], pct: usize) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples[(samples.len() - 1) * pct / 100]
}

/// The payload of message `message` on connection `conn`.
fn payload(conn: usize, message: usize, size: usize, out: &mut Vec<u8>) {
    out.clear();
    let seed = conn.wrapping_mul(131).wrapping_add(message.wrapping_mul(7));
    out.extend((0..size).map(|i| (seed.wrapping_add(i) % 251) as u8));
}

/// Sends every message on one connection; returns each round trip's latency.
async fn one_connection(conn: usize, config: LoadConfig) -> Result<Vec<Duration>, LoadError> {
    let mut stream = TcpStream::connect(config.addr)
        .await
        .map_err(|e| LoadError::Connect(config.addr, e))?;
    let io_err = |error| LoadError::Io { conn, error };
    stream.set_nodelay(true).map_err(io_err)?;
    let (mut sent, mut back) = (Vec::new(), vec![0u8; config.size]);
    let mut times = Vec::with_capacity(config.messages);
    for message in 0..config.messages {
        payload(conn, message, config.size, &mut sent);
        let started = Instant::now();
        stream.write_all(&sent).await.map_err(io_err)?;
        if let Err(e) = stream.read_exact(&mut back).await {
            return Err(if e.kind() == io::ErrorKind::UnexpectedEof {
                LoadError::Closed { conn, message }
            } else {
                io_err(e)
            });
        }
        times.push(started.elapsed());
        if let Some(offset) = sent.iter().zip(&back).position(|(a, b)| a != b) {
            return Err(LoadError::Mismatch {
                conn,
                message,
                offset,
            });
        }
    }
    Ok(times)
}
