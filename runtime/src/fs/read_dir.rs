//! `read_dir` and `ReadDir`: a directory listing read on the blocking pool in
//! batches, so one blocking call serves many entries.
//!
//! # Invariant
//!
//! At most one batch is being fetched at a time: the `std::fs::ReadDir` is either
//! here (`Idle`) or moved into the blocking call (`Fetching`), never both.

use super::{DirEntry, asyncify, join_error};
use crate::task::JoinHandle;
use futures_core::Stream;
use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// How many entries one blocking call reads.
const BATCH: usize = 32;

/// Lists the directory at `path` (like `std::fs::read_dir`).
///
/// # Errors
///
/// As `std::fs::read_dir`: `NotFound` if there is no such directory.
///
/// ```
/// # weft::run(async {
/// let dir = std::env::temp_dir().join(format!("weft-ls-{}", std::process::id()));
/// weft::fs::create_dir_all(&dir).await?;
/// weft::fs::write(dir.join("a"), "").await?;
/// weft::fs::write(dir.join("b"), "").await?;
/// let mut names = Vec::new();
/// let mut entries = weft::fs::read_dir(&dir).await?;
/// while let Some(entry) = entries.next_entry().await? {
///     names.push(entry.file_name());
/// }
/// names.sort();
/// assert_eq!(names, ["a", "b"]);
/// # weft::fs::remove_dir_all(&dir).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let std = asyncify(move || std::fs::read_dir(path)).await?;
    Ok(ReadDir {
        state: State::Idle(Some(Batch {
            entries: VecDeque::new(),
            std,
            more: true,
        })),
    })
}

/// The entries of a directory, from [`read_dir`]: call [`ReadDir::next_entry`], or
/// use it as a `Stream` of `io::Result<DirEntry>`.
///
/// ```
/// use futures_core::Stream;
/// use std::pin::Pin;
/// # weft::run(async {
/// let mut entries = weft::fs::read_dir(std::env::temp_dir()).await?;
/// let mut count = 0;
/// while let Some(entry) = std::future::poll_fn(|cx| Pin::new(&mut entries).poll_next(cx)).await {
///     entry?;
///     count += 1;
/// }
/// # let _ = count;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct ReadDir {
    state: State,
}

struct Batch {
    entries: VecDeque<io::Result<DirEntry>>,
    std: std::fs::ReadDir,
    /// Whether `std` may have entries left.
    more: bool,
}

enum State {
    /// Ready to hand out entries; `None` once a fetch was lost (its runtime shut down).
    Idle(Option<Batch>),
    Fetching(JoinHandle<Batch>),
}

impl ReadDir {
    /// The next entry, or `None` at the end of the listing.
    ///
    /// # Errors
    ///
    /// An entry the OS failed to read (the listing may go on after it).
    ///
    /// ```
    /// # weft::run(async {
    /// let dir = std::env::temp_dir().join(format!("weft-next-{}", std::process::id()));
    /// weft::fs::create_dir_all(&dir).await?;
    /// let mut entries = weft::fs::read_dir(&dir).await?;
    /// assert!(entries.next_entry().await?.is_none());
    /// # weft::fs::remove_dir_all(&dir).await?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry; see [`ReadDir::next_entry`].
    ///
    /// # Errors
    ///
    /// As [`ReadDir::next_entry`].
    ///
    /// ```
    /// # weft::run(async {
    /// let mut entries = weft::fs::read_dir(std::env::temp_dir()).await?;
    /// let first = std::future::poll_fn(|cx| entries.poll_next_entry(cx)).await?;
    /// # let _ = first;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match &mut self.state {
                State::Idle(batch) => {
                    let Some(mut current) = batch.take() else {
                        return Poll::Ready(Ok(None));
                    };
                    if let Some(entry) = current.entries.pop_front() {
                        *batch = Some(current);
                        return Poll::Ready(entry.map(Some));
                    }
                    if !current.more {
                        *batch = Some(current);
                        return Poll::Ready(Ok(None));
                    }
                    // Invariant: the std listing moves into the fetch.
                    self.state = State::Fetching(crate::spawn_blocking(move || {
                        for _ in 0..BATCH {
                            match current.std.next() {
                                Some(entry) => current.entries.push_back(entry.map(DirEntry::new)),
                                None => {
                                    current.more = false;
                                    break;
                                }
                            }
                        }
                        current
                    }));
                }
                State::Fetching(handle) => {
                    let fetched = ready!(Pin::new(handle).poll(cx));
                    match fetched {
                        Ok(batch) => self.state = State::Idle(Some(batch)),
                        Err(err) => {
                            self.state = State::Idle(None);
                            return Poll::Ready(Err(join_error(err)));
                        }
                    }
                }
            }
        }
    }
}

impl Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .poll_next_entry(cx)
            .map(|entry| entry.transpose())
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fetching = matches!(self.state, State::Fetching(_));
        f.debug_struct("ReadDir")
            .field("fetching", &fetching)
            .finish_non_exhaustive()
    }
}
