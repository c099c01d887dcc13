//! The `…Ext` helpers end to end: short reads, UTF-8 errors, lines with CRLF and a
//! missing final newline, adapters, and writes, over in-memory readers and `duplex`.

mod support_io;

use std::io::{self, Cursor, ErrorKind};

use support_io::{block_on, join, pattern};
use weft_io::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, duplex, empty, repeat};

#[test]
fn read_exact_short_read_is_unexpected_eof() {
    block_on(async {
        let (mut a, mut b) = duplex(64);
        a.write_all(b"only5").await.unwrap();
        drop(a);
        let mut buf = [0u8; 8];
        let err = b.read_exact(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
        // What did arrive is at the front of the buffer.
        assert_eq!(&buf[..5], b"only5");
    });
}

#[test]
fn read_exact_waits_for_every_byte() {
    block_on(async {
        let (mut a, mut b) = duplex(4);
        let data = pattern(100);
        let writer = async {
            for chunk in data.chunks(7) {
                a.write_all(chunk).await.unwrap();
            }
        };
        let mut got = [0u8; 100];
        let ((), n) = join(writer, b.read_exact(&mut got)).await;
        assert_eq!(n.unwrap(), 100);
        assert_eq!(&got[..], &data[..]);
    });
}

#[test]
fn read_to_string_bad_utf8_keeps_buffer_unchanged() {
    block_on(async {
        let mut text = String::from("before|");
        let mut src: &[u8] = b"ok \xF0\x28\x8C\x28 bad";
        let err = src.read_to_string(&mut text).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData);
        assert_eq!(text, "before|");
        // The bytes were consumed all the same.
        assert!(src.is_empty());
    });
}

#[test]
fn read_to_string_appends_multibyte_text_across_small_reads() {
    block_on(async {
        let text = "añb€c😀".repeat(50);
        let (mut a, b) = duplex(3);
        let writer = async {
            a.write_all(text.as_bytes()).await.unwrap();
            a.shutdown().await.unwrap();
        };
        let mut got = String::from(">");
        let mut b = b;
        let ((), n) = join(writer, b.read_to_string(&mut got)).await;
        assert_eq!(n.unwrap(), text.len());
        assert_eq!(got, format!(">{text}"));
    });
}

#[test]
fn read_line_handles_crlf_and_missing_final_newline() {
    block_on(async {
        let mut reader = BufReader::with_capacity(4, &b"one\r\ntwo\nthree"[..]);
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = reader.read_line(&mut line).await.unwrap();
            if n == 0 {
                break;
            }
            assert_eq!(n, line.len());
            lines.push(line);
        }
        // read_line keeps the terminator, whatever it is.
        assert_eq!(lines, ["one\r\n", "two\n", "three"]);
    });
}

#[test]
fn lines_strip_crlf_and_keep_an_unterminated_last_line() {
    block_on(async {
        let (mut a, b) = duplex(5);
        let writer = async {
            // Chunks cut through the CRLF pairs on purpose.
            for chunk in [&b"alpha\r"[..], b"\nbeta\n\r", b"\ngam", b"ma"] {
                a.write_all(chunk).await.unwrap();
            }
            a.shutdown().await.unwrap();
        };
        let reader = async {
            let mut lines = BufReader::with_capacity(3, b).lines();
            let mut got = Vec::new();
            while let Some(line) = lines.next_line().await.unwrap() {
                got.push(line);
            }
            got
        };
        let ((), got) = join(writer, reader).await;
        assert_eq!(got, ["alpha", "beta", "", "gamma"]);
    });
}

#[test]
fn lines_is_a_stream() {
    use futures_core::Stream;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    let mut lines = pin!(BufReader::new(&b"x\r\ny"[..]).lines());
    let mut cx = Context::from_waker(Waker::noop());
    let mut got = Vec::new();
    while let Poll::Ready(Some(line)) = lines.as_mut().poll_next(&mut cx) {
        got.push(line.unwrap());
    }
    assert_eq!(got, ["x", "y"]);
}

#[test]
fn read_until_and_split_over_a_pipe() {
    block_on(async {
        let (mut a, b) = duplex(2);
        let writer = async {
            a.write_all(b"k1=v1;k2=v2;tail").await.unwrap();
            a.shutdown().await.unwrap();
        };
        let reader = async {
            let mut b = BufReader::with_capacity(2, b);
            let mut first = Vec::new();
            b.read_until(b';', &mut first).await.unwrap();
            let mut rest = Vec::new();
            let mut parts = AsyncBufReadExt::split(b, b';');
            while let Some(part) = parts.next_segment().await.unwrap() {
                rest.push(part);
            }
            (first, rest)
        };
        let ((), (first, rest)) = join(writer, reader).await;
        assert_eq!(first, b"k1=v1;");
        assert_eq!(rest, [&b"k2=v2"[..], b"tail"]);
    });
}

#[test]
fn take_and_chain_compose() {
    block_on(async {
        let mut out = Vec::new();
        let reader = repeat(b'a')
            .take(3)
            .chain((&b"bcd"[..]).take(2))
            .chain(empty());
        let mut reader = reader;
        reader.read_to_end(&mut out).await.unwrap();
        assert_eq!(out, b"aaabc");
    });
}

#[test]
fn cursor_reads_and_writes() {
    block_on(async {
        let mut c = Cursor::new(Vec::new());
        c.write_all(b"hello world").await.unwrap();
        c.set_position(6);
        let mut s = String::new();
        c.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "world");
    });
}

#[test]
fn write_all_through_backpressure_and_vectored_write() {
    block_on(async {
        let data = pattern(10_000);
        let (mut a, mut b) = duplex(16);
        let writer = async {
            a.write_all(&data).await.unwrap();
            let bufs = [io::IoSlice::new(b""), io::IoSlice::new(b"end")];
            // The default vectored write takes the first non-empty slice.
            assert_eq!(a.write_vectored(&bufs).await.unwrap(), 3);
            a.flush().await.unwrap();
            a.shutdown().await.unwrap();
        };
        let mut got = Vec::new();
        let ((), n) = join(writer, b.read_to_end(&mut got)).await;
        assert_eq!(n.unwrap(), data.len() + 3);
        assert_eq!(&got[..data.len()], &data[..]);
        assert_eq!(&got[data.len()..], b"end");
    });
}
