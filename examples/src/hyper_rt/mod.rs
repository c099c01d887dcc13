//! hyper's runtime traits implemented over weft, so that hyper 1.x (which ships no
//! runtime of its own) serves HTTP on weft: [`WeftExecutor`] spawns the background
//! futures hyper hands out, [`WeftTimer`] gives hyper its timeouts on weft's timer
//! wheel, and [`WeftIo`] lets hyper read and write any weft
//! `AsyncRead + AsyncWrite` (a `weft::net::TcpStream`, a Unix stream, a duplex pipe).
//!
//! Invariant: each adapter only forwards to weft's own API; none adds a buffer,
//! a lock or a task of its own, so what hyper measures is weft.

mod executor;
mod io;
mod timer;

pub use executor::WeftExecutor;
pub use io::WeftIo;
pub use timer::{WeftSleep, WeftTimer};
