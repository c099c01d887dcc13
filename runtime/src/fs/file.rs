//! `File`: an open file whose reads, writes and seeks run on the blocking pool, one
//! background operation at a time.
//!
//! # Protocol
//!
//! 1. A `File` is `Idle` (holding its buffer) or `Busy` (the buffer and a clone of
//!    the `std::fs::File` are inside one blocking operation). Only one operation is
//!    ever in flight, so operations reach the OS in the order they were made.
//! 2. A write copies the caller's bytes into the buffer, starts the background
//!    `write_all` and reports success at once. Its outcome is looked at by whatever
//!    comes next: an error is returned by the next read, write, seek, flush,
//!    shutdown, `sync_*` or `set_len`, so no write error is lost while the `File` is
//!    used ("errors surface on the next operation").
//! 3. `flush` and `shutdown` wait for the write in flight: when they return `Ok`,
//!    every byte written has reached the OS ("writes flushed before close is
//!    reported"). Dropping a `File` with a write in flight lets that write finish in
//!    the background, but its error has nobody to go to: call `flush` first.
//! 4. A read fills the buffer with up to the caller's buffer size (at most
//!    `MAX_BUF`) and hands out from it. The OS file position is then ahead of the
//!    caller's by the unread bytes; before a write, seek or `set_len` the operation
//!    first seeks back by that much, so the caller's view of the position is the one
//!    that counts.

use super::{OpenOptions, asyncify, join_error};
use crate::io::{AsyncRead, AsyncWrite, ReadBuf};
use crate::task::JoinHandle;
use std::fmt;
use std::fs::Metadata;
use std::future::{Future, poll_fn};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

/// The most one background read or write moves.
const MAX_BUF: usize = 2 * 1024 * 1024;

/// An open file (asyncio users: like `aiofiles`, but on weft's blocking pool).
///
/// Implements [`AsyncRead`] and [`AsyncWrite`]; writes are buffered and done in the
/// background, so call `flush` (or `shutdown`) to learn that they landed.
///
/// ```
/// use std::future::poll_fn;
/// use std::pin::Pin;
/// use weft::io::{AsyncRead, AsyncWrite, ReadBuf};
/// # weft::run(async {
/// let path = std::env::temp_dir().join(format!("weft-file-{}", std::process::id()));
/// let mut file = weft::fs::File::create(&path).await?;
/// poll_fn(|cx| Pin::new(&mut file).poll_write(cx, b"hello")).await?;
/// poll_fn(|cx| Pin::new(&mut file).poll_flush(cx)).await?;
/// drop(file);
///
/// let mut file = weft::fs::File::open(&path).await?;
/// let mut storage = [0u8; 16];
/// let mut buf = ReadBuf::new(&mut storage);
/// poll_fn(|cx| Pin::new(&mut file).poll_read(cx, &mut buf)).await?;
/// assert_eq!(buf.filled(), b"hello");
/// # weft::fs::remove_file(&path).await?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct File {
    std: Arc<std::fs::File>,
    state: State,
}

enum State {
    /// No operation in flight; `None` only if an operation's task was lost (its
    /// runtime shut down), in which case a fresh buffer is made.
    Idle(Option<Buf>),
    Busy(JoinHandle<(Op, Buf)>),
}

/// What a finished background operation did.
enum Op {
    Read(io::Result<()>),
    Write(io::Result<()>),
    Seek(io::Result<u64>),
}

/// Bytes read ahead (`data[pos..]` unread) or waiting to be written (`data`).
#[derive(Default)]
struct Buf {
    data: Vec<u8>,
    pos: usize,
}

impl Buf {
    fn unread(&self) -> usize {
        self.data.len() - self.pos
    }

    fn copy_to(&mut self, dst: &mut ReadBuf<'_>) {
        let n = self.unread().min(dst.remaining());
        dst.put_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        if self.pos == self.data.len() {
            self.clear();
        }
    }

    fn clear(&mut self) {
        self.data.clear();
        self.pos = 0;
    }

    /// Forgets read-ahead bytes, returning how far the OS position is ahead.
    fn discard_read_ahead(&mut self) -> i64 {
        let ahead = self.unread() as i64;
        self.clear();
        ahead
    }

