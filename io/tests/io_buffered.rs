//! `BufReader` and `BufWriter`: what reaches the inner stream, when, and in which
//! order; big transfers that bypass the buffer; both directions through one wrapper.

mod support_io;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use support_io::{block_on, join, pattern, poll_once};
use weft_io::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, BufWriter,
    ReadBuf, duplex,
};

/// Records every call that reaches it, in order.
#[derive(Default)]
struct Recorder {
    events: Vec<Event>,
}

#[derive(Debug, PartialEq)]
enum Event {
    Write(Vec<u8>),
    Flush,
    Shutdown,
}

impl AsyncWrite for Recorder {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().events.push(Event::Write(buf.to_vec()));
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().events.push(Event::Flush);
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().events.push(Event::Shutdown);
        Poll::Ready(Ok(()))
    }
}

#[test]
fn small_writes_are_gathered_until_flush() {
    block_on(async {
        let mut w = BufWriter::with_capacity(16, Recorder::default());
        w.write_all(b"a").await.unwrap();
        w.write_all(b"bc").await.unwrap();
        assert!(w.get_ref().events.is_empty());
        assert_eq!(w.buffer(), b"abc");
        w.flush().await.unwrap();
        assert_eq!(
            w.get_ref().events,
            [Event::Write(b"abc".to_vec()), Event::Flush]
        );
        assert!(w.buffer().is_empty());
    });
}

#[test]
fn big_write_bypasses_the_buffer_after_flushing_it() {
    block_on(async {
        let mut w = BufWriter::with_capacity(8, Recorder::default());
        w.write_all(b"head").await.unwrap();
        let big = pattern(20);
        w.write_all(&big).await.unwrap();
        // The buffered bytes went first, then the big write in one piece, never
        // copied through the 8-byte buffer.
        assert_eq!(
            w.get_ref().events,
            [Event::Write(b"head".to_vec()), Event::Write(big.clone())]
        );
        assert!(w.buffer().is_empty());
    });
}

#[test]
fn overflowing_write_flushes_first_and_keeps_order() {
    block_on(async {
        let mut w = BufWriter::with_capacity(8, Recorder::default());
        w.write_all(b"12345").await.unwrap();
        w.write_all(b"6789").await.unwrap(); // would overflow: flush "12345", buffer "6789"
        assert_eq!(w.get_ref().events, [Event::Write(b"12345".to_vec())]);
        assert_eq!(w.buffer(), b"6789");
        w.shutdown().await.unwrap();
        assert_eq!(
            w.get_ref().events,
            [
                Event::Write(b"12345".to_vec()),
                Event::Write(b"6789".to_vec()),
                Event::Shutdown
            ]
        );
    });
}

#[test]
fn peer_sees_buffered_bytes_only_after_flush() {
    block_on(async {
        let (a, mut b) = duplex(64);
        let mut w = BufWriter::new(a);
        w.write_all(b"hello ").await.unwrap();
        w.write_all(b"world").await.unwrap();
        let mut buf = [0u8; 11];
        assert!(poll_once(&mut b.read(&mut buf)).is_pending());
        w.flush().await.unwrap();
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hello world");
    });
}

#[test]
fn buf_writer_over_a_pipe_delivers_a_large_stream_in_order() {
    block_on(async {
        let data = pattern(200_000);
        let (a, mut b) = duplex(1000);
        let mut w = BufWriter::with_capacity(300, a);
        let writer = async {
            // Mixed sizes: some buffered, some bypassing.
            let mut rest = &data[..];
            let mut size = 1;
            while !rest.is_empty() {
                let n = size.min(rest.len());
                w.write_all(&rest[..n]).await.unwrap();
                rest = &rest[n..];
                size = size * 7 % 997 + 1;
            }
            w.shutdown().await.unwrap();
        };
        let mut got = Vec::new();
        let ((), n) = join(writer, b.read_to_end(&mut got)).await;
        assert_eq!(n.unwrap(), data.len());
        assert!(got == data, "bytes differ");
    });
}

/// Records the size of each read that reaches it.
struct CountingReader<'a> {
    data: &'a [u8],
    reads: Vec<usize>,
}

impl AsyncRead for CountingReader<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let room = buf.remaining();
        self.reads.push(room);
        Pin::new(&mut self.data).poll_read(cx, buf)
    }
}

#[test]
fn buf_reader_batches_small_reads_and_bypasses_big_ones() {
    block_on(async {
        let data = pattern(64);
        let mut r = BufReader::with_capacity(
            16,
            CountingReader {
                data: &data,
                reads: Vec::new(),
            },
        );
        let mut small = [0u8; 4];
        for i in 0..4 {
            r.read_exact(&mut small).await.unwrap();
            assert_eq!(&small[..], &data[i * 4..i * 4 + 4]);
        }
        // Four small reads, one inner read of a buffer's worth.
        assert_eq!(r.get_ref().reads, [16]);
        // Buffer empty and the caller's buffer big: straight through.
        let mut big = [0u8; 32];
        r.read_exact(&mut big).await.unwrap();
        assert_eq!(&big[..], &data[16..48]);
        assert_eq!(r.get_ref().reads, [16, 32]);
        assert!(r.buffer().is_empty());
        assert_eq!(r.capacity(), 16);
    });
}

#[test]
fn wrappers_pass_the_other_direction_through() {
    block_on(async {
        let (a, b) = duplex(64);
        // A BufReader still writes, a BufWriter still reads.
        let mut a = BufReader::new(a);
        let mut b = BufWriter::new(b);
        a.write_all(b"ping\n").await.unwrap();
        let mut line = String::new();
        let mut b_reader = BufReader::new(&mut b);
        b_reader.read_line(&mut line).await.unwrap();
        assert_eq!(line, "ping\n");
        b.write_all(b"pong\n").await.unwrap();
        b.flush().await.unwrap();
        line.clear();
        a.read_line(&mut line).await.unwrap();
        assert_eq!(line, "pong\n");
        let inner = a.into_inner();
        drop(inner);
        let mut rest = Vec::new();
        b.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
    });
}
