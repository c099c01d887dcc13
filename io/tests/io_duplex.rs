//! The `duplex` pipe: backpressure, end of file, `BrokenPipe`, and wake-ups across
//! threads.

mod support_io;

use std::io::ErrorKind;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::task::{Context, Poll};

use support_io::{block_on, counting_waker, pattern, poll_once, scaled};
use weft_io::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf, duplex};

#[test]
fn full_buffer_applies_backpressure_until_the_peer_reads() {
    let (waker, wakes) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let (mut a, mut b) = duplex(8);

    // The buffer takes 8 of 10 bytes, then refuses more.
    assert!(matches!(
        Pin::new(&mut a).poll_write(&mut cx, b"0123456789"),
        Poll::Ready(Ok(8))
    ));
    assert!(Pin::new(&mut a).poll_write(&mut cx, b"89").is_pending());
    assert_eq!(wakes.load(Ordering::SeqCst), 0);

    let mut storage = [0u8; 5];
    let mut buf = ReadBuf::new(&mut storage);
    assert!(Pin::new(&mut b).poll_read(&mut cx, &mut buf).is_ready());
    assert_eq!(buf.filled(), b"01234");
    // Reading made room: the parked writer was woken exactly once.
    assert_eq!(wakes.load(Ordering::SeqCst), 1);
    assert!(matches!(
        Pin::new(&mut a).poll_write(&mut cx, b"89"),
        Poll::Ready(Ok(2))
    ));
}

#[test]
fn writer_thread_blocks_on_a_full_pipe_and_resumes() {
    let len = scaled(256 << 10, 8 << 10);
    let data = pattern(len);
    let (mut a, mut b) = duplex(100);
    let expected = data.clone();
    let writer = std::thread::spawn(move || {
        block_on(async {
            a.write_all(&data).await.unwrap();
            a.shutdown().await.unwrap();
        })
    });
    let got = block_on(async {
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        got
    });
    writer.join().unwrap();
    assert!(got == expected);
}

#[test]
fn eof_after_shutdown_once_drained() {
    block_on(async {
        let (mut a, mut b) = duplex(16);
        a.write_all(b"last words").await.unwrap();
        a.shutdown().await.unwrap();
        let mut got = String::new();
        b.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "last words");
        let mut buf = [0u8; 4];
        assert_eq!(b.read(&mut buf).await.unwrap(), 0);
        // The other direction is still open after a half-close.
        b.write_all(b"reply").await.unwrap();
        let mut reply = [0u8; 5];
        a.read_exact(&mut reply).await.unwrap();
        assert_eq!(&reply, b"reply");
    });
}

#[test]
fn eof_when_the_peer_is_dropped() {
    block_on(async {
        let (mut a, mut b) = duplex(16);
        a.write_all(b"bye").await.unwrap();
        drop(a);
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"bye");
    });
}

#[test]
fn parked_reader_wakes_on_peer_drop_from_another_thread() {
    let (a, mut b) = duplex(16);
    let (ready_tx, ready_rx) = mpsc::channel();
    let dropper = std::thread::spawn(move || {
        // Drop only once the reader has registered its waker.
        ready_rx.recv().unwrap();
        drop(a);
    });
    let n = block_on(async {
        let mut buf = [0u8; 4];
        let mut read = b.read(&mut buf);
        assert!(poll_once(&mut read).is_pending());
        ready_tx.send(()).unwrap();
        read.await.unwrap()
    });
    dropper.join().unwrap();
    assert_eq!(n, 0);
}

#[test]
fn writing_to_a_dropped_peer_is_broken_pipe() {
    block_on(async {
        let (mut a, b) = duplex(16);
        drop(b);
        let err = a.write_all(b"into the void").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

#[test]
fn blocked_writer_gets_broken_pipe_when_the_peer_goes_away() {
    let (mut a, mut b) = duplex(32);
    let (got_some_tx, got_some_rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        block_on(async {
            let mut first = [0u8; 32];
            b.read_exact(&mut first).await.unwrap();
        });
        got_some_tx.send(()).unwrap();
        drop(b);
    });
    let err = block_on(async {
        // Far more than the pipe holds: this blocks until the reader leaves.
        a.write_all(&pattern(10_000)).await.unwrap_err()
    });
    got_some_rx.recv().unwrap();
    reader.join().unwrap();
    assert_eq!(err.kind(), ErrorKind::BrokenPipe);
}

#[test]
fn write_after_own_shutdown_fails() {
    block_on(async {
        let (mut a, _b) = duplex(16);
        a.shutdown().await.unwrap();
        let err = a.write(b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}
