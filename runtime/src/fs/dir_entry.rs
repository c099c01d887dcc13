//! `DirEntry`: one entry yielded by [`super::ReadDir`], shared with the blocking
//! pool so its metadata can be fetched there.

use super::asyncify;
use std::ffi::OsString;
use std::fs::{FileType, Metadata};
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

/// An entry of a directory listing; see [`super::read_dir`].
///
/// ```
/// # weft::run(async {
/// let dir = std::env::temp_dir().join(format!("weft-entry-{}", std::process::id()));
/// weft::fs::create_dir_all(&dir).await?;
/// weft::fs::write(dir.join("f"), "12345").await?;
/// let mut entries = weft::fs::read_dir(&dir).await?;
/// let entry = entries.next_entry().await?.unwrap();
/// assert_eq!(entry.file_name(), "f");
/// assert_eq!(entry.path(), dir.join("f"));
/// assert!(entry.file_type().await?.is_file());
/// assert_eq!(entry.metadata().await?.len(), 5);
/// # weft::fs::remove_dir_all(&dir).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct DirEntry(Arc<std::fs::DirEntry>);

impl DirEntry {
    pub(crate) fn new(entry: std::fs::DirEntry) -> DirEntry {
        DirEntry(Arc::new(entry))
    }

    /// The full path: the listed directory joined with [`DirEntry::file_name`].
    ///
    /// ```
    /// # weft::run(async {
    /// let mut entries = weft::fs::read_dir(std::env::temp_dir()).await?;
    /// if let Some(entry) = entries.next_entry().await? {
    ///     assert!(entry.path().starts_with(std::env::temp_dir()));
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn path(&self) -> PathBuf {
        self.0.path()
    }

    /// The entry's name, without its directory.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut entries = weft::fs::read_dir(std::env::temp_dir()).await?;
    /// if let Some(entry) = entries.next_entry().await? {
    ///     assert!(!entry.file_name().is_empty());
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn file_name(&self) -> OsString {
        self.0.file_name()
    }

    /// The entry's metadata, not following symbolic links (like
    /// `std::fs::DirEntry::metadata`).
    ///
    /// # Errors
    ///
    /// As `std::fs::DirEntry::metadata` (the entry may be gone by now).
    ///
    /// ```
    /// # weft::run(async {
    /// let mut entries = weft::fs::read_dir(std::env::temp_dir()).await?;
    /// if let Some(entry) = entries.next_entry().await? {
    ///     let _ = entry.metadata().await;
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let entry = self.0.clone();
        asyncify(move || entry.metadata()).await
    }

    /// The entry's file type, not following symbolic links. Usually known from the
    /// listing itself; otherwise fetched on the blocking pool.
    ///
    /// # Errors
    ///
    /// As `std::fs::DirEntry::file_type`.
    ///
    /// ```
    /// # weft::run(async {
    /// let mut entries = weft::fs::read_dir(std::env::temp_dir()).await?;
    /// if let Some(entry) = entries.next_entry().await? {
    ///     let _ = entry.file_type().await;
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn file_type(&self) -> io::Result<FileType> {
        let entry = self.0.clone();
        asyncify(move || entry.file_type()).await
    }
}
