//! TCP over loopback: bulk echo, many concurrent connections, half-close, reset,
//! refused connects, and readiness delivered across threads.

mod support;

use std::io;
use std::sync::mpsc;
use std::thread;

use support::{
    DriverThread, block_on, block_on_parked, join_all, join2, pattern, read, read_exact,
    read_to_end, shutdown, write_all,
};
use weft_io::net::{TcpListener, TcpSocket, TcpStream};

#[test]
fn echo_one_mib_in_both_directions() {
    let len = if cfg!(miri) { 4 * 1024 } else { 1024 * 1024 };
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = async {
            let (mut stream, _) = listener.accept().await.unwrap();
            let (mut rd, mut wr) = stream.split();
            let mut buf = vec![0; 16 * 1024];
            loop {
                match read(&mut rd, &mut buf).await.unwrap() {
                    0 => break,
                    n => write_all(&mut wr, &buf[..n]).await.unwrap(),
                }
            }
            shutdown(&mut wr).await.unwrap();
        };
        let client = async {
            let stream = TcpStream::connect(addr).await.unwrap();
            let (mut rd, mut wr) = stream.into_split();
            let data = pattern(len, 7);
            let send = async {
                write_all(&mut wr, &data).await.unwrap();
                shutdown(&mut wr).await.unwrap();
            };
            let (_, echoed) = join2(send, read_to_end(&mut rd)).await;
            assert!(echoed.unwrap() == data, "echo differs from what was sent");
        };
        join2(server, client).await;
    });
}

#[test]
fn five_hundred_concurrent_connections_exchange_messages() {
    let (conns, rounds) = if cfg!(miri) { (4, 2) } else { (500, 3) };
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let listener = &listener;
        let pairs = (0..conns).map(|i| async move {
            let server = async {
                let (mut stream, _) = listener.accept().await.unwrap();
                let mut buf = [0; 8];
                loop {
                    match read(&mut stream, &mut buf).await.unwrap() {
                        0 => break,
                        n => write_all(&mut stream, &buf[..n]).await.unwrap(),
                    }
                }
            };
            let client = async {
                let mut stream = TcpStream::connect(addr).await.unwrap();
                for round in 0..rounds {
                    let msg = ((i * rounds + round) as u64).to_le_bytes();
                    write_all(&mut stream, &msg).await.unwrap();
                    let mut back = [0; 8];
                    read_exact(&mut stream, &mut back).await.unwrap();
                    assert_eq!(back, msg);
                }
                shutdown(&mut stream).await.unwrap();
                i
            };
            join2(server, client).await.1
        });
        let done = join_all(pairs).await;
        assert_eq!(done, (0..conns).collect::<Vec<_>>());
    });
}

#[test]
fn half_close_lets_the_peer_read_to_end_and_still_reply() {
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();

        write_all(&mut client, b"request").await.unwrap();
        shutdown(&mut client).await.unwrap();
        assert_eq!(read_to_end(&mut server).await.unwrap(), b"request");

        write_all(&mut server, b"reply").await.unwrap();
        drop(server);
        assert_eq!(read_to_end(&mut client).await.unwrap(), b"reply");
    });
}

#[test]
fn peer_reset_is_an_error_not_a_hang() {
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        // Linger 0 makes close send RST instead of FIN.
        socket2::SockRef::from(&server)
            .set_linger(Some(std::time::Duration::ZERO))
            .unwrap();
        drop(server);

        let mut buf = [0; 64];
        let err = loop {
            match read(&mut client, &mut buf).await {
                Err(e) => break e,
                Ok(0) => {
                    // Some kernels report the reset to the writer instead.
                    match write_all(&mut client, b"x").await {
                        Err(e) => break e,
                        Ok(()) => continue,
                    }
                }
                Ok(_) => unreachable!("the server sent nothing"),
            }
        };
        assert!(
            matches!(
                err.kind(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
            ),
            "unexpected error {err:?}"
        );
    });
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    block_on(async {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn connect_tries_each_resolved_address_and_accepts_host_names() {
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        // "localhost" needs the resolver (offloaded); it may yield ::1 first, which
        // refuses, before 127.0.0.1 answers.
        let stream = TcpStream::connect(format!("localhost:{port}"))
            .await
            .unwrap();
        assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
        let addrs: Vec<_> = weft_io::net::lookup_host(("localhost", port))
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().any(|a| a.ip().is_loopback()));
    });
}

