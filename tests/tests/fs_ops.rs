//! `weft::fs` one-shot operations and directory listings: round trips and errors.

use std::future::poll_fn;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::pin::Pin;
use weft::runtime::{Builder, Runtime};

/// A fresh directory for one test (removed by the test on success).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-fs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every scheduler flavour, and a pool of one thread.
fn runtimes() -> Vec<Runtime> {
    vec![
        Builder::new_current_thread().build().unwrap(),
        Builder::new_multi_thread()
            .worker_threads(1)
            .build()
            .unwrap(),
        Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(1)
            .build()
            .unwrap(),
    ]
}

#[test]
fn round_trips() {
    for (i, rt) in runtimes().into_iter().enumerate() {
        let dir = scratch(&format!("round-{i}"));
        rt.block_on(async {
            let a = dir.join("a.txt");
            weft::fs::write(&a, "hello, weft").await.unwrap();
            assert_eq!(weft::fs::read(&a).await.unwrap(), b"hello, weft");
            assert_eq!(weft::fs::read_to_string(&a).await.unwrap(), "hello, weft");
            assert_eq!(weft::fs::metadata(&a).await.unwrap().len(), 11);

            let b = dir.join("b.txt");
            assert_eq!(weft::fs::copy(&a, &b).await.unwrap(), 11);
            assert_eq!(weft::fs::read(&b).await.unwrap(), b"hello, weft");

            let c = dir.join("c.txt");
            weft::fs::rename(&b, &c).await.unwrap();
            assert_eq!(
                weft::fs::metadata(&b).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
            assert_eq!(weft::fs::read(&c).await.unwrap(), b"hello, weft");

            weft::fs::remove_file(&c).await.unwrap();
            assert_eq!(
                weft::fs::read(&c).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );

            let nested = dir.join("x/y/z");
            weft::fs::create_dir_all(&nested).await.unwrap();
            assert!(weft::fs::metadata(&nested).await.unwrap().is_dir());
            weft::fs::create_dir(dir.join("solo")).await.unwrap();
            weft::fs::remove_dir(dir.join("solo")).await.unwrap();
            weft::fs::remove_dir_all(dir.join("x")).await.unwrap();
            assert!(weft::fs::metadata(dir.join("x")).await.is_err());
        });
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn errors_are_the_std_errors() {
    let dir = scratch("errors");
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let missing = dir.join("missing");
        let kind = |r: std::io::Error| r.kind();
        assert_eq!(
            kind(weft::fs::read(&missing).await.unwrap_err()),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(weft::fs::read_to_string(&missing).await.unwrap_err()),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(weft::fs::metadata(&missing).await.unwrap_err()),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(weft::fs::remove_file(&missing).await.unwrap_err()),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(weft::fs::remove_dir(&missing).await.unwrap_err()),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(weft::fs::copy(&missing, dir.join("to")).await.unwrap_err()),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(
                weft::fs::rename(&missing, dir.join("to"))
                    .await
                    .unwrap_err()
            ),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(weft::fs::read_dir(&missing).await.unwrap_err()),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(
                weft::fs::write(missing.join("child"), "x")
                    .await
                    .unwrap_err()
            ),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(weft::fs::create_dir(missing.join("a/b")).await.unwrap_err()),
            ErrorKind::NotFound
        );
        weft::fs::create_dir(dir.join("d")).await.unwrap();
        assert_eq!(
            kind(weft::fs::create_dir(dir.join("d")).await.unwrap_err()),
            ErrorKind::AlreadyExists
        );
        weft::fs::write(dir.join("d/f"), "x").await.unwrap();
        assert_eq!(
            kind(weft::fs::remove_dir(dir.join("d")).await.unwrap_err()),
            ErrorKind::DirectoryNotEmpty
        );
        weft::fs::write(dir.join("bin"), [0xff, 0xfe, 0x00])
            .await
            .unwrap();
        assert_eq!(
            kind(weft::fs::read_to_string(dir.join("bin")).await.unwrap_err()),
            ErrorKind::InvalidData
        );
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn read_dir_lists_every_entry_across_batches() {
    let dir = scratch("list");
    let n = if cfg!(miri) { 5 } else { 100 };
    for i in 0..n {
        std::fs::write(dir.join(format!("f{i:03}")), i.to_string()).unwrap();
    }
    let expected: Vec<String> = (0..n).map(|i| format!("f{i:03}")).collect();
    for rt in runtimes() {
        rt.block_on(async {
            let mut names = Vec::new();
            let mut entries = weft::fs::read_dir(&dir).await.unwrap();
            while let Some(entry) = entries.next_entry().await.unwrap() {
                assert_eq!(entry.path(), dir.join(entry.file_name()));
                assert!(entry.file_type().await.unwrap().is_file());
                names.push(entry.file_name().into_string().unwrap());
            }
            // The end is sticky.
            assert!(entries.next_entry().await.unwrap().is_none());
            names.sort();
            assert_eq!(names, expected);

            // The same through the Stream trait.
            let mut entries = weft::fs::read_dir(&dir).await.unwrap();
            let mut count = 0;
            while let Some(entry) =
                poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut entries), cx)).await
            {
                let entry = entry.unwrap();
                let len = entry.metadata().await.unwrap().len();
                let name = entry.file_name().into_string().unwrap();
                let i: usize = name[1..].parse().unwrap();
                assert_eq!(len as usize, i.to_string().len());
                count += 1;
            }
            assert_eq!(count, n);
        });
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[should_panic(expected = "no weft runtime is running here")]
fn outside_a_runtime_the_panic_says_what_to_do() {
    let fut = std::pin::pin!(weft::fs::read("/etc/hostname"));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let _ = std::future::Future::poll(fut, &mut cx);
}

#[test]
fn reads_in_turn_share_one_pool_thread() {
    // Each read is one hop to the pool; a task reading file after file keeps the
    // same pool thread busy instead of starting or waking one per read.
    const NAME: &str = "fs-one-thread";
    let reads = if cfg!(miri) { 10 } else { 1_000 };
    let dir = scratch("one-thread");
    let file = dir.join("small");
    std::fs::write(&file, vec![7u8; 4096]).unwrap();
    let rt = Builder::new_current_thread()
        .thread_name(NAME)
        .build()
        .unwrap();
    rt.block_on(async {
        for _ in 0..reads {
            assert_eq!(weft::fs::read(&file).await.unwrap(), vec![7u8; 4096]);
        }
    });
    // Idle pool threads live for the keep-alive (10 s), so every thread the reads
    // ever started is still counted here.
    assert_eq!(weft_tests::procfs::threads_named(NAME), 1);
    drop(rt);
    std::fs::remove_dir_all(&dir).unwrap();
}
