//! The one-shot path operations of `weft::fs`: each is one `std::fs` call on the
//! blocking pool, taking owned copies of its arguments so the call can outlive a
//! cancelled caller.

use super::asyncify;
use std::fs::Metadata;
use std::io;
use std::path::Path;

/// Reads the whole file at `path` (like `std::fs::read`).
///
/// # Errors
///
/// As `std::fs::read`: `NotFound` if there is no such file, and so on.
///
/// ```
/// # weft::run(async {
/// let path = std::env::temp_dir().join(format!("weft-read-{}", std::process::id()));
/// weft::fs::write(&path, [1u8, 2, 3]).await?;
/// assert_eq!(weft::fs::read(&path).await?, [1, 2, 3]);
/// # weft::fs::remove_file(&path).await?;
/// let missing = weft::fs::read("/no/such/file").await.unwrap_err();
/// assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read(path)).await
}

/// Reads the whole file at `path` as UTF-8 (like `std::fs::read_to_string`).
///
/// # Errors
///
/// As `std::fs::read_to_string`; `InvalidData` if the file is not UTF-8.
///
/// ```
/// # weft::run(async {
/// let path = std::env::temp_dir().join(format!("weft-rts-{}", std::process::id()));
/// weft::fs::write(&path, "text").await?;
/// assert_eq!(weft::fs::read_to_string(&path).await?, "text");
/// # weft::fs::remove_file(&path).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_to_string(path)).await
}

/// Creates or truncates the file at `path` and writes `contents` (like
/// `std::fs::write`).
///
/// # Errors
///
/// As `std::fs::write`: `NotFound` if the parent directory is missing, and so on.
///
/// ```
/// # weft::run(async {
/// let path = std::env::temp_dir().join(format!("weft-write-{}", std::process::id()));
/// weft::fs::write(&path, b"bytes").await?;
/// assert_eq!(weft::fs::read(&path).await?, b"bytes");
/// # weft::fs::remove_file(&path).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    asyncify(move || std::fs::write(path, contents)).await
}

/// Copies the contents and permissions of `from` to `to`, returning the number of
/// bytes copied (like `std::fs::copy`).
///
/// # Errors
///
/// As `std::fs::copy`.
///
/// ```
/// # weft::run(async {
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join(format!("weft-cp-a-{}", std::process::id())), dir.join(format!("weft-cp-b-{}", std::process::id())));
/// weft::fs::write(&a, "copy me").await?;
/// assert_eq!(weft::fs::copy(&a, &b).await?, 7);
/// assert_eq!(weft::fs::read_to_string(&b).await?, "copy me");
/// # weft::fs::remove_file(&a).await?;
/// # weft::fs::remove_file(&b).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::copy(from, to)).await
}

/// Renames `from` to `to`, replacing `to` if it is a file (like `std::fs::rename`).
///
/// # Errors
///
/// As `std::fs::rename`.
///
/// ```
/// # weft::run(async {
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join(format!("weft-mv-a-{}", std::process::id())), dir.join(format!("weft-mv-b-{}", std::process::id())));
/// weft::fs::write(&a, "x").await?;
/// weft::fs::rename(&a, &b).await?;
/// assert!(weft::fs::metadata(&a).await.is_err());
/// # weft::fs::remove_file(&b).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    asyncify(move || std::fs::rename(from, to)).await
}

/// Removes a file (like `std::fs::remove_file`).
///
/// # Errors
///
/// As `std::fs::remove_file`: `NotFound` if there is no such file.
///
/// ```
/// # weft::run(async {
/// let err = weft::fs::remove_file("/no/such/file").await.unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
/// # });
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_file(path)).await
}

/// Creates one directory (like `std::fs::create_dir`).
///
/// # Errors
///
/// As `std::fs::create_dir`: `AlreadyExists`, or `NotFound` for a missing parent.
///
/// ```
/// # weft::run(async {
/// let dir = std::env::temp_dir().join(format!("weft-mkdir-{}", std::process::id()));
/// weft::fs::create_dir(&dir).await?;
/// assert!(weft::fs::metadata(&dir).await?.is_dir());
/// # weft::fs::remove_dir(&dir).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir(path)).await
}

/// Creates a directory and any missing parents (like `std::fs::create_dir_all`).
///
/// # Errors
///
/// As `std::fs::create_dir_all`.
///
/// ```
/// # weft::run(async {
/// let top = std::env::temp_dir().join(format!("weft-mkdirs-{}", std::process::id()));
/// weft::fs::create_dir_all(top.join("a/b")).await?;
/// assert!(weft::fs::metadata(top.join("a/b")).await?.is_dir());
/// # weft::fs::remove_dir_all(&top).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir_all(path)).await
}

/// Removes an empty directory (like `std::fs::remove_dir`).
///
/// # Errors
///
/// As `std::fs::remove_dir`: fails if the directory is not empty.
///
/// ```
/// # weft::run(async {
/// let dir = std::env::temp_dir().join(format!("weft-rmdir-{}", std::process::id()));
/// weft::fs::create_dir(&dir).await?;
/// weft::fs::remove_dir(&dir).await?;
/// assert!(weft::fs::metadata(&dir).await.is_err());
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir(path)).await
}

/// Removes a directory and everything in it (like `std::fs::remove_dir_all`).
///
/// # Errors
///
/// As `std::fs::remove_dir_all`.
///
/// ```
/// # weft::run(async {
/// let dir = std::env::temp_dir().join(format!("weft-rmrf-{}", std::process::id()));
/// weft::fs::create_dir_all(dir.join("inner")).await?;
/// weft::fs::write(dir.join("inner/file"), "x").await?;
/// weft::fs::remove_dir_all(&dir).await?;
/// assert!(weft::fs::metadata(&dir).await.is_err());
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir_all(path)).await
}

/// The metadata of `path`, following symbolic links (like `std::fs::metadata`).
///
/// # Errors
///
/// As `std::fs::metadata`: `NotFound` if there is nothing at `path`.
///
/// ```
/// # weft::run(async {
/// let meta = weft::fs::metadata(std::env::temp_dir()).await?;
/// assert!(meta.is_dir());
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::metadata(path)).await
}
