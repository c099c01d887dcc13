//! `copy` and `copy_bidirectional` over `duplex` pipes with small buffers.

mod support_io;

use std::io::ErrorKind;

use support_io::{block_on, join, pattern, scaled};
use weft_io::io::{
    AsyncReadExt, AsyncWriteExt, BufWriter, copy, copy_bidirectional, duplex, repeat, sink, split,
};

#[test]
fn copy_one_mib_through_small_pipes() {
    let len = scaled(1 << 20, 16 << 10);
    let data = pattern(len);
    block_on(async {
        let (mut src_w, mut src_r) = duplex(61);
        let (mut dst_w, mut dst_r) = duplex(97);
        let producer = async {
            for chunk in data.chunks(1000) {
                src_w.write_all(chunk).await.unwrap();
            }
            src_w.shutdown().await.unwrap();
        };
        let copier = async {
            let n = copy(&mut src_r, &mut dst_w).await.unwrap();
            dst_w.shutdown().await.unwrap();
            n
        };
        let consumer = async {
            let mut got = Vec::with_capacity(len);
            dst_r.read_to_end(&mut got).await.unwrap();
            got
        };
        let (((), copied), got) = join(join(producer, copier), consumer).await;
        assert_eq!(copied, len as u64);
        assert_eq!(got.len(), len);
        assert!(got == data, "copied bytes differ from the source");
    });
}

#[test]
fn copy_across_threads_with_buffered_writer() {
    let len = scaled(1 << 20, 16 << 10);
    let data = pattern(len);
    let (mut src_w, mut src_r) = duplex(512);
    let (dst_w, mut dst_r) = duplex(256);
    let expected = data.clone();
    let producer = std::thread::spawn(move || {
        block_on(async {
            src_w.write_all(&data).await.unwrap();
        })
    });
    let copier = std::thread::spawn(move || {
        block_on(async {
            let mut dst = BufWriter::with_capacity(1000, dst_w);
            // `copy` flushes the BufWriter at the end, so nothing is stuck in it.
            copy(&mut src_r, &mut dst).await.unwrap()
        })
    });
    let got = block_on(async {
        let mut got = Vec::new();
        dst_r.read_to_end(&mut got).await.unwrap();
        got
    });
    producer.join().unwrap();
    assert_eq!(copier.join().unwrap(), len as u64);
    assert!(got == expected);
}

#[test]
fn copy_counts_and_stops_at_eof() {
    block_on(async {
        let len = scaled(100_000, 10_000);
        let mut src = repeat(7).take(len as u64);
        let n = copy(&mut src, &mut sink()).await.unwrap();
        assert_eq!(n, len as u64);
    });
}

#[test]
fn copy_bidirectional_returns_both_counts_and_propagates_shutdown() {
    let up = pattern(scaled(300_000, 3_000));
    let down = pattern(scaled(500_000, 5_000));
    block_on(async {
        let (mut client, mut proxy_in) = duplex(128);
        let (mut proxy_out, mut server) = duplex(64);
        // Each end writes and reads at once (through `split`), as a real peer
        // would; writing everything before reading would deadlock on the small
        // pipes.
        let (mut client_r, mut client_w) = split(&mut client);
        let (mut server_r, mut server_w) = split(&mut server);
        let client_side = join(
            async {
                client_w.write_all(&up).await.unwrap();
                client_w.shutdown().await.unwrap();
            },
            async {
                let mut got = Vec::new();
                client_r.read_to_end(&mut got).await.unwrap();
                got
            },
        );
        let server_side = join(
            async {
                server_w.write_all(&down).await.unwrap();
                server_w.shutdown().await.unwrap();
            },
            async {
                let mut got = Vec::new();
                server_r.read_to_end(&mut got).await.unwrap();
                got
            },
        );
        let proxy = copy_bidirectional(&mut proxy_in, &mut proxy_out);
        let ((((), client_got), ((), server_got)), counts) =
            join(join(client_side, server_side), proxy).await;
        assert_eq!(counts.unwrap(), (up.len() as u64, down.len() as u64));
        assert!(client_got == down);
        assert!(server_got == up);
    });
}

#[test]
fn copy_bidirectional_fails_when_a_peer_vanishes() {
    block_on(async {
        let (mut client, mut proxy_in) = duplex(16);
        let (mut proxy_out, server) = duplex(16);
        drop(server);
        let driver = async {
            client.write_all(b"nobody will read this").await.ok();
        };
        let ((), res) = join(driver, copy_bidirectional(&mut proxy_in, &mut proxy_out)).await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::BrokenPipe);
    });
}
