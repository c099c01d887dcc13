//! `split`: halves of one stream used concurrently from two threads, and `unsplit`.

mod support_io;

use support_io::{block_on, pattern, scaled};
use weft_io::io::{AsyncReadExt, AsyncWriteExt, duplex, split};

#[test]
fn halves_used_concurrently_from_two_threads() {
    let len = scaled(512 << 10, 8 << 10);
    let data = pattern(len);
    let (client, mut server) = duplex(64);
    let (mut rd, mut wr) = split(client);

    // An echo server on its own thread.
    let echo = std::thread::spawn(move || {
        block_on(async move {
            let mut buf = [0u8; 1000];
            loop {
                let n = server.read(&mut buf).await.unwrap();
                if n == 0 {
                    server.shutdown().await.unwrap();
                    return;
                }
                server.write_all(&buf[..n]).await.unwrap();
            }
        })
    });
    // The write half on one thread...
    let to_send = data.clone();
    let writer = std::thread::spawn(move || {
        block_on(async move {
            for chunk in to_send.chunks(777) {
                wr.write_all(chunk).await.unwrap();
            }
            wr.shutdown().await.unwrap();
            wr
        })
    });
    // ...the read half on another, at the same time: neither can finish alone,
    // because the pipes hold only 64 bytes each way.
    let reader = std::thread::spawn(move || {
        block_on(async move {
            let mut got = Vec::new();
            rd.read_to_end(&mut got).await.unwrap();
            (rd, got)
        })
    });

    let wr = writer.join().unwrap();
    let (rd, got) = reader.join().unwrap();
    echo.join().unwrap();
    assert!(got == data, "echoed bytes differ");
    assert!(rd.is_pair_of(&wr));
    let _client = rd.unsplit(wr);
}

#[test]
fn unsplit_gives_back_the_working_stream() {
    block_on(async {
        let (client, mut server) = duplex(64);
        let (rd, wr) = split(client);
        let mut client = rd.unsplit(wr);
        client.write_all(b"whole again").await.unwrap();
        let mut buf = [0u8; 11];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"whole again");
    });
}
