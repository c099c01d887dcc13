//! A small HTTP/1.1 server and client on weft, with `httparse` reading the message
//! heads: `wire` buffers a connection's incoming bytes and decodes bodies
//! (`Content-Length` and chunked), `server` serves requests (keep-alive, pipelining,
//! limits, timeouts), `client` fetches a URL.

pub mod client;
pub mod server;
mod wire;

pub use wire::WireError;