    fn read_from(&mut self, file: &std::fs::File, max: usize) -> io::Result<()> {
        self.data.resize(max, 0);
        self.pos = 0;
        let result = loop {
            match (&*file).read(&mut self.data) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        self.data.truncate(*result.as_ref().unwrap_or(&0));
        result.map(drop)
    }
}

impl File {
    /// Opens `path` for reading.
    ///
    /// # Errors
    ///
    /// As `std::fs::File::open`: `NotFound` if there is no such file.
    ///
    /// ```
    /// # weft::run(async {
    /// let err = weft::fs::File::open("/no/such/file").await.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// # });
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Creates (or truncates) `path` and opens it for writing.
    ///
    /// # Errors
    ///
    /// As `std::fs::File::create`.
    ///
    /// ```
    /// # weft::run(async {
    /// let path = std::env::temp_dir().join(format!("weft-create-{}", std::process::id()));
    /// let file = weft::fs::File::create(&path).await?;
    /// assert_eq!(file.metadata().await?.len(), 0);
    /// # weft::fs::remove_file(&path).await?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// A blank [`OpenOptions`], for the other ways of opening a file.
    ///
    /// ```
    /// # weft::run(async {
    /// let path = std::env::temp_dir().join(format!("weft-options-{}", std::process::id()));
    /// let file = weft::fs::File::options().append(true).create(true).open(&path).await?;
    /// # drop(file);
    /// # weft::fs::remove_file(&path).await?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps an open `std::fs::File`.
    ///
    /// ```
    /// # weft::run(async {
    /// let std_file = std::fs::File::open(std::env::current_exe()?)?;
    /// let file = weft::fs::File::from_std(std_file);
    /// assert!(file.metadata().await?.len() > 0);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(std: std::fs::File) -> File {
        File {
            std: Arc::new(std),
            state: State::Idle(Some(Buf::default())),
        }
    }

    /// Waits for the background operation in flight, if any (protocol 2): a failed
    /// write is reported here. Read-ahead stays buffered.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let State::Busy(handle) = &mut self.state {
            let (op, buf) = match ready!(Pin::new(handle).poll(cx)) {
                Ok(done) => done,
                Err(err) => {
                    self.state = State::Idle(None);
                    return Poll::Ready(Err(join_error(err)));
                }
            };
            self.state = State::Idle(Some(buf));
            if let Op::Write(Err(err)) = op {
                return Poll::Ready(Err(err));
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Takes the buffer of an idle file.
    fn take_buf(&mut self) -> Buf {
        match &mut self.state {
            State::Idle(buf) => buf.take().unwrap_or_default(),
            State::Busy(_) => unreachable!("take_buf is only called on an idle File"),
        }
    }

    /// Starts `op` in the background with the buffer (protocol 1).
    fn start(&mut self, op: impl FnOnce(&std::fs::File, &mut Buf) -> Op + Send + 'static) {
        let std = self.std.clone();
        let mut buf = self.take_buf();
        self.state = State::Busy(crate::spawn_blocking(move || {
            let done = op(&std, &mut buf);
            (done, buf)
        }));
    }

    /// Waits for the operation in flight and returns what it did.
    fn poll_op(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Op>> {
        let State::Busy(handle) = &mut self.state else {
            unreachable!("poll_op is only called on a busy File")
        };
        match ready!(Pin::new(handle).poll(cx)) {
            Ok((op, buf)) => {
                self.state = State::Idle(Some(buf));
                Poll::Ready(Ok(op))
            }
            Err(err) => {
                self.state = State::Idle(None);
                Poll::Ready(Err(join_error(err)))
            }
        }
    }

    /// Moves the file position, returning the new position from the start (like
    /// `std::io::Seek::seek`). A write in flight lands first.
    ///
    /// # Errors
    ///
    /// A failed earlier write (protocol 2), or the seek's own error (a negative
    /// position, say).
    ///
    /// ```
    /// use std::io::SeekFrom;
    /// # weft::run(async {
    /// let path = std::env::temp_dir().join(format!("weft-seek-{}", std::process::id()));
    /// weft::fs::write(&path, "0123456789").await?;
    /// let mut file = weft::fs::File::open(&path).await?;
    /// assert_eq!(file.seek(SeekFrom::End(-3)).await?, 7);
    /// # weft::fs::remove_file(&path).await?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        poll_fn(|cx| self.poll_idle(cx)).await?;
        let mut buf = self.take_buf();
        // Protocol 4: a relative seek is relative to the caller's position.
        let ahead = buf.discard_read_ahead();
        self.state = State::Idle(Some(buf));
        let pos = match pos {
            SeekFrom::Current(n) => SeekFrom::Current(n - ahead),
            other => other,
        };
        self.start(move |file, _| Op::Seek((&*file).seek(pos)));
        loop {
            if let Op::Seek(result) = poll_fn(|cx| self.poll_op(cx)).await? {
                return result;
            }
        }
    }

    /// Waits for pending writes, then flushes data and metadata to the device (like
    /// `std::fs::File::sync_all`).
    ///
    /// # Errors
    ///
    /// A failed earlier write (protocol 2), or the sync's own error.
    ///
    /// ```
    /// # weft::run(async {
    /// let path = std::env::temp_dir().join(format!("weft-sync-{}", std::process::id()));
    /// let mut file = weft::fs::File::create(&path).await?;
    /// file.sync_all().await?;
    /// # weft::fs::remove_file(&path).await?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn sync_all(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_idle(cx)).await?;
        let std = self.std.clone();
        asyncify(move || std.sync_all()).await
    }

