//! Future combinators: asyncio's `gather`, `wait`, `as_completed` and `shield`, plus
//! `try_gather`, `race` and `poll_fn`.
//!
//! Everything here except [`shield`] runs its futures *inside the caller's task*:
//! nothing is spawned, so the futures may borrow and need not be `Send`. They are
//! polled through per-child wakers (`ready_set.rs`), so only the futures that were
//! woken are polled again, whatever their number. To use several cores, spawn tasks
//! and pass their [`JoinHandle`](crate::task::JoinHandle)s, which are futures too.
//!
//! ```
//! use weft::future::{gather, try_gather};
//!
//! # weft::run(async {
//! let squares = gather((1..=3).map(|i| async move { i * i })).await;
//! assert_eq!(squares, [1, 4, 9]);
//!
//! let parsed: Result<Vec<u8>, _> = try_gather(["1", "x"].map(|s| async move { s.parse::<u8>() })).await;
//! assert!(parsed.is_err());
//! # });
//! ```

mod as_completed;
mod children;
mod gather;
mod race;
mod ready_set;
mod shield;
mod try_gather;
mod wait;

pub(crate) use self::ready_set::{ReadySet, Repoll};

pub use self::as_completed::{AsCompleted, as_completed};
pub use self::gather::{Gather, gather};
pub use self::race::{Race, race};
pub use self::shield::{Shield, shield};
pub use self::try_gather::{TryGather, try_gather};
pub use self::wait::{Done, Outcome, Pending, ReturnWhen, Wait, wait};

/// Creates a future from a closure that is called each time the future is polled
/// (re-exported from `std`).
///
/// ```
/// use std::task::Poll;
///
/// # weft::run(async {
/// let mut polls = 0;
/// let out = weft::future::poll_fn(|cx| {
///     polls += 1;
///     if polls < 3 {
///         cx.waker().wake_by_ref();
///         Poll::Pending
///     } else {
///         Poll::Ready(polls)
///     }
/// })
/// .await;
/// assert_eq!(out, 3);
/// # });
/// ```
pub use std::future::poll_fn;
