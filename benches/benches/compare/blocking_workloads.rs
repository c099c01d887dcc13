//! The blocking-pool workloads of issue 7: a burst of trivial closures on the
//! blocking pool, and many small file reads (which every runtime offloads to it).
//!
//! Invariant: as in every workload, one runtime per fixture, only the work is
//! timed, and each sample checks its result; the file of `fs_read_small` is
//! created before the runtime starts and removed when the fixture is dropped.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::peer::{Blocking, Fixture, Peer, Spawn, WORKERS};

/// A task submits 10 000 trivial closures to the blocking pool, then awaits them
/// all in order.
pub(crate) fn spawn_blocking_many<P: Peer>() -> Fixture
where
    P::Handle: Blocking,
{
    const CLOSURES: u64 = 10_000;
    let rt = P::start(WORKERS);
    Box::new(move || {
        let h = rt.handle();
        let start = Instant::now();
        let driver = rt.handle().spawn(async move {
            let joins: Vec<_> = (0..CLOSURES).map(|i| h.spawn_blocking(move || i)).collect();
            let mut sum = 0;
            for join in joins {
                sum += join.await;
            }
            sum
        });
        let sum = rt.block_on(driver);
        let took = start.elapsed();
        assert_eq!(sum, CLOSURES * (CLOSURES - 1) / 2);
        took
    })
}

/// Size of the file `fs_read_small` reads.
const FILE_SIZE: usize = 4096;

/// One task reads the same 4 KiB file 10 000 times in turn, checking each copy.
pub(crate) fn fs_read_small<P: Peer>() -> Fixture
where
    P::Handle: Blocking,
{
    const READS: usize = 10_000;
    let contents: Vec<u8> = (0..FILE_SIZE).map(|i| (i % 251) as u8).collect();
    let file = TempFile::create(P::NAME, &contents);
    let rt = P::start(WORKERS);
    Box::new(move || {
        let path = file.path.clone();
        let expected = contents.clone();
        let start = Instant::now();
        let driver = rt.handle().spawn(async move {
            let mut intact = 0;
            for _ in 0..READS {
                intact += usize::from(<P::Handle as Blocking>::read_file(&path).await == expected);
            }
            intact
        });
        let intact = rt.block_on(driver);
        let took = start.elapsed();
        assert_eq!(intact, READS);
        took
    })
}

/// A file under `std::env::temp_dir()`, named uniquely per process, runtime and
/// fixture, removed on drop.
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    fn create(runtime: &str, contents: &[u8]) -> TempFile {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "weft-bench-fs-read-small-{}-{runtime}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, contents).expect("the temp dir is writable");
        TempFile { path }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // Best effort: a file left behind is only a few KiB in the temp dir.
        let _ = std::fs::remove_file(&self.path);
    }
}
