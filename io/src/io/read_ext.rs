//! [`AsyncReadExt`]: `read`, `read_exact`, `read_to_end`, `read_to_string`,
//! `read_buf`, `take` and `chain` on every [`AsyncRead`], and the named futures they
//! return.
//!
//! # Invariant
//!
//! Every future here keeps the progress it has made in the buffer it was given (or,
//! for `read_to_string`, in a byte vector that is put back into the caller's `String`
//! on completion *and* on drop), so cancelling one never loses bytes that were
//! already handed to the caller's buffer. What each one promises on cancellation is
//! in its `# Cancel safety` section.

use std::future::Future;
use std::io;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::{AsyncRead, Chain, ReadBuf, Take};

/// Helpers for every [`AsyncRead`]: `reader.read(&mut buf).await` and friends.
///
/// ```
/// use weft_io::io::AsyncReadExt;
/// # use weft_io::doc_support::block_on;
///
/// block_on(async {
///     let mut src: &[u8] = b"abcdef";
///     let mut head = [0u8; 2];
///     src.read_exact(&mut head).await.unwrap();
///     let mut rest = Vec::new();
///     src.read_to_end(&mut rest).await.unwrap();
///     assert_eq!((&head, &rest[..]), (b"ab", &b"cdef"[..]));
/// });
/// ```
pub trait AsyncReadExt: AsyncRead {
    /// Reads some bytes into `buf`, returning how many; `0` means end of file (or an
    /// empty `buf`).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: if the future is dropped before it completes, no bytes were read.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut src: &[u8] = b"xyz";
    ///     let mut buf = [0u8; 8];
    ///     assert_eq!(src.read(&mut buf).await.unwrap(), 3);
    ///     assert_eq!(src.read(&mut buf).await.unwrap(), 0);
    /// });
    /// ```
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> Read<'a, Self>
    where
        Self: Unpin,
    {
        Read { reader: self, buf }
    }

    /// Reads exactly `buf.len()` bytes, returning that length.
    ///
    /// Fails with [`io::ErrorKind::UnexpectedEof`] if the source ends first; the
    /// bytes that did arrive are then at the start of `buf`.
    ///
    /// # Cancel safety
    ///
    /// Not cancel-safe: if the future is dropped, some bytes may have been read into
    /// `buf` and there is no way to tell how many.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use weft_io::io::AsyncReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut src: &[u8] = b"abc";
    ///     let mut buf = [0u8; 4];
    ///     let err = src.read_exact(&mut buf).await.unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    /// });
    /// ```
    fn read_exact<'a>(&'a mut self, buf: &'a mut [u8]) -> ReadExact<'a, Self>
    where
        Self: Unpin,
    {
        ReadExact {
            reader: self,
            buf: ReadBuf::new(buf),
        }
    }

