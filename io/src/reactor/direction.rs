//! [`Direction`]: which half of a resource's readiness an operation waits on.

/// The readiness an I/O operation needs: readable (read, accept, recv) or writable
/// (write, connect, send).
///
/// ```
/// use weft_io::reactor::Direction;
///
/// assert_ne!(Direction::Read, Direction::Write);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Waits for bytes to read, a connection to accept, end of stream or an error.
    Read,
    /// Waits for room to write, a finished connect, a closed peer or an error.
    Write,
}
