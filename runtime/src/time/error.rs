//! The errors of `weft::time`.

use std::fmt;

/// A [`timeout`](super::timeout) ran out before its future finished; the future has
/// been dropped (asyncio's `TimeoutError` from `wait_for`).
///
/// ```
/// use weft::time::{self, Duration, error::Elapsed};
///
/// let rt = weft::runtime::Builder::new_current_thread().start_paused(true).build().unwrap();
/// rt.block_on(async {
///     let res = time::timeout(Duration::from_secs(1), std::future::pending::<()>()).await;
///     let err: Elapsed = res.unwrap_err();
///     assert_eq!(err.to_string(), "deadline has elapsed");
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(e: Elapsed) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::TimedOut, e)
    }
}
