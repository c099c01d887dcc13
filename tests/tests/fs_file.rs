//! `weft::fs::File`: reads, buffered background writes, seeks, sync, and how errors
//! from a background write reach the caller.

use std::future::poll_fn;
use std::io::{ErrorKind, SeekFrom};
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use weft::fs::{File, OpenOptions};
use weft::io::{AsyncRead, AsyncWrite, ReadBuf};
use weft::runtime::Builder;

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("weft-file-{name}-{}", std::process::id()))
}

async fn write_all(file: &mut File, mut data: &[u8]) -> std::io::Result<()> {
    while !data.is_empty() {
        let n = poll_fn(|cx| Pin::new(&mut *file).poll_write(cx, data)).await?;
        assert!(n > 0);
        data = &data[n..];
    }
    Ok(())
}

async fn read_some(file: &mut File, max: usize) -> std::io::Result<Vec<u8>> {
    let mut storage = vec![0; max];
    let mut buf = ReadBuf::new(&mut storage);
    poll_fn(|cx| Pin::new(&mut *file).poll_read(cx, &mut buf)).await?;
    Ok(buf.filled().to_vec())
}

async fn read_to_end(file: &mut File) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let chunk = read_some(file, 8 * 1024).await?;
        if chunk.is_empty() {
            return Ok(out);
        }
        out.extend_from_slice(&chunk);
    }
}

async fn flush(file: &mut File) -> std::io::Result<()> {
    poll_fn(|cx| Pin::new(&mut *file).poll_flush(cx)).await
}

async fn shutdown(file: &mut File) -> std::io::Result<()> {
    poll_fn(|cx| Pin::new(&mut *file).poll_shutdown(cx)).await
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn a_large_write_round_trips() {
    let path = scratch("large");
    let len = if cfg!(miri) {
        10_000
    } else {
        3 * 1024 * 1024 + 17
    };
    let expected = data(len);
    for rt in [
        Builder::new_current_thread().build().unwrap(),
        Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap(),
    ] {
        rt.block_on(async {
            let mut file = File::create(&path).await.unwrap();
            for chunk in expected.chunks(100_000) {
                write_all(&mut file, chunk).await.unwrap();
            }
            shutdown(&mut file).await.unwrap();
            // Shutdown returned: every byte is with the OS.
            assert_eq!(std::fs::metadata(&path).unwrap().len() as usize, len);
            drop(file);

            let mut file = File::open(&path).await.unwrap();
            assert_eq!(read_to_end(&mut file).await.unwrap(), expected);
            // End of file stays end of file.
            assert!(read_some(&mut file, 10).await.unwrap().is_empty());
        });
    }
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn flush_waits_for_the_write_in_flight() {
    let path = scratch("flush");
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let mut file = File::create(&path).await.unwrap();
        let payload = data(1024 * 1024);
        write_all(&mut file, &payload).await.unwrap();
        flush(&mut file).await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), payload);
        file.sync_all().await.unwrap();
        file.sync_data().await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), payload.len() as u64);
    });
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_failed_background_write_surfaces_on_flush() {
    let path = scratch("badwrite");
    std::fs::write(&path, "read only").unwrap();
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        // Opened for reading only: the write is accepted, then fails in the background.
        let mut file = File::open(&path).await.unwrap();
        let n = poll_fn(|cx| Pin::new(&mut file).poll_write(cx, b"nope")).await;
        assert_eq!(n.unwrap(), 4);
        let err = flush(&mut file).await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF), "{err}");
        // Reported once; the file goes on working.
        flush(&mut file).await.unwrap();
        assert_eq!(read_to_end(&mut file).await.unwrap(), b"read only");
    });
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_failed_background_write_surfaces_on_the_next_operation() {
    let path = scratch("badnext");
    std::fs::write(&path, "read only").unwrap();
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let mut file = File::open(&path).await.unwrap();
        poll_fn(|cx| Pin::new(&mut file).poll_write(cx, b"1"))
            .await
            .unwrap();
        let err = poll_fn(|cx| Pin::new(&mut file).poll_write(cx, b"2"))
            .await
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));

        poll_fn(|cx| Pin::new(&mut file).poll_write(cx, b"3"))
            .await
            .unwrap();
        assert_eq!(
            read_some(&mut file, 4).await.unwrap_err().raw_os_error(),
            Some(libc::EBADF)
        );

        poll_fn(|cx| Pin::new(&mut file).poll_write(cx, b"4"))
            .await
            .unwrap();
        assert_eq!(
            file.seek(SeekFrom::Start(0))
                .await
                .unwrap_err()
                .raw_os_error(),
            Some(libc::EBADF)
        );

        poll_fn(|cx| Pin::new(&mut file).poll_write(cx, b"5"))
            .await
            .unwrap();
        assert!(shutdown(&mut file).await.is_err());
    });
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn seek_moves_reads_and_writes() {
    let path = scratch("seek");
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .await
            .unwrap();
        write_all(&mut file, b"0123456789").await.unwrap();
        assert_eq!(file.seek(SeekFrom::Start(0)).await.unwrap(), 0);
        assert_eq!(read_some(&mut file, 4).await.unwrap(), b"0123");
        assert_eq!(file.seek(SeekFrom::Current(2)).await.unwrap(), 6);
        assert_eq!(read_some(&mut file, 2).await.unwrap(), b"67");
        assert_eq!(file.seek(SeekFrom::End(-1)).await.unwrap(), 9);
        assert_eq!(read_to_end(&mut file).await.unwrap(), b"9");
        assert_eq!(file.seek(SeekFrom::Start(3)).await.unwrap(), 3);
        write_all(&mut file, b"ab").await.unwrap();
        assert_eq!(read_to_end(&mut file).await.unwrap(), b"56789");
        let err = file.seek(SeekFrom::Current(-100)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        flush(&mut file).await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"012ab56789");

        file.set_len(4).await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"012a");
    });
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_write_after_an_abandoned_read_lands_at_the_callers_position() {
    let path = scratch("readahead");
    std::fs::write(&path, "hello world").unwrap();
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await
            .unwrap();
        // Start a read, poll it once, and walk away from it.
        let mut storage = [0u8; 4];
        let mut buf = ReadBuf::new(&mut storage);
        let mut cx = Context::from_waker(Waker::noop());
        let got = match Pin::new(&mut file).poll_read(&mut cx, &mut buf) {
            Poll::Ready(r) => {
                r.unwrap();
                buf.filled().len()
            }
            Poll::Pending => 0,
        };
        // Whatever the read brought ahead, the write goes where the caller stands.
        write_all(&mut file, b"XY").await.unwrap();
        flush(&mut file).await.unwrap();
        let mut expected = b"hello world".to_vec();
        expected[got..got + 2].copy_from_slice(b"XY");
        assert_eq!(std::fs::read(&path).unwrap(), expected);
    });
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn opening_errors_are_the_std_errors() {
    let path = scratch("exists");
    std::fs::write(&path, "x").unwrap();
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let missing = scratch("missing");
        assert_eq!(
            File::open(&missing).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        let err = File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        let mut appender = File::options().append(true).open(&path).await.unwrap();
        write_all(&mut appender, b"yz").await.unwrap();
        flush(&mut appender).await.unwrap();
    });
    assert_eq!(std::fs::read(&path).unwrap(), b"xyz");
    std::fs::remove_file(&path).unwrap();
}