    /// Reads into the unfilled part of `buf`, returning how many bytes were added.
    /// The buffer may start uninitialised (see [`ReadBuf::uninit`]).
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: if the future is dropped before it completes, no bytes were read.
    ///
    /// ```
    /// use weft_io::io::{AsyncReadExt, ReadBuf};
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut src: &[u8] = b"hello";
    ///     let mut storage = [std::mem::MaybeUninit::uninit(); 16];
    ///     let mut buf = ReadBuf::uninit(&mut storage);
    ///     assert_eq!(src.read_buf(&mut buf).await.unwrap(), 5);
    ///     assert_eq!(buf.filled(), b"hello");
    /// });
    /// ```
    fn read_buf<'a, 'b>(&'a mut self, buf: &'a mut ReadBuf<'b>) -> ReadBufFuture<'a, 'b, Self>
    where
        Self: Unpin,
    {
        ReadBufFuture { reader: self, buf }
    }

    /// Reads until end of file, appending to `buf`; returns how many bytes were
    /// appended.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe in the sense that nothing is lost: every byte read before the
    /// future is dropped is already appended to `buf`, and calling `read_to_end`
    /// again continues from there.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut buf = b"<".to_vec();
    ///     let n = (&b"body"[..]).read_to_end(&mut buf).await.unwrap();
    ///     assert_eq!((n, &buf[..]), (4, &b"<body"[..]));
    /// });
    /// ```
    fn read_to_end<'a>(&'a mut self, buf: &'a mut Vec<u8>) -> ReadToEnd<'a, Self>
    where
        Self: Unpin,
    {
        let start_len = buf.len();
        ReadToEnd {
            reader: self,
            buf,
            start_len,
        }
    }

    /// Reads until end of file, appending to `buf` as UTF-8; returns how many bytes
    /// were appended.
    ///
    /// If what was read is not valid UTF-8 it fails with
    /// [`io::ErrorKind::InvalidData`] and leaves `buf` exactly as it was (the bytes
    /// are consumed from the reader all the same).
    ///
    /// # Cancel safety
    ///
    /// Not fully cancel-safe: if the future is dropped, the bytes read so far are
    /// appended to `buf` when they are valid UTF-8 on their own; if the cut fell
    /// inside a multi-byte character (or the data is not UTF-8), `buf` is left as it
    /// was and those bytes are lost.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// use weft_io::io::AsyncReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut text = String::from("say: ");
    ///     (&b"hi"[..]).read_to_string(&mut text).await.unwrap();
    ///     assert_eq!(text, "say: hi");
    ///
    ///     let err = (&b"\xff"[..]).read_to_string(&mut text).await.unwrap_err();
    ///     assert_eq!(err.kind(), ErrorKind::InvalidData);
    ///     assert_eq!(text, "say: hi");
    /// });
    /// ```
    fn read_to_string<'a>(&'a mut self, buf: &'a mut String) -> ReadToString<'a, Self>
    where
        Self: Unpin,
    {
        let bytes = mem::take(buf).into_bytes();
        ReadToString {
            reader: self,
            start_len: bytes.len(),
            bytes: Some(bytes),
            output: buf,
        }
    }

    /// An adapter that reads at most `limit` bytes from `self`, then reports end of
    /// file.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut head = Vec::new();
    ///     (&b"abcdef"[..]).take(3).read_to_end(&mut head).await.unwrap();
    ///     assert_eq!(head, b"abc");
    /// });
    /// ```
    fn take(self, limit: u64) -> Take<Self>
    where
        Self: Sized,
    {
        Take::new(self, limit)
    }

    /// An adapter that reads `self` to end of file, then `next`.
    ///
    /// ```
    /// use weft_io::io::AsyncReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut all = String::new();
    ///     (&b"ab"[..]).chain(&b"cd"[..]).read_to_string(&mut all).await.unwrap();
    ///     assert_eq!(all, "abcd");
    /// });
    /// ```
    fn chain<R: AsyncRead>(self, next: R) -> Chain<Self, R>
    where
        Self: Sized,
    {
        Chain::new(self, next)
    }
}

impl<R: AsyncRead + ?Sized> AsyncReadExt for R {}

/// The future returned by [`AsyncReadExt::read`]: resolves to the number of bytes
/// read. Cancel-safe.
///
/// ```
/// use weft_io::io::{AsyncReadExt, Read};
/// # use weft_io::doc_support::block_on;
///
/// let mut src: &[u8] = b"a";
/// let mut buf = [0u8; 1];
/// let fut: Read<'_, &[u8]> = src.read(&mut buf);
/// assert_eq!(block_on(fut).unwrap(), 1);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Read<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut [u8],
}

impl<R: AsyncRead + Unpin + ?Sized> Future for Read<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        let mut buf = ReadBuf::new(me.buf);
        ready!(Pin::new(&mut *me.reader).poll_read(cx, &mut buf))?;
        Poll::Ready(Ok(buf.filled().len()))
    }
}

/// The future returned by [`AsyncReadExt::read_exact`]: resolves to the buffer's
/// length. Not cancel-safe.
///
/// ```
/// use weft_io::io::{AsyncReadExt, ReadExact};
/// # use weft_io::doc_support::block_on;
///
/// let mut src: &[u8] = b"ab";
/// let mut buf = [0u8; 2];
/// let fut: ReadExact<'_, &[u8]> = src.read_exact(&mut buf);
/// assert_eq!(block_on(fut).unwrap(), 2);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadExact<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: ReadBuf<'a>,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadExact<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        while me.buf.remaining() > 0 {
            let before = me.buf.filled().len();
            ready!(Pin::new(&mut *me.reader).poll_read(cx, &mut me.buf))?;
            if me.buf.filled().len() == before {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "end of file after {before} of the {} bytes read_exact needed; \
                         use read or read_to_end to accept a shorter input",
                        me.buf.capacity()
                    ),
                )));
            }
        }
        Poll::Ready(Ok(me.buf.capacity()))
    }
}

/// The future returned by [`AsyncReadExt::read_buf`]: resolves to the number of
/// bytes added to the buffer. Cancel-safe.
///
/// ```
/// use weft_io::io::{AsyncReadExt, ReadBuf, ReadBufFuture};
/// # use weft_io::doc_support::block_on;
///
/// let mut src: &[u8] = b"abc";
/// let mut storage = [0u8; 2];
/// let mut buf = ReadBuf::new(&mut storage);
/// let fut: ReadBufFuture<'_, '_, &[u8]> = src.read_buf(&mut buf);
/// assert_eq!(block_on(fut).unwrap(), 2);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadBufFuture<'a, 'b, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut ReadBuf<'b>,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadBufFuture<'_, '_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        let before = me.buf.filled().len();
        ready!(Pin::new(&mut *me.reader).poll_read(cx, me.buf))?;
        Poll::Ready(Ok(me.buf.filled().len().saturating_sub(before)))
    }
}

