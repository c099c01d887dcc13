//! Asynchronous I/O: the [`AsyncRead`], [`AsyncWrite`] and [`AsyncBufRead`] traits,
//! their `…Ext` helpers, buffered adapters, copying, splitting and in-memory pipes.
//!
//! This module owns only byte-stream plumbing; it knows nothing of the reactor or
//! the scheduler. Everything here works with any executor: the types that model an
//! I/O resource (the [`duplex`] pipe, [`empty`], [`sink`], [`repeat`], [`copy`])
//! spend the cooperative budget of [`crate::coop`], which is unconstrained outside a
//! weft runtime.
//!
//! # Cancel safety at a glance
//!
//! Every future returned here documents what dropping it early costs. In short:
//!
//! | cancel-safe (nothing lost)                           | not cancel-safe                          |
//! |------------------------------------------------------|------------------------------------------|
//! | `read`, `read_buf`, `write`, `write_vectored`, `flush`, `shutdown`, `Lines::next_line`, `Split::next_segment` | `read_exact`, `write_all`, `copy`, `copy_bidirectional` |
//! | `read_to_end`, `read_until` (bytes read so far stay in your buffer) | `read_to_string`, `read_line` (partial text kept only if it is valid UTF-8 on its own) |
//!
//! ```
//! use weft_io::io::{AsyncReadExt, AsyncWriteExt};
//! # use weft_io::doc_support::block_on;
//!
//! block_on(async {
//!     let mut out = Vec::new();
//!     out.write_all(b"hello").await.unwrap();
//!     let mut text = String::new();
//!     (&out[..]).read_to_string(&mut text).await.unwrap();
//!     assert_eq!(text, "hello");
//! });
//! ```

mod buf_read_ext;
mod buf_reader;
mod buf_writer;
mod chain;
mod copy;
mod copy_bidirectional;
mod duplex;
mod empty;
mod lines;
mod read_buf;
mod read_ext;
mod repeat;
mod segments;
mod sink;
mod split;
mod take;
mod traits;
mod write_ext;

pub use buf_read_ext::{AsyncBufReadExt, ReadLine, ReadUntil};
pub use buf_reader::BufReader;
pub use buf_writer::BufWriter;
pub use chain::Chain;
pub use copy::copy;
pub use copy_bidirectional::copy_bidirectional;
pub use duplex::{DuplexStream, duplex};
pub use empty::{Empty, empty};
pub use lines::{Lines, NextLine};
pub use read_buf::ReadBuf;
pub use read_ext::{AsyncReadExt, Read, ReadBufFuture, ReadExact, ReadToEnd, ReadToString};
pub use repeat::{Repeat, repeat};
pub use segments::{NextSegment, Split};
pub use sink::{Sink, sink};
pub use split::{ReadHalf, WriteHalf, split};
pub use take::Take;
pub use traits::{AsyncBufRead, AsyncRead, AsyncWrite};
pub use write_ext::{AsyncWriteExt, Flush, Shutdown, Write, WriteAll, WriteVectored};

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}

    #[test]
    fn public_types_cross_threads() {
        assert_send_sync::<DuplexStream>();
        assert_send_sync::<BufReader<DuplexStream>>();
        assert_send_sync::<BufWriter<DuplexStream>>();
        assert_send_sync::<ReadHalf<BufReader<DuplexStream>>>();
        assert_send_sync::<WriteHalf<BufWriter<DuplexStream>>>();
        assert_send_sync::<Lines<BufReader<DuplexStream>>>();
        assert_send_sync::<Split<BufReader<DuplexStream>>>();
        assert_send_sync::<Take<Chain<Empty, Repeat>>>();
        assert_send_sync::<Sink>();
        assert_send::<Read<'static, DuplexStream>>();
        assert_send::<ReadToString<'static, DuplexStream>>();
        assert_send::<ReadLine<'static, BufReader<DuplexStream>>>();
        assert_send::<WriteAll<'static, DuplexStream>>();
    }

    #[test]
    fn copy_futures_are_send() {
        fn is_send<T: Send>(_: &T) {}
        let (mut a, mut b) = duplex(1);
        is_send(&copy(&mut a, &mut b));
        is_send(&copy_bidirectional(&mut a, &mut b));
    }
}