    /// Waits for pending writes, then flushes data (not necessarily metadata) to the
    /// device (like `std::fs::File::sync_data`).
    ///
    /// # Errors
    ///
    /// A failed earlier write (protocol 2), or the sync's own error.
    ///
    /// ```
    /// # weft::run(async {
    /// let path = std::env::temp_dir().join(format!("weft-syncd-{}", std::process::id()));
    /// let mut file = weft::fs::File::create(&path).await?;
    /// file.sync_data().await?;
    /// # weft::fs::remove_file(&path).await?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn sync_data(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_idle(cx)).await?;
        let std = self.std.clone();
        asyncify(move || std.sync_data()).await
    }

    /// Waits for pending writes, then truncates or extends the file to `size` bytes
    /// (like `std::fs::File::set_len`). The position is unchanged.
    ///
    /// # Errors
    ///
    /// A failed earlier write (protocol 2), or `set_len`'s own error (a file not open
    /// for writing, say).
    ///
    /// ```
    /// # weft::run(async {
    /// let path = std::env::temp_dir().join(format!("weft-setlen-{}", std::process::id()));
    /// let mut file = weft::fs::File::create(&path).await?;
    /// file.set_len(100).await?;
    /// assert_eq!(file.metadata().await?.len(), 100);
    /// # weft::fs::remove_file(&path).await?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn set_len(&mut self, size: u64) -> io::Result<()> {
        poll_fn(|cx| self.poll_idle(cx)).await?;
        let mut buf = self.take_buf();
        let ahead = buf.discard_read_ahead();
        self.state = State::Idle(Some(buf));
        let std = self.std.clone();
        asyncify(move || {
            if ahead != 0 {
                (&*std).seek(SeekFrom::Current(-ahead))?;
            }
            std.set_len(size)
        })
        .await
    }

    /// The file's metadata (like `std::fs::File::metadata`). It does not wait for a
    /// write in flight: flush first to see its effect on the length.
    ///
    /// # Errors
    ///
    /// As `std::fs::File::metadata`.
    ///
    /// ```
    /// # weft::run(async {
    /// let file = weft::fs::File::open(std::env::current_exe()?).await?;
    /// assert!(file.metadata().await?.is_file());
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        loop {
            match &mut me.state {
                State::Busy(_) => match ready!(me.poll_op(cx))? {
                    Op::Read(result) => {
                        result?;
                        // Whatever the read brought (nothing at end of file) goes out.
                        if let State::Idle(Some(buf)) = &mut me.state {
                            buf.copy_to(dst);
                        }
                        return Poll::Ready(Ok(()));
                    }
                    Op::Write(Err(err)) => return Poll::Ready(Err(err)),
                    Op::Write(Ok(())) | Op::Seek(_) => {}
                },
                State::Idle(buf) => {
                    if let Some(buf) = buf
                        && buf.unread() > 0
                    {
                        buf.copy_to(dst);
                        return Poll::Ready(Ok(()));
                    }
                    if dst.remaining() == 0 {
                        return Poll::Ready(Ok(()));
                    }
                    let max = dst.remaining().min(MAX_BUF);
                    me.start(move |file, buf| Op::Read(buf.read_from(file, max)));
                }
            }
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        ready!(me.poll_idle(cx))?;
        let mut buf = me.take_buf();
        // Protocol 4: undo the read-ahead before writing at the caller's position.
        let ahead = buf.discard_read_ahead();
        let n = src.len().min(MAX_BUF);
        buf.data.extend_from_slice(&src[..n]);
        me.state = State::Idle(Some(buf));
        me.start(move |file, buf| {
            let result = (|| {
                if ahead != 0 {
                    (&*file).seek(SeekFrom::Current(-ahead))?;
                }
                (&*file).write_all(&buf.data)
            })();
            buf.clear();
            Op::Write(result)
        });
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Protocol 3: `std::fs::File` has no buffer of its own, so once the write in
        // flight is done everything written is with the OS.
        self.get_mut().poll_idle(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl From<std::fs::File> for File {
    fn from(std: std::fs::File) -> File {
        File::from_std(std)
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let busy = matches!(self.state, State::Busy(_));
        f.debug_struct("File")
            .field("std", &self.std)
            .field("busy", &busy)
            .finish()
    }
}
