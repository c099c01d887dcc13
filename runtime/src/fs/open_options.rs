//! `OpenOptions`: `std::fs::OpenOptions` with an async `open`.

use super::{File, asyncify};
use std::io;
use std::path::Path;

/// How to open a file, as `std::fs::OpenOptions`; [`OpenOptions::open`] runs on the
/// blocking pool.
///
/// ```
/// use weft::fs::OpenOptions;
/// # weft::run(async {
/// let path = std::env::temp_dir().join(format!("weft-oo-{}", std::process::id()));
/// let file = OpenOptions::new().write(true).create(true).truncate(true).open(&path).await?;
/// # drop(file);
/// # weft::fs::remove_file(&path).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// All options off (as `std::fs::OpenOptions::new`).
    ///
    /// ```
    /// let opts = weft::fs::OpenOptions::new();
    /// # drop(opts);
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Open for reading.
    ///
    /// ```
    /// let mut opts = weft::fs::OpenOptions::new();
    /// opts.read(true);
    /// ```
    pub fn read(&mut self, read: bool) -> &mut Self {
        self.0.read(read);
        self
    }

    /// Open for writing.
    ///
    /// ```
    /// let mut opts = weft::fs::OpenOptions::new();
    /// opts.write(true);
    /// ```
    pub fn write(&mut self, write: bool) -> &mut Self {
        self.0.write(write);
        self
    }

    /// Every write goes to the end of the file.
    ///
    /// ```
    /// let mut opts = weft::fs::OpenOptions::new();
    /// opts.append(true);
    /// ```
    pub fn append(&mut self, append: bool) -> &mut Self {
        self.0.append(append);
        self
    }

    /// Cut the file to length 0 when opening it for writing.
    ///
    /// ```
    /// let mut opts = weft::fs::OpenOptions::new();
    /// opts.write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut Self {
        self.0.truncate(truncate);
        self
    }

    /// Create the file if it does not exist.
    ///
    /// ```
    /// let mut opts = weft::fs::OpenOptions::new();
    /// opts.write(true).create(true);
    /// ```
    pub fn create(&mut self, create: bool) -> &mut Self {
        self.0.create(create);
        self
    }

    /// Create the file, failing with `AlreadyExists` if it exists.
    ///
    /// ```
    /// let mut opts = weft::fs::OpenOptions::new();
    /// opts.write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut Self {
        self.0.create_new(create_new);
        self
    }

    /// Opens `path` with these options.
    ///
    /// # Errors
    ///
    /// As `std::fs::OpenOptions::open`: `NotFound`, `AlreadyExists`,
    /// `PermissionDenied`...
    ///
    /// ```
    /// # weft::run(async {
    /// let err = weft::fs::OpenOptions::new().read(true).open("/no/such/file").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// # });
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let opts = self.0.clone();
        let std = asyncify(move || opts.open(path)).await?;
        Ok(File::from_std(std))
    }
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}

impl From<std::fs::OpenOptions> for OpenOptions {
    fn from(opts: std::fs::OpenOptions) -> OpenOptions {
        OpenOptions(opts)
    }
}
