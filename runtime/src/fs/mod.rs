//! Asynchronous file-system access (`weft::fs`), run on the blocking pool.
//!
//! Operating systems offer no readiness-based file I/O that works for regular files,
//! so every operation here is a `std::fs` call run by [`crate::spawn_blocking`] and
//! awaited. One-shot operations (`read`, `write`, `metadata`...) are one blocking
//! call each; [`File`] keeps one background operation in flight and buffers around
//! it; [`ReadDir`] fetches directory entries in batches.
//!
//! Errors are the `std::io::Error`s the `std::fs` call returned, so a missing file is
//! `ErrorKind::NotFound` as in std.
//!
//! ```
//! # weft::run(async {
//! let dir = std::env::temp_dir().join(format!("weft-fs-doc-{}", std::process::id()));
//! weft::fs::create_dir_all(&dir).await?;
//! weft::fs::write(dir.join("hello.txt"), "hello").await?;
//! assert_eq!(weft::fs::read_to_string(dir.join("hello.txt")).await?, "hello");
//! weft::fs::remove_dir_all(&dir).await?;
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

mod dir_entry;
mod file;
mod open_options;
mod ops;
mod read_dir;

pub use self::dir_entry::DirEntry;
pub use self::file::File;
pub use self::open_options::OpenOptions;
pub use self::ops::{
    copy, create_dir, create_dir_all, metadata, read, read_to_string, remove_dir, remove_dir_all,
    remove_file, rename, write,
};
pub use self::read_dir::{ReadDir, read_dir};

use crate::task::JoinError;
use std::io;

/// Runs `f` on the blocking pool and returns its result.
///
/// A panic in `f` is resumed here, in the awaiting task; a runtime that shuts down
/// before `f` ran gives an `io::Error` of kind `Other`.
pub(crate) async fn asyncify<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match crate::spawn_blocking(f).await {
        Ok(result) => result,
        Err(err) => Err(join_error(err)),
    }
}

/// Turns a failed background operation into the error its caller sees: panics go on
/// unwinding in the caller, cancellation (runtime shutdown) becomes an `io::Error`.
pub(crate) fn join_error(err: JoinError) -> io::Error {
    if err.is_panic() {
        std::panic::resume_unwind(err.into_panic());
    }
    io::Error::other(
        "the runtime shut down before the file operation ran: keep the runtime alive \
         until its file operations finish",
    )
}
