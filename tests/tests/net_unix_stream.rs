//! `UnixStream` on every scheduler flavour: its borrowed and owned halves (the same
//! generic halves `TcpStream` uses), `try_read`/`try_write` paired with
//! `readable`/`writable`, and the peer's credentials.

use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::UnixStream;
use weft_tests::rt_test;

/// Bytes each test pushes through a pair: more than a socket buffer holds, so
/// writers really wait for readers.
const BYTES: usize = if cfg!(miri) { 4 << 10 } else { 1 << 20 };

/// `len` bytes that differ from their neighbours, so a dropped or repeated chunk shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

rt_test! {
    async fn borrowed_halves_echo_in_both_directions_at_once() {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        let data = pattern(BYTES);
        let expected = data.clone();
        // `b` echoes everything it reads, through its own two halves at once.
        let echo = weft::spawn(async move {
            let (mut rd, mut wr) = b.split();
            let copied = weft::io::copy(&mut rd, &mut wr).await.unwrap();
            wr.shutdown().await.unwrap();
            copied
        });
        let (mut rd, mut wr) = a.split();
        let ((), received) = weft::join!(
            async {
                wr.write_all(&data).await.unwrap();
                wr.shutdown().await.unwrap();
            },
            async {
                let mut back = Vec::new();
                rd.read_to_end(&mut back).await.unwrap();
                back
            }
        );
        assert!(received == expected, "the echo came back altered");
        assert_eq!(echo.await.unwrap(), BYTES as u64);
    }
}

rt_test! {
    async fn owned_halves_move_to_other_tasks_and_reunite() {
        let (a, b) = UnixStream::pair().unwrap();
        let (mut a_read, mut a_write) = a.into_split();
        let data = pattern(BYTES);
        let expected = data.clone();
        let writer = weft::spawn(async move {
            a_write.write_all(&data).await.unwrap();
            a_write
        });
        let reader = weft::spawn(async move {
            let mut b = b;
            let mut got = vec![0; BYTES];
            b.read_exact(&mut got).await.unwrap();
            b.write_all(b"done").await.unwrap();
            (b, got)
        });
        let (b, got) = reader.await.unwrap();
        assert!(got == expected, "the bytes arrived altered");
        let a_write = writer.await.unwrap();
        let mut done = [0; 4];
        a_read.read_exact(&mut done).await.unwrap();
        assert_eq!(&done, b"done");

        // Reunited, the stream is whole again: dropping it closes both directions.
        let a = a_read.reunite(a_write).expect("halves of one stream");
        drop(a);
        let (mut b_read, _b_write) = b.into_split();
        let mut rest = Vec::new();
        b_read.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
    }
}

rt_test! {
    async fn dropping_the_owned_write_half_sends_end_of_stream() {
        let (a, mut b) = UnixStream::pair().unwrap();
        let (a_read, mut a_write) = a.into_split();
        a_write.write_all(b"last words").await.unwrap();
        drop(a_write);
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"last words");
        // The read half still works after the write half is gone.
        b.write_all(b"reply").await.unwrap();
        let mut reply = [0; 5];
        let mut a_read = a_read;
        a_read.read_exact(&mut reply).await.unwrap();
        assert_eq!(&reply, b"reply");
    }
}

rt_test! {
    async fn reuniting_halves_of_different_streams_gives_both_back() {
        let (a, b) = UnixStream::pair().unwrap();
        let (a_read, a_write) = a.into_split();
        let (b_read, b_write) = b.into_split();
        let err = a_read.reunite(b_write).unwrap_err();
        assert!(err.to_string().contains("different Unix streams"), "{err}");
        let (a_read, b_write) = (err.0, err.1);
        assert!(a_read.reunite(a_write).is_ok());
        assert!(b_read.reunite(b_write).is_ok());
    }
}

rt_test! {
    async fn try_read_and_try_write_with_readiness() {
        let (a, b) = UnixStream::pair().unwrap();
        let data = pattern(BYTES);
        let expected = data.clone();
        // The writer fills the socket until it would block, then waits to be writable.
        let writer = weft::spawn(async move {
            let mut sent = 0;
            while sent < data.len() {
                a.writable().await.unwrap();
                match a.try_write(&data[sent..]) {
                    Ok(n) => sent += n,
                    // Readiness was stale: `try_write` cleared it, so the next wait waits.
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => panic!("try_write failed: {e}"),
                }
            }
            a
        });
        let mut got = Vec::with_capacity(BYTES);
        let mut buf = vec![0; 64 << 10];
        while got.len() < BYTES {
            b.readable().await.unwrap();
            match b.try_read(&mut buf) {
                Ok(0) => panic!("end of stream after {} bytes", got.len()),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("try_read failed: {e}"),
            }
        }
        assert!(got == expected, "the bytes arrived altered");
        let a = writer.await.unwrap();
        // Nothing more is coming: a try_read now reports WouldBlock, not data.
        let err = b.try_read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
        drop(a);
        b.readable().await.unwrap();
        assert_eq!(b.try_read(&mut buf).unwrap(), 0, "end of stream once the peer is gone");
    }
}

rt_test! {
    async fn peer_cred_names_this_process() {
        let (a, b) = UnixStream::pair().unwrap();
        let cred = a.peer_cred().unwrap();
        assert_eq!(cred, b.peer_cred().unwrap());
        assert_eq!(cred.pid(), Some(std::process::id() as i32));
        // SAFETY: `geteuid` and `getegid` have no preconditions.
        let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
        assert_eq!((cred.uid(), cred.gid()), (uid, gid));
    }
}
