//! The TCP proxy behind the `proxy` example: each accepted client is connected to one
//! upstream address and the bytes are relayed both ways with `copy_bidirectional`.
//!
//! Invariant: a client never waits on an upstream longer than the connect timeout;
//! when the upstream cannot be reached in time the client is closed and the failure
//! reported, and other clients are unaffected.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use weft::net::{TcpListener, TcpStream};
use weft::sync::Event;

use crate::stop::unless_stopped;

/// What happened to one proxied connection.
#[derive(Debug)]
pub enum ProxyEvent {
    /// The relay finished: bytes sent upstream and back downstream.
    Relayed {
        /// The client.
        client: SocketAddr,
        /// Bytes from the client to the upstream.
        up: u64,
        /// Bytes from the upstream to the client.
        down: u64,
    },
    /// Connecting to the upstream failed or timed out; the client was closed.
    UpstreamFailed {
        /// The client.
        client: SocketAddr,
        /// Why.
        error: io::Error,
    },
    /// The relay broke off with an error after some bytes.
    Broken {
        /// The client.
        client: SocketAddr,
        /// Why.
        error: io::Error,
    },
}

impl fmt::Display for ProxyEvent {
    /// ```
    /// use weft_examples::proxy::ProxyEvent;
    /// let e = ProxyEvent::Relayed { client: "127.0.0.1:5".parse().unwrap(), up: 3, down: 4 };
    /// assert_eq!(e.to_string(), "relayed 127.0.0.1:5: 3 bytes up, 4 bytes down");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyEvent::Relayed { client, up, down } => {
                write!(f, "relayed {client}: {up} bytes up, {down} bytes down")
            }
            ProxyEvent::UpstreamFailed { client, error } => {
                write!(f, "upstream unreachable for {client}: {error}")
            }
            ProxyEvent::Broken { client, error } => write!(f, "relay for {client} broke: {error}"),
        }
    }
}

/// Relays every client of `listener` to `upstream` until `stop` is set, giving up on
/// an upstream connect after `connect_timeout`, and calling `on_event` as each
/// connection ends.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use weft::io::{AsyncReadExt, AsyncWriteExt};
///
/// weft::run(async {
///     let stop = Arc::new(weft::sync::Event::new());
///     let echo = weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let upstream = echo.local_addr().unwrap();
///     weft::spawn(weft_examples::echo::serve(echo, 4, Duration::from_secs(1), stop.clone()));
///     let front = weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = front.local_addr().unwrap();
///     weft::spawn(weft_examples::proxy::serve(
///         front, upstream, Duration::from_secs(1), stop.clone(), |_| {},
///     ));
///
///     let mut client = weft::net::TcpStream::connect(addr).await.unwrap();
///     client.write_all(b"through the proxy").await.unwrap();
///     let mut back = [0; 17];
///     client.read_exact(&mut back).await.unwrap();
///     assert_eq!(&back, b"through the proxy");
///     stop.set();
/// });
/// ```
pub async fn serve(
    listener: TcpListener,
    upstream: SocketAddr,
    connect_timeout: Duration,
    stop: Arc<Event>,
    on_event: impl Fn(ProxyEvent) + Send + Sync + 'static,
) -> io::Result<()> {
    let on_event = Arc::new(on_event);
    while let Some(accepted) = unless_stopped(listener.accept(), &stop).await {
        let (mut client, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
            Err(e) => return Err(e),
        };
        let on_event = on_event.clone();
        weft::spawn(async move {
            let connected =
                weft::time::timeout(connect_timeout, TcpStream::connect(upstream)).await;
            let mut server = match connected {
                Ok(Ok(server)) => server,
                Ok(Err(error)) => {
                    return on_event(ProxyEvent::UpstreamFailed {
                        client: peer,
                        error,
                    });
                }
                Err(_elapsed) => {
                    let error = io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no connection to {upstream} within {connect_timeout:?}"),
                    );
                    return on_event(ProxyEvent::UpstreamFailed {
                        client: peer,
                        error,
                    });
                }
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            on_event(
                match weft::io::copy_bidirectional(&mut client, &mut server).await {
                    Ok((up, down)) => ProxyEvent::Relayed {
                        client: peer,
                        up,
                        down,
                    },
                    Err(error) => ProxyEvent::Broken {
                        client: peer,
                        error,
                    },
                },
            );
        });
    }
    Ok(())
}
