//! [`AsyncBufReadExt`]: `read_until`, `read_line`, `lines` and `split` on every
//! [`AsyncBufRead`], and the futures `read_until` and `read_line` return.
//!
//! # Invariant
//!
//! Bytes are consumed from the reader only after they have been appended to the
//! output vector, so a dropped [`ReadUntil`] has lost nothing. [`ReadLine`] reads
//! into the bytes of the caller's `String` and puts them back on completion and on
//! drop, keeping the `String` valid UTF-8 at all times.

use std::future::Future;
use std::io;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::read_ext::{invalid_utf8, restore_utf8};
use super::{AsyncBufRead, Lines, Split};

/// Helpers for every [`AsyncBufRead`]: line and delimiter based reading.
///
/// ```
/// use weft_io::io::{AsyncBufReadExt, BufReader};
/// # use weft_io::doc_support::block_on;
///
/// block_on(async {
///     let mut lines = BufReader::new(&b"a\r\nb\nc"[..]).lines();
///     let mut got = Vec::new();
///     while let Some(line) = lines.next_line().await.unwrap() {
///         got.push(line);
///     }
///     assert_eq!(got, ["a", "b", "c"]);
/// });
/// ```
pub trait AsyncBufReadExt: AsyncBufRead {
    /// Reads until `delim` (included) or end of file, appending to `buf`; returns
    /// how many bytes were appended. `0` means end of file.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe in the sense that nothing is lost: bytes read before the future
    /// is dropped are already appended to `buf`; calling `read_until` again
    /// continues the same segment.
    ///
    /// ```
    /// use weft_io::io::AsyncBufReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut src: &[u8] = b"key=value";
    ///     let mut key = Vec::new();
    ///     assert_eq!(src.read_until(b'=', &mut key).await.unwrap(), 4);
    ///     assert_eq!(key, b"key=");
    /// });
    /// ```
    fn read_until<'a>(&'a mut self, delim: u8, buf: &'a mut Vec<u8>) -> ReadUntil<'a, Self>
    where
        Self: Unpin,
    {
        ReadUntil {
            reader: self,
            delim,
            buf,
            read: 0,
        }
    }

    /// Reads one line, including its `\n` (and a `\r` before it), appending to
    /// `buf`; returns how many bytes were appended. `0` means end of file. The last
    /// line may lack its newline.
    ///
    /// If the line is not valid UTF-8 it fails with [`io::ErrorKind::InvalidData`]
    /// and leaves `buf` as it was.
    ///
    /// # Cancel safety
    ///
    /// Not fully cancel-safe: if the future is dropped, the part of the line read so
    /// far is appended to `buf` when it is valid UTF-8 on its own (so calling
    /// `read_line` again finishes the line); if the cut fell inside a multi-byte
    /// character, `buf` is left as it was and that part is lost. Use
    /// [`lines`](AsyncBufReadExt::lines) when cancellation must lose nothing.
    ///
    /// ```
    /// use weft_io::io::AsyncBufReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut src: &[u8] = b"first\r\nsecond";
    ///     let mut line = String::new();
    ///     src.read_line(&mut line).await.unwrap();
    ///     assert_eq!(line, "first\r\n");
    ///     line.clear();
    ///     src.read_line(&mut line).await.unwrap();
    ///     assert_eq!(line, "second");
    /// });
    /// ```
    fn read_line<'a>(&'a mut self, buf: &'a mut String) -> ReadLine<'a, Self>
    where
        Self: Unpin,
    {
        let bytes = mem::take(buf).into_bytes();
        ReadLine {
            reader: self,
            start_len: bytes.len(),
            bytes: Some(bytes),
            output: buf,
            read: 0,
        }
    }

    /// A stream of the lines of this reader, without their `\n` or `\r\n`.
    ///
    /// ```
    /// use weft_io::io::AsyncBufReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut lines = (&b"x\ny\n"[..]).lines();
    ///     assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("x"));
    ///     assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("y"));
    ///     assert_eq!(lines.next_line().await.unwrap(), None);
    /// });
    /// ```
    fn lines(self) -> Lines<Self>
    where
        Self: Sized,
    {
        Lines::new(self)
    }

    /// A stream of the segments of this reader separated by `delim`, without the
    /// delimiter.
    ///
    /// On a `&[u8]` the slice's own `split` method takes precedence; call this one as
    /// `AsyncBufReadExt::split(reader, delim)`, as below.
    ///
    /// ```
    /// use weft_io::io::AsyncBufReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut parts = AsyncBufReadExt::split(&b"a,b,,c"[..], b',');
    ///     let mut got = Vec::new();
    ///     while let Some(part) = parts.next_segment().await.unwrap() {
    ///         got.push(part);
    ///     }
    ///     assert_eq!(got, [&b"a"[..], b"b", b"", b"c"]);
    /// });
    /// ```
    fn split(self, delim: u8) -> Split<Self>
    where
        Self: Sized,
    {
        Split::new(self, delim)
    }
}

