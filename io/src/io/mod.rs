//! Asynchronous I/O traits and the buffer type they read into.
//!
//! This branch carries only the three traits and [`ReadBuf`], which the sockets in
//! [`crate::net`] implement; the extension traits and adapters live beside them.

mod read_buf;
mod traits;

pub use read_buf::ReadBuf;
pub use traits::{AsyncBufRead, AsyncRead, AsyncWrite};