/// The future returned by [`AsyncReadExt::read_to_end`]: resolves to the number of
/// bytes appended. Nothing read is lost on cancellation.
///
/// ```
/// use weft_io::io::{AsyncReadExt, ReadToEnd};
/// # use weft_io::doc_support::block_on;
///
/// let mut src: &[u8] = b"abc";
/// let mut out = Vec::new();
/// let fut: ReadToEnd<'_, &[u8]> = src.read_to_end(&mut out);
/// assert_eq!(block_on(fut).unwrap(), 3);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadToEnd<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut Vec<u8>,
    start_len: usize,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadToEnd<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        poll_read_to_end(Pin::new(&mut *me.reader), cx, me.buf, me.start_len)
    }
}

/// The smallest spare capacity worth a read call; below it the vector grows first.
const MIN_READ: usize = 32;

/// Reads into `buf`'s spare capacity until end of file; returns the bytes appended
/// since `buf` was `start_len` long. Every read is appended at once, so `Pending`
/// and errors keep what arrived.
pub(crate) fn poll_read_to_end<R: AsyncRead + ?Sized>(
    mut reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    buf: &mut Vec<u8>,
    start_len: usize,
) -> Poll<io::Result<usize>> {
    loop {
        if buf.capacity() - buf.len() < MIN_READ {
            // `reserve` at least doubles the capacity, so growth is amortised O(1).
            buf.reserve(MIN_READ);
        }
        let spare = buf.spare_capacity_mut();
        let spare_ptr = spare.as_ptr();
        let spare_len = spare.len();
        let mut read_buf = ReadBuf::uninit(spare);
        ready!(reader.as_mut().poll_read(cx, &mut read_buf))?;
        let filled = read_buf.filled();
        // A reader can only fill the `ReadBuf` it was given, unless it replaced it
        // wholesale with one over other memory; then the bytes it "filled" are not in
        // `buf` and must not be counted.
        assert!(
            filled.as_ptr() == spare_ptr.cast::<u8>() && read_buf.capacity() == spare_len,
            "AsyncRead::poll_read replaced the ReadBuf it was given with another buffer"
        );
        let n = filled.len();
        if n == 0 {
            return Poll::Ready(Ok(buf.len() - start_len));
        }
        // SAFETY: `set_len` needs the new length within capacity and the elements up
        // to it initialised. The `ReadBuf` covered exactly `buf`'s spare capacity
        // (checked above: same start, same length), and its first `n` bytes are
        // filled, hence initialised (`ReadBuf` rules 1 and 2), so `len + n <=
        // capacity` and bytes `len..len + n` are initialised.
        unsafe { buf.set_len(buf.len() + n) };
    }
}

/// Puts `bytes` into `output`: all of them if those after `start_len` are valid
/// UTF-8, otherwise only the first `start_len`. Returns whether all were kept.
///
/// `bytes[..start_len]` must have come from a `String` (so it is valid UTF-8).
pub(crate) fn restore_utf8(output: &mut String, mut bytes: Vec<u8>, start_len: usize) -> bool {
    let valid = std::str::from_utf8(&bytes[start_len..]).is_ok();
    if !valid {
        bytes.truncate(start_len);
    }
    // SAFETY: `from_utf8_unchecked` needs valid UTF-8. `bytes[..start_len]` was a
    // whole `String` (this function's precondition), and what follows was either
    // just validated or truncated away; two valid UTF-8 sequences concatenate into a
    // valid one.
    *output = unsafe { String::from_utf8_unchecked(bytes) };
    valid
}

pub(crate) fn invalid_utf8(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{what} read bytes that are not valid UTF-8; \
             read them into a Vec<u8> (read_to_end / read_until) instead"
        ),
    )
}

/// The future returned by [`AsyncReadExt::read_to_string`]: resolves to the number
/// of bytes appended. On drop before completion it puts back what it can (see the
/// method's cancel-safety notes).
///
/// ```
/// use weft_io::io::{AsyncReadExt, ReadToString};
/// # use weft_io::doc_support::block_on;
///
/// let mut src: &[u8] = b"abc";
/// let mut out = String::new();
/// let fut: ReadToString<'_, &[u8]> = src.read_to_string(&mut out);
/// assert_eq!(block_on(fut).unwrap(), 3);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadToString<'a, R: ?Sized> {
    reader: &'a mut R,
    /// The caller's string, emptied while the read runs.
    output: &'a mut String,
    /// The caller's string's bytes plus what has been read; `None` once they have
    /// been put back into `output`.
    bytes: Option<Vec<u8>>,
    /// How long the caller's string was.
    start_len: usize,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadToString<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.get_mut();
        let bytes = me
            .bytes
            .as_mut()
            .expect("ReadToString polled after it completed");
        let res = ready!(poll_read_to_end(
            Pin::new(&mut *me.reader),
            cx,
            bytes,
            me.start_len
        ));
        let bytes = me.bytes.take().unwrap_or_default();
        let all_kept = restore_utf8(me.output, bytes, me.start_len);
        Poll::Ready(match res {
            Ok(_) if !all_kept => Err(invalid_utf8("read_to_string")),
            Ok(_) => Ok(me.output.len() - me.start_len),
            Err(e) => Err(e),
        })
    }
}