impl<R: AsyncBufRead + ?Sized> AsyncBufReadExt for R {}

/// Reads until `delim` (included) or end of file, appending to `buf`.
///
/// `read` counts the bytes appended by earlier polls of the same operation; it is
/// reset to 0 when the operation completes (and the total returned), so a caller
/// that keeps it across `Pending` gets the whole segment's length.
pub(crate) fn poll_read_until<R: AsyncBufRead + ?Sized>(
    mut reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    delim: u8,
    buf: &mut Vec<u8>,
    read: &mut usize,
) -> Poll<io::Result<usize>> {
    loop {
        let (found, used) = {
            let available = ready!(reader.as_mut().poll_fill_buf(cx))?;
            match available.iter().position(|&b| b == delim) {
                Some(i) => {
                    buf.extend_from_slice(&available[..=i]);
                    (true, i + 1)
                }
                None => {
                    buf.extend_from_slice(available);
                    // An empty buffer is end of file: the segment ends here too.
                    (available.is_empty(), available.len())
                }
            }
        };
        // Appended first, consumed second: a drop between the two cannot happen
        // (no await), and an error from the next fill leaves these bytes in `buf`.
        reader.as_mut().consume(used);
        *read += used;
        if found {
            return Poll::Ready(Ok(mem::take(read)));
        }
    }
}

/// The future returned by [`AsyncBufReadExt::read_until`]: resolves to the number
/// of bytes appended. Nothing read is lost on cancellation.
///
/// ```
/// use weft_io::io::{AsyncBufReadExt, ReadUntil};
/// # use weft_io::doc_support::block_on;
///
/// let mut src: &[u8] = b"a;b";
/// let mut out = Vec::new();
/// let fut: ReadUntil<'_, &[u8]> = src.read_until(b';', &mut out);
/// assert_eq!(block_on(fut).unwrap(), 2);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadUntil<'a, R: ?Sized> {
    reader: &'a mut R,
    delim: u8,
    buf: &'a mut Vec<u8>,
    read: usize,
}

impl<R: AsyncBufRead + Unpin + ?Sized> Future for ReadUntil<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        poll_read_until(
            Pin::new(&mut *me.reader),
            cx,
            me.delim,
            me.buf,
            &mut me.read,
        )
    }
}

/// The future returned by [`AsyncBufReadExt::read_line`]: resolves to the number of
/// bytes appended. On drop before completion it puts back what it can (see the
/// method's cancel-safety notes).
///
/// ```
/// use weft_io::io::{AsyncBufReadExt, ReadLine};
/// # use weft_io::doc_support::block_on;
///
/// let mut src: &[u8] = b"hi\n";
/// let mut line = String::new();
/// let fut: ReadLine<'_, &[u8]> = src.read_line(&mut line);
/// assert_eq!(block_on(fut).unwrap(), 3);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadLine<'a, R: ?Sized> {
    reader: &'a mut R,
    /// The caller's string, emptied while the read runs.
    output: &'a mut String,
    /// The caller's string's bytes plus the line so far; `None` once put back.
    bytes: Option<Vec<u8>>,
    /// How long the caller's string was.
    start_len: usize,
    read: usize,
}

impl<R: AsyncBufRead + Unpin + ?Sized> Future for ReadLine<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        let bytes = me
            .bytes
            .as_mut()
            .expect("ReadLine polled after it completed");
        let res = ready!(poll_read_until(
            Pin::new(&mut *me.reader),
            cx,
            b'\n',
            bytes,
            &mut me.read
        ));
        let bytes = me.bytes.take().unwrap_or_default();
        let all_kept = restore_utf8(me.output, bytes, me.start_len);
        Poll::Ready(match res {
            Ok(_) if !all_kept => Err(invalid_utf8("read_line")),
            Ok(n) => Ok(n),
            Err(e) => Err(e),
        })
    }
}

impl<R: ?Sized> Drop for ReadLine<'_, R> {
    fn drop(&mut self) {
        if let Some(bytes) = self.bytes.take() {
            restore_utf8(self.output, bytes, self.start_len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    fn ready<F: Future>(f: F) -> F::Output {
        match std::pin::pin!(f).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("in-memory reads are always ready"),
        }
    }

    #[test]
    fn read_line_bad_utf8_keeps_buffer_and_moves_on() {
        let mut src: &[u8] = b"\xffbad\nnext\n";
        let mut line = String::from("kept");
        let err = ready(src.read_line(&mut line)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(line, "kept");
        ready(src.read_line(&mut line)).unwrap();
        assert_eq!(line, "keptnext\n");
    }

    #[test]
    fn read_until_at_eof_returns_zero() {
        let mut src: &[u8] = b"";
        let mut out = Vec::new();
        assert_eq!(ready(src.read_until(b'\n', &mut out)).unwrap(), 0);
    }
}
