//! The networking workloads of issue 3: many small round trips over many loopback
//! connections, and one bulk transfer over one connection; server and clients run
//! in the same runtime.
//!
//! Invariant: as in every workload, one runtime per fixture, only the work is timed
//! (binding, connecting and accepting included, as they are part of the work), and
//! each sample checks that every byte came back or arrived.

use std::time::Instant;

use crate::peer::{Fixture, Peer, Spawn, Tcp, WORKERS};

/// Connections of `tcp_echo`.
pub(crate) const ECHO_CONNECTIONS: usize = 50;
/// Round trips per connection of `tcp_echo`.
pub(crate) const ECHO_ROUNDS: usize = 2_000;
/// Bytes per message of `tcp_echo`.
const ECHO_SIZE: usize = 64;

/// Bytes sent by `tcp_bulk`.
pub(crate) const BULK_BYTES: usize = 256 << 20;
/// Bytes per write (and the read buffer) of `tcp_bulk`.
const BULK_CHUNK: usize = 1 << 20;

/// 50 connections × 2 000 round trips of 64 bytes: each client writes a message
/// and waits for its echo; the server spawns one echo task per accepted connection.
pub(crate) fn tcp_echo<P: Peer, T: Tcp>() -> Fixture {
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let start = Instant::now();
        let driver = rt.handle().spawn(async move {
            let (listener, addr) = T::bind_loopback().await;
            let server_handle = h.clone();
            let server = h.spawn(async move {
                let mut echoers = Vec::with_capacity(ECHO_CONNECTIONS);
                for _ in 0..ECHO_CONNECTIONS {
                    let mut stream = T::accept(&listener).await;
                    echoers.push(server_handle.spawn(async move {
                        let mut buf = [0; ECHO_SIZE];
                        for _ in 0..ECHO_ROUNDS {
                            T::read_exact(&mut stream, &mut buf).await;
                            T::write_all(&mut stream, &buf).await;
                        }
                    }));
                }
                for echoer in echoers {
                    echoer.await;
                }
            });
            let clients: Vec<_> = (0..ECHO_CONNECTIONS)
                .map(|c| {
                    h.spawn(async move {
                        let mut stream = T::connect(addr).await;
                        // Each connection sends its own byte, so a crossed stream fails.
                        let sent = [c as u8; ECHO_SIZE];
                        let mut back = [0; ECHO_SIZE];
                        let mut echoed = 0;
                        for _ in 0..ECHO_ROUNDS {
                            T::write_all(&mut stream, &sent).await;
                            T::read_exact(&mut stream, &mut back).await;
                            echoed += usize::from(back == sent);
                        }
                        echoed
                    })
                })
                .collect();
            let mut echoed = 0;
            for client in clients {
                echoed += client.await;
            }
            server.await;
            echoed
        });
        let echoed = rt.block_on(driver);
        let took = start.elapsed();
        assert_eq!(echoed, ECHO_CONNECTIONS * ECHO_ROUNDS);
        took
    })
}

/// 256 MiB written in 1 MiB `write_all`s over one loopback connection; a task on
/// the accepting end reads (1 MiB buffer) until the writer closes, counting bytes.
pub(crate) fn tcp_bulk<P: Peer, T: Tcp>() -> Fixture {
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let start = Instant::now();
        let driver = rt.handle().spawn(async move {
            let (listener, addr) = T::bind_loopback().await;
            let reader = h.spawn(async move {
                let mut stream = T::accept(&listener).await;
                let mut buf = vec![0; BULK_CHUNK];
                let (mut received, mut checked) = (0, 0);
                loop {
                    let n = T::read(&mut stream, &mut buf).await;
                    if n == 0 {
                        break (received, checked);
                    }
                    received += n;
                    checked += buf[..n].iter().filter(|&&b| b == 0xA5).count();
                }
            });
            let mut stream = T::connect(addr).await;
            let chunk = vec![0xA5; BULK_CHUNK];
            for _ in 0..BULK_BYTES / BULK_CHUNK {
                T::write_all(&mut stream, &chunk).await;
            }
            drop(stream);
            reader.await
        });
        let (received, checked) = rt.block_on(driver);
        let took = start.elapsed();
        assert_eq!((received, checked), (BULK_BYTES, BULK_BYTES));
        took
    })
}
