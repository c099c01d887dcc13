//! The errors of the queue operations; each gives back the item it could not store.

use std::fmt;

/// [`put`](super::GenericQueue::put) failed because the queue is closed; holds the item.
///
/// ```
/// let q = weft::queue::Queue::new();
/// q.close();
/// let err = q.try_put(1).unwrap_err();
/// assert_eq!(err.into_inner(), 1);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PutError<T>(pub T);

impl<T> PutError<T> {
    /// The item that was not put.
    ///
    /// ```
    /// assert_eq!(weft::queue::PutError(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PutError(..)")
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is closed: it accepts no more items (the item is returned)")
    }
}

impl<T> std::error::Error for PutError<T> {}

/// Why [`try_put`](super::GenericQueue::try_put) failed; holds the item.
///
/// ```
/// use weft::queue::{Queue, TryPutError};
/// let q = Queue::bounded(1);
/// q.try_put(1).unwrap();
/// assert_eq!(q.try_put(2), Err(TryPutError::Full(2)));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum TryPutError<T> {
    /// The queue is at capacity; wait with `put`, or retry after a `get`.
    Full(T),
    /// The queue is closed.
    Closed(T),
}

impl<T> TryPutError<T> {
    /// The item that was not put.
    ///
    /// ```
    /// assert_eq!(weft::queue::TryPutError::Full(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(item) | Self::Closed(item) => item,
        }
    }
}

impl<T> fmt::Debug for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("the queue is full: wait for room with `put().await`"),
            Self::Closed(_) => f.write_str("the queue is closed: it accepts no more items"),
        }
    }
}

impl<T> std::error::Error for TryPutError<T> {}

/// [`get`](super::GenericQueue::get) failed: the queue is closed and has been drained.
///
/// ```
/// let q = weft::queue::Queue::<u8>::new();
/// q.close();
/// assert_eq!(q.try_get(), Err(weft::queue::TryGetError::Closed));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetError(pub(crate) ());

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is closed and empty: no more items will come")
    }
}

impl std::error::Error for GetError {}

/// Why [`try_get`](super::GenericQueue::try_get) failed.
///
/// ```
/// let q = weft::queue::Queue::<u8>::new();
/// assert_eq!(q.try_get(), Err(weft::queue::TryGetError::Empty));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryGetError {
    /// Nothing queued right now; wait with `get().await`.
    Empty,
    /// The queue is closed and drained.
    Closed,
}

impl fmt::Display for TryGetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the queue is empty: wait for an item with `get().await`"),
            Self::Closed => f.write_str("the queue is closed and empty: no more items will come"),
        }
    }
}

impl std::error::Error for TryGetError {}

/// [`task_done`](super::GenericQueue::task_done) was called more times than items were
/// put.
///
/// ```
/// let q = weft::queue::Queue::<u8>::new();
/// assert!(q.task_done().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskDoneError(pub(crate) ());

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "task_done called more times than items were put: call it once per item taken with `get`",
        )
    }
}

impl std::error::Error for TaskDoneError {}
