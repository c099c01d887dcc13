//! [`copy_bidirectional`]: two [`copy`](super::copy) directions between a pair of
//! streams at once, each shutting down its writer when its reader ends.
//!
//! # Invariant
//!
//! Each direction moves `Running → ShuttingDown → Done` and never back; the other
//! direction keeps going after one is done, so a half-closed connection still
//! delivers everything in the open direction.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::copy::CopyBuffer;
use super::{AsyncRead, AsyncWrite};

enum Transfer {
    Running(CopyBuffer),
    ShuttingDown(u64),
    Done(u64),
}

fn poll_transfer<R, W>(
    cx: &mut Context<'_>,
    state: &mut Transfer,
    reader: &mut R,
    writer: &mut W,
) -> Poll<io::Result<u64>>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    loop {
        match state {
            Transfer::Running(buf) => {
                let n = ready!(buf.poll_copy(cx, Pin::new(&mut *reader), Pin::new(&mut *writer)))?;
                *state = Transfer::ShuttingDown(n);
            }
            Transfer::ShuttingDown(n) => {
                ready!(Pin::new(&mut *writer).poll_shutdown(cx))?;
                *state = Transfer::Done(*n);
            }
            Transfer::Done(n) => return Poll::Ready(Ok(*n)),
        }
    }
}

/// Copies `a → b` and `b → a` at the same time until both readers reach end of
/// file; returns `(bytes a → b, bytes b → a)`.
///
/// When one side's reader ends, the other side's writer is shut down (a proxy
/// passes the half-close on) and the other direction keeps running. The first error
/// in either direction ends the whole copy.
///
/// # Cancel safety
///
/// Not cancel-safe: if the future is dropped, bytes read but not yet written in
/// either direction are lost.
///
/// ```
/// use weft_io::io::{copy_bidirectional, duplex, AsyncReadExt, AsyncWriteExt};
/// # use weft_io::doc_support::block_on;
///
/// block_on(async {
///     let (mut client, mut proxy_in) = duplex(64);
///     let (mut proxy_out, mut server) = duplex(64);
///     client.write_all(b"request").await.unwrap();
///     client.shutdown().await.unwrap();
///     server.write_all(b"response!").await.unwrap();
///     server.shutdown().await.unwrap();
///
///     let counts = copy_bidirectional(&mut proxy_in, &mut proxy_out).await.unwrap();
///     assert_eq!(counts, (7, 9));
///     let mut got = String::new();
///     client.read_to_string(&mut got).await.unwrap();
///     assert_eq!(got, "response!");
/// });
/// ```
pub async fn copy_bidirectional<A, B>(a: &mut A, b: &mut B) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let mut a_to_b = Transfer::Running(CopyBuffer::new());
    let mut b_to_a = Transfer::Running(CopyBuffer::new());
    poll_fn(|cx| {
        // Poll both before looking at either, so each registers its wake-ups.
        let a_to_b = poll_transfer(cx, &mut a_to_b, a, b)?;
        let b_to_a = poll_transfer(cx, &mut b_to_a, b, a)?;
        let a_to_b = ready!(a_to_b);
        let b_to_a = ready!(b_to_a);
        Poll::Ready(Ok((a_to_b, b_to_a)))
    })
    .await
}
