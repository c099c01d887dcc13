//! A small HTTP/1.1 server and client on weft, with `httparse` reading the message
//! heads: `wire` buffers a connection's bytes both ways and decodes bodies
//! (`Content-Length` and chunked), `deadline` times its reads out with one timer per
//! connection, `server` serves requests (keep-alive, pipelining, limits, timeouts),
//! `client` fetches a URL.

pub mod client;
mod deadline;
pub mod server;
mod wire;

pub use wire::WireError;