impl<R: ?Sized> Drop for ReadToString<'_, R> {
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

    /// Hands out its chunks one per poll, returning `Pending` in between.
    struct Trickle {
        chunks: Vec<&'static [u8]>,
        pending_next: bool,
    }

    impl AsyncRead for Trickle {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            if mem::replace(&mut self.pending_next, false) {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            self.pending_next = true;
            if !self.chunks.is_empty() {
                let chunk = self.chunks.remove(0);
                buf.put_slice(chunk);
            }
            Poll::Ready(Ok(()))
        }
    }

    fn trickle(chunks: &[&'static [u8]]) -> Trickle {
        Trickle {
            chunks: chunks.to_vec(),
            pending_next: false,
        }
    }

    fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
        Pin::new(f).poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn read_to_end_keeps_bytes_across_pending() {
        let mut src = trickle(&[b"ab", b"cd"]);
        let mut out = Vec::new();
        let mut fut = src.read_to_end(&mut out);
        assert!(poll_once(&mut fut).is_pending());
        drop(fut);
        // Cancelled after the first chunk: it is already in `out`.
        assert_eq!(out, b"ab");
        let mut fut = src.read_to_end(&mut out);
        // "cd", then a `Pending` before the end of file.
        assert!(poll_once(&mut fut).is_pending());
        assert!(matches!(poll_once(&mut fut), Poll::Ready(Ok(2))));
        assert_eq!(out, b"abcd");
    }

    #[test]
    fn read_to_string_cancelled_keeps_valid_prefix() {
        let mut src = trickle(&[b"h\xc3", b"\xa9"]);
        let mut out = String::from(">");
        {
            let mut fut = src.read_to_string(&mut out);
            assert!(poll_once(&mut fut).is_pending());
        }
        // "h" then half of 'é': not valid alone, so the string is as it was.
        assert_eq!(out, ">");

        let mut src = trickle(&[b"ok", b"!"]);
        {
            let mut fut = src.read_to_string(&mut out);
            assert!(poll_once(&mut fut).is_pending());
        }
        assert_eq!(out, ">ok");
    }

    #[test]
    fn read_to_string_joins_characters_split_across_reads() {
        let mut src = trickle(&[b"h\xc3", b"\xa9"]);
        let mut out = String::new();
        let mut fut = src.read_to_string(&mut out);
        let res = loop {
            if let Poll::Ready(r) = poll_once(&mut fut) {
                break r;
            }
        };
        drop(fut);
        assert_eq!(res.unwrap(), 3);
        assert_eq!(out, "hé");
    }

    #[test]
    fn read_exact_reports_how_far_it_got() {
        let mut src: &[u8] = b"abc";
        let mut buf = [0u8; 5];
        let Poll::Ready(Err(e)) = poll_once(&mut src.read_exact(&mut buf)) else {
            panic!("expected an error")
        };
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(e.to_string().contains("3 of the 5"), "{e}");
        assert_eq!(&buf[..3], b"abc");
    }

    #[test]
    fn read_buf_counts_only_new_bytes() {
        let mut src: &[u8] = b"xyz";
        let mut storage = [0u8; 8];
        let mut buf = ReadBuf::new(&mut storage);
        buf.put_slice(b"12");
        assert!(matches!(
            poll_once(&mut src.read_buf(&mut buf)),
            Poll::Ready(Ok(3))
        ));
        assert_eq!(buf.filled(), b"12xyz");
    }

    /// A reader that swaps in its own buffer: `read_to_end` must refuse it.
    struct Swapper;

    impl AsyncRead for Swapper {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let leaked: &'static mut [u8] = Box::leak(Box::new([1u8; 4]));
            let mut other = ReadBuf::new(leaked);
            other.advance(4);
            // `ReadBuf<'static>` shortens to the caller's lifetime.
            *buf = other;
            Poll::Ready(Ok(()))
        }
    }

    #[test]
    #[cfg_attr(miri, ignore)] // the swapped-in buffer is leaked on purpose
    #[should_panic(expected = "replaced the ReadBuf")]
    fn read_to_end_rejects_a_swapped_buffer() {
        let mut out = Vec::new();
        let _ = poll_once(&mut Swapper.read_to_end(&mut out));
    }
}
