//! [`Lines`]: a stream of the lines of an [`AsyncBufRead`].
//!
//! # Invariant
//!
//! The line being assembled lives in `buf`, inside the `Lines` itself, until it is
//! complete. Dropping a [`NextLine`] future therefore loses nothing: the next call
//! continues the same line.

use std::future::Future;
use std::io;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use pin_project_lite::pin_project;

use super::AsyncBufRead;
use super::buf_read_ext::poll_read_until;
use super::read_ext::invalid_utf8;

pin_project! {
    /// The lines of a reader, without their `\n` or `\r\n`; the last line may lack
    /// its newline. Made by
    /// [`AsyncBufReadExt::lines`](super::AsyncBufReadExt::lines).
    ///
    /// Use [`next_line`](Lines::next_line), or the [`Stream`] impl
    /// (`Item = io::Result<String>`). A line that is not valid UTF-8 gives an
    /// [`io::ErrorKind::InvalidData`] error and is skipped.
    ///
    /// ```
    /// use weft_io::io::{AsyncBufReadExt, Lines};
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut lines: Lines<&[u8]> = (&b"GET / HTTP/1.1\r\nHost: x\r\n"[..]).lines();
    ///     assert_eq!(lines.next_line().await.unwrap().unwrap(), "GET / HTTP/1.1");
    ///     assert_eq!(lines.next_line().await.unwrap().unwrap(), "Host: x");
    ///     assert!(lines.next_line().await.unwrap().is_none());
    /// });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Lines<R> {
        #[pin]
        reader: R,
        // The line being assembled, kept across cancelled calls.
        buf: Vec<u8>,
        // Bytes of `buf` read by earlier polls of the current line.
        read: usize,
    }
}

impl<R> Lines<R> {
    pub(crate) fn new(reader: R) -> Lines<R> {
        Lines {
            reader,
            buf: Vec::new(),
            read: 0,
        }
    }

    /// The reader.
    ///
    /// ```
    /// use weft_io::io::AsyncBufReadExt;
    /// assert_eq!(*(&b"x"[..]).lines().get_ref(), b"x");
    /// ```
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The reader, mutably.
    ///
    /// ```
    /// use weft_io::io::AsyncBufReadExt;
    /// let mut lines = (&b"x"[..]).lines();
    /// *lines.get_mut() = &b"y"[..];
    /// assert_eq!(*lines.get_ref(), b"y");
    /// ```
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// Unwraps the reader. A partly read line is lost.
    ///
    /// ```
    /// use weft_io::io::AsyncBufReadExt;
    /// assert_eq!((&b"x"[..]).lines().into_inner(), b"x");
    /// ```
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl<R: AsyncBufRead> Lines<R> {
    /// The next line, or `None` at end of file.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a partly read line stays inside the `Lines`, and the next call
    /// returns it whole.
    ///
    /// ```
    /// use weft_io::io::AsyncBufReadExt;
    /// # use weft_io::doc_support::block_on;
    ///
    /// block_on(async {
    ///     let mut lines = (&b"only"[..]).lines();
    ///     assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("only"));
    ///     assert_eq!(lines.next_line().await.unwrap(), None);
    /// });
    /// ```
    pub fn next_line(&mut self) -> NextLine<'_, R>
    where
        R: Unpin,
    {
        NextLine { lines: self }
    }

    /// Polls for the next line; the poll form of [`next_line`](Lines::next_line).
    ///
    /// ```
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use weft_io::io::AsyncBufReadExt;
    ///
    /// let mut lines = pin!((&b"a\n"[..]).lines());
    /// let mut cx = Context::from_waker(Waker::noop());
    /// let Poll::Ready(Ok(Some(line))) = lines.as_mut().poll_next_line(&mut cx) else { panic!() };
    /// assert_eq!(line, "a");
    /// ```
    pub fn poll_next_line(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Option<String>>> {
        let me = self.project();
        let n = ready!(poll_read_until(me.reader, cx, b'\n', me.buf, me.read))?;
        if n == 0 && me.buf.is_empty() {
            return Poll::Ready(Ok(None));
        }
        let mut line = mem::take(me.buf);
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        Poll::Ready(
            String::from_utf8(line)
                .map(Some)
                .map_err(|_| invalid_utf8("Lines::next_line")),
        )
    }
}

impl<R: AsyncBufRead> Stream for Lines<R> {
    type Item = io::Result<String>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_next_line(cx).map(Result::transpose)
    }
}

/// The future returned by [`Lines::next_line`]. Cancel-safe.
///
/// ```
/// use weft_io::io::{AsyncBufReadExt, NextLine};
/// # use weft_io::doc_support::block_on;
///
/// let mut lines = (&b"z"[..]).lines();
/// let fut: NextLine<'_, &[u8]> = lines.next_line();
/// assert_eq!(block_on(fut).unwrap().as_deref(), Some("z"));
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct NextLine<'a, R> {
    lines: &'a mut Lines<R>,
}

impl<R: AsyncBufRead + Unpin> Future for NextLine<'_, R> {
    type Output = io::Result<Option<String>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.get_mut().lines).poll_next_line(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::AsyncBufReadExt;
    use std::task::Waker;

    fn collect(src: &[u8]) -> Vec<io::Result<String>> {
        let mut lines = std::pin::pin!(src.lines());
        let mut cx = Context::from_waker(Waker::noop());
        let mut out = Vec::new();
        while let Poll::Ready(Some(item)) = lines.as_mut().poll_next(&mut cx) {
            out.push(item);
        }
        out
    }

    #[test]
    fn strips_lf_and_crlf_but_not_lone_cr() {
        let got: Vec<String> = collect(b"a\r\nb\nc\rd\n\ne")
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(got, ["a", "b", "c\rd", "", "e"]);
    }

    #[test]
    fn bad_line_is_an_error_then_stream_goes_on() {
        let got = collect(b"ok\n\xfe\nfine");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].as_ref().unwrap(), "ok");
        assert_eq!(
            got[1].as_ref().unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert_eq!(got[2].as_ref().unwrap(), "fine");
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(collect(b"").is_empty());
    }
}
