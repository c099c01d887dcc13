//! The echo server behind the `echo` example: every byte a client sends comes back.
//!
//! Invariant: at most `max_conns` connections are open at once. The accept loop takes
//! a semaphore permit *before* accepting and each connection task holds it until the
//! socket is closed, so at the limit the server simply stops accepting (new clients
//! wait in the kernel's backlog) instead of accepting and dropping them.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::{TcpListener, TcpStream};
use weft::sync::{Event, Semaphore};

use crate::stop::unless_stopped;

/// What an echo server did, returned when it stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoSummary {
    /// Connections accepted.
    pub connections: u64,
    /// Bytes echoed back over all connections.
    pub bytes: u64,
    /// Connections still open when the server was told to stop.
    pub open_at_stop: usize,
    /// Connections still open when the grace period ran out (left to the runtime's
    /// shutdown to close).
    pub abandoned: usize,
}

/// Serves echo on `listener` with at most `max_conns` connections at once until
/// `stop` is set; then it stops accepting, waits up to `grace` for the open
/// connections to finish, and returns what it did.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use weft::io::{AsyncReadExt, AsyncWriteExt};
///
/// weft::run(async {
///     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let stop = Arc::new(weft::sync::Event::new());
///     let server = weft::spawn(weft_examples::echo::serve(listener, 4, Duration::from_secs(1), stop.clone()));
///
///     let mut client = weft::net::TcpStream::connect(addr).await.unwrap();
///     client.write_all(b"ping").await.unwrap();
///     let mut back = [0; 4];
///     client.read_exact(&mut back).await.unwrap();
///     assert_eq!(&back, b"ping");
///     drop(client);
///
///     stop.set();
///     let summary = server.await.unwrap().unwrap();
///     assert_eq!((summary.connections, summary.bytes), (1, 4));
/// });
/// ```
pub async fn serve(
    listener: TcpListener,
    max_conns: usize,
    grace: Duration,
    stop: Arc<Event>,
) -> io::Result<EchoSummary> {
    // `acquire_many` takes a `u32`, so that bounds the limit too.
    let max_conns = max_conns.clamp(1, u32::MAX as usize);
    let limit = Arc::new(Semaphore::new(max_conns));
    let bytes = Arc::new(AtomicU64::new(0));
    let mut connections = 0;
    loop {
        let Some(permit) = unless_stopped(limit.clone().acquire_owned(), &stop).await else {
            break;
        };
        let permit = permit.expect("the connection semaphore is never closed");
        let Some(accepted) = unless_stopped(listener.accept(), &stop).await else {
            break;
        };
        let (stream, _peer) = match accepted {
            Ok(accepted) => accepted,
            // A client that reset before we accepted it, or descriptor exhaustion (weft-io
            // already shed the pending clients), concerns those clients only.
            Err(e) if is_transient(&e) => continue,
            Err(e) => return Err(e),
        };
        connections += 1;
        let bytes = bytes.clone();
        weft::spawn(async move {
            let _permit = permit;
            // A connection that fails mid-way just ends; the others go on.
            let _ = echo_connection(stream, &bytes).await;
        });
    }
    drop(listener);
    let open_at_stop = max_conns - limit.available_permits();
    // Every permit back means every connection task has finished.
    let abandoned = match weft::time::timeout(grace, limit.acquire_many(max_conns as u32)).await {
        Ok(all_done) => {
            drop(all_done.expect("the connection semaphore is never closed"));
            0
        }
        Err(_elapsed) => max_conns - limit.available_permits(),
    };
    Ok(EchoSummary {
        connections,
        bytes: bytes.load(Ordering::Relaxed),
        open_at_stop,
        abandoned,
    })
}

/// Whether an `accept` error concerns one client only, so the server keeps going.
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    ) || e
        .get_ref()
        .is_some_and(|inner| inner.is::<weft::net::DescriptorsExhausted>())
}

/// Echoes one connection until the client closes its sending side.
async fn echo_connection(mut stream: TcpStream, total: &AtomicU64) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
        total.fetch_add(n as u64, Ordering::Relaxed);
    }
}