#[test]
fn try_read_and_try_write_clear_readiness_on_would_block() {
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.set_nodelay(true).unwrap();
        assert!(client.nodelay().unwrap());

        server.writable().await.unwrap();
        assert_eq!(server.try_write(b"abc").unwrap(), 3);
        let mut buf = [0; 8];
        let n = loop {
            client.readable().await.unwrap();
            match client.try_read(&mut buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(&buf[..n], b"abc");
        // Drained: the next try hits WouldBlock and clears readiness, so a
        // readiness poll is pending again.
        assert_eq!(
            client.try_read(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(client.poll_read_ready(&mut cx).is_pending());
    });
}

#[test]
fn tcp_socket_options_bind_listen_connect() {
    block_on(async {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.set_reuseport(true).unwrap();
        assert!(socket.reuseaddr().unwrap() && socket.reuseport().unwrap());
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(64).unwrap();

        let client = TcpSocket::new_v4().unwrap();
        client.set_send_buffer_size(64 * 1024).unwrap();
        client.set_recv_buffer_size(64 * 1024).unwrap();
        assert!(client.send_buffer_size().unwrap() >= 64 * 1024);
        let mut stream = client
            .connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        write_all(&mut stream, b"hi").await.unwrap();
        let mut buf = [0; 2];
        read_exact(&mut server, &mut buf).await.unwrap();
        assert_eq!(&buf, b"hi");
    });
}

#[test]
fn readiness_reaches_a_future_polled_on_another_thread() {
    let reactor = DriverThread::spawn();
    let (listener, client, server) = {
        let _enter = reactor.handle().enter();
        block_on_parked(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let (server, _) = listener.accept().await.unwrap();
            (listener, client, server)
        })
    };
    // The reader was registered on this thread; it is polled on another one while
    // the reactor runs on a third.
    let (started_tx, started_rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        let mut server = server;
        block_on_parked(async move {
            started_tx.send(()).unwrap();
            let mut buf = [0; 5];
            read_exact(&mut server, &mut buf).await.unwrap();
            buf
        })
    });
    started_rx.recv().unwrap();
    let mut client = client;
    block_on_parked(write_all(&mut client, b"hello")).unwrap();
    assert_eq!(&reader.join().unwrap(), b"hello");
    drop(listener);
}

#[test]
fn dropping_the_reactor_fails_pending_reads_instead_of_hanging() {
    let reactor = DriverThread::spawn();
    let _enter = reactor.handle().enter();
    let (_listener, mut client, _server) = block_on_parked(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        (listener, client, server)
    });
    let (ready_tx, ready_rx) = mpsc::channel();
    let stopper = thread::spawn(move || {
        ready_rx.recv().unwrap();
        drop(reactor);
    });
    let err = block_on_parked(async {
        let mut buf = [0; 1];
        let read = read(&mut client, &mut buf);
        let mut read = std::pin::pin!(read);
        // Poll once so the read is registered as waiting, then stop the reactor.
        std::future::poll_fn(|cx| {
            if read.as_mut().poll(cx).is_pending() {
                ready_tx.send(()).unwrap();
            }
            std::task::Poll::Ready(())
        })
        .await;
        read.await.unwrap_err()
    });
    stopper.join().unwrap();
    assert!(weft_io::reactor::RuntimeGone::is(&err), "{err}");
}

use std::future::Future;

/// A read that fills its buffer and empties the receive queue clears readiness
/// (the kernel reports zero bytes left, `TCP_INQ`), so the next read parks instead
/// of failing with `EAGAIN` first; the next message still wakes it. End of stream
/// is still read, never assumed.
#[cfg(target_os = "linux")]
#[test]
fn a_read_that_drains_the_queue_parks_the_next_one() {
    use std::task::{Context, Waker};

    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let mut cx = Context::from_waker(Waker::noop());
        for round in 0..3u8 {
            write_all(&mut client, &[round; 64]).await.unwrap();
            let mut buf = [0; 64];
            read_exact(&mut server, &mut buf).await.unwrap();
            assert_eq!(buf, [round; 64]);
            assert!(
                server.poll_read_ready(&mut cx).is_pending(),
                "readiness outlived a read that drained the queue"
            );
        }
        // Two messages queued, one read of the first: the second is still ready.
        write_all(&mut client, &[7; 64]).await.unwrap();
        write_all(&mut client, &[8; 64]).await.unwrap();
        let mut buf = [0; 64];
        assert_eq!(read(&mut server, &mut buf[..1]).await.unwrap(), 1);
        assert!(server.poll_read_ready(&mut cx).is_ready());
        // End of stream after the last byte.
        shutdown(&mut client).await.unwrap();
        let rest = read_to_end(&mut server).await.unwrap();
        assert_eq!(rest.len(), 127);
    });
}

#[test]
fn reads_into_an_uninitialised_buffer_initialise_only_what_arrived() {
    use std::mem::MaybeUninit;
    use std::pin::Pin;
    use weft_io::io::{AsyncRead, ReadBuf};

    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (accepted, connected) = join2(listener.accept(), TcpStream::connect(addr)).await;
        let (mut server, _) = accepted.unwrap();
        let mut client = connected.unwrap();
        write_all(&mut client, b"hello").await.unwrap();

        let mut storage = [MaybeUninit::<u8>::uninit(); 8192];
        let mut buf = ReadBuf::uninit(&mut storage);
        while buf.filled().len() < 5 {
            let before = buf.filled().len();
            std::future::poll_fn(|cx| Pin::new(&mut server).poll_read(cx, &mut buf))
                .await
                .unwrap();
            assert!(
                buf.filled().len() > before,
                "end of stream before five bytes"
            );
        }
        // The socket wrote five bytes; the rest of the 8 KiB was never zeroed.
        assert_eq!(buf.filled(), b"hello");
        assert_eq!(buf.initialized().len(), 5);
    });
}
